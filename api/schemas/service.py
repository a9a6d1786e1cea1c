from __future__ import annotations

from api.models.citizens import Channel
from api.schemas.common import InputModel, ORMModel


class CitizenByPhoneOut(ORMModel):
    citizen_id: str
    user_id: str | None  # the subject (sub) to send as X-Subject
    sms_opt_out: bool
    preferred_channel: Channel


class SmsOptOutIn(InputModel):
    opt_out: bool


class SmsOptOutOut(ORMModel):
    citizen_id: str
    sms_opt_out: bool
