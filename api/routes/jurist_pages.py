"""The jurists' web page: the postkasse's open questions and a form to answer them.

Server-rendered (Jinja2, templates in ``api/templates/legal/``), no JavaScript, no third-party
requests, Danish. Jurists and admins only: without a valid session the page redirects to
``/jurist/login``; other roles get a 403 page. Sign-in, CSRF, rendering and the login and logout
routes: ``api.security.page_routes`` with this page's area (``api.legal.page_auth``). Not part
of the JSON API (hidden from /openapi.json).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.legal import texts
from api.legal.page_auth import AREA
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
from api.schemas.legal import AnswerIn
from api.security.page_routes import RowLookup, StaffPages, add_sign_in_routes
from api.security.pages import redirect
from kkshared.formatting import format_datetime

log = logging.getLogger("api.legal.pages")

router = APIRouter(include_in_schema=False)
PAGES = StaffPages(
    area=AREA,
    title="Juridisk postkasse",
    home="/jurist",
    home_label="Til den juridiske postkasse",
    login_heading="Log ind i den juridiske postkasse",
    demo_users=("demo-jurist",),
    no_access="Den juridiske postkasse er kun for jurister og administratorer.",
    login_refused="Siden er kun for jurister og administratorer.",
)
add_sign_in_routes(router, PAGES)

TicketId = Annotated[str, Path(max_length=32)]

FIELD_MESSAGES = {
    "answer": "Skriv et svar (højst 8.000 tegn).",
    "references": "Skriv højst 50 henvisninger, én pr. linje og højst 200 tegn hver.",
    "title": "Skriv en titel på mindst 3 tegn, når svaret skal offentliggøres.",
    "questions": "Skriv højst 20 andre formuleringer, én pr. linje og 3-500 tegn hver.",
}


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


# --- the postkasse -------------------------------------------------------------------------------


@router.get("/jurist")
def postkasse(
    request: Request, session: SessionDep, settings: SettingsDep, besvaret: str | None = None
) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
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
    return PAGES.render(
        request,
        "legal/list.html",
        {
            "open_questions": [_question_view(session, r) for r in open_rows],
            "answered_questions": [_question_view(session, r) for r in answered_rows],
            "flash": flash,
        },
        user=user,
    )


def _question(session: Session, ticket_id: str) -> LegalQuestion | None:
    return session.scalars(
        select(LegalQuestion).where(LegalQuestion.ticket_id == ticket_id)
    ).first()


QUESTION = RowLookup(
    _question, "Spørgsmålet findes ikke", "Der er intet spørgsmål med sagsnummer {key}."
)


EMPTY_FORM = {"answer": "", "references": "", "publish": False, "title": "", "questions": ""}


@router.get("/jurist/questions/{ticket_id}")
def question_page(
    ticket_id: TicketId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    found = PAGES.signed_in_row(request, session, settings, QUESTION, ticket_id)
    if isinstance(found, Response):
        return found
    user, row = found
    return PAGES.render(
        request,
        "legal/question.html",
        {"q": _question_view(session, row), "form": EMPTY_FORM, "errors": []},
        user=user,
    )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


@router.post("/jurist/questions/{ticket_id}")
async def answer_from_page(
    ticket_id: TicketId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:
    posted = await PAGES.posted_row(
        request,
        session,
        settings,
        QUESTION,
        ticket_id,
        refused="Formularen kunne ikke godkendes, så svaret er ikke gemt. Hent siden igen, og prøv "
        "en gang til.",
        back_href=f"/jurist/questions/{ticket_id}",
        back_label="Til spørgsmålet",
    )
    if isinstance(posted, Response):
        return posted
    user, form, row = posted
    values = AnswerForm(
        answer=form.get("answer", ""),
        references=form.get("references", ""),
        publish=form.get("publish") == "on",
        title=form.get("title", ""),
        questions=form.get("questions", ""),
    )

    def again(errors: list[dict[str, Any]], code: int) -> HTMLResponse:
        return PAGES.render(
            request,
            "legal/question.html",
            {"q": _question_view(session, row), "form": values, "errors": errors},
            code,
            user=user,
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
        note = answer_question(session, row, user.principal, data, settings.tz)
    except QuestionNotOpen:
        return PAGES.error_page(
            request,
            status.HTTP_409_CONFLICT,
            "Spørgsmålet er allerede besvaret",
            f"{row.ticket_id} er allerede besvaret.",
            user=user,
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
    return redirect(f"/jurist?besvaret={row.ticket_id}")
