"""The typed case-service answers (kkshared.case_models): tolerant where the readers were."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kkshared.case_models import Caseworker, Meeting, Payment, PlanItem
from kkshared.formatting import COPENHAGEN


def test_meeting_with_every_field() -> None:
    meeting = Meeting.from_json(
        {
            "id": "m-1",
            "starts_at": "2026-11-24T09:00:00+00:00",
            "form": "fysisk",
            "meeting_type_label": "jobsamtale",
            "status": "planned",
            "location": {"id": "l", "name": "Lærkevej", "street": None, "city": "København"},
            "place_note": "Spørg i receptionen.",
        }
    )
    assert meeting.starts_at is not None and meeting.starts_at.tzinfo == COPENHAGEN
    assert meeting.starts_at.hour == 10 and meeting.day == date(2026, 11, 24)
    assert meeting.location is not None and meeting.location.street is None
    assert (meeting.form, meeting.status, meeting.place_note) == (
        "fysisk",
        "planned",
        "Spørg i receptionen.",
    )


def test_missing_or_odd_meeting_fields() -> None:
    bare = Meeting.from_json({})
    assert bare == Meeting(id="", starts_at=None, status="planned")
    assert bare.day is None
    odd = Meeting.from_json({"id": 7, "starts_at": "soon", "status": None, "location": "here"})
    assert (odd.id, odd.starts_at, odd.status, odd.location) == ("7", None, "", None)
    naive = Meeting.from_json({"starts_at": "2026-11-24T10:00:00"})  # naive is local time
    assert naive.starts_at is not None and naive.starts_at.hour == 10


def test_payment_amounts() -> None:
    assert Payment.from_json({"amount": "11944.00"}).amount == Decimal("11944.00")
    assert Payment.from_json({"amount": 12}).amount == Decimal(12)
    assert Payment.from_json({}).amount == Decimal(0)
    assert Payment.from_json({"pay_date": "2026-11-30"}).pay_date == date(2026, 11, 30)
    assert Payment.from_json({"pay_date": "later"}).pay_date is None
    for bad in ("lots", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            Payment.from_json({"amount": bad})


def test_plan_items_and_caseworker() -> None:
    item = PlanItem.from_json({"id": "i", "title": " Cv ", "kind": "deadline", "status": "done"})
    assert (item.title, item.kind, item.sort_order, item.is_open) == ("Cv", "deadline", 0, False)
    assert PlanItem.from_json({"sort_order": "2", "title": None}) == PlanItem(id="", title="")
    assert PlanItem.from_json({"status": "in_progress"}).is_open
    assert Caseworker.from_json({"display_name": "Demo"}).display_name == "Demo"
    assert Caseworker.from_json({"display_name": ""}).display_name is None
