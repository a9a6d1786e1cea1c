"""Who is calling: a user with a JWT, or the action server/channel with the service token.

Rules (docs/architecture.md, "Identity"):
- ``X-Service-Token`` must equal ``KK_SERVICE_TOKEN`` (constant-time compare), otherwise 401.
- ``X-Subject`` is honoured only together with a valid service token (otherwise 401); the subject's
  role is read from the ``users`` table, never from the request.
- A bearer JWT is checked by ``api.security.tokens.verify_token``. A demo token's subject must be
  an active user whose role still matches the token's role; an identity provider's token is
  linked to its user by ``api.security.issuer_users`` (staff are created at first login).
- Every refusal is a 401 whose detail says why (never the token).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models.users import Role, User
from api.security.issuer_users import LoginRefused, user_for_login
from api.security.tokens import InvalidToken, verify_token

Via = Literal["bearer", "service"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``user_id`` is None for the bare service (no X-Subject)."""

    via: Via
    user_id: str | None = None
    role: Role | None = None
    display_name: str | None = None

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def is_service(self) -> bool:
        return self.via == "service"


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _active_user(session: Session, user_id: str) -> User | None:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


def resolve_principal(
    session: Session,
    settings: Settings,
    *,
    bearer: str | None,
    service_token: str | None,
    subject: str | None,
) -> Principal:
    if service_token is not None:
        if not hmac.compare_digest(service_token.encode(), settings.service_token.encode()):
            raise unauthorized("invalid service token")
        if subject is None:
            return Principal(via="service")
        user = _active_user(session, subject)
        if user is None:
            raise unauthorized("unknown subject")
        return Principal(
            via="service", user_id=user.id, role=user.role, display_name=user.display_name
        )
    if subject is not None:
        raise unauthorized("X-Subject requires a valid X-Service-Token")
    if bearer is None:
        raise unauthorized("not authenticated")
    try:
        claims = verify_token(bearer, settings)
    except InvalidToken as error:
        raise unauthorized(f"invalid or expired token: {error}") from None
    if claims.from_identity_provider:
        try:
            user = user_for_login(session, claims)
        except LoginRefused as error:
            raise unauthorized(f"login refused: {error}") from None
    else:
        demo_user = _active_user(session, claims.sub)
        if demo_user is None or demo_user.role != claims.role:
            raise unauthorized("invalid or expired token: unknown user or changed role")
        user = demo_user
    return Principal(via="bearer", user_id=user.id, role=user.role, display_name=user.display_name)
