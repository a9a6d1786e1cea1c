"""The off switch's JSON: ``GET``/``PUT /assistant/status``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.models.assistant_status import MAX_MESSAGE_CHARS
from api.schemas.common import InputModel, LocalDateTime

PauseMessage = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_MESSAGE_CHARS)
]


class AssistantStatusOut(BaseModel):
    paused: bool
    message: str = Field(description="What citizens are told while paused; empty while running")
    phone: str | None = Field(description="The job centre's phone number (for a tel: link)")


class AssistantStatusIn(InputModel):
    paused: bool
    message: PauseMessage | None = Field(
        default=None,
        description="Required when pausing (1-500 characters); when switching on, optional "
        "(kept for the next pause)",
    )

    @model_validator(mode="after")
    def _message_when_pausing(self) -> AssistantStatusIn:
        if self.paused and not self.message:
            raise ValueError("message is required when pausing")
        return self


class AssistantStatusAdminOut(AssistantStatusOut):
    updated_by: str | None = Field(description="The admin who switched last (user id)")
    updated_at: LocalDateTime | None
