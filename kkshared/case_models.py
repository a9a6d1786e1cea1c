"""What the case service answers about a citizen's own case, as the Rasa side reads it.

The case service's schemas (``api/schemas/meetings.py``, ``payments.py``, ``plans.py``,
``users.py``) are the contract; these are the fields the actions use, parsed once in the client
(``kkshared.case_service``) so the actions never index raw JSON. Parsing is as tolerant as the
readers it replaced: a missing optional field gets the same default as before (a meeting without
a status is ``planned``, an unreadable start time is None and the meeting is left out of
upcoming ones). Only a value that is there and cannot be what the contract says (an amount that
is not a number) raises ``ValueError``, which the client reports as an unreadable answer.

Standard library and ``kkshared.formatting`` only (the bot environment has no pydantic 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kkshared.formatting import parse_day, parse_moment, to_local


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class MeetingLocation:
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MeetingLocation:
        return cls(
            name=_text(data, "name"),
            street=_text(data, "street"),
            postal_code=_text(data, "postal_code"),
            city=_text(data, "city"),
        )


@dataclass(frozen=True)
class Meeting:
    """``GET /me/meetings``: one meeting (``MeetingOut``)."""

    id: str
    starts_at: datetime | None  # Copenhagen local time; None when unreadable
    status: str = "planned"
    form: str | None = None  # "fysisk" | "telefon" | "video"
    meeting_type_label: str | None = None  # "jobsamtale", ...
    location: MeetingLocation | None = None
    place_note: str | None = None

    @property
    def day(self) -> date | None:
        return self.starts_at.date() if self.starts_at else None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Meeting:
        moment = parse_moment(data.get("starts_at"))
        location = data.get("location")
        status = data.get("status", "planned")
        return cls(
            id=str(data.get("id") or ""),
            starts_at=to_local(moment) if moment else None,
            status=status if isinstance(status, str) else "",
            form=_text(data, "form"),
            meeting_type_label=_text(data, "meeting_type_label"),
            location=MeetingLocation.from_json(location) if isinstance(location, Mapping) else None,
            place_note=data.get("place_note") if isinstance(data.get("place_note"), str) else None,
        )


@dataclass(frozen=True)
class Payment:
    """``GET /me/payments``: one payment (``PaymentOut``)."""

    id: str
    pay_date: date | None  # None when unreadable (such a payment is not told)
    amount: Decimal  # 0 when missing
    description: str | None = None
    status: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Payment:
        raw = data.get("amount")
        try:
            amount = Decimal(str(raw)) if raw else Decimal(0)
        except InvalidOperation as error:
            raise ValueError("a payment amount that is not a number") from error
        if not amount.is_finite():
            raise ValueError("a payment amount that is not a number")
        return cls(
            id=str(data.get("id") or ""),
            pay_date=parse_day(data.get("pay_date")),
            amount=amount,
            description=_text(data, "description"),
            status=_text(data, "status"),
        )


@dataclass(frozen=True)
class PlanItem:
    """``GET /me/plan``: one item of the citizen's plan (``PlanItemOut``)."""

    id: str
    title: str
    kind: str | None = None  # "goal" | "activity" | "deadline"
    status: str | None = None  # "planned" | "in_progress" | "done"
    due_date: date | None = None
    sort_order: int = 0

    @property
    def is_open(self) -> bool:
        return self.status not in ("done", "cancelled")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanItem:
        sort_order = data.get("sort_order", 0)
        title = data.get("title")
        return cls(
            id=str(data.get("id") or ""),
            title=title.strip() if isinstance(title, str) else "",
            kind=_text(data, "kind"),
            status=_text(data, "status"),
            due_date=parse_day(data.get("due_date")),
            sort_order=sort_order if type(sort_order) is int else 0,
        )


@dataclass(frozen=True)
class Caseworker:
    """``GET /me/caseworker`` (``CaseworkerOut``): only the name is told."""

    display_name: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Caseworker:
        return cls(display_name=_text(data, "display_name"))
