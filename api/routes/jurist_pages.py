"""The jurists' web page: the postkasse's open questions and a form to answer them.

Server-rendered (Jinja2), no JavaScript, no third-party requests, Danish. Jurists and admins only:
without a valid session the page redirects to ``/jurist/login``; other roles get a 403 page.
Sign-in and CSRF: ``api.legal.page_auth``. Not part of the JSON API (hidden from /openapi.json).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.legal import texts
from api.legal.page_auth import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    PAGE_ROLES,
    SESSION_COOKIE,
    csrf_ok,
    csrf_token,
    is_https,
    login_csrf_ok,
    new_login_csrf,
    page_principal,
)
from api.legal.postkasse import (
    AnswerRejected,
    JuristAnswer,
    QuestionNotOpen,
    answer_question,
    list_questions,
    schedule_rebuild,
)
from api.models.legal import LegalNoteRecord, LegalQuestion, QuestionStatus
from api.models.users import User
from api.routes.auth import demo_login
from api.schemas.auth import DemoLoginIn
from api.schemas.legal import AnswerIn
from api.security.principal import Principal
from kkshared.formatting import format_datetime

log = logging.getLogger("api.legal.pages")

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(
    directory=str(FilePath(__file__).resolve().parent.parent / "legal" / "templates")
)

LOGIN_PATH = "/jurist/login"
TicketId = Annotated[str, Path(max_length=32)]

FIELD_MESSAGES = {
    "answer": "Skriv et svar (højst 8.000 tegn).",
    "references": "Skriv højst 50 henvisninger, én pr. linje og højst 200 tegn hver.",
    "title": "Skriv en titel på mindst 3 tegn, når svaret skal offentliggøres.",
    "questions": "Skriv højst 20 andre formuleringer, én pr. linje og 3-500 tegn hver.",
}


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    user: Principal | None = None,
    csrf: str | None = None,
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    response = templates.TemplateResponse(
        request,
        template,
        {"nonce": nonce, "user": user, "csrf": csrf, **context},
        status_code=status_code,
    )
    _secure_headers(response, nonce)
    return response


def _secure_headers(response: Response, nonce: str | None = None) -> None:
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style}; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    _secure_headers(response)
    return response


def _error_page(
    request: Request, status_code: int, heading: str, message: str, **context: Any
) -> HTMLResponse:
    return _render(
        request,
        "error.html",
        {"heading": heading, "message": message, **context},
        status_code,
        user=context.get("user"),
        csrf=context.get("csrf"),
    )


def _signed_in(
    request: Request, session: Session, settings: Settings
) -> tuple[Principal, str] | Response:
    """The jurist/admin of this session, or the response to give instead (redirect or 403 page)."""
    principal, token = page_principal(request, session, settings)
    if principal is None or token is None:
        return _redirect(LOGIN_PATH)
    request.state.principal = principal  # for the access log, as on the API
    if principal.role not in PAGE_ROLES:
        return _error_page(
            request,
            status.HTTP_403_FORBIDDEN,
            "Ingen adgang",
            "Den juridiske postkasse er kun for jurister og administratorer.",
            back_href=LOGIN_PATH,
            back_label="Log ind som en anden bruger",
        )
    return principal, token


def _when(moment: datetime | None) -> str:
    return format_datetime(moment) if moment else ""


def _excerpt(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _asker(session: Session, row: LegalQuestion) -> str:
    user = session.get(User, row.asker_user_id)
    role = texts.ASKER_ROLE_LABELS.get(row.asker_role, row.asker_role)
    return f"{user.display_name} ({role})" if user else role


@dataclass(frozen=True)
class AnswerForm:
    """What a jurist typed into the answer form (shown again with the errors)."""

    answer: str
    references: str
    publish: bool
    title: str
    questions: str


def _question_view(session: Session, row: LegalQuestion) -> dict[str, Any]:
    note = session.get(LegalNoteRecord, row.advice_note_id) if row.advice_note_id else None
    answered_by = session.get(User, row.answered_by) if row.answered_by else None
    return {
        "ticket_id": row.ticket_id,
        "status": texts.QUESTION_STATUS_LABELS[row.status.value],
        "is_open": row.status is QuestionStatus.OPEN,
        "asked": _when(row.created_at),
        "asker": _asker(session, row),
        "advice": texts.ADVICE_STATUS_LABELS.get(row.advice_status, row.advice_status),
        "advice_note": note.title if note else None,
        "question": row.question,
        "excerpt": _excerpt(row.question),
        "context": row.context,
        "answer": row.answer,
        "references": row.answer_references or [],
        "answered": _when(row.answered_at),
        "answered_by": answered_by.display_name if answered_by else "",
        "note_id": row.note_id,
    }


# --- sign-in -------------------------------------------------------------------------------------


@router.get("/jurist/login")
def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    login_csrf = new_login_csrf()
    response = _render(
        request, "login.html", {"demo": settings.demo_mode, "login_csrf": login_csrf}
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        login_csrf,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        max_age=3600,
    )
    return response


@router.post("/jurist/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if not settings.demo_mode:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    form = await request.form()
    if not login_csrf_ok(request, form.get("csrf_token")):
        return _error_page(
            request,
            status.HTTP_403_FORBIDDEN,
            "Formularen er udløbet",
            "Hent log-in-siden igen, og prøv en gang til.",
            back_href=LOGIN_PATH,
            back_label="Til log-in",
        )
    username = str(form.get("username") or "").strip()[:64]

    def again(message: str, code: int) -> HTMLResponse:
        login_csrf = str(form.get("csrf_token"))
        return _render(
            request,
            "login.html",
            {"demo": True, "login_csrf": login_csrf, "error": message, "username": username},
            code,
        )

    try:  # the same logic as POST /auth/demo-login
        token = demo_login(DemoLoginIn(username=username or "-"), session, settings).access_token
    except HTTPException:
        return again("Brugernavnet findes ikke.", status.HTTP_401_UNAUTHORIZED)
    user = session.scalars(select(User).where(User.username == username)).one()
    if user.role not in PAGE_ROLES:
        return again("Siden er kun for jurister og administratorer.", status.HTTP_403_FORBIDDEN)
    response = _redirect("/jurist")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        max_age=settings.jwt_ttl_minutes * 60,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    log.info("jurist page sign-in", extra={"user_id": user.id})
    return response


@router.post("/jurist/logout")
async def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    signed_in = _signed_in(request, session, settings)
    if isinstance(signed_in, Response):
        return signed_in
    _, token = signed_in
    form = await request.form()
    if not csrf_ok(settings, token, form.get("csrf_token")):
        return _error_page(
            request,
            status.HTTP_403_FORBIDDEN,
            "Ugyldig formular",
            "Formularen kunne ikke godkendes. Hent siden igen, og prøv en gang til.",
        )
    response = _redirect(LOGIN_PATH)
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=is_https(request), httponly=True, samesite="strict"
    )
    return response


# --- the postkasse -------------------------------------------------------------------------------


@router.get("/jurist")
def postkasse(
    request: Request, session: SessionDep, settings: SettingsDep, besvaret: str | None = None
) -> Response:
    signed_in = _signed_in(request, session, settings)
    if isinstance(signed_in, Response):
        return signed_in
    principal, token = signed_in
    open_rows = list_questions(session, QuestionStatus.OPEN, 500)
    answered_rows = session.scalars(
        select(LegalQuestion)
        .where(LegalQuestion.status != QuestionStatus.OPEN)
        .order_by(LegalQuestion.answered_at.desc(), LegalQuestion.ticket_id.desc())
        .limit(20)
    )
    flash = None
    if besvaret:
        row = session.scalars(
            select(LegalQuestion).where(LegalQuestion.ticket_id == besvaret[:32])
        ).first()
        if row is not None and row.status is not QuestionStatus.OPEN:
            flash = f"Svaret på {row.ticket_id} er gemt"
            flash += " og offentliggjort som note." if row.note_id else "."
    return _render(
        request,
        "list.html",
        {
            "open_questions": [_question_view(session, r) for r in open_rows],
            "answered_questions": [_question_view(session, r) for r in answered_rows],
            "flash": flash,
        },
        user=principal,
        csrf=csrf_token(settings, token),
    )


def _question_or_404_page(
    request: Request, session: Session, ticket_id: str, principal: Principal, csrf: str
) -> LegalQuestion | HTMLResponse:
    row = session.scalars(select(LegalQuestion).where(LegalQuestion.ticket_id == ticket_id)).first()
    if row is None:
        return _error_page(
            request,
            status.HTTP_404_NOT_FOUND,
            "Spørgsmålet findes ikke",
            f"Der er intet spørgsmål med sagsnummer {ticket_id}.",
            user=principal,
            csrf=csrf,
        )
    return row


EMPTY_FORM = {"answer": "", "references": "", "publish": False, "title": "", "questions": ""}


@router.get("/jurist/questions/{ticket_id}")
def question_page(
    ticket_id: TicketId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    signed_in = _signed_in(request, session, settings)
    if isinstance(signed_in, Response):
        return signed_in
    principal, token = signed_in
    csrf = csrf_token(settings, token)
    row = _question_or_404_page(request, session, ticket_id, principal, csrf)
    if isinstance(row, Response):
        return row
    return _render(
        request,
        "question.html",
        {"q": _question_view(session, row), "form": EMPTY_FORM, "errors": []},
        user=principal,
        csrf=csrf,
    )


def _lines(value: object) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


@router.post("/jurist/questions/{ticket_id}")
async def answer_from_page(
    ticket_id: TicketId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:
    signed_in = _signed_in(request, session, settings)
    if isinstance(signed_in, Response):
        return signed_in
    principal, token = signed_in
    csrf = csrf_token(settings, token)
    form = await request.form()
    if not csrf_ok(settings, token, form.get("csrf_token")):
        return _error_page(
            request,
            status.HTTP_403_FORBIDDEN,
            "Ugyldig formular",
            "Formularen kunne ikke godkendes, så svaret er ikke gemt. Hent siden igen, og prøv en "
            "gang til.",
            user=principal,
            csrf=csrf,
            back_href=f"/jurist/questions/{ticket_id}",
            back_label="Til spørgsmålet",
        )
    row = _question_or_404_page(request, session, ticket_id, principal, csrf)
    if isinstance(row, Response):
        return row
    values = AnswerForm(
        answer=str(form.get("answer") or ""),
        references=str(form.get("references") or ""),
        publish=form.get("publish") == "on",
        title=str(form.get("title") or ""),
        questions=str(form.get("questions") or ""),
    )

    def again(errors: list[dict[str, Any]], code: int) -> HTMLResponse:
        return _render(
            request,
            "question.html",
            {"q": _question_view(session, row), "form": values, "errors": errors},
            code,
            user=principal,
            csrf=csrf,
        )

    try:
        body = AnswerIn(
            answer=values.answer,
            references=_lines(values.references),
            publish=values.publish,
            title=values.title or None,
            questions=_lines(values.questions),
        )
    except ValidationError as error:
        fields = {str(e["loc"][0]) if e["loc"] else "title" for e in error.errors()}
        errors = [{"field": f, "message": FIELD_MESSAGES[f]} for f in FIELD_MESSAGES if f in fields]
        return again(errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    data = JuristAnswer(body.answer, body.references, body.publish, body.title, body.questions)
    try:
        note = answer_question(session, row, principal, data, settings.tz)
    except QuestionNotOpen:
        return _error_page(
            request,
            status.HTTP_409_CONFLICT,
            "Spørgsmålet er allerede besvaret",
            f"{row.ticket_id} er allerede besvaret.",
            user=principal,
            csrf=csrf,
        )
    except AnswerRejected as rejected:
        errors = [
            {
                "field": "answer" if p.code == "not_among_references" else "references",
                "message": p.danish(),
            }
            for p in rejected.problems
        ]
        return again(errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    session.commit()
    if note is not None:
        schedule_rebuild(session, request.app.state.legal, background)
    log.info(
        "legal question answered",
        extra={
            "ticket_id": row.ticket_id,
            "note_id": row.note_id,
            "published": note is not None,
            "via": "page",
        },
    )
    return _redirect(f"/jurist?besvaret={row.ticket_id}")
