"""Opening hours and closures, date-aware: "er jobcentret på Lærkevej åbent i morgen?".

Which place: names and aliases from ``GET /locations`` found in the message (æ/ø/å folded);
none named → the job centres' addresses (or the phone lines when the message is about
calling). Which day: ``kkshared.dates.find_day`` ("i morgen", "på fredag", "2. juledag",
"den 24.12"); else a period, ``kkshared.periods.find_period`` ("i julen", "i påsken", "næste
uge"): one line per day; none → right now. The answer comes from ``GET /locations/{id}/days/{date}``
(holidays and registered closures included) or ``/status``. Anonymous users may ask.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.client import get_client
from actions.language import conversation_language
from kkshared.case_service import CaseServiceClient, CaseServiceError
from kkshared.dates import find_day
from kkshared.formatting import (
    COPENHAGEN,
    format_date,
    format_datetime,
    format_short_date,
    format_time,
    format_weekday,
    parse_day,
    parse_moment,
)
from kkshared.i18n import _
from kkshared.normalize import fold
from kkshared.periods import find_period

logger = logging.getLogger(__name__)

DEADLINE_SECONDS = 2.5
MAX_PLACES = 3
_PHONE_WORDS = re.compile(r"\b(ring\w*|telefon\w*|tlf|opkald)\b")
_WORD_CHARS = re.compile(r"[^a-z0-9]+")


def _folded(text: str) -> str:
    return " " + _WORD_CHARS.sub(" ", fold(text.lower())).strip() + " "


def named_locations(text: str, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Locations whose name or an alias occurs in ``text`` (whole words, æ/ø/å folded)."""
    haystack = _folded(text)
    found = []
    for location in locations:
        name = location.get("name") or ""
        # "Jobcenter København, Lærkevej" is also found as "Lærkevej".
        names = [name, name.rsplit(",", 1)[-1]] + list(location.get("aliases") or [])
        if any(len(n) >= 3 and _folded(n) in haystack for n in names if n):
            found.append(location)
    return found


def default_locations(text: str, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """No place named: the phone lines when the message is about calling, else the job centres."""
    wants_phone = bool(_PHONE_WORDS.search(fold(text.lower())))
    channel = "telefon" if wants_phone else "fysisk"
    chosen = [loc for loc in locations if loc.get("channel") == channel]
    return chosen or locations


def _hours(intervals: list[dict[str, Any]], language: str = "da") -> str:
    parts = []
    for interval in intervals:
        opens, closes = parse_moment(interval.get("opens")), parse_moment(interval.get("closes"))
        if opens and closes:
            parts.append(f"{format_time(opens, language)}-{format_time(closes, language)}")
    return _(" og ", language).join(parts)


def _listed(names: list[str], language: str = "da") -> str:
    """ "A", "A og B", "A, B og C"; "A; B og C" when a name has a comma of its own
    ("Jobcenter København, Lærkevej")."""
    if len(names) < 2:
        return "".join(names)
    separator = "; " if any("," in name for name in names) else ", "
    return _(" og ", language).join([separator.join(names[:-1]), names[-1]])


def day_state(info: dict[str, Any], language: str = "da") -> str:
    """Whether a place is open on a day and when, or why not ("åbent kl. 09.00-15.00",
    "lukket (Juleaftensdag)"); holiday names and closure reasons come from the case service in
    Danish and are kept as they are (they are names and staff's own words). A weekday without
    opening hours is said in the conversation's language."""
    if info.get("open") and info.get("hours"):
        return _("åbent kl. {hours}", language).format(hours=_hours(info["hours"], language))
    day = parse_day(info.get("date"))
    if info.get("reason") == "outside_hours" and day:
        if info.get("regular_hours"):
            reason = _("uden for åbningstiden", language)
        else:
            weekday = format_weekday(day, language)
            reason = _("ingen åbningstid om {weekday}en", language).format(weekday=weekday)
        return _("lukket ({reason})", language).format(reason=reason)
    detail: str | None = info.get("holiday") or info.get("detail")
    closures = info.get("closures") or []
    if not detail and closures:
        detail = closures[0].get("reason")
    if detail:
        return _("lukket ({reason})", language).format(reason=detail)
    return _("lukket", language)


def day_line(location: dict[str, Any], info: dict[str, Any], language: str = "da") -> str:
    """One place's hours on a day: "Jobcenter København, Lærkevej: åbent kl. 09.00-15.00."."""
    name = location.get("name") or location.get("id")
    return _("{name}: {state}.", language).format(name=name, state=day_state(info, language))


def period_lines(
    places: list[dict[str, Any]],
    days: list[date],
    infos: list[dict[str, Any]],
    language: str = "da",
) -> list[str]:
    """One line per day of a period ("torsdag 24. december: lukket (Juleaftensdag)"); ``infos``
    holds each day's answer for every place, day by day. When the places differ on a day, the
    line names each place."""
    lines = []
    for index, day in enumerate(days):
        row = infos[index * len(places) : (index + 1) * len(places)]
        states = [day_state(info, language) for info in row]
        label = f"{format_weekday(day, language)} {format_short_date(day, language)}"
        if len(set(states)) == 1:
            lines.append(f"{label}: {states[0]}")
        else:
            parts = [
                f"{place.get('name') or place.get('id')}: {state}"
                for place, state in zip(places, states, strict=True)
            ]
            lines.append(f"{label}: " + "; ".join(parts))
    return lines


def status_line(location: dict[str, Any], status: dict[str, Any], language: str = "da") -> str:
    name = location.get("name") or location.get("id")
    if status.get("open"):
        closes = parse_moment(status.get("closes_at"))
        if closes:
            until = format_time(closes, language)
            return _("{name}: åbent nu, indtil kl. {time}.", language).format(name=name, time=until)
        return _("{name}: åbent nu.", language).format(name=name)
    next_open = parse_moment(status.get("next_opening"))
    if next_open:
        when = format_datetime(next_open, language)
        return _("{name}: lukket nu. Åbner igen {when}.", language).format(name=name, when=when)
    return _("{name}: lukket nu.", language).format(name=name)


async def opening_messages(
    text: str,
    client: CaseServiceClient | None = None,
    now: datetime | None = None,
    language: str = "da",
) -> list[dict[str, Any]]:
    """The responses (name + variables) answering ``text``."""
    client = client or get_client()
    now = now or datetime.now(COPENHAGEN)
    locations = await client.list_locations()
    places = (named_locations(text, locations) or default_locations(text, locations))[:MAX_PLACES]
    if not places:
        raise CaseServiceError("no locations")
    match = find_day(text, now.date())
    period = find_period(text, now.date()) if match is None else None
    messages: list[dict[str, Any]] = []
    if period is not None:
        days = period.days
        infos = await asyncio.gather(
            *(client.location_day(p["id"], day) for day in days for p in places)
        )
        names = [p.get("name") or p.get("id") or "" for p in places]
        response = (
            "utter_opening_hours_period_past"
            if period.past(now.date())
            else "utter_opening_hours_period"
        )
        messages.append(
            {
                "response": response,
                "first": format_date(period.first, language),
                "last": format_date(period.last, language),
                "places": _listed(names, language),
                "lines": "\n".join(period_lines(places, days, infos, language)),
            }
        )
    elif match is None:
        statuses = await asyncio.gather(*(client.location_status(p["id"], now) for p in places))
        lines = [status_line(p, s, language) for p, s in zip(places, statuses, strict=True)]
        messages.append({"response": "utter_opening_hours", "lines": "\n".join(lines)})
    else:
        day: date = match.day
        infos = await asyncio.gather(*(client.location_day(p["id"], day) for p in places))
        lines = [day_line(p, i, language) for p, i in zip(places, infos, strict=True)]
        response = "utter_opening_hours_day_past" if day < now.date() else "utter_opening_hours_day"
        shown_day = format_date(day, language)
        messages.append({"response": response, "day": shown_day, "lines": "\n".join(lines)})
    if not all(p.get("verified", False) for p in places):
        messages.append({"response": "utter_handover_unverified"})
    return messages


class ActionOpeningHours(Action):
    def name(self) -> str:
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            messages = await asyncio.wait_for(
                opening_messages(text, language=conversation_language(tracker)),
                timeout=DEADLINE_SECONDS,
            )
        except (CaseServiceError, asyncio.TimeoutError) as error:
            logger.warning("opening hours without case service: %s", type(error).__name__)
            messages = [{"response": "utter_opening_hours_unavailable"}]
        for message in messages:
            dispatcher.utter_message(**message)
        return []
