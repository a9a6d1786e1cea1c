"""Legal guidance for caseworkers: ask, escalate to the lawyers, and the lawyers' answers."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Path, Query, Request, status

from api.core.clock import now_utc
from api.deps import SessionDep, SettingsDep, require_roles
from api.errors import error_responses
from api.legal import texts
from api.legal.live_advisor import LegalGuidance
from api.legal.postkasse import (
    AnswerRejected,
    JuristAnswer,
    QuestionNotOpen,
    answer_question,
    file_question,
    list_questions,
    my_questions,
    own_question_or_404,
    question_view,
    readable_question_or_404,
    schedule_rebuild,
)
from api.legal.response import ask_result, unavailable_result
from api.models.legal import QuestionStatus
from api.models.users import Role
from api.schemas.legal import AnswerIn, AskIn, AskOut, QuestionOut
from api.security.principal import Principal
from api.services.assistant_status import refuse_while_paused
from kkshared.pii import mask_pii

log = logging.getLogger("api.legal")

router = APIRouter(tags=["legal"])

# Who may ask (and see their own tickets): caseworkers, jurists, admins. The bot calls with the
# service token and the caseworker as X-Subject.
Asker = Annotated[Principal, Depends(require_roles(Role.STAFF, Role.JURIST, Role.ADMIN))]
Lawyer = Annotated[Principal, Depends(require_roles(Role.JURIST, Role.ADMIN))]
TicketId = Annotated[str, Path(max_length=32, description="e.g. JUR-2026-000042")]

NOT_READY = "legal guidance is starting; try again in a few seconds"


def get_guidance(request: Request) -> LegalGuidance:
    guidance: LegalGuidance = request.app.state.legal
    return guidance


Guidance = Annotated[LegalGuidance, Depends(get_guidance)]


@router.post(
    "/legal/ask",
    summary="Ask a legal question (optionally send it to the lawyers)",
    responses=error_responses(
        503,
        descriptions={
            503: NOT_READY + " (only without escalate), or the assistant is paused by an admin "
            "(detail: the Danish pause message)"
        },
    ),
)
def ask(
    body: AskIn, asker: Asker, guidance: Guidance, session: SessionDep, settings: SettingsDep
) -> AskOut:
    refuse_while_paused(session, settings)  # the off switch: 503 with the pause message
    question = mask_pii(body.question)  # masked before anything is looked up, stored or logged
    snapshot = guidance.snapshot
    if snapshot is None:
        if not body.escalate:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, NOT_READY, headers={"Retry-After": "5"}
            )
        result, advice_status = unavailable_result(), "unavailable"
    else:
        result = ask_result(snapshot, snapshot.advise(question), question)
        advice_status = result.status
    if body.escalate:
        ticket = file_question(
            session,
            asker,
            question,
            body.context,
            advice_status,
            result.note_id,
            result.confidence if snapshot is not None else None,
            settings.tz,
        )
        session.commit()
        result.ticket_id = ticket.ticket_id
        lead = {
            "answered": texts.ANSWERED,
            "clarify": "",
            "refused": texts.REFUSED_ESCALATED,
            "unavailable": texts.UNAVAILABLE,
        }[advice_status]
        escalated = texts.ESCALATED.format(ticket_id=ticket.ticket_id)
        result.notice = f"{lead} {escalated}".strip()
    log.info(
        "legal question",
        extra={
            "status": result.status,
            "note_id": result.note_id,
            "confidence": result.confidence,
            "ticket_id": result.ticket_id,
            "via": asker.via,
        },
    )
    # The result's fields are the response's: validated, not copied field by field.
    return AskOut.model_validate(result, from_attributes=True)


@router.get("/legal/questions", summary="The lawyers' postkasse (oldest first)")
def read_questions(
    lawyer: Lawyer,
    session: SessionDep,
    settings: SettingsDep,
    status_filter: Annotated[QuestionStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[QuestionOut]:
    rows = list_questions(session, status_filter, limit)
    return [QuestionOut(**question_view(session, row, settings.tz)) for row in rows]


@router.get(
    "/legal/questions/{ticket_id}",
    summary="One question (the asker, jurists, admins)",
    responses=error_responses(404),
)
def read_question(
    ticket_id: TicketId, principal: Asker, session: SessionDep, settings: SettingsDep
) -> QuestionOut:
    row = readable_question_or_404(session, principal, ticket_id)
    return QuestionOut(**question_view(session, row, settings.tz))


@router.post(
    "/legal/questions/{ticket_id}/answer",
    summary="Answer a question; with publish=true it becomes a note the advisor answers from",
    responses=error_responses(
        404, 409, descriptions={409: "The question has already been answered"}
    ),
)
def answer(
    ticket_id: TicketId,
    body: AnswerIn,
    lawyer: Lawyer,
    guidance: Guidance,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> QuestionOut:
    row = readable_question_or_404(session, lawyer, ticket_id)
    data = JuristAnswer(body.answer, body.references, body.publish, body.title, body.questions)
    try:
        note = answer_question(session, row, lawyer, data, settings.tz)
    except QuestionNotOpen:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "the question has already been answered"
        ) from None
    except AnswerRejected as rejected:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(rejected)) from None
    session.commit()
    if note is not None:
        schedule_rebuild(session, guidance, background)
    log.info(
        "legal question answered",
        extra={"ticket_id": row.ticket_id, "note_id": row.note_id, "published": note is not None},
    )
    return QuestionOut(**question_view(session, row, settings.tz))


@router.get("/legal/my-questions", summary="My questions to the lawyers, with their answers")
def read_my_questions(
    asker: Asker,
    session: SessionDep,
    settings: SettingsDep,
    unseen: Annotated[bool, Query(description="only answers I have not seen yet")] = False,
) -> list[QuestionOut]:
    rows = my_questions(session, asker, unseen)
    return [QuestionOut(**question_view(session, row, settings.tz)) for row in rows]


@router.post(
    "/legal/my-questions/{ticket_id}/seen",
    summary="Mark the answer to my question as seen",
    responses=error_responses(404, 409, descriptions={409: "The question is not answered yet"}),
)
def mark_seen(
    ticket_id: TicketId, asker: Asker, session: SessionDep, settings: SettingsDep
) -> QuestionOut:
    row = own_question_or_404(session, asker, ticket_id)
    if row.status is QuestionStatus.OPEN:
        raise HTTPException(status.HTTP_409_CONFLICT, "the question has not been answered yet")
    if row.seen_by_asker_at is None:
        row.seen_by_asker_at = now_utc()
        session.commit()
    return QuestionOut(**question_view(session, row, settings.tz))
