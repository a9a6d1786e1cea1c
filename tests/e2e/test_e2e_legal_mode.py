"""Legal guidance in the bot (issue: legal-guidance mode): role checks, cited answers in the
same turn, refusal + escalation, the jurist's answer shown when the caseworker comes back."""

from __future__ import annotations

import re

from conftest import Chat, api_url, buttons, http, login, texts


def test_citizens_and_anonymous_users_are_refused() -> None:
    for chat in (Chat(token=login("demo-borger")), Chat()):
        for opener in ("/juridisk", "jeg har et juridisk spørgsmål"):
            answer = chat.say(opener)
            assert "kun for medarbejdere" in answer, answer
        # Not in the mode: a legal-sounding question is not answered with a legal note.
        assert "Henvisning:" not in chat.say("hvad siger LAB § 16 a om telefonsamtaler")


def test_caseworker_gets_a_cited_answer_in_the_same_turn() -> None:
    staff = Chat(token=login("demo-sagsbehandler"))
    assert "juridisk vejledning" in staff.say("jeg har et juridsk spørgsmål")  # typo tolerated
    reply = staff.send("kan jobsamtalen holdes telefonisk når borgeren er i virksomhedspraktik")
    answer = texts(reply)
    assert "Henvisning:" in answer and "LAB § 16 a, stk. 5" in answer
    # The source as people see it: the document title and date, not the file name.
    assert (
        "Kilde: BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017" in answer
    )
    legal = [m["custom"]["legal"] for m in reply if (m.get("custom") or {}).get("legal")]
    assert legal and legal[0]["note_id"] and legal[0]["citations"]
    assert "forladt" in staff.say("afslut")
    # Out of the mode again: ordinary handling.
    assert "Henvisning:" not in staff.say("hvad er klokken")


def test_slash_command_enters_the_mode_for_staff_roles() -> None:
    for user in ("demo-sagsbehandler", "demo-jurist", "demo-admin"):
        assert "juridisk vejledning" in Chat(token=login(user)).say("/juridisk")


def test_unknown_question_is_escalated_and_the_answer_comes_back() -> None:
    staff_token = login("demo-sagsbehandler")
    staff = Chat(token=staff_token)
    staff.send("/juridisk")
    question = (
        "må vi udbetale kontanthjælp til en borger der bor på en båd i Sydhavnen uden fast adresse"
    )
    reply = staff.send(question)
    payloads = [b["payload"] for b in buttons(reply)]
    assert "/legal_escalate" in payloads, texts(reply)
    sent = staff.say("/legal_escalate")
    ticket = re.search(r"JUR-\d{4}-\d{6}", sent)
    assert ticket, sent

    jurist = login("demo-jurist")
    status, body = http(
        "POST",
        f"{api_url()}/legal/questions/{ticket.group(0)}/answer",
        {
            "answer": (
                "Ja, hvis borgeren opfylder betingelserne i LAS § 11. Bopæl på en båd er ikke i "
                "sig selv en hindring."
            ),
            "references": ["LAS § 11"],
            "publish": False,
        },
        headers={"Authorization": f"Bearer {jurist}"},
    )
    assert status == 200, body

    # Next time the caseworker opens the chat (a new conversation), the answer is shown once.
    again = Chat(token=staff_token)
    first = again.say("hej")
    assert ticket.group(0) in first and "LAS § 11" in first
    assert ticket.group(0) not in Chat(token=staff_token).say("hej")
