"""Sign-in, CSRF protection and security headers of the server-rendered staff pages.

Each page area (the jurists' postkasse ``/jurist``, the answer catalogue ``/katalog``, ...) is a
``PageArea``: its own session cookie limited to its path, the roles that may use it, and its own
CSRF derivation. The rules are the same for every area:

- The page takes the user JWT from an ``Authorization: Bearer`` header or from the area's session
  cookie (HttpOnly, SameSite=Strict, Secure on https, Path=<area>). The token is checked exactly
  like on the API (``resolve_principal``: signature, expiry, active user, role); service
  credentials are never accepted on a page.
- In demo mode the area's login form issues that cookie for a demo username (the logic of
  ``POST /auth/demo-login``). Outside demo mode a municipal sign-in in front of the service must
  set the cookie or the header with a token from ``api.security.tokens`` (see api/README.md).
- CSRF: every form carries a token derived from the session token (HMAC with the JWT secret and
  the area's name), so it is per session and area and needs no server state; the login form uses
  a double-submit cookie.

Rendering, error pages and the sign-in routes every area mounts: ``api.security.page_routes``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models.users import Role
from api.security.principal import Principal, resolve_principal


@dataclass(frozen=True)
class PageArea:
    """One group of pages under ``cookie_path`` with its own session cookie and roles."""

    name: str  # part of the CSRF derivation: a form token of one area is no good in another
    session_cookie: str
    login_csrf_cookie: str
    cookie_path: str
    roles: frozenset[Role]

    @classmethod
    def at(cls, name: str, roles: frozenset[Role]) -> PageArea:
        """The area ``/<name>`` with the cookies ``kk_<name>_session`` and
        ``kk_<name>_login_csrf``."""
        return cls(name, f"kk_{name}_session", f"kk_{name}_login_csrf", f"/{name}", roles)

    def session_token(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.cookies.get(self.session_cookie) or None

    def page_principal(
        self, request: Request, session: Session, settings: Settings
    ) -> tuple[Principal | None, str | None]:
        """(principal, token) of a valid session, else (None, None). Service credentials are
        refused."""
        token = self.session_token(request)
        if token is None:
            return None, None
        try:
            principal = resolve_principal(
                session, settings, bearer=token, service_token=None, subject=None
            )
        except HTTPException:
            return None, None
        return principal, token

    def csrf_token(self, settings: Settings, token: str) -> str:
        purpose = f"{self.name}-page-csrf:".encode()
        return hmac.new(
            settings.jwt_secret.encode(), purpose + token.encode(), hashlib.sha256
        ).hexdigest()

    def csrf_ok(self, settings: Settings, token: str, given: object) -> bool:
        return isinstance(given, str) and hmac.compare_digest(
            self.csrf_token(settings, token), given
        )

    def login_csrf_ok(self, request: Request, given: object) -> bool:
        cookie = request.cookies.get(self.login_csrf_cookie)
        return cookie is not None and isinstance(given, str) and hmac.compare_digest(cookie, given)

    def _set_cookie(
        self, request: Request, response: Response, name: str, value: str, max_age: int
    ) -> None:
        """HttpOnly, SameSite=Strict, Secure on https, limited to the area's path."""
        response.set_cookie(
            name,
            value,
            path=self.cookie_path,
            httponly=True,
            samesite="strict",
            secure=is_https(request),
            max_age=max_age,
        )

    def set_login_csrf_cookie(self, request: Request, response: Response, value: str) -> None:
        self._set_cookie(request, response, self.login_csrf_cookie, value, 3600)

    def set_session_cookie(
        self, request: Request, response: Response, token: str, settings: Settings
    ) -> None:
        max_age = settings.jwt_ttl_minutes * 60
        self._set_cookie(request, response, self.session_cookie, token, max_age)
        response.delete_cookie(self.login_csrf_cookie, path=self.cookie_path)

    def clear_session_cookie(self, request: Request, response: Response) -> None:
        response.delete_cookie(
            self.session_cookie,
            path=self.cookie_path,
            secure=is_https(request),
            httponly=True,
            samesite="strict",
        )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def secure_headers(response: Response, *, scripts: bool = False) -> None:
    """No third-party anything, nothing inline: the shared stylesheet (and with ``scripts`` script
    files and images) from this service only, forms posted to it only, no framing."""
    sources = ["default-src 'none'"]
    if scripts:
        sources.append("script-src 'self'")
    sources.append("style-src 'self'")
    if scripts:
        sources.append("img-src 'self'")
    sources += ["form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]
    response.headers["Content-Security-Policy"] = "; ".join(sources)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    secure_headers(response)
    return response
