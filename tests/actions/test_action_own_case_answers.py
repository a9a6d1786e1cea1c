"""Own-case answers from the case service's JSON, parsed into kkshared.case_models by the client
(no running case service: the client's HTTP call is replaced by canned answers)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from tracker_factory import said

from actions import own_case
from actions.forms.base import offer_meetings
from actions.own_case import ActionCaseworker, ActionNextMeeting, ActionNextPayment, ActionPlan
from kkshared.case_models import Caseworker, Meeting, Payment, PlanItem
from kkshared.case_service import CaseServiceClient, CaseServiceNotFound

LAERKEVEJ = {
    "id": "laerkevej",
    "name": "Jobcenter København, Lærkevej",
    "street": "Lærkevej 2",
    "postal_code": "2400",
    "city": "København NV",
    "verified": True,
}
MEETINGS = [
    {
        "id": "m-2",
        "starts_at": "2026-12-01T13:30:00+01:00",
        "duration_minutes": 30,
        "form": "telefon",
        "meeting_type": "opfoelgningssamtale",
        "meeting_type_label": "opfølgningssamtale",
        "status": "planned",
        "location": None,
    },
    {
        "id": "m-1",
        "starts_at": "2026-11-24T10:00:00+01:00",
        "duration_minutes": 45,
        "form": "fysisk",
        "meeting_type": "jobsamtale",
        "meeting_type_label": "jobsamtale",
        "status": "planned",
        "location": LAERKEVEJ,
        "place_note": " Spørg i receptionen. ",
    },
    {"id": "m-0", "starts_at": "2026-11-20T10:00:00+01:00", "status": "cancelled"},
    {"id": "m-x", "starts_at": "not a time", "status": "planned"},
]
PAYMENTS = [
    {"id": "p-2", "pay_date": "2026-12-30", "amount": "11944.00", "status": "planned"},
    {
        "id": "p-1",
        "pay_date": "2026-11-30",
        "amount": "11944.50",
        "status": "planned",
        "description": "Kontanthjælp for november",
    },
    {"id": "p-x", "pay_date": None, "amount": "1.00", "status": "planned"},
]
PLAN = [
    {
        "id": "i-3",
        "title": "Søg 5 job om ugen",
        "kind": "activity",
        "status": "in_progress",
        "sort_order": 3,
    },
    {"id": "i-1", "title": " Job som lagermedarbejder ", "kind": "goal", "sort_order": 1},
    {"id": "i-2", "title": "Cv", "kind": "deadline", "due_date": "2026-12-04", "sort_order": 2},
    {"id": "i-0", "title": "Afsluttet", "kind": "activity", "status": "done", "sort_order": 0},
]


class CannedClient(CaseServiceClient):
    """The real client (and its parsing), with canned answers instead of HTTP."""

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__("http://case-service.invalid", "token")
        self.answers = answers
        self.subjects: list[str | None] = []

    async def _get(self, path: str, params: Any = None, subject: str | None = None) -> Any:
        self.subjects.append(subject)
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer


CITIZEN = {"channel": "kk", "subject": "u-1", "role": "citizen"}
SMS_CITIZEN = {"channel": "sms", "subject": "u-1", "role": "citizen"}


def run(action, client: CannedClient, **who: Any) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, said("x", **who), {}))
    return dispatcher.messages


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> CannedClient:
    canned = CannedClient(
        {
            "/me/meetings": MEETINGS,
            "/me/payments": PAYMENTS,
            "/me/plan": PLAN,
            "/me/caseworker": {"id": "u-cw", "display_name": "Demo Sagsbehandler"},
        }
    )
    monkeypatch.setattr(own_case, "get_client", lambda: canned)
    return canned


def test_the_client_parses_typed_models() -> None:
    canned = CannedClient({"/me/meetings": MEETINGS, "/me/payments": PAYMENTS, "/me/plan": PLAN})
    meetings = asyncio.run(canned.upcoming_meetings("u-1"))
    assert all(isinstance(m, Meeting) for m in meetings) and meetings[1].id == "m-1"
    assert meetings[1].location and meetings[1].location.city == "København NV"
    assert meetings[3].starts_at is None and meetings[2].status == "cancelled"
    payments = asyncio.run(canned.upcoming_payments("u-1"))
    assert payments[1] == Payment(
        "p-1", payments[1].pay_date, Decimal("11944.50"), "Kontanthjælp for november", "planned"
    )
    assert payments[2].pay_date is None
    plan = asyncio.run(canned.plan("u-1"))
    assert all(isinstance(i, PlanItem) for i in plan)
    assert plan[1].title == "Job som lagermedarbejder"
    assert [i.is_open for i in plan] == [True, True, True, False]
    assert canned.subjects == ["u-1", "u-1", "u-1"]


def test_an_amount_that_is_not_a_number_is_an_unreadable_answer() -> None:
    from kkshared.case_service import CaseServiceUnavailable

    canned = CannedClient({"/me/payments": [{"id": "p", "pay_date": "2026-01-01", "amount": "x"}]})
    with pytest.raises(CaseServiceUnavailable, match="/me/payments"):
        asyncio.run(canned.upcoming_payments("u-1"))


def test_next_meeting(client: CannedClient) -> None:
    messages = run(ActionNextMeeting(), client, **CITIZEN)
    assert messages[0] == {
        **messages[0],
        "response": "utter_own_next_meeting",
        "meeting": "en jobsamtale tirsdag den 24. november 2026 kl. 10.00 på Jobcenter København, "
        "Lærkevej (Lærkevej 2, 2400, København NV)",
        "note": " Spørg i receptionen.",
    }
    assert messages[1]["response"] == "utter_own_later_meetings"
    assert messages[1]["later"] == "1. december kl. 13.30, opfølgningssamtale"
    sms = run(ActionNextMeeting(), client, **SMS_CITIZEN)
    assert sms == [
        {
            **sms[0],
            "response": "utter_own_next_meeting_sms",
            "when": "tirsdag den 24. november 2026 kl. 10.00",
            "place": "på Jobcenter København, Lærkevej (Lærkevej 2, 2400, København NV)",
        }
    ]


def test_next_payment(client: CannedClient) -> None:
    [web] = run(ActionNextPayment(), client, **CITIZEN)
    assert (web["response"], web["description"], web["when"]) == (
        "utter_own_next_payment",
        "Kontanthjælp for november",
        "mandag den 30. november 2026",
    )
    assert web["amount"] == "11.944,50 kr."
    [sms] = run(ActionNextPayment(), client, **SMS_CITIZEN)
    assert sms["response"] == "utter_own_next_payment_sms" and "amount" not in sms


def test_plan(client: CannedClient) -> None:
    [plan] = run(ActionPlan(), client, **CITIZEN)
    assert plan["response"] == "utter_own_plan"
    assert plan["items"].splitlines() == [
        "- Mål: Job som lagermedarbejder",
        "- Frist: Cv (senest fredag den 4. december 2026)",
        "- Aktivitet: Søg 5 job om ugen",
    ]


def test_caseworker(client: CannedClient, monkeypatch: pytest.MonkeyPatch) -> None:
    [worker] = run(ActionCaseworker(), client, **CITIZEN)
    assert (worker["response"], worker["name"]) == ("utter_own_caseworker", "Demo Sagsbehandler")
    client.answers["/me/caseworker"] = {"id": "u-cw", "display_name": ""}
    assert [m["response"] for m in run(ActionCaseworker(), client, **CITIZEN)] == [
        "utter_own_no_caseworker"
    ]
    client.answers["/me/caseworker"] = CaseServiceNotFound("/me/caseworker")
    assert [m["response"] for m in run(ActionCaseworker(), client, **CITIZEN)] == [
        "utter_own_no_caseworker"
    ]
    assert asyncio.run(CannedClient({"/me/caseworker": {}}).caseworker("u")) == Caseworker(None)


def test_the_form_offers_upcoming_meetings_in_order() -> None:
    offered = offer_meetings([Meeting.from_json(m) for m in MEETINGS])
    assert [(m["id"], m["day"], m["label"]) for m in offered] == [
        ("m-1", "2026-11-24", "24. november kl. 10.00, jobsamtale"),
        ("m-2", "2026-12-01", "1. december kl. 13.30, opfølgningssamtale"),
    ]
