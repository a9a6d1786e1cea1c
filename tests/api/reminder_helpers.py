"""Helpers of the reminder tests (test_reminders_*.py): meetings, and reminders made the way the
reminder job makes them (claim, then outcome, with the service token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_helpers import service_headers, today_cph

from api.db.base import new_id
from api.models import Meeting, MeetingStatus
from api.models.meetings import MeetingForm, MeetingType


def make_meeting(
    db_session, citizen_id: str, hours: float, status: MeetingStatus = MeetingStatus.PLANNED
) -> Meeting:
    """A meeting at Lærkevej starting ``hours`` from now (negative: in the past)."""
    meeting = Meeting(
        id=new_id("m"),
        citizen_id=citizen_id,
        starts_at=datetime.now(UTC) + timedelta(hours=hours),
        form=MeetingForm.FYSISK,
        meeting_type=MeetingType.JOBSAMTALE,
        location_id="laerkevej",
        status=status,
    )
    db_session.add(meeting)
    db_session.flush()
    return meeting


def send_reminder(
    client,
    meeting_id: str,
    kind: str = "day_before",
    status: str = "queued",
    detail: str | None = None,
) -> None:
    """What the reminder job does: claim the reminder, then record its outcome."""
    claim = client.post(
        "/service/reminders/claims",
        json={"meeting_id": meeting_id, "kind": kind, "day": str(today_cph())},
        headers=service_headers(),
    )
    assert claim.status_code == 201, claim.text
    body = {"status": status} | ({"detail": detail} if detail else {})
    outcome = f"/service/reminders/{claim.json()['id']}/outcome"
    r = client.post(outcome, json=body, headers=service_headers())
    assert r.status_code == 200, r.text


def answer(client, user_id: str, meeting_id: str, given: str) -> None:
    """The citizen's SMS reply "1"/"2"/"3" as the action server records it (service token and the
    citizen's subject)."""
    r = client.put(
        f"/me/meetings/{meeting_id}/confirmation",
        json={"answer": given, "channel": "sms"},
        headers=service_headers(user_id),
    )
    assert r.status_code == 200, r.text
