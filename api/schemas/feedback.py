from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field, StringConstraints

from api.models.feedback import Rating
from api.schemas.common import InputModel, LocalDateTime, ORMModel

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class FeedbackIn(InputModel):
    conversation_ref: Short = Field(
        validation_alias=AliasChoices("conversation_ref", "sender_hash"),
        description="A hash of the sender id or another conversation reference (never a raw id)",
    )
    message_id: Short
    rating: Rating
    source_file: Annotated[str, StringConstraints(max_length=200)] | None = None
    source_date: Annotated[str, StringConstraints(max_length=32)] | None = None
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class FeedbackCreated(ORMModel):
    id: str
    created_at: LocalDateTime
