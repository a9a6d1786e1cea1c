"""Right to erasure (GDPR art. 17): an admin deletes one citizen's free text in the case service.

``POST /admin/erasure {"citizen_id"}`` deletes the citizen's absence reports, reschedule requests,
messages to the caseworker (with their idempotency keys) and the feedback given in their
conversations (``feedback_refs``, printed by the bot-side erasure), writes one audit-log row with
the counts (no text) and answers the counts plus the command that erases the conversations on the
Rasa side (tracker store and SMS store are another process's database; docs/privacy.md).
"""

from __future__ import annotations

import shlex
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field, StringConstraints

from api.deps import AdminPrincipal, SessionDep
from api.errors import error_responses
from api.models.audit import AuditLogEntry
from api.models.citizens import Citizen
from api.schemas.common import InputModel
from api.services.audit import endpoint_label
from api.services.retention import describe, erase_citizen, scrub

router = APIRouter(tags=["admin"])

Ref = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class ErasureIn(InputModel):
    citizen_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    feedback_refs: list[Ref] = Field(
        default_factory=list,
        max_length=500,
        description="Conversation references of the citizen's feedback, as printed by "
        "`python -m bot.retention --erase-subject` (feedback itself names no citizen)",
    )


class ErasureOut(BaseModel):
    citizen_id: str
    deleted: dict[str, int] = Field(description="Rows deleted per kind")
    subject: str | None = Field(
        description="The citizen's login user id: their chat conversations are kk:<subject>:*"
    )
    phone: str | None = Field(description="The number whose SMS conversation is to be erased")
    bot_command: str = Field(
        description="What to run where the Rasa server runs, to erase the conversations too"
    )


def bot_command(subject: str | None, phone: str | None) -> str:
    parts = ["python", "-m", "bot.retention"]
    if subject:
        parts += ["--erase-subject", subject]
    if phone:
        parts += ["--erase-phone", phone]
    return shlex.join(parts) if len(parts) > 3 else ""


@router.post(
    "/admin/erasure",
    summary="Admin: erase one citizen's free text (absence reasons, requests, messages, feedback)",
    responses=error_responses(404, descriptions={404: "Unknown citizen"}),
)
def erase(
    body: ErasureIn, request: Request, admin: AdminPrincipal, session: SessionDep
) -> ErasureOut:
    citizen = session.get(Citizen, body.citizen_id)
    if citizen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "citizen not found")
    counts = erase_citizen(session, citizen.id, body.feedback_refs)
    session.add(
        AuditLogEntry(
            actor_user_id=admin.user_id or "service",
            actor_role=admin.role.value if admin.role else "service",
            via=admin.via,
            citizen_id=citizen.id,
            action="erasure",
            endpoint=endpoint_label(request),
            request_id=getattr(request.state, "request_id", None),
            detail=describe(counts),
        )
    )
    session.commit()
    scrub(request.app.state.engine)
    return ErasureOut(
        citizen_id=citizen.id,
        deleted=counts,
        subject=citizen.user_id,
        phone=citizen.phone,
        bot_command=bot_command(citizen.user_id, citizen.phone),
    )
