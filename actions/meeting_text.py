"""How a meeting from the case service is told (chat, SMS and form buttons), in the conversation's
language (Danish texts are the msgids of locale/en/LC_MESSAGES/kk.po)."""

from __future__ import annotations

from datetime import date, datetime

from kkshared.case_models import Meeting
from kkshared.formatting import format_datetime, format_short_date, format_time
from kkshared.i18n import _, language_of


def starts_at(meeting: Meeting) -> datetime | None:
    """Local start time (None when the case service sent none that can be read)."""
    return meeting.starts_at


def meeting_day(meeting: Meeting) -> date | None:
    return meeting.day


def place(meeting: Meeting, language: str = "da") -> str:
    """ "på Jobcenter København, Lærkevej (Lærkevej, København)", "som telefonsamtale", ..."""
    if meeting.form == "telefon":
        return _("som telefonsamtale", language)
    if meeting.form == "video":
        return _("som videomøde", language)
    location = meeting.location
    if location is None or not location.name:
        return _("hos jobcentret", language)
    address = ", ".join(
        part for part in (location.street, location.postal_code, location.city) if part
    )
    if address:
        return _("på {name} ({address})", language).format(name=location.name, address=address)
    return _("på {name}", language).format(name=location.name)


def kind(meeting: Meeting, language: str = "da") -> str:
    """The meeting type as the case service names it (Danish); in English "meeting (jobsamtale)"."""
    label = meeting.meeting_type_label
    if not label:
        return _("samtale", language)
    return f"meeting ({label})" if language_of(language) == "en" else label


def full_description(meeting: Meeting, language: str = "da") -> str:
    """One sentence body: "en jobsamtale tirsdag den 24. november 2026 kl. 10.00 på …"."""
    moment = meeting.starts_at
    when = format_datetime(moment, language) if moment else _("(tidspunkt ukendt)", language)
    return _("en {kind} {when} {place}", language).format(
        kind=kind(meeting, language), when=when, place=place(meeting, language)
    )


def choice_label(meeting: Meeting, language: str = "da") -> str:
    """Short label for a button: "24. november kl. 10.00, jobsamtale"."""
    moment = meeting.starts_at
    if moment is None:
        return kind(meeting, language)
    return _("{day} kl. {time}, {kind}", language).format(
        day=format_short_date(moment, language),
        time=format_time(moment, language),
        kind=kind(meeting, language),
    )


def upcoming(meetings: list[Meeting]) -> list[Meeting]:
    """Planned meetings with a readable start, earliest first."""
    dated = [(m.starts_at, m) for m in meetings if m.starts_at and m.status == "planned"]
    return [m for _m, m in sorted(dated, key=lambda pair: pair[0])]
