"""Shared helpers for things citizens send (absence reports, reschedule requests, messages)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import HTTPException, Response, status
from sqlalchemy.orm import Session

from api.models.citizens import Citizen
from api.models.meetings import Meeting
from api.schemas.requests import Created

log = logging.getLogger("api.requests")

MEETING_NOT_FOUND = "meeting not found"


def own_meeting_or_404(session: Session, citizen: Citizen, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.citizen_id != citizen.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, MEETING_NOT_FOUND)
    return meeting


def unprocessable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def answer_created(record: Any, created: bool, response: Response, what: str) -> Created:
    """The answer to a create: 201 for a new record, 200 for one an Idempotency-Key made before."""
    if created:
        log.info("%s created", what, extra={"reference": record.reference})
    else:
        response.status_code = status.HTTP_200_OK
    return Created.model_validate(record)
