from __future__ import annotations

from api.schemas.common import LocalDateTime, ORMModel


class AuditEntryOut(ORMModel):
    id: int
    at: LocalDateTime
    actor_user_id: str
    actor_role: str
    via: str
    citizen_id: str | None
    action: str
    endpoint: str
    request_id: str | None
    detail: str | None = None  # erasures: what was deleted, as counts
