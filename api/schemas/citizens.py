from __future__ import annotations

from datetime import date

from pydantic import computed_field

from api.models.cases import TARGET_GROUPS, CaseStatus, TargetGroup
from api.models.citizens import Channel
from api.models.users import Role
from api.schemas.common import LocalDateTime, ORMModel
from api.schemas.users import CaseworkerOut


class CaseOut(ORMModel):
    id: str
    target_group: TargetGroup
    benefit: str
    status: CaseStatus
    opened_on: date
    caseworker: CaseworkerOut | None = None

    # computed_field makes the method a read-only property (no @property: mypy rejects the pair).
    @computed_field
    def target_group_label(self) -> str:
        return TARGET_GROUPS[self.target_group][0]


class CitizenOut(ORMModel):
    id: str
    name: str
    phone: str | None
    preferred_channel: Channel
    sms_opt_out: bool
    case: CaseOut | None = None


class MeOut(ORMModel):
    user_id: str
    role: Role
    display_name: str
    citizen: CitizenOut | None = None


class CaseloadEntry(ORMModel):
    citizen_id: str
    name: str
    target_group: TargetGroup
    target_group_label: str
    benefit: str
    next_meeting_at: LocalDateTime | None = None
