"""Sign-in and CSRF protection of the jurists' web page (``/jurist``): the shared page machinery
of ``api.security.pages`` with this page's cookie, path and roles.

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

from fastapi import Request
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models.users import Role
from api.security.pages import PageArea, is_https, new_login_csrf
from api.security.principal import Principal

SESSION_COOKIE = "kk_jurist_session"
LOGIN_CSRF_COOKIE = "kk_jurist_login_csrf"
COOKIE_PATH = "/jurist"
PAGE_ROLES = frozenset({Role.JURIST, Role.ADMIN})
# The shared machinery (api.security.pages) with the jurist page's cookie, path and roles.
AREA = PageArea("jurist", SESSION_COOKIE, LOGIN_CSRF_COOKIE, COOKIE_PATH, PAGE_ROLES)

__all__ = ["is_https", "new_login_csrf"]


def session_token(request: Request) -> str | None:
    return AREA.session_token(request)


def page_principal(
    request: Request, session: Session, settings: Settings
) -> tuple[Principal | None, str | None]:
    """(principal, token) of a valid session, else (None, None). Service credentials are refused."""
    return AREA.page_principal(request, session, settings)


def csrf_token(settings: Settings, token: str) -> str:
    return AREA.csrf_token(settings, token)


def csrf_ok(settings: Settings, token: str, given: object) -> bool:
    return AREA.csrf_ok(settings, token, given)


def login_csrf_ok(request: Request, given: object) -> bool:
    return AREA.login_csrf_ok(request, given)
