"""Shared helpers for things citizens send (absence reports, reschedule requests, messages)."""

from __future__ import annotations

import logging

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.models.citizens import Citizen
from api.models.meetings import Meeting

log = logging.getLogger("api.requests")

MEETING_NOT_FOUND = "meeting not found"


def own_meeting_or_404(session: Session, citizen: Citizen, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.citizen_id != citizen.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, MEETING_NOT_FOUND)
    return meeting


def unprocessable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
