from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from api.schemas.common import InputModel, LocalDateTime, ORMModel
from kkshared.holidays import MAX_YEAR, MIN_YEAR


class ClosureIn(InputModel):
    """Naive datetimes are local time (Europe/Copenhagen); aware ones are converted."""

    location_id: str = Field(max_length=64)
    starts_at: datetime
    ends_at: datetime
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _ends_after_start(self) -> ClosureIn:
        from api.calendar.opening_hours import to_aware
        from api.core.config import get_settings

        for value in (self.starts_at, self.ends_at):
            if not MIN_YEAR <= value.year <= MAX_YEAR:
                raise ValueError(
                    f"starts_at and ends_at must be in the years {MIN_YEAR}-{MAX_YEAR}"
                )
        tz = get_settings().tz
        self.starts_at = to_aware(self.starts_at, tz)
        self.ends_at = to_aware(self.ends_at, tz)
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class ClosureOut(ORMModel):
    id: str
    location_id: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    reason: str
    created_at: LocalDateTime
    updated_at: LocalDateTime


class ClosureStaffOut(ClosureOut):
    created_by: str | None
