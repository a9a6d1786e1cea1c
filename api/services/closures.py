"""Creating, changing and deleting closures: one place for the API and the staff page.

Every change writes an audit-log row (``closure_create``/``_update``/``_delete``, with the
closure's and the location's id, never the text) and commits. The reason is public text (the
bot tells citizens "lukket (<reason>)"), so personal data in it is masked.
"""

from __future__ import annotations

import logging

from fastapi import Request
from sqlalchemy.orm import Session

from api.core.clock import now_utc
from api.db.base import new_id
from api.models.closures import Closure
from api.schemas.closures import ClosureIn
from api.security.principal import Principal
from api.services.audit import record_change
from kkshared.pii import mask_pii

log = logging.getLogger("api.closures")


def _audit(
    session: Session, request: Request, principal: Principal, action: str, closure: Closure
) -> None:
    detail = f"closure={closure.id} location={closure.location_id}"
    record_change(session, request, principal, action, detail)


def create_closure(
    session: Session, request: Request, principal: Principal, body: ClosureIn
) -> Closure:
    """A new closure (the caller has checked the location)."""
    closure = Closure(
        id=new_id("cl"),
        location_id=body.location_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=mask_pii(body.reason),
        created_by=principal.user_id,
    )
    session.add(closure)
    session.flush()
    _audit(session, request, principal, "closure_create", closure)
    session.commit()
    log.info("closure created", extra={"closure_id": closure.id, "actor": principal.user_id})
    return closure


def update_closure(
    session: Session, request: Request, principal: Principal, closure: Closure, body: ClosureIn
) -> Closure:
    closure.location_id = body.location_id
    closure.starts_at = body.starts_at
    closure.ends_at = body.ends_at
    closure.reason = mask_pii(body.reason)
    closure.updated_at = now_utc()
    _audit(session, request, principal, "closure_update", closure)
    session.commit()
    log.info("closure updated", extra={"closure_id": closure.id, "actor": principal.user_id})
    return closure


def delete_closure(
    session: Session, request: Request, principal: Principal, closure: Closure
) -> None:
    _audit(session, request, principal, "closure_delete", closure)
    closure_id = closure.id
    session.delete(closure)
    session.commit()
    log.info("closure deleted", extra={"closure_id": closure_id, "actor": principal.user_id})
