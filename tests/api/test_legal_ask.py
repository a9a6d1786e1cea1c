"""POST /legal/ask: answered / clarify / refused, exact citations, escalation with masked text."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import pytest
from api_helpers import service_headers, today_cph
from legal_helpers import (
    NO_REFERENCES_NOTE,
    NO_REFERENCES_QUESTION,
    OUTSIDE_QUESTION,
    TELEPHONE_NOTE,
    TELEPHONE_QUESTION,
    ask,
    real_snapshot,
)
from sqlalchemy import select

from api.legal.decision import Advice
from api.legal.live_advisor import Snapshot
from api.models import LegalQuestion
from kkshared.knowledge import status_notice

TICKET = re.compile(r"^JUR-\d{4}-\d{6}$")
KEYS = {
    "status",
    "answer",
    "note_id",
    "citations",
    "confidence",
    "ticket_id",
    "alternative",
    "notice",
    "source_passage",
}


def test_answered_gives_the_note_with_its_status_notice_and_exact_citations(client, auth, legal):
    r = ask(client, auth("demo-sagsbehandler"), TELEPHONE_QUESTION)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == KEYS
    assert body["status"] == "answered" and body["note_id"] == TELEPHONE_NOTE
    note = real_snapshot().notes[TELEPHONE_NOTE]
    assert body["answer"] == f"{note.answer} {status_notice(note)}"
    assert status_notice(note)  # the 2017 notes say they must be reassessed
    assert [c["reference"] for c in body["citations"]] == list(note.references)
    for citation in body["citations"]:
        assert citation["source_file"] == note.source.file
        assert citation["source_date"] == note.date
        assert citation["quote"] == note.source.quote and citation["quote"]
    assert 0.6 <= body["confidence"] <= 1.0
    assert body["ticket_id"] is None and body["alternative"] is None
    assert body["notice"]


def test_a_note_without_references_still_shows_source_and_date(client, auth, legal):
    body = ask(client, auth("demo-sagsbehandler"), NO_REFERENCES_QUESTION).json()
    assert body["note_id"] == NO_REFERENCES_NOTE
    note = real_snapshot().notes[NO_REFERENCES_NOTE]
    assert note.references == ()
    assert body["citations"] == [
        {
            "reference": None,
            "source_file": note.source.file,
            "source_date": note.date,
            "source_title": (
                "BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, " + note.date
            ),
            "quote": note.source.quote,
        }
    ]


def test_refused_has_no_answer_and_offers_the_lawyers(client, auth, legal):
    body = ask(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION).json()
    assert body["status"] == "refused"
    assert body["answer"] is None and body["note_id"] is None and body["citations"] == []
    assert body["ticket_id"] is None and body["alternative"] is None
    assert body["confidence"] < 0.35
    assert "juristerne" in body["notice"] and body["notice"].endswith("?")


def test_clarify_with_the_real_advisor_offers_the_close_runner_up(client, auth, legal):
    body = ask(client, auth("demo-sagsbehandler"), "repatriering samtale").json()
    assert body["status"] == "clarify"
    notes = real_snapshot().notes
    assert body["note_id"] in notes and body["answer"].startswith(notes[body["note_id"]].answer)
    alternative = body["alternative"]
    assert alternative is not None and alternative["note_id"] != body["note_id"]
    assert alternative["title"] == notes[alternative["note_id"]].title
    assert alternative["title"] in body["notice"]
    assert [c["reference"] for c in body["citations"]] == (
        list(notes[body["note_id"]].references) or [None]
    )


class _FixedAdvisor:
    def __init__(self, advice: Advice) -> None:
        self.advice = advice

    def advise(self, question: str) -> Advice:
        return self.advice


@pytest.fixture
def fixed_advice(legal):
    """Make the advisor give a chosen advice (to test the response for every status)."""

    def install(advice: Advice) -> None:
        real = real_snapshot()
        legal.install(Snapshot(_FixedAdvisor(advice), real.notes, 0, datetime.now(UTC), 0.0))

    return install


def test_clarify_without_alternative(client, auth, fixed_advice):
    fixed_advice(Advice("clarify", TELEPHONE_NOTE, 0.5, None))
    body = ask(client, auth("demo-sagsbehandler"), "noget om telefon").json()
    assert body["status"] == "clarify" and body["note_id"] == TELEPHONE_NOTE
    assert body["alternative"] is None and body["confidence"] == 0.5
    assert body["answer"] and body["citations"] and "ikke helt sikker" in body["notice"]


def test_an_advice_for_an_unknown_note_is_refused(client, auth, fixed_advice):
    fixed_advice(Advice("answered", "no-such-note", 0.9, None))
    body = ask(client, auth("demo-sagsbehandler"), "noget helt andet").json()
    assert body["status"] == "refused" and body["answer"] is None and body["citations"] == []


def test_escalation_files_a_ticket_with_masked_text(client, auth, demo, db_session, legal):
    question = (
        "Borgeren med cpr 010190-1234 og tlf. 23 45 67 89 vil have kørepenge til en lørdag, må hun "
        "det?"
    )
    r = ask(
        client,
        auth("demo-sagsbehandler"),
        question,
        escalate=True,
        context="Bot: Jeg kan ikke svare. Sagsbehandler: skriv til jens@example.com",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert TICKET.match(body["ticket_id"]) and body["ticket_id"][4:8] == str(today_cph().year)
    assert body["ticket_id"] in body["notice"]
    row = db_session.scalars(
        select(LegalQuestion).where(LegalQuestion.ticket_id == body["ticket_id"])
    ).one()
    assert "010190-1234" not in row.question and "[CPR]" in row.question
    assert "23 45 67 89" not in row.question and "[TELEFON]" in row.question
    assert "jens@example.com" not in row.context and "[EMAIL]" in row.context
    assert row.asker_user_id == demo.user_id("demo-sagsbehandler") and row.asker_role == "staff"
    assert row.status.value == "open" and row.advice_status == body["status"]
    assert row.created_at is not None and row.answered_at is None


def test_escalation_is_filed_also_when_the_assistant_could_answer(client, auth, db_session, legal):
    body = ask(client, auth("demo-sagsbehandler"), TELEPHONE_QUESTION, escalate=True).json()
    assert body["status"] == "answered" and body["answer"] and TICKET.match(body["ticket_id"])
    row = db_session.scalars(
        select(LegalQuestion).where(LegalQuestion.ticket_id == body["ticket_id"])
    ).one()
    assert row.advice_status == "answered" and row.advice_note_id == TELEPHONE_NOTE


def test_tickets_are_numbered_in_sequence(client, auth, legal):
    first = ask(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION, escalate=True).json()[
        "ticket_id"
    ]
    second = ask(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION, escalate=True).json()[
        "ticket_id"
    ]
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_the_bot_asks_for_a_caseworker_with_the_service_token(client, demo, db_session, legal):
    headers = service_headers(demo.user_id("demo-sagsbehandler"))
    r = ask(client, headers, OUTSIDE_QUESTION, escalate=True)
    assert r.status_code == 200
    row = db_session.scalars(
        select(LegalQuestion).where(LegalQuestion.ticket_id == r.json()["ticket_id"])
    ).one()
    assert row.asker_user_id == demo.user_id("demo-sagsbehandler")
    # ... but never for a citizen.
    assert (
        ask(client, service_headers(demo.user_id("demo-borger")), OUTSIDE_QUESTION).status_code
        == 403
    )


@pytest.mark.parametrize(
    "body",
    [
        {"question": "ab"},
        {"question": "x" * 2001},
        {"question": "   "},
        {"question": "Gyldigt spørgsmål?", "context": "x" * 4001},
        {"question": "Gyldigt spørgsmål?", "unknown": 1},
        {"question": "Gyldigt spørgsmål?", "escalate": "måske"},
        {},
    ],
)
def test_invalid_questions_are_422(client, auth, legal, body):
    r = client.post("/legal/ask", json=body, headers=auth("demo-sagsbehandler"))
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_a_question_of_2000_characters_is_accepted(client, auth, legal):
    assert ask(client, auth("demo-sagsbehandler"), "Må jeg " + "a" * 1993).status_code == 200


def test_while_the_advisor_builds_asking_is_503_but_escalation_is_filed(
    client, auth, app, db_session
):
    guidance = app.state.legal
    saved = guidance.snapshot
    guidance._snapshot = None  # as right after start-up
    try:
        r = ask(client, auth("demo-sagsbehandler"), TELEPHONE_QUESTION)
        assert r.status_code == 503 and r.headers["Retry-After"] == "5"
        r = ask(client, auth("demo-sagsbehandler"), TELEPHONE_QUESTION, escalate=True)
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "refused" and TICKET.match(body["ticket_id"])
        row = db_session.scalars(
            select(LegalQuestion).where(LegalQuestion.ticket_id == body["ticket_id"])
        ).one()
        assert row.advice_status == "unavailable"
    finally:
        guidance._snapshot = saved


def test_questions_are_never_logged_in_clear(client, auth, legal, caplog):
    caplog.set_level(logging.DEBUG)
    question = "Borger 010190-1234 udeblev fra samtalen, hvad gør jeg?"
    ask(client, auth("demo-sagsbehandler"), question, escalate=True)
    text = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "010190-1234" not in text and "udeblev fra samtalen" not in text
    assert any(r.getMessage() == "legal question" for r in caplog.records)
