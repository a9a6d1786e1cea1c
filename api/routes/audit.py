from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import AdminPrincipal, SessionDep
from api.models.audit import AuditLogEntry
from api.schemas.audit import AuditEntryOut

router = APIRouter(tags=["audit"])


@router.get("/audit-log", summary="Admin: who read which citizen's data, newest first")
def read_audit_log(
    _admin: AdminPrincipal,
    session: SessionDep,
    citizen_id: Annotated[str | None, Query(max_length=40)] = None,
    actor_user_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AuditEntryOut]:
    query = select(AuditLogEntry).order_by(AuditLogEntry.id.desc()).limit(limit).offset(offset)
    if citizen_id is not None:
        query = query.where(AuditLogEntry.citizen_id == citizen_id)
    if actor_user_id is not None:
        query = query.where(AuditLogEntry.actor_user_id == actor_user_id)
    return [AuditEntryOut.model_validate(row) for row in session.scalars(query)]
