from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import computed_field

from api.models.meetings import MEETING_TYPE_LABELS, MeetingForm, MeetingStatus, MeetingType
from api.schemas.common import LocalDateTime, ORMModel, _to_local_iso
from api.schemas.users import CaseworkerOut


class MeetingLocationOut(ORMModel):
    id: str
    name: str
    street: str | None
    postal_code: str | None
    city: str | None
    verified: bool


class MeetingOut(ORMModel):
    id: str
    starts_at: LocalDateTime
    duration_minutes: int
    form: MeetingForm
    meeting_type: MeetingType
    status: MeetingStatus
    location: MeetingLocationOut | None = None
    place_note: str | None = None
    caseworker: CaseworkerOut | None = None

    # computed_field makes the method a read-only property (no @property: mypy rejects the pair).
    @computed_field
    def ends_at(self) -> str:
        end: datetime = self.starts_at + timedelta(minutes=self.duration_minutes)
        return _to_local_iso(end)

    # computed_field makes the method a read-only property (no @property: mypy rejects the pair).
    @computed_field
    def meeting_type_label(self) -> str:
        return MEETING_TYPE_LABELS[self.meeting_type]
