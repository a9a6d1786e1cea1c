"""Shared helpers for things citizens send (absence reports, reschedule requests, messages)."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from fastapi import HTTPException, Response, status
from pydantic import BaseModel
from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from api.db.base import Base
from api.errors import error_responses
from api.models.citizens import Citizen
from api.models.meetings import Meeting
from api.schemas.requests import Created

log = logging.getLogger("api.requests")

Out = TypeVar("Out", bound=BaseModel)

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


def created_responses(not_found: str | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a create with an Idempotency-Key (and a 404 for another's meeting)."""
    responses: dict[int | str, dict[str, Any]] = {
        200: {"model": Created, "description": "Already created with this Idempotency-Key"}
    }
    if not_found is not None:
        responses.update(error_responses(404, descriptions={404: not_found}))
    return responses


def citizen_records(
    session: Session, citizen: Citizen, model: type[Base], out: type[Out]
) -> list[Out]:
    """The citizen's records of one kind (a table with ``citizen_id``, ``created_at`` and ``id``),
    newest first, as their API schema."""
    rows = session.scalars(
        select(model).filter_by(citizen_id=citizen.id).order_by(desc("created_at"), "id")
    )
    return [out.model_validate(row) for row in rows]
