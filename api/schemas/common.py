"""Shared schema pieces: ORM mode, local-time serialisation, strict input models."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from api.core.config import get_settings


def _to_local_iso(value: datetime) -> str:
    """Aware datetimes are given out in local time with offset, e.g. 2026-03-03T10:00:00+01:00."""
    return value.astimezone(get_settings().tz).isoformat()


LocalDateTime = Annotated[datetime, PlainSerializer(_to_local_iso, return_type=str)]
ClockTime = Annotated[time, PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)]
# Money as a decimal string ("11944.00"): exact, and kkshared.formatting.format_amount takes it.
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def reject_nul(value: Any) -> Any:
    """A NUL character is never text (and PostgreSQL cannot store it): refused, also in lists."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list | tuple):
        for item in value:
            reject_nul(item)
    return value


class InputModel(BaseModel):
    """Request bodies: unknown fields are an error, strings are stripped, NUL characters refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value)


class ErrorOut(BaseModel):
    """Every error answer (4xx, and 503 where declared): ``{"detail": "<reason>"}``."""

    detail: str = Field(
        description="Why the request failed, in plain words; never a stack trace or the input",
        examples=["not authenticated"],
    )


Detail = ErrorOut  # the same model under its older name
