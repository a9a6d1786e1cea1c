from __future__ import annotations

from api.models.users import Role
from api.schemas.common import ORMModel


class CaseworkerOut(ORMModel):
    id: str
    display_name: str
    contact_email: str | None = None
    contact_phone: str | None = None


class UserOut(ORMModel):
    id: str
    username: str
    display_name: str
    role: Role
