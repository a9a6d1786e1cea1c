"""Demo login: only registered when KK_DEMO_MODE=true (otherwise the path answers 404).

Its HS256 tokens are accepted only in demo mode too (``api.security.tokens``); real logins come
from the identity providers configured with ``KK_OIDC_*`` (docs/identity.md).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from api.deps import SessionDep, SettingsDep
from api.errors import error_responses
from api.models.users import User
from api.schemas.auth import DemoLoginIn, TokenOut
from api.security.tokens import create_token

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/demo-login",
    summary="Demo only: a token for a seeded demo user",
    responses=error_responses(401, descriptions={401: "Unknown demo user"}),
)
def demo_login(body: DemoLoginIn, session: SessionDep, settings: SettingsDep) -> TokenOut:
    user = session.scalars(select(User).where(User.username == body.username)).first()
    if user is None or not user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown demo user")
    token = create_token(user.id, user.role, settings)
    return TokenOut(access_token=token, expires_in=settings.jwt_ttl_minutes * 60)
