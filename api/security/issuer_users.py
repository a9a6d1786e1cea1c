"""The users-table row behind an identity provider's login (docs/identity.md, "Users").

The token's subject (``u-`` + HMAC of issuer and ``sub``, ``kkshared.oidc``) is the user's id.

- Staff side (staff, jurist, editor, admin from the staff issuer's role claim): the identity
  provider decides who works here, so the first login creates the user (display name from the
  token's name claim, username = the subject) and later logins keep role and name in step with
  the token. A user an admin deactivated here (``is_active`` false) stays refused.
- Citizens: the user must already exist and be linked to a citizen record; a login nobody linked
  is refused. (In production the link is made from the broker's CPR claim at the first login,
  see docs/identity.md; this service does not read or store that claim yet.)
- A citizen login never becomes a staff user or the other way round.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.models.users import Role, User
from api.security.tokens import TokenClaims

log = logging.getLogger("api.security")

DEFAULT_STAFF_NAME = "Medarbejder"


class LoginRefused(Exception):
    """The token is valid but there is no usable user for it (the message says why)."""


def user_for_login(session: Session, claims: TokenClaims) -> User:
    """The active user of an identity provider's login, created for staff on first login."""
    user = session.get(User, claims.sub)
    if user is None:
        if claims.role is Role.CITIZEN:
            raise LoginRefused("no citizen record is linked to this login")
        user = _create_staff_user(session, claims)
    if not user.is_active:
        raise LoginRefused("the user is deactivated")
    if Role.CITIZEN in (user.role, claims.role) and user.role != claims.role:
        raise LoginRefused("the login's role does not match the user")
    name = claims.display_name or user.display_name
    if user.role != claims.role or user.display_name != name:
        log.info(
            "user updated from the identity provider",
            extra={"user_id": user.id, "old_role": user.role.value, "role": claims.role.value},
        )
        user.role = claims.role
        user.display_name = name
        session.commit()
    return user


def _create_staff_user(session: Session, claims: TokenClaims) -> User:
    user = User(
        id=claims.sub,
        username=claims.sub,
        display_name=claims.display_name or DEFAULT_STAFF_NAME,
        role=claims.role,
        is_active=True,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # another request created it at the same moment
        session.rollback()
        existing = session.get(User, claims.sub)
        if existing is None:
            raise
        return existing
    log.info(
        "user created at first login",
        extra={"user_id": user.id, "role": user.role.value, "issuer": claims.issuer_kind},
    )
    return user
