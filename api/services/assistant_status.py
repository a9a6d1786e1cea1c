"""The off switch: read it (public), change it (admin, audited), and refuse work while paused.

The status is one row (``api.models.assistant_status``); no row means the assistant runs. While
paused, every Rasa channel answers with the message (``kkshared.assistant_status``), the web
chat shows it instead of the input, and ``POST /legal/ask`` answers 503 with it.

The default message names the phone number of the location ``KK_PAUSE_PHONE_LOCATION``
(``jobcenter-telefon``): the same number the bot's handover gives, from the same table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException, Request, status
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.core.config import Settings
from api.models.assistant_status import STATUS_ROW_ID, AssistantStatusRecord
from api.models.locations import Location
from api.models.users import User
from api.security.principal import Principal
from api.services.audit import record_change
from kkshared.assistant_status import AssistantStatus

log = logging.getLogger("api.assistant_status")

PAUSED_RETRY_AFTER_SECONDS = 60
NO_PHONE_CONTACT = "Du kan finde kontaktoplysninger til Jobcenter København på kk.dk."


@dataclass(frozen=True)
class StatusDetails:
    """The status with who changed it last (the admin page and ``PUT``'s answer)."""

    paused: bool
    message: str  # the stored message ("" before anyone wrote one)
    phone: str | None
    default_message: str
    updated_by: str | None  # user id
    updated_by_name: str | None
    updated_at: datetime | None


def job_centre_phone(session: Session, settings: Settings) -> str | None:
    location = session.get(Location, settings.pause_phone_location)
    return location.phone if location is not None and location.phone else None


def default_message(phone: str | None) -> str:
    if phone:
        return f"KK-assistenten er lukket lige nu. Ring til Jobcenter København på {phone}."
    return f"KK-assistenten er lukket lige nu. {NO_PHONE_CONTACT}"


def _record(session: Session) -> AssistantStatusRecord | None:
    return session.get(AssistantStatusRecord, STATUS_ROW_ID)


def current_status(session: Session, settings: Settings) -> AssistantStatus:
    """What ``GET /assistant/status`` answers: the message only while paused."""
    record = _record(session)
    phone = job_centre_phone(session, settings)
    if record is None or not record.paused:
        return AssistantStatus(paused=False, message="", phone=phone)
    return AssistantStatus(
        paused=True, message=record.message or default_message(phone), phone=phone
    )


def status_details(session: Session, settings: Settings) -> StatusDetails:
    record = _record(session)
    phone = job_centre_phone(session, settings)
    author = session.get(User, record.updated_by) if record and record.updated_by else None
    return StatusDetails(
        paused=bool(record and record.paused),
        message=record.message if record else "",
        phone=phone,
        default_message=default_message(phone),
        updated_by=record.updated_by if record else None,
        updated_by_name=author.display_name if author else None,
        updated_at=record.updated_at if record else None,
    )


def set_status(
    session: Session,
    request: Request,
    principal: Principal,
    paused: bool,
    message: str | None,
) -> None:
    """Switch (admin; checked by the caller), write an audit row and commit.

    ``message`` is required when pausing (the caller validates); when switching on without one
    the stored message is kept for the next pause. It is not masked: it is public text written
    by an admin, and a phone number in it is the point.
    """
    record = _record(session)
    if record is None:
        record = AssistantStatusRecord(id=STATUS_ROW_ID, paused=False, message="")
        session.add(record)
    if message is not None:
        record.message = message.strip()
    record.paused = paused
    record.updated_by = principal.user_id
    record.updated_at = now_utc()
    action = "assistant_pause" if paused else "assistant_resume"
    record_change(session, request, principal, action, f"paused={str(paused).lower()}")
    session.commit()
    log.info(action.replace("_", " "), extra={"actor": principal.user_id})


def refuse_while_paused(session: Session, settings: Settings) -> None:
    """503 with the pause message (e.g. ``POST /legal/ask``) while the assistant is paused."""
    current = current_status(session, settings)
    if current.paused:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            current.message,
            headers={"Retry-After": str(PAUSED_RETRY_AFTER_SECONDS)},
        )
