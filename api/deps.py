"""Common FastAPI dependencies, as ``Annotated`` aliases (SessionDep, CurrentPrincipal, ...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.db.session import get_session
from api.errors import raises
from api.models.users import Role
from api.security.principal import Principal, resolve_principal, unauthorized

SessionDep = Annotated[Session, Depends(get_session)]


@raises(400)
def reject_nul_in_url(request: Request) -> None:
    """Every route (app-level dependency): a NUL character (%00) in the path or the query is never
    an id or a search, and PostgreSQL cannot even compare text with one."""
    query = request.query_params.multi_items()
    if "\x00" in request.url.path or any("\x00" in key + value for key, value in query):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the URL must not contain NUL characters")


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]

_bearer = HTTPBearer(auto_error=False, description="User JWT (HS256; sub, role, exp)")
_service_token = APIKeyHeader(
    name="X-Service-Token", auto_error=False, description="KK_SERVICE_TOKEN of the action server"
)
_subject = APIKeyHeader(
    name="X-Subject",
    auto_error=False,
    description="The user the service acts for (only with a valid X-Service-Token)",
)


@raises(401)
def get_caller(
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    service_token: Annotated[str | None, Security(_service_token)],
    subject: Annotated[str | None, Security(_subject)],
) -> Principal:
    """Any authenticated caller, including the service without a subject."""
    # A malformed Authorization header ("Basic ...", "Bearer" alone) counts as a bad credential.
    if bearer is None and request.headers.get("authorization"):
        raise unauthorized("invalid or expired token")
    principal = resolve_principal(
        session,
        settings,
        bearer=bearer.credentials if bearer else None,
        service_token=service_token,
        subject=subject,
    )
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(get_caller)]


@raises(401)
def get_current_principal(caller: Caller) -> Principal:
    """A user: a JWT holder, or the service acting for an X-Subject."""
    if not caller.is_user:
        raise unauthorized("this endpoint acts for a user: send X-Subject with the service token")
    return caller


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]


@raises(403)
def get_service_caller(caller: Caller) -> Principal:
    """The action server or a channel (service token); user JWTs are refused with 403."""
    if not caller.is_service:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "service token required")
    return caller


ServiceCaller = Annotated[Principal, Depends(get_service_caller)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = frozenset(roles)

    @raises(403)
    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "not allowed for your role")
        return principal

    return dependency


CitizenPrincipal = Annotated[Principal, Depends(require_roles(Role.CITIZEN))]
StaffOrAdmin = Annotated[Principal, Depends(require_roles(Role.STAFF, Role.ADMIN))]
AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@raises(400)
def get_idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Optional, 8-64 characters [A-Za-z0-9_-]: sent again with the same body, "
            "the first answer comes back (200) instead of a second record",
            # Documented, but checked below: a malformed key is 400 (not FastAPI's 422).
            json_schema_extra={"pattern": _IDEMPOTENCY_KEY.pattern},
        ),
    ] = None,
) -> str | None:
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "Idempotency-Key must be 8-64 characters: letters, digits, _ and -",
        )
    return key


IdempotencyKey = Annotated[str | None, Depends(get_idempotency_key)]
