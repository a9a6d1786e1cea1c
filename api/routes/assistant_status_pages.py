"""The off switch's page for admins: ``/drift/assistent`` (the ``/drift`` area of
``api.routes.operations_pages``: same sign-in, cookie and CSRF; staff get a 403 page).

Switching goes through ``api.services.assistant_status.set_status`` like ``PUT
/assistant/status`` (audited). Not part of the JSON API (hidden from /openapi.json).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.models.assistant_status import MAX_MESSAGE_CHARS
from api.routes.operations_pages import ADMINS, PAGES, posted_form
from api.security.page_routes import SignedIn
from api.security.pages import redirect
from api.services.assistant_status import set_status, status_details
from kkshared.formatting import format_datetime

router = APIRouter(include_in_schema=False)

PAGE = "/drift/assistent"
ADMIN_ONLY = "Kun administratorer kan tænde og slukke KK-assistenten."
MESSAGE_NEEDED = (
    "Skriv den besked, borgerne skal se, mens assistenten er slukket "
    f"(højst {MAX_MESSAGE_CHARS} tegn)."
)
FLASHES = {
    "slukket": "KK-assistenten er slukket. Borgerne får beskeden inden for få sekunder.",
    "taendt": "KK-assistenten er tændt igen.",
}


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    user: SignedIn,
    form_message: str | None = None,
    errors: list[dict[str, str]] | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    details = status_details(session, settings)
    view = {
        "paused": details.paused,
        "message": details.message or details.default_message,
        "updated_at": format_datetime(details.updated_at) if details.updated_at else "",
        "updated_by_name": details.updated_by_name,
    }
    if form_message is None:
        form_message = details.message or details.default_message
    return PAGES.render(
        request,
        "operations/assistant_status.html",
        {"s": view, "form_message": form_message, "errors": errors or [], "flash": flash},
        status_code,
        user=user,
    )


@router.get(PAGE)
def assistant_status_page(
    request: Request, session: SessionDep, settings: SettingsDep, gemt: str | None = None
) -> Response:
    user = PAGES.signed_in(request, session, settings, ADMINS, ADMIN_ONLY)
    if isinstance(user, Response):
        return user
    return _page(request, session, settings, user, flash=FLASHES.get((gemt or "")[:20]))


@router.post(PAGE)
async def switch_from_page(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await posted_form(request, session, settings, PAGE, ADMINS, ADMIN_ONLY)
    if isinstance(posted, Response):
        return posted
    user, form = posted
    if form.get("action") == "resume":
        set_status(session, request, user.principal, False, None)
        return redirect(f"{PAGE}?gemt=taendt")
    message = form.get("message", "").strip()
    if not message or len(message) > MAX_MESSAGE_CHARS or "\x00" in message:
        errors = [{"field": "message", "message": MESSAGE_NEEDED}]
        return _page(
            request,
            session,
            settings,
            user,
            form.get("message", "")[: MAX_MESSAGE_CHARS * 2],
            errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    set_status(session, request, user.principal, True, message)
    return redirect(f"{PAGE}?gemt=slukket")
