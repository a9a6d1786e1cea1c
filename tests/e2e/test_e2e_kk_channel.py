"""The logged-in kk channel against the whole system (issue: citizen assistant, part 2):
tokens, conversation isolation, own-case answers, forms, and personal data in form answers."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from conftest import Chat, api_url, buttons, http, login, query, rasa_url, texts

DATE_WITH_TIME = re.compile(
    r"(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag) den \d{1,2}\. [a-zæøå]+ \d{4} kl\. "
    r"\d{2}\.\d{2}"
)


def kk_post(body: dict, headers: dict) -> tuple[int, object]:
    return http("POST", f"{rasa_url()}/webhooks/kk/webhook", body, headers)


def forged(secret: str = "not-the-secret", **overrides) -> str:
    now = datetime.now(timezone.utc)
    claims = {
        "sub": "u-someone",
        "role": "citizen",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        **overrides,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


# --- Tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-jwt"},
    ],
)
def test_missing_or_malformed_token_is_401(headers: dict) -> None:
    status, body = kk_post({"sender": "x1", "message": "hvornår er min næste samtale"}, headers)
    assert status == 401 and body["detail"]


def test_forged_expired_and_unsigned_tokens_are_401() -> None:
    secret = __import__("os").environ["KK_E2E_JWT_SECRET"]
    past = datetime.now(timezone.utc) - timedelta(hours=2)
    expired = forged(
        secret, iat=int(past.timestamp()), exp=int((past + timedelta(minutes=60)).timestamp())
    )
    unsigned = jwt.encode(
        {"sub": "u-x", "role": "admin", "iat": 1, "exp": 4102444800}, None, algorithm="none"
    )
    for token in (forged(), expired, unsigned, forged(secret, role="superuser")):
        status, body = kk_post(
            {"sender": "x2", "message": "hej"}, {"Authorization": f"Bearer {token}"}
        )
        assert status == 401, (token, body)


def test_401_comes_before_the_body_is_read() -> None:
    status, _ = http("POST", f"{rasa_url()}/webhooks/kk/webhook", raw=b"{not json")
    assert status == 401


def test_token_is_not_stored_and_subject_reaches_the_tracker(citizen: Chat) -> None:
    citizen.say("hej")
    rows = query(
        "KK_E2E_TRACKER_DB_URL",
        "SELECT sender_id, data FROM events WHERE sender_id = ?",
        (citizen.conversation_id,),
    )
    assert rows
    stored = "\n".join(r[1] for r in rows)
    assert citizen.token not in stored
    assert citizen.token.split(".")[2] not in stored  # not even the signature


def test_another_citizen_cannot_reach_the_first_ones_conversation() -> None:
    first = Chat(token=login("demo-borger"))
    first.send("jeg er syg og kan ikke komme til min samtale")  # form waits for a choice
    # Same sender id, other person: a fresh conversation of their own, nothing of the first.
    second = Chat(token=login("demo-borger-syg"), sender=first.sender)
    reply = second.say("1")
    assert "fraværsmelding" not in reply.lower()
    assert second.conversation_id != first.conversation_id
    # The anonymous channel with the same sender id cannot reach it either.
    anonymous = Chat(sender=first.sender)
    assert "fraværsmelding" not in anonymous.say("1").lower()
    # The first citizen's form is still waiting for them (the reason came with the first message).
    assert "Skal jeg sende den" in first.say("1")
    assert "ikke sendt noget" in first.say("nej")


# --- Own-case answers ------------------------------------------------------------------------


def test_next_meeting_has_weekday_date_and_time(citizen: Chat) -> None:
    answer = citizen.say("hvornår er min næste samtale")
    assert "Din næste samtale" in answer
    assert DATE_WITH_TIME.search(answer), answer
    assert "i morgen" not in answer


def test_next_payment_plan_and_caseworker(citizen: Chat) -> None:
    assert re.search(r"\d+\.\d{3},\d{2} kr\.", citizen.say("hvornår får jeg mine penge"))
    assert "Det står der i din plan" in citizen.say("hvad står der i min plan")
    assert "Din sagsbehandler er Demo Sagsbehandler" in citizen.say("hvem er min sagsbehandler")


def test_staff_gets_no_citizen_data() -> None:
    staff = Chat(token=login("demo-sagsbehandler"))
    answer = staff.say("hvornår er min næste samtale")
    assert "kun svare på for borgere" in answer
    assert not DATE_WITH_TIME.search(answer)


# --- Forms -----------------------------------------------------------------------------------


def my_records(token: str, path: str) -> list[dict]:
    status, body = http("GET", f"{api_url()}{path}", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    return body


def start_form(chat: Chat, text: str, payload: str) -> list[dict]:
    """Ask in words; when the bot answers with the FAQ and offers the form as a button, click it."""
    reply = chat.send(text)
    if payload in [b["payload"] for b in buttons(reply)]:
        reply = chat.send(payload)
    return reply


def test_absence_report_through_the_form_creates_one_record(citizen: Chat) -> None:
    before = len(my_records(citizen.token, "/me/absence-reports"))
    first = start_form(citizen, "jeg kan ikke komme til min samtale", "/report_absence")
    choices = [b for b in buttons(first) if b["payload"].isdigit()]
    assert choices, first
    citizen.send(choices[0]["payload"])
    summary = citizen.say("mit barn er sygt")
    assert "Skal jeg sende den" in summary and "mit barn er sygt" in summary
    done = citizen.say("ja")
    reference = re.search(r"FRA-\d{4}-\d{6}", done)
    assert reference, done
    reports = my_records(citizen.token, "/me/absence-reports")
    assert len(reports) == before + 1
    assert reports[0]["reference"] == reference.group(0)
    assert reports[0]["kind"] == "sygdom" and reports[0]["meeting_id"]


def test_bad_values_get_a_re_prompt_and_cancel_creates_nothing(citizen: Chat) -> None:
    before = len(my_records(citizen.token, "/me/absence-reports"))
    start_form(citizen, "jeg vil melde fravær til min samtale", "/report_absence")
    assert "Det forstod jeg ikke" in citizen.say("hdfjk")
    assert "Hvilken dag" in citizen.say("tilbud")
    assert "passeret" in citizen.say("den 1.1.2020")
    assert "annulleret" in citizen.say("annuller")
    assert len(my_records(citizen.token, "/me/absence-reports")) == before


def test_abandoned_form_creates_nothing(citizen: Chat) -> None:
    before = len(my_records(citizen.token, "/me/reschedule-requests"))
    asked = start_form(
        citizen, "jeg vil gerne have flyttet min samtale til en anden dag", "/request_reschedule"
    )
    assert "Hvilken samtale" in texts(asked)
    citizen.send("1")
    # The citizen walks away; a new conversation starts from scratch.
    Chat(token=citizen.token).say("hej")
    assert len(my_records(citizen.token, "/me/reschedule-requests")) == before


def test_reschedule_with_correction_and_reference(citizen: Chat) -> None:
    asked = start_form(citizen, "kan jeg få flyttet min samtale", "/request_reschedule")
    assert "Hvilken samtale" in texts(asked)
    citizen.send("1")
    citizen.send("jeg skal til jobsamtale hos et firma")
    summary = citizen.say("tirsdag eller onsdag formiddag")
    assert "Skal jeg sende den" in summary
    # Correction at the summary: the other meeting, named by its date.
    other_day = [b["title"] for b in buttons(asked) if b["payload"] == "2"][0].split(" kl.")[0]
    corrected = citizen.say(f"nej, det er samtalen den {other_day}")
    assert "Skal jeg sende den" in corrected and other_day in corrected
    done = citizen.say("ja tak")
    reference = re.search(r"FLY-\d{4}-\d{6}", done)
    assert reference, done
    requests = my_records(citizen.token, "/me/reschedule-requests")
    assert any(r["reference"] == reference.group(0) for r in requests)


def test_cpr_in_a_form_answer_is_masked_everywhere(citizen: Chat) -> None:
    start_form(citizen, "send en besked til min sagsbehandler", "/message_caseworker")
    summary = citizen.say("Jeg har glemt mit CPR 010190-1234 og vil gerne ringes op")
    assert "010190-1234" not in summary and "[CPR]" in summary
    done = citizen.say("ja")
    assert re.search(r"BSK-\d{4}-\d{6}", done), done
    stored = query("KK_E2E_DATABASE_URL", "SELECT text FROM messages")
    assert any("[CPR]" in row[0] for row in stored)
    assert not any("0101901234" in row[0].replace("-", "") for row in stored)
    time.sleep(1)
    tracker = "\n".join(r[0] for r in query("KK_E2E_TRACKER_DB_URL", "SELECT data FROM events"))
    assert "010190-1234" not in tracker and "0101901234" not in tracker


def test_faq_answer_offers_the_form_to_a_logged_in_citizen(citizen: Chat) -> None:
    reply = citizen.send("hvordan melder man afbud til en samtale")
    offered = [b["payload"] for b in buttons(reply)]
    assert "/report_absence" in offered
    follow = citizen.send("/report_absence")
    assert "Hvilken samtale" in texts(follow)


def test_opening_hours_for_tomorrow(citizen: Chat) -> None:
    answer = citizen.say("er sygedagpengecentret åbent i morgen")
    assert "Sygedagpengecentret" in answer
    assert "åbent kl." in answer or "lukket" in answer
