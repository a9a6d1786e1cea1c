"""The off switch: ``GET /assistant/status`` (public) and ``PUT /assistant/status`` (admin).

The Rasa channels ask ``GET`` at most every 3 seconds (``kkshared.assistant_status``), the web
chat every few seconds while it is open, so ``GET`` may be cached for ``STATUS_MAX_AGE_SECONDS``
(browsers and proxies answer the open chats in between); ``PUT`` is audited (author, time, on or
off).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import AdminPrincipal, SessionDep, SettingsDep
from api.schemas.assistant_status import (
    AssistantStatusAdminOut,
    AssistantStatusIn,
    AssistantStatusOut,
)
from api.services.assistant_status import current_status, set_status, status_details

router = APIRouter(tags=["assistant"])

STATUS_MAX_AGE_SECONDS = 2  # short: a pause reaches the open chats within seconds


@router.get("/assistant/status", summary="Is the assistant paused, and what citizens are told")
def read_status(
    response: Response, session: SessionDep, settings: SettingsDep
) -> AssistantStatusOut:
    response.headers["Cache-Control"] = f"public, max-age={STATUS_MAX_AGE_SECONDS}"
    current = current_status(session, settings)
    return AssistantStatusOut(paused=current.paused, message=current.message, phone=current.phone)


@router.put("/assistant/status", summary="Admin: pause the assistant with a message, or resume")
def update_status(
    body: AssistantStatusIn,
    request: Request,
    admin: AdminPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> AssistantStatusAdminOut:
    set_status(session, request, admin, body.paused, body.message)
    current = current_status(session, settings)
    details = status_details(session, settings)
    return AssistantStatusAdminOut(
        paused=current.paused,
        message=current.message,
        phone=current.phone,
        updated_by=details.updated_by,
        updated_at=details.updated_at,
    )
