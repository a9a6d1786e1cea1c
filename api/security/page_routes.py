"""What every area of staff pages shares: the templates, the stylesheet, rendering, error pages,
the signed-in check, CSRF-checked forms and the demo sign-in and sign-out routes.

An area (the jurists' ``/jurist``, the editors' ``/katalog`` and ``/statistik``, the job centre's
``/drift``) is one ``StaffPages``: its ``PageArea`` (cookie, path, roles and CSRF derivation:
``api.security.pages``), its titles and texts and its navigation. The area's module makes one,
calls ``add_sign_in_routes(router, pages)`` and keeps only its own pages.

Templates: ``api/templates/`` — ``base.html`` (layout, navigation, the stylesheet link),
``login.html`` and ``error.html`` for every area, and one folder per area (``legal/``,
``catalogue/``, ``analytics/``, ``operations/``) with its own pages. The stylesheet
``api/static/pages.css`` is served at ``/static/pages.css``; the pages carry no inline style or
script, so their Content-Security-Policy allows styles (and, for an area with ``scripts``,
scripts and images) from this service only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.models.users import Role, User
from api.routes.auth import demo_login
from api.schemas.auth import DemoLoginIn
from api.security.pages import PageArea, new_login_csrf, redirect, secure_headers
from api.security.principal import Principal

log = logging.getLogger("api.pages")

API_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = API_DIR / "templates"
STATIC_DIR = API_DIR / "static"
STYLESHEET = "/static/pages.css"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
# The stylesheet (api/main.py includes this router); not part of the JSON API.
router = APIRouter(include_in_schema=False)

T = TypeVar("T")

FORM_REFUSED = "Formularen kunne ikke godkendes. Hent siden igen, og prøv en gang til."


def static_file(path: Path, media_type: str, cache_control: str = "no-cache") -> Response:
    """A file the pages load from this service (no cookies needed, no sniffing)."""
    response = FileResponse(path, media_type=media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache_control
    return response


@router.get(STYLESHEET)
def stylesheet() -> Response:
    return static_file(STATIC_DIR / "pages.css", "text/css; charset=utf-8")


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str
    roles: frozenset[Role] | None = None  # None: everyone who may use the area


@dataclass(frozen=True)
class RowLookup(Generic[T]):
    """How a page finds the row it is about from the key in its path, and what its 404 page says
    when there is none (``message`` may name the key as ``{key}``)."""

    find: Callable[[Session, str], T | None]
    heading: str
    message: str

    @classmethod
    def by_id(cls, model: type[T], heading: str, message: str) -> RowLookup[T]:
        """The row of ``model`` whose primary key is the path's key."""
        return cls(lambda session, key: session.get(model, key), heading, message)


@dataclass(frozen=True)
class SignedIn:
    """The user of a valid session in an area, with the session's form token there."""

    principal: Principal
    token: str
    csrf: str


@dataclass(frozen=True)
class StaffPages:
    """One area's pages: its sign-in machinery and what its shared pages say."""

    area: PageArea
    title: str  # in the header and the default <title>
    home: str  # where sign-in leads; error pages link back here
    home_label: str
    login_heading: str
    demo_users: tuple[str, ...]  # suggested on the demo login form
    no_access: str  # the 403 page for a signed-in user of another role
    login_refused: str  # the login form's message for a user of another role
    nav_label: str = ""
    nav: tuple[NavLink, ...] = ()
    scripts: bool = False  # the pages load script files (and images) from this service

    @property
    def login_path(self) -> str:
        return f"{self.area.cookie_path}/login"

    @property
    def logout_path(self) -> str:
        return f"{self.area.cookie_path}/logout"

    def nav_for(self, user: Principal) -> list[NavLink]:
        return [link for link in self.nav if link.roles is None or user.role in link.roles]

    def headers(self, response: Response) -> None:
        secure_headers(response, scripts=self.scripts)

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        status_code: int = 200,
        user: SignedIn | None = None,
    ) -> HTMLResponse:
        response = templates.TemplateResponse(
            request,
            template,
            {
                "site": self,
                "stylesheet": STYLESHEET,
                "user": user.principal if user else None,
                "csrf": user.csrf if user else None,
                **context,
            },
            status_code=status_code,
        )
        self.headers(response)
        return response

    def error_page(
        self,
        request: Request,
        status_code: int,
        heading: str,
        message: str,
        user: SignedIn | None = None,
        back_href: str | None = None,
        back_label: str | None = None,
    ) -> HTMLResponse:
        """``error.html``; without ``back_href`` it links to the area's home."""
        context = {
            "heading": heading,
            "message": message,
            "back_href": back_href,
            "back_label": back_label,
        }
        return self.render(request, "error.html", context, status_code, user=user)

    def found(
        self, request: Request, user: SignedIn, row: T | None, heading: str, message: str
    ) -> T | HTMLResponse:
        """``row``, or when there is none the 404 page saying ``heading`` and ``message``."""
        if row is None:
            return self.error_page(request, status.HTTP_404_NOT_FOUND, heading, message, user=user)
        return row

    def _row(
        self, request: Request, session: Session, user: SignedIn, lookup: RowLookup[T], key: str
    ) -> T | HTMLResponse:
        message = lookup.message.format(key=key)
        return self.found(request, user, lookup.find(session, key), lookup.heading, message)

    def signed_in_row(
        self,
        request: Request,
        session: Session,
        settings: Settings,
        lookup: RowLookup[T],
        key: str,
    ) -> tuple[SignedIn, T] | Response:
        """``signed_in``, then the row ``lookup`` finds for ``key``; or the response to give
        instead (the login redirect, the 403 page, the 404 page)."""
        user = self.signed_in(request, session, settings)
        if isinstance(user, Response):
            return user
        row = self._row(request, session, user, lookup, key)
        return row if isinstance(row, Response) else (user, row)

    async def posted_row(
        self,
        request: Request,
        session: Session,
        settings: Settings,
        lookup: RowLookup[T],
        key: str,
        refused: str = FORM_REFUSED,
        back_href: str | None = None,
        back_label: str | None = None,
    ) -> tuple[SignedIn, dict[str, str], T] | Response:
        """``posted_form``, then the row ``lookup`` finds for ``key``; or the response to give
        instead."""
        posted = await self.posted_form(request, session, settings, refused, back_href, back_label)
        if isinstance(posted, Response):
            return posted
        user, form = posted
        row = self._row(request, session, user, lookup, key)
        return row if isinstance(row, Response) else (user, form, row)

    def signed_in(
        self,
        request: Request,
        session: Session,
        settings: Settings,
        roles: frozenset[Role] | None = None,
        refusal: str | None = None,
    ) -> SignedIn | Response:
        """The user of this session, or the response to give instead: a redirect to the login
        page, or a 403 page when the role is not among ``roles`` (default: the area's)."""
        principal, token = self.area.page_principal(request, session, settings)
        if principal is None or token is None:
            return redirect(self.login_path)
        request.state.principal = principal  # for the access log, as on the API
        user = SignedIn(principal, token, self.area.csrf_token(settings, token))
        if principal.role not in (roles or self.area.roles):
            in_area = principal.role in self.area.roles  # then only this page is not theirs
            return self.error_page(
                request,
                status.HTTP_403_FORBIDDEN,
                "Ingen adgang",
                refusal or self.no_access,
                user=user if in_area else None,
                back_href=None if in_area else self.login_path,
                back_label=None if in_area else "Log ind som en anden bruger",
            )
        return user

    async def posted_form(
        self,
        request: Request,
        session: Session,
        settings: Settings,
        refused: str = FORM_REFUSED,
        back_href: str | None = None,
        back_label: str | None = None,
        roles: frozenset[Role] | None = None,
        refusal: str | None = None,
    ) -> tuple[SignedIn, dict[str, str]] | Response:
        """The signed-in user and the posted form's text fields, or the response to give
        instead; a form without this session's CSRF token gets a 403 page saying ``refused``."""
        user = self.signed_in(request, session, settings, roles, refusal)
        if isinstance(user, Response):
            return user
        form = await request.form()
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        if not self.area.csrf_ok(settings, user.token, values.get("csrf_token")):
            return self.error_page(
                request,
                status.HTTP_403_FORBIDDEN,
                "Ugyldig formular",
                refused,
                user=user,
                back_href=back_href,
                back_label=back_label,
            )
        return user, values


def add_sign_in_routes(router: APIRouter, pages: StaffPages) -> None:
    """``GET``/``POST <area>/login`` (the form; in demo mode it signs in a demo user, the logic of
    ``POST /auth/demo-login``, and sets the area's session cookie) and ``POST <area>/logout``."""

    @router.get(pages.login_path)
    def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
        login_csrf = new_login_csrf()
        context = {"demo": settings.demo_mode, "login_csrf": login_csrf}
        response = pages.render(request, "login.html", context)
        pages.area.set_login_csrf_cookie(request, response, login_csrf)
        return response

    @router.post(pages.login_path)
    async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
        if not settings.demo_mode:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
        form = await request.form()
        given = form.get("csrf_token")
        if not pages.area.login_csrf_ok(request, given):
            return pages.error_page(
                request,
                status.HTTP_403_FORBIDDEN,
                "Formularen er udløbet",
                "Hent log-in-siden igen, og prøv en gang til.",
                back_href=pages.login_path,
                back_label="Til log-in",
            )
        username = str(form.get("username") or "").strip()[:64]

        def again(message: str, code: int) -> HTMLResponse:
            context = {"demo": True, "login_csrf": given, "error": message, "username": username}
            return pages.render(request, "login.html", context, code)

        try:  # the same logic as POST /auth/demo-login
            issued = demo_login(DemoLoginIn(username=username or "-"), session, settings)
        except HTTPException:
            return again("Brugernavnet findes ikke.", status.HTTP_401_UNAUTHORIZED)
        user = session.scalars(select(User).where(User.username == username)).one()
        if user.role not in pages.area.roles:
            return again(pages.login_refused, status.HTTP_403_FORBIDDEN)
        response = redirect(pages.home)
        pages.area.set_session_cookie(request, response, issued.access_token, settings)
        log.info("staff page sign-in", extra={"area": pages.area.name, "user_id": user.id})
        return response

    @router.post(pages.logout_path)
    async def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
        posted = await pages.posted_form(request, session, settings)
        if isinstance(posted, Response):
            return posted
        response = redirect(pages.login_path)
        pages.area.clear_session_cookie(request, response)
        return response
