"""The postkasse loop: a caseworker escalates, a jurist answers (and publishes), the caseworker
sees the answer, and the next caseworker's paraphrase is answered from the new note."""

from __future__ import annotations

from api_helpers import service_headers, today_cph
from legal_helpers import OUTSIDE_QUESTION, ask, escalate
from sqlalchemy import select

from api.legal.jurist_notes import JURIST_STATUS, check_answer_references, jurist_note_id, quote_of
from api.models import LegalNoteRecord, LegalQuestion, NoteOrigin
from kkshared.formatting import format_day_month_year

SATURDAY_QUESTION = (
    "Kan en borger få befordringsgodtgørelse til en jobsamtale, der holdes en lørdag?"
)
SATURDAY_PARAPHRASE = "kørepenge til samtale i weekenden"
SATURDAY_ANSWER = {
    "answer": (
        "Ja. Befordringsgodtgørelse gives efter LAB § 82 også til en samtale, der holdes en "
        "lørdag, når de almindelige betingelser er opfyldt."
    ),
    "references": ["LAB § 82"],
    "publish": True,
    "title": "Befordringsgodtgørelse til jobsamtale på en lørdag",
    "questions": [
        "Får borgeren kørepenge til en samtale i weekenden?",
        "Dækker vi transport til jobsamtale om lørdagen?",
    ],
}


def answer(client, headers, ticket_id, **body):
    return client.post(f"/legal/questions/{ticket_id}/answer", json=body, headers=headers)


def test_jurist_publishes_and_a_paraphrase_is_answered_at_once(
    client, auth, demo, db_session, full_db_notes
):
    legal = full_db_notes
    staff = auth("demo-sagsbehandler")
    before = ask(client, staff, SATURDAY_PARAPHRASE).json()
    assert not (before["note_id"] or "").startswith("postkasse-")
    ticket = escalate(client, staff, SATURDAY_QUESTION)
    seq_before = legal.snapshot.seq

    r = answer(client, auth("demo-jurist"), ticket, **SATURDAY_ANSWER)
    assert r.status_code == 200, r.text
    body = r.json()
    note_id = jurist_note_id(ticket)
    assert body["status"] == "published" and body["note_id"] == note_id
    # The rebuild ran after the response (background task) and swapped the advisor in.
    assert legal.snapshot.seq > seq_before and note_id in legal.snapshot.notes

    after = ask(client, auth("demo-sagsbehandler-2"), SATURDAY_PARAPHRASE).json()
    assert after["status"] in ("answered", "clarify"), after
    assert after["note_id"] == note_id
    assert after["answer"].startswith(SATURDAY_ANSWER["answer"])
    assert (
        f"juristerne i centralforvaltningen den {format_day_month_year(today_cph())}"
        in after["answer"]
    )
    assert after["citations"] == [
        {
            "reference": "LAB § 82",
            "source_file": f"juridisk-postkasse/{ticket}",
            "source_date": today_cph().isoformat(),
            "source_title": f"Svar fra juristerne i centralforvaltningen (sag {ticket}), "
            f"{today_cph().isoformat()}",
            "quote": quote_of(SATURDAY_ANSWER["answer"]),
        }
    ]

    row = db_session.get(LegalNoteRecord, note_id)
    assert row.origin is NoteOrigin.JURIST and row.status == JURIST_STATUS
    assert row.published_by == demo.user_id("demo-jurist") and row.published_at is not None
    assert row.source_file == f"juridisk-postkasse/{ticket}" and row.date == today_cph().isoformat()
    assert len(row.source_quote.split()) <= 31  # 30 words (+ an ellipsis when cut)
    assert SATURDAY_QUESTION in row.questions  # the asker's own words are a question of the note
    assert set(SATURDAY_ANSWER["questions"]) <= set(row.questions)
    assert check_answer_references(row.answer, row.references) == []


def test_a_reference_cited_but_not_listed_is_422_and_nothing_is_stored(
    client, auth, db_session, small_db_notes
):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    seq = small_db_notes.snapshot.seq
    r = answer(
        client,
        auth("demo-jurist"),
        ticket,
        answer="Nej, det følger af LAS § 13, stk. 7, og LAB § 82.",
        references=["LAB § 82"],
        publish=True,
        title="Boligstøtte",
    )
    assert r.status_code == 422
    assert "LAS §13 stk7" in r.json()["detail"] and "LAB §82" not in r.json()["detail"]
    row = db_session.scalars(select(LegalQuestion).where(LegalQuestion.ticket_id == ticket)).one()
    db_session.refresh(row)
    assert row.status.value == "open" and row.answer is None and row.note_id is None
    assert db_session.get(LegalNoteRecord, jurist_note_id(ticket)) is None
    assert small_db_notes.snapshot.seq == seq  # no rebuild


def test_a_bare_section_inherits_the_law_named_before_it(client, auth, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    r = answer(
        client,
        auth("demo-jurist"),
        ticket,
        answer="Det følger af LAB § 16 a, stk. 5, § 17, stk. 2.",
        references=["LAB § 16 a, stk. 5", "§ 17, stk. 2"],
        publish=False,
    )
    assert r.status_code == 200, r.text
    r = answer(
        client,
        auth("demo-jurist"),
        escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION),
        answer="Det følger af LAS § 17, stk. 2.",
        references=["LAB § 17, stk. 2"],
        publish=False,
    )
    assert r.status_code == 422  # LAS § 17 is not LAB § 17


def test_a_listed_reference_that_is_not_a_reference_is_422(client, auth, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    r = answer(
        client,
        auth("demo-jurist"),
        ticket,
        answer="Nej.",
        references=["se vejledningen"],
        publish=False,
    )
    assert r.status_code == 422 and "not a single legal reference" in r.json()["detail"]


def test_publishing_needs_a_title(client, auth, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    r = answer(client, auth("demo-jurist"), ticket, answer="Nej.", references=[], publish=True)
    assert r.status_code == 422 and "title" in r.json()["detail"]


def test_an_answer_without_publishing_reaches_only_the_asker(
    client, auth, db_session, small_db_notes
):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    seq = small_db_notes.snapshot.seq
    r = answer(
        client,
        auth("demo-jurist"),
        ticket,
        answer="Nej, det kan du ikke.",
        references=[],
        publish=False,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "answered" and body["note_id"] is None
    assert body["answered_by_name"] == "Demo Jurist" and body["answered_at"]
    assert body["citations"] == [
        {
            "reference": None,
            "source_file": f"juridisk-postkasse/{ticket}",
            "source_date": today_cph().isoformat(),
            "source_title": f"Svar fra juristerne i centralforvaltningen (sag {ticket}), "
            f"{today_cph().isoformat()}",
            "quote": "Nej, det kan du ikke.",
        }
    ]
    assert small_db_notes.snapshot.seq == seq
    assert db_session.get(LegalNoteRecord, jurist_note_id(ticket)) is None


def test_a_question_is_answered_once(client, auth, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    assert (
        answer(client, auth("demo-jurist"), ticket, answer="Nej.", publish=False).status_code == 200
    )
    assert (
        answer(client, auth("demo-admin"), ticket, answer="Ja.", publish=False).status_code == 409
    )


def test_the_jurists_answer_is_masked(client, auth, db_session, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    r = answer(
        client, auth("demo-jurist"), ticket, answer="Ring til borgeren på 23456789.", publish=False
    )
    assert r.status_code == 200 and "23456789" not in r.json()["answer"]


def test_listing_the_postkasse(client, auth, small_db_notes):
    open_ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    done_ticket = escalate(client, auth("demo-sagsbehandler-2"), OUTSIDE_QUESTION)
    assert (
        answer(client, auth("demo-jurist"), done_ticket, answer="Nej.", publish=False).status_code
        == 200
    )
    for role in ("demo-jurist", "demo-admin"):
        opened = client.get("/legal/questions?status=open", headers=auth(role)).json()
        assert open_ticket in [q["ticket_id"] for q in opened]
        assert done_ticket not in [q["ticket_id"] for q in opened]
        assert all(q["status"] == "open" for q in opened)
    everything = client.get("/legal/questions", headers=auth("demo-jurist")).json()
    assert {open_ticket, done_ticket} <= {q["ticket_id"] for q in everything}
    assert (
        client.get("/legal/questions?status=nonsense", headers=auth("demo-jurist")).status_code
        == 422
    )


def test_who_sees_a_ticket(client, auth, demo, small_db_notes):
    ticket = escalate(client, auth("demo-sagsbehandler"), OUTSIDE_QUESTION)
    path = f"/legal/questions/{ticket}"
    for username in ("demo-sagsbehandler", "demo-jurist", "demo-admin"):
        r = client.get(path, headers=auth(username))
        assert r.status_code == 200 and r.json()["ticket_id"] == ticket
    # Another caseworker: 404, like an unknown ticket (also through the bot).
    assert client.get(path, headers=auth("demo-sagsbehandler-2")).status_code == 404
    assert (
        client.get(path, headers=service_headers(demo.user_id("demo-sagsbehandler-2"))).status_code
        == 404
    )
    assert (
        client.get("/legal/questions/JUR-2000-000001", headers=auth("demo-jurist")).status_code
        == 404
    )
    assert client.get(path, headers=auth("demo-borger")).status_code == 403
    assert client.get(path).status_code == 401


def test_the_caseworker_sees_the_answer_next_time_and_marks_it_seen(client, auth, small_db_notes):
    staff = auth("demo-sagsbehandler")
    ticket = escalate(client, staff, OUTSIDE_QUESTION)
    assert (
        client.post(f"/legal/my-questions/{ticket}/seen", headers=staff).status_code == 409
    )  # not answered
    mine = client.get("/legal/my-questions", headers=staff).json()
    assert [q["ticket_id"] for q in mine if q["ticket_id"] == ticket] == [ticket]
    assert client.get("/legal/my-questions?unseen=true", headers=staff).json() == []

    assert (
        answer(
            client,
            auth("demo-jurist"),
            ticket,
            answer="Nej, ikke efter LAB § 82.",
            references=["LAB § 82"],
            publish=False,
        ).status_code
        == 200
    )
    unseen = client.get("/legal/my-questions?unseen=true", headers=staff).json()
    assert [q["ticket_id"] for q in unseen] == [ticket]
    assert (
        unseen[0]["answer"] == "Nej, ikke efter LAB § 82." and unseen[0]["seen_by_asker_at"] is None
    )
    assert [c["reference"] for c in unseen[0]["citations"]] == ["LAB § 82"]

    # Another caseworker neither sees nor marks it.
    other = auth("demo-sagsbehandler-2")
    assert ticket not in [
        q["ticket_id"] for q in client.get("/legal/my-questions", headers=other).json()
    ]
    assert client.post(f"/legal/my-questions/{ticket}/seen", headers=other).status_code == 404

    r = client.post(f"/legal/my-questions/{ticket}/seen", headers=staff)
    assert r.status_code == 200 and r.json()["seen_by_asker_at"]
    first_seen = r.json()["seen_by_asker_at"]
    assert (
        client.post(f"/legal/my-questions/{ticket}/seen", headers=staff).json()["seen_by_asker_at"]
        == first_seen
    )
    assert client.get("/legal/my-questions?unseen=true", headers=staff).json() == []
    # Still kept for journalisering.
    kept = client.get(f"/legal/questions/{ticket}", headers=auth("demo-admin")).json()
    assert (
        kept["answered_by"] and kept["answered_at"] and kept["asked_at"] and kept["asker_user_id"]
    )
