"""How a meeting from the case service is told in Danish (chat, SMS and form buttons)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kkshared.formatting import (
    format_datetime,
    format_short_date,
    format_time,
    parse_moment,
    to_local,
)


def starts_at(meeting: dict[str, Any]) -> datetime | None:
    moment = parse_moment(meeting.get("starts_at"))
    return to_local(moment) if moment else None


def meeting_day(meeting: dict[str, Any]) -> date | None:
    moment = starts_at(meeting)
    return moment.date() if moment else None


def place(meeting: dict[str, Any]) -> str:
    """ "på Jobcenter København, Lærkevej (Lærkevej, København)", "som telefonsamtale", ..."""
    form = meeting.get("form")
    if form == "telefon":
        return "som telefonsamtale"
    if form == "video":
        return "som videomøde"
    location = meeting.get("location") or {}
    name = location.get("name")
    if not name:
        return "hos jobcentret"
    address = ", ".join(
        part
        for part in (location.get("street"), location.get("postal_code"), location.get("city"))
        if part
    )
    return f"på {name} ({address})" if address else f"på {name}"


def kind(meeting: dict[str, Any]) -> str:
    return meeting.get("meeting_type_label") or "samtale"


def full_description(meeting: dict[str, Any]) -> str:
    """One sentence body: "en jobsamtale tirsdag den 24. november 2026 kl. 10.00 på …"."""
    moment = starts_at(meeting)
    when = format_datetime(moment) if moment else "(tidspunkt ukendt)"
    return f"en {kind(meeting)} {when} {place(meeting)}"


def choice_label(meeting: dict[str, Any]) -> str:
    """Short label for a button: "24. november kl. 10.00, jobsamtale"."""
    moment = starts_at(meeting)
    if moment is None:
        return kind(meeting)
    return f"{format_short_date(moment)} kl. {format_time(moment)}, {kind(meeting)}"


def upcoming(meetings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Planned meetings with a readable start, earliest first."""
    usable = [
        m for m in meetings if starts_at(m) is not None and m.get("status", "planned") == "planned"
    ]
    return sorted(usable, key=lambda m: starts_at(m))  # type: ignore[arg-type, return-value]
