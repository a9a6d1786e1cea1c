"""The job centre's operations pages (``/drift``): the area (sign-in, roles, navigation) that
the closures, opening-hours and off-switch pages share, and ``/drift`` itself.

Server-rendered (Jinja2, templates in ``api/templates/operations/``), no JavaScript, Danish.
Sign-in, CSRF, rendering and the login and logout routes: ``api.security.page_routes`` with this
area's cookie (``kk_drift_session``, Path=/drift); without a valid session a page redirects to
``/drift/login``; other roles get a 403 page. The pages: ``api.routes.closures_pages``
(closures), ``api.routes.opening_hours_pages`` (weekly hours), both for staff and admins, and
``api.routes.assistant_status_pages`` (the off switch, admins). How the job centre uses them:
docs/operations.md. Not part of the JSON API (hidden from /openapi.json).
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models.users import Role
from api.security.page_routes import (
    NavLink,
    RowLookup,
    SignedIn,
    StaffPages,
    add_sign_in_routes,
)
from api.security.pages import PageArea, redirect

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

AREA = PageArea.at("drift", frozenset({Role.STAFF, Role.ADMIN}))
HOME = "/drift/lukninger"
ADMINS = frozenset({Role.ADMIN})

NO_ACCESS = "Siderne om drift er kun for medarbejdere i jobcentret og administratorer."
FORM_EXPIRED = "Formularen kunne ikke godkendes, så intet er gemt. Hent siden igen, og prøv igen."

PAGES = StaffPages(
    area=AREA,
    title="Drift",
    home=HOME,
    home_label="Til lukninger og åbningstider",
    login_heading="Log ind i drift af KK-assistenten",
    demo_users=("demo-sagsbehandler", "demo-admin"),
    no_access=NO_ACCESS,
    login_refused=NO_ACCESS,
    nav_label="Drift",
    nav=(
        NavLink(HOME, "Lukninger og åbningstider"),
        NavLink("/drift/assistent", "Tænd og sluk assistenten", ADMINS),
    ),
)
add_sign_in_routes(router, PAGES)


async def posted_form(
    request: Request,
    session: Session,
    settings: Settings,
    back_href: str,
    roles: frozenset[Role] | None = None,
    refusal: str | None = None,
) -> tuple[SignedIn, dict[str, str]] | Response:
    """``PAGES.posted_form`` with this area's message for a form without a valid CSRF token."""
    return await PAGES.posted_form(
        request, session, settings, FORM_EXPIRED, back_href, "Tilbage", roles, refusal
    )


async def posted_row(
    request: Request,
    session: Session,
    settings: Settings,
    back_href: str,
    lookup: RowLookup[T],
    key: str,
) -> tuple[SignedIn, dict[str, str], T] | Response:
    """``PAGES.posted_row`` with this area's message for a form without a valid CSRF token."""
    return await PAGES.posted_row(
        request, session, settings, lookup, key, FORM_EXPIRED, back_href, "Tilbage"
    )


@router.get("/drift")
def home() -> Response:
    return redirect(HOME)
