"""Messages from the citizen to their caseworker."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.db.base import new_id
from api.deps import IdempotencyKey, SessionDep, SettingsDep
from api.models.citizens import Citizen
from api.models.messages import Message
from api.routes._requests import answer_created, citizen_records, created_responses
from api.schemas.requests import Created, MessageIn, MessageOut
from api.services.access import MyCitizen, ReadableCitizen
from api.services.idempotency import create_once
from api.services.references import MESSAGE, next_reference
from kkshared.pii import mask_pii

router = APIRouter(tags=["messages"])


@router.post(
    "/me/messages",
    status_code=status.HTTP_201_CREATED,
    summary="Send a message to my caseworker",
    responses=created_responses(),
)
def create_message(
    body: MessageIn,
    citizen: MyCitizen,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKey,
    response: Response,
) -> Created:
    def create() -> Message:
        return Message(
            id=new_id("bsk"),
            reference=next_reference(session, MESSAGE, now_utc().astimezone(settings.tz).year),
            citizen_id=citizen.id,
            caseworker_id=citizen.case.caseworker_id if citizen.case else None,
            text=mask_pii(body.text),
        )

    message, created = create_once(session, citizen, key, MESSAGE, body, Message, create)
    return answer_created(message, created, response, "message")


def list_messages(session: Session, citizen: Citizen) -> list[MessageOut]:
    return citizen_records(session, citizen, Message, MessageOut)


@router.get("/me/messages", summary="My messages to my caseworker")
def read_my_messages(citizen: MyCitizen, session: SessionDep) -> list[MessageOut]:
    return list_messages(session, citizen)


@router.get("/citizens/{citizen_id}/messages", summary="A citizen's messages")
def read_citizen_messages(citizen: ReadableCitizen, session: SessionDep) -> list[MessageOut]:
    return list_messages(session, citizen)
