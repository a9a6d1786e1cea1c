"""Writing audit-log rows: staff/admin reads of citizen data, and changes about no citizen."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from api.models.audit import AuditLogEntry
from api.security.principal import Principal


def endpoint_label(request: Request) -> str:
    """ "GET /citizens/{citizen_id}/meetings": the route template, never the raw path."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path
    return f"{request.method} {path}"


def record_change(
    session: Session, request: Request, principal: Principal, action: str, detail: str
) -> None:
    """Add one row for a staff/admin change that concerns no citizen (the caller commits).

    ``action`` is at most 16 characters ("closure_create", "assistant_pause"); ``detail`` names
    ids and flags only ("closure=cl-1 location=laerkevej"), never free text.
    """
    session.add(
        AuditLogEntry(
            actor_user_id=principal.user_id or "service",
            actor_role=principal.role.value if principal.role else "service",
            via=principal.via,
            citizen_id=None,
            action=action,
            endpoint=endpoint_label(request),
            request_id=getattr(request.state, "request_id", None),
            detail=detail[:300],
        )
    )


def record_reads(
    session: Session, request: Request, principal: Principal, citizen_ids: list[str]
) -> None:
    """Add one row per citizen read and commit."""
    if not citizen_ids:
        return
    endpoint = endpoint_label(request)
    request_id = getattr(request.state, "request_id", None)
    for citizen_id in citizen_ids:
        session.add(
            AuditLogEntry(
                actor_user_id=principal.user_id or "service",
                actor_role=principal.role.value if principal.role else "service",
                via=principal.via,
                citizen_id=citizen_id,
                action="read",
                endpoint=endpoint,
                request_id=request_id,
            )
        )
    session.commit()
