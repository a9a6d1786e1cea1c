"""POST /legal/ask: a refusal carries the source passage that covers the question (tier 2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from legal_helpers import ask, real_snapshot

from api.legal.decision import Advice
from api.legal.live_advisor import Snapshot
from api.legal.passages import SourcePassages
from kkshared.sources import Passage, source_label

FILE = "003_fdb3bbd829f81f33.txt"
TEXTS = (
    "Efter LAB § 16 a, stk. 5, skal jobcentret journalisere samtaleskemaet for aktivitetsparate "
    "unge senest tre hverdage efter samtalen.",
    "Leverandørerne sender hver måned en rapport om borgernes fremmøde til jobcentret.",
    "Ledige på sprogkursus kan få befordringsgodtgørelse, når afstanden er over tolv kilometer.",
)


class _Refuses:
    def advise(self, question: str) -> Advice:
        return Advice("refused", None, 0.2)


@pytest.fixture
def refusing_with_passages(legal):
    passages = SourcePassages([Passage(f"{FILE}#{i}", FILE, t) for i, t in enumerate(TEXTS)])
    snapshot = Snapshot(_Refuses(), real_snapshot().notes, 0, datetime.now(UTC), 0.0, passages)
    legal.install(snapshot)
    return legal


def test_refused_with_the_source_passage(client, auth, refusing_with_passages):
    r = ask(
        client,
        auth("demo-sagsbehandler"),
        "Hvornår skal samtaleskemaet for aktivitetsparate unge journaliseres?",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "refused" and body["answer"] is None and body["citations"] == []
    assert body["source_passage"] == {
        "text": TEXTS[0],
        "file": FILE,
        "date": "2022",
        "title": source_label(FILE),
        "references": ["LAB § 16a, stk. 5"],
    }


def test_plain_refusal_when_no_passage_covers_it(client, auth, refusing_with_passages):
    body = ask(client, auth("demo-sagsbehandler"), "Hvem vandt Superligaen sidste år?").json()
    assert body["status"] == "refused" and body["source_passage"] is None


def test_escalating_a_question_with_a_passage_still_files_a_ticket(
    client, auth, refusing_with_passages
):
    body = ask(
        client,
        auth("demo-sagsbehandler"),
        "Hvornår skal samtaleskemaet for aktivitetsparate unge journaliseres?",
        escalate=True,
    ).json()
    assert body["status"] == "refused" and body["ticket_id"] and body["source_passage"]
