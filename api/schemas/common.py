"""Shared schema pieces: ORM mode, local-time serialisation, strict input models."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

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


class InputModel(BaseModel):
    """Request bodies: unknown fields are an error, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Detail(BaseModel):
    detail: str
