"""What the bot sends on the citizen's behalf: absence reports, reschedule requests, messages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from api.models.absence import AbsenceKind, RequestStatus
from api.schemas.common import InputModel, LocalDateTime, ORMModel

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
PreferredTime = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


class Created(ORMModel):
    """The answer to every create: the bot reads the reference out to the citizen."""

    id: str
    reference: str
    status: RequestStatus
    created_at: LocalDateTime


class AbsenceReportIn(InputModel):
    meeting_id: str | None = Field(default=None, max_length=40)
    date: dt.date
    reason: Reason
    kind: AbsenceKind


class AbsenceReportOut(Created):
    meeting_id: str | None
    date: dt.date = Field(validation_alias="absence_date")
    kind: AbsenceKind
    reason: str


class RescheduleRequestIn(InputModel):
    meeting_id: str = Field(max_length=40)
    reason: Reason
    preferred_times: list[PreferredTime] = Field(default_factory=list, max_length=10)


class RescheduleRequestOut(Created):
    meeting_id: str
    reason: str
    preferred_times: list[str]


class MessageIn(InputModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class MessageOut(Created):
    text: str
