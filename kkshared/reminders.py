"""SMS reminders across the process boundary (issue 19; docs/reminders.md).

The case service's reminder endpoints (``api/routes/reminders*.py``) as typed answers and calls on
``kkshared.case_service.CaseServiceClient``:

- ``candidates``: ``GET /service/reminders/candidates`` -> ``ReminderCandidate`` (the meeting, the
  citizen's number, a closure covering the meeting, the language the citizen chose);
- ``claim`` / ``outcome``: ``POST /service/reminders/claims`` and ``.../{id}/outcome`` — the
  reminder log row the job claims *before* sending (``None``: another job has it, or it was
  already sent);
- ``answer_meeting``: ``PUT /me/meetings/{id}/confirmation`` for the citizen (X-Subject) — an SMS
  reply "1", "2" or "3" to a reminder.

Standard library plus ``kkshared.case_service`` (aiohttp, bot venv) and ``kkshared.i18n``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from kkshared.case_models import Meeting
from kkshared.case_service import CaseServiceBadRequest, CaseServiceClient, CaseServiceUnavailable
from kkshared.formatting import parse_moment
from kkshared.i18n import LANGUAGES, Language

DAY_BEFORE = "day_before"
CLOSURE = "closure"
QUEUED, SKIPPED, FAILED = "queued", "skipped", "failed"
CONFIRMED, CANNOT_ATTEND, NEW_TIME = "confirmed", "cannot_attend", "new_time"


@dataclass(frozen=True)
class ReminderCandidate:
    meeting: Meeting
    citizen_id: str
    phone: str  # E.164; never logged
    closure_id: str | None = None  # a closure of the meeting's location covering the meeting
    preferred_language: Language | None = None  # the language the citizen chose; None: none

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReminderCandidate:
        meeting = data.get("meeting")
        phone = data.get("phone")
        citizen = data.get("citizen_id")
        if not isinstance(meeting, Mapping) or not isinstance(phone, str) or not phone:
            raise ValueError("not a reminder candidate")
        if not isinstance(citizen, str):
            raise ValueError("not a reminder candidate")
        parsed = Meeting.from_json(meeting)
        if not parsed.id or parsed.starts_at is None:
            raise ValueError("a reminder candidate needs a meeting with an id and a start")
        closure = data.get("closure")
        closure_id = closure.get("closure_id") if isinstance(closure, Mapping) else None
        language = data.get("preferred_language")
        return cls(
            parsed,
            citizen,
            phone,
            closure_id if isinstance(closure_id, str) else None,
            language if language in LANGUAGES else None,
        )


@dataclass(frozen=True)
class ReminderClaim:
    id: str
    meeting_id: str
    kind: str
    day: date

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReminderClaim:
        try:
            return cls(
                str(data["id"]),
                str(data["meeting_id"]),
                str(data["kind"]),
                date.fromisoformat(str(data["day"])),
            )
        except (KeyError, ValueError) as error:
            raise ValueError("not a reminder claim") from error


async def candidates(
    client: CaseServiceClient, start: datetime, end: datetime
) -> list[ReminderCandidate]:
    """Planned meetings in [start, end) the job may remind about (aware datetimes)."""
    path = "/service/reminders/candidates"
    data = await client._request(
        "GET", path, params={"start": start.isoformat(), "end": end.isoformat()}
    )
    if not isinstance(data, list):
        raise CaseServiceUnavailable(f"unexpected answer for {path}")
    try:
        return [ReminderCandidate.from_json(item) for item in data if isinstance(item, Mapping)]
    except ValueError as error:
        raise CaseServiceUnavailable(f"unexpected answer for {path} ({error})") from error


async def claim(
    client: CaseServiceClient,
    meeting_id: str,
    kind: str,
    day: date,
    lease_seconds: int,
    closure_id: str | None = None,
) -> ReminderClaim | None:
    """Claim the reminder (meeting, kind, day); None when it is not ours to send (409)."""
    path = "/service/reminders/claims"
    body: dict[str, Any] = {
        "meeting_id": meeting_id,
        "kind": kind,
        "day": day.isoformat(),
        "lease_seconds": lease_seconds,
    }
    if closure_id:
        body["closure_id"] = closure_id
    try:
        data = await client._request("POST", path, json=body)
    except CaseServiceBadRequest as error:
        if "409" in str(error):
            return None
        raise
    if not isinstance(data, Mapping):
        raise CaseServiceUnavailable(f"unexpected answer for {path}")
    try:
        return ReminderClaim.from_json(data)
    except ValueError as error:
        raise CaseServiceUnavailable(f"unexpected answer for {path}") from error


async def outcome(
    client: CaseServiceClient, reminder_id: str, status: str, detail: str | None = None
) -> None:
    """Record what became of a claimed reminder: QUEUED, SKIPPED or FAILED."""
    body: dict[str, Any] = {"status": status}
    if detail:
        body["detail"] = detail[:200]
    await client._request(
        "POST", f"/service/reminders/{quote(reminder_id, safe='')}/outcome", json=body
    )


async def answer_meeting(
    client: CaseServiceClient, subject: str, meeting_id: str, answer: str, channel: str
) -> datetime | None:
    """The citizen's answer about their meeting; the time it was recorded."""
    data = await client._request(
        "PUT",
        f"/me/meetings/{quote(meeting_id, safe='')}/confirmation",
        json={"answer": answer, "channel": channel},
        subject=subject,
    )
    return parse_moment(data.get("answered_at")) if isinstance(data, Mapping) else None
