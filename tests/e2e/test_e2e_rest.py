"""The anonymous REST channel against the whole system (issue: citizen assistant, part 1):
FAQ answers with their source element, handover, out of scope, and personal data kept out of
the tracker store, the logs and the case-service database."""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import Chat, query, texts

CPR = "010190-1234"
CPR_DIGITS = "0101901234"


def test_faq_answer_carries_its_source(anonymous: Chat) -> None:
    reply = anonymous.send("hvornår bliver kontanthjælpen udbetalt")
    assert "automatisk assistent" in reply[0]["text"]  # the AI notice comes first, same reply
    sourced = [m for m in reply if (m.get("custom") or {}).get("source")]
    assert sourced, reply
    source = sourced[0]["custom"]["source"]
    assert source["file"] and source["date"]
    assert "udbetal" in sourced[0]["text"].lower()


def test_handover_gives_a_phone_number_from_the_case_service(anonymous: Chat) -> None:
    answer = anonymous.say("jeg vil gerne tale med en medarbejder")
    assert "ring på" in answer
    assert "+45" in answer  # the (placeholder) numbers in api/demo/locations.json


def test_out_of_scope_is_redirected_not_answered(anonymous: Chat) -> None:
    answer = anonymous.say("hvor kan jeg parkere min bil i indre by")
    assert "kk.dk" in answer


def test_acute_danger_gets_call_112_at_once_in_the_conversations_language() -> None:
    """The guardrail (bot/nlu/emergency.py) through the whole stack: the urgent-help entry from
    the live catalogue, no "Mente du" question back, in Danish and in English."""
    for message, wanted in [
        ("jeg har ondt i brystet og kan ikke få luft", "ring 112 med det samme"),
        ("I want to kill myself", "call 112 at once"),
    ]:
        reply = Chat().send(message)
        answer = texts(reply)
        assert wanted in answer, answer
        assert "Mente du" not in answer and "Did you mean" not in answer
        assert any((m.get("custom") or {}).get("source") for m in reply)


def test_own_case_question_without_login_gets_general_answer_and_login_hint(
    anonymous: Chat,
) -> None:
    reply = anonymous.send("hvornår får jeg mine penge")
    answer = texts(reply)
    assert "Log ind" in answer
    assert any((m.get("custom") or {}).get("source") for m in reply)  # the general FAQ answer


def test_opening_hours_for_a_named_place_and_day_anonymously(anonymous: Chat) -> None:
    answer = anonymous.say("har jobcentret på Lærkevej åbent 2. juledag")
    assert "Lærkevej" in answer and "lukket" in answer and "juledag" in answer


def test_cpr_number_is_never_echoed_or_stored(anonymous: Chat) -> None:
    answer = anonymous.say(f"mit cpr nummer er {CPR} kan i se min sag")
    assert CPR not in answer and CPR_DIGITS not in answer
    assert "Skriv ikke dit CPR-nummer" in answer
    anonymous.say("tak")
    time.sleep(1)  # let the servers flush their logs

    rows = query(
        "KK_E2E_TRACKER_DB_URL",
        "SELECT data FROM events WHERE sender_id = ?",
        (anonymous.conversation_id,),
    )
    assert rows, "the conversation was not stored"
    stored = "\n".join(r[0] for r in rows)
    assert "[CPR]" in stored
    for secret in (CPR, CPR_DIGITS, "010190 1234"):
        assert secret not in stored
        assert secret.encode() not in Path(query_path("KK_E2E_TRACKER_DB_URL")).read_bytes()
        assert secret.encode() not in Path(query_path("KK_E2E_DATABASE_URL")).read_bytes()
        for log in Path(os.environ["KK_E2E_LOG_DIR"]).glob("*.log"):
            assert secret not in log.read_text(errors="replace"), log


def query_path(env: str) -> str:
    return os.environ[env][len("sqlite:///") :]
