"""Sign-in and CSRF protection of the jurists' web page (``/jurist``).

- The page takes the user JWT from an ``Authorization: Bearer`` header or from the cookie
  ``kk_jurist_session`` (HttpOnly, SameSite=Strict, Secure on https, Path=/jurist). The token is
  checked exactly like on the API (``resolve_principal``: signature, expiry, active user, role).
- In demo mode ``/jurist/login`` issues that cookie for a demo username (the logic of
  ``POST /auth/demo-login``). Outside demo mode there is no login form: a municipal sign-in in
  front of the service (reverse proxy / identity provider) must set the cookie or the header with
  a token from ``api.security.tokens`` (see api/README.md).
- CSRF: every form carries a token derived from the session token (HMAC with the JWT secret), so
  it is per session and needs no server state; the login form uses a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models.users import Role
from api.security.principal import Principal, resolve_principal

SESSION_COOKIE = "kk_jurist_session"
LOGIN_CSRF_COOKIE = "kk_jurist_login_csrf"
COOKIE_PATH = "/jurist"
PAGE_ROLES = frozenset({Role.JURIST, Role.ADMIN})


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE) or None


def page_principal(
    request: Request, session: Session, settings: Settings
) -> tuple[Principal | None, str | None]:
    """(principal, token) of a valid session, else (None, None). Service credentials are refused."""
    token = session_token(request)
    if token is None:
        return None, None
    try:
        principal = resolve_principal(
            session, settings, bearer=token, service_token=None, subject=None
        )
    except HTTPException:
        return None, None
    return principal, token


def csrf_token(settings: Settings, token: str) -> str:
    return hmac.new(
        settings.jwt_secret.encode(), b"jurist-page-csrf:" + token.encode(), hashlib.sha256
    ).hexdigest()


def csrf_ok(settings: Settings, token: str, given: object) -> bool:
    return isinstance(given, str) and hmac.compare_digest(csrf_token(settings, token), given)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def login_csrf_ok(request: Request, given: object) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie) and isinstance(given, str) and hmac.compare_digest(cookie, given)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"
