"""Which citizen's data may the caller see? (citizen: own; staff: caseload; admin: all).

Another citizen's id, or a citizen outside a caseworker's caseload, answers 404 exactly like a
citizen that does not exist, so ids cannot be probed. Staff/admin reads are written to the audit
log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CitizenPrincipal, CurrentPrincipal, SessionDep
from api.errors import raises
from api.models.citizens import Citizen
from api.models.users import Role
from api.security.principal import Principal
from api.services.audit import record_reads

CITIZEN_NOT_FOUND = "citizen not found"


def citizen_of_user(session: Session, user_id: str) -> Citizen | None:
    return session.scalars(select(Citizen).where(Citizen.user_id == user_id)).first()


def may_read(principal: Principal, citizen: Citizen) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.CITIZEN:
        return citizen.user_id is not None and citizen.user_id == principal.user_id
    if principal.role is Role.STAFF:
        return citizen.case is not None and citizen.case.caseworker_id == principal.user_id
    return False


@raises(404)
def get_my_citizen(principal: CitizenPrincipal, session: SessionDep) -> Citizen:
    citizen = citizen_of_user(session, principal.user_id or "")
    if citizen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "citizen profile not found")
    return citizen


@raises(403, 404)
def get_readable_citizen(
    citizen_id: Annotated[str, Path(max_length=40)],
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
) -> Citizen:
    if principal.role not in (Role.CITIZEN, Role.STAFF, Role.ADMIN):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not allowed for your role")
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or not may_read(principal, citizen):
        raise HTTPException(status.HTTP_404_NOT_FOUND, CITIZEN_NOT_FOUND)
    if principal.role in (Role.STAFF, Role.ADMIN):
        record_reads(session, request, principal, [citizen.id])
    return citizen


MyCitizen = Annotated[Citizen, Depends(get_my_citizen)]
ReadableCitizen = Annotated[Citizen, Depends(get_readable_citizen)]
