"""How a meeting from the case service is told in Danish (chat, SMS and form buttons)."""

from __future__ import annotations

from datetime import date, datetime

from kkshared.case_models import Meeting
from kkshared.formatting import format_datetime, format_short_date, format_time


def starts_at(meeting: Meeting) -> datetime | None:
    """Local start time (None when the case service sent none that can be read)."""
    return meeting.starts_at


def meeting_day(meeting: Meeting) -> date | None:
    return meeting.day


def place(meeting: Meeting) -> str:
    """ "på Jobcenter København, Lærkevej (Lærkevej, København)", "som telefonsamtale", ..."""
    if meeting.form == "telefon":
        return "som telefonsamtale"
    if meeting.form == "video":
        return "som videomøde"
    location = meeting.location
    if location is None or not location.name:
        return "hos jobcentret"
    address = ", ".join(
        part for part in (location.street, location.postal_code, location.city) if part
    )
    return f"på {location.name} ({address})" if address else f"på {location.name}"


def kind(meeting: Meeting) -> str:
    return meeting.meeting_type_label or "samtale"


def full_description(meeting: Meeting) -> str:
    """One sentence body: "en jobsamtale tirsdag den 24. november 2026 kl. 10.00 på …"."""
    moment = meeting.starts_at
    when = format_datetime(moment) if moment else "(tidspunkt ukendt)"
    return f"en {kind(meeting)} {when} {place(meeting)}"


def choice_label(meeting: Meeting) -> str:
    """Short label for a button: "24. november kl. 10.00, jobsamtale"."""
    moment = meeting.starts_at
    if moment is None:
        return kind(meeting)
    return f"{format_short_date(moment)} kl. {format_time(moment)}, {kind(meeting)}"


def upcoming(meetings: list[Meeting]) -> list[Meeting]:
    """Planned meetings with a readable start, earliest first."""
    dated = [(m.starts_at, m) for m in meetings if m.starts_at and m.status == "planned"]
    return [m for _, m in sorted(dated, key=lambda pair: pair[0])]
