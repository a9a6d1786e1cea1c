"""Thumbs up/down on a bot answer. Anonymous, rate limited per client address, stored masked."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from api.db.base import new_id
from api.deps import SessionDep
from api.errors import error_responses
from api.models.feedback import Feedback
from api.schemas.feedback import FeedbackCreated, FeedbackIn
from kkshared.pii import mask_pii

router = APIRouter(tags=["feedback"])


@router.post(
    "/feedback",
    status_code=status.HTTP_201_CREATED,
    summary="Rate a bot answer",
    responses=error_responses(429),
)
def create_feedback(body: FeedbackIn, request: Request, session: SessionDep) -> FeedbackCreated:
    limiter = request.app.state.feedback_limiter
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many requests", headers={"Retry-After": "60"}
        )
    row = Feedback(
        id=new_id("fb"),
        conversation_ref=mask_pii(body.conversation_ref),
        message_id=mask_pii(body.message_id),
        rating=body.rating,
        source_file=body.source_file,
        source_date=body.source_date,
        comment=mask_pii(body.comment) if body.comment else None,
    )
    session.add(row)
    session.commit()
    return FeedbackCreated.model_validate(row)
