from __future__ import annotations

from datetime import date

from pydantic import Field, computed_field

from api.models.cases import TARGET_GROUPS, CaseStatus, TargetGroup
from api.models.citizens import Channel
from api.models.users import Role
from api.schemas.common import InputModel, LocalDateTime, ORMModel
from api.schemas.users import CaseworkerOut
from kkshared.i18n import Language


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
    preferred_language: Language | None = None
    case: CaseOut | None = None


class LanguagePreferenceIn(InputModel):
    language: Language = Field(description="da: Danish, en: English")


class LanguagePreferenceOut(ORMModel):
    language: Language | None = Field(
        description="the language the citizen chose; null: none chosen (Danish)"
    )


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
