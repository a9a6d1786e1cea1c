"""The jurists' web page's (``/jurist``) sign-in area: the shared page machinery of
``api.security.pages`` with this page's cookie, path and roles.

- The page takes the user JWT from an ``Authorization: Bearer`` header or from the cookie
  ``kk_jurist_session`` (HttpOnly, SameSite=Strict, Secure on https, Path=/jurist). The token is
  checked exactly like on the API (``resolve_principal``: signature, expiry, active user, role).
- In demo mode ``/jurist/login`` issues that cookie for a demo username (the logic of
  ``POST /auth/demo-login``; the routes: ``api.security.page_routes``). Outside demo mode there
  is no login form: a municipal sign-in in front of the service (reverse proxy / identity
  provider) must set the cookie or the header with a token from ``api.security.tokens`` (see
  api/README.md).
- CSRF: every form carries a token derived from the session token (HMAC with the JWT secret and
  the area's name), so it is per session and needs no server state; the login form uses a
  double-submit cookie.
"""

from __future__ import annotations

from api.core.config import Settings
from api.models.users import Role
from api.security.pages import PageArea

PAGE_ROLES = frozenset({Role.JURIST, Role.ADMIN})
AREA = PageArea.at("jurist", PAGE_ROLES)
SESSION_COOKIE = AREA.session_cookie
LOGIN_CSRF_COOKIE = AREA.login_csrf_cookie
COOKIE_PATH = AREA.cookie_path


def csrf_token(settings: Settings, token: str) -> str:
    """The form token of a jurist-page session."""
    return AREA.csrf_token(settings, token)
