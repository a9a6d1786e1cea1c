"""The editors' pages for the citizen answers (``/katalog``): search, edit, preview, publish,
retire, roll back. Server-rendered (Jinja2), no JavaScript, no third-party requests, Danish.

Editors and admins only: without a valid session the pages redirect to ``/katalog/login``; other
roles get a 403 page. Sign-in, CSRF, rendering and the login and logout routes:
``api.security.page_routes`` (the same machinery as the jurists' page, with its own cookie on
``/katalog``); templates in ``api/templates/catalogue/``. What the buttons do is
``api.catalogue.editing``, shared with the JSON API. Not part of the JSON API (hidden from
/openapi.json).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.catalogue import editing, store
from api.catalogue.checks import Problem, blocking, seed_files
from api.catalogue.preview import PreviewUnavailable
from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.models.catalogue import CatalogueVersion, EntryStatus, VersionAction
from api.models.users import Role, User
from api.security.page_routes import NavLink, SignedIn, StaffPages, add_sign_in_routes
from api.security.pages import PageArea, redirect
from kkshared.catalogue import CatalogueEntry, EntrySource, PreviewResult, Translation
from kkshared.formatting import format_datetime
from kkshared.knowledge import GENERAL_SOURCE
from kkshared.sources import source_label

router = APIRouter(include_in_schema=False)

AREA = PageArea.at("katalog", frozenset({Role.EDITOR, Role.ADMIN}))
PAGES = StaffPages(
    area=AREA,
    title="Svar til borgerne",
    home="/katalog",
    home_label="Til svarene",
    login_heading="Log ind og ret svarene til borgerne",
    demo_users=("demo-redaktoer",),
    no_access="Svarene til borgerne kan kun rettes af redaktører og administratorer.",
    login_refused="Siden er kun for redaktører og administratorer.",
    nav_label="Redaktion",
    nav=(NavLink("/katalog", "Alle svar"), NavLink("/katalog/nyt", "Nyt svar")),
)
add_sign_in_routes(router, PAGES)
FORM_REFUSED = (
    "Formularen kunne ikke godkendes, så intet er ændret. Hent siden igen, og prøv en gang til."
)
EntryId = Annotated[str, Path(max_length=64)]

ACTION_LABELS = {
    VersionAction.CREATE: "Oprettet",
    VersionAction.EDIT: "Rettet",
    VersionAction.RETIRE: "Taget ud af brug",
    VersionAction.RESTORE: "Taget i brug igen",
    VersionAction.ROLLBACK: "Rullet tilbage",
    VersionAction.IMPORT: "Indlæst fra de godkendte filer",
}
STATUS_LABELS = {EntryStatus.PUBLISHED: "I brug", EntryStatus.RETIRED: "Taget ud af brug"}
TIER_LABELS = {
    1: "Et svar fra kataloget",
    2: "Et citat fra kildedokumenterne",
    3: "»Det ved jeg ikke« med besked om, hvor man kan spørge",
}
FLASHES = {
    "gemt": "Udkastet er gemt. Det er ikke offentliggjort endnu.",
    "offentliggjort": "Svaret er offentliggjort. Assistenten bruger det inden for et minut.",
    "udgaaet": "Svaret er taget ud af brug. Assistenten holder op med at bruge det inden for et "
    "minut.",
    "genindsat": "Svaret er taget i brug igen.",
    "tilbagerullet": "Ændringen er rullet tilbage. Den tidligere version er nu i brug.",
    "kasseret": "Dit udkast er slettet.",
}
EXAMPLE_ADDED = (
    "Spørgsmålet fra listen over ubesvarede spørgsmål står nu nederst i eksemplerne. Gem "
    "udkastet for at beholde det, og offentliggør det, når du er klar."
)


def _when(moment: Any) -> str:
    return format_datetime(moment) if moment else ""


def _display_name(session: Session, user_id: str | None) -> str:
    if user_id is None:
        return "Indlæsning af de godkendte filer"
    user = session.get(User, user_id)
    return user.display_name if user else "Tidligere bruger"


def _source_text(source: EntrySource) -> str:
    if source.file:
        return source_label(source.file, source.date)
    return f"{source.name or ''}, {source.date}"


# --- list and search -----------------------------------------------------------------------------


@router.get("/katalog")
def entry_list(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    q: str | None = None,
    vis: str | None = None,
    eksempel: str | None = None,
) -> Response:
    """The entries; ``eksempel`` (the statistics page's "Tilføj som eksempel på et eksisterende
    svar") is carried to the entry the editor opens, which adds it to its examples."""
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    query = (q or "").strip()[:200]
    example = _asked(eksempel)
    suffix = f"?{urlencode({'eksempel': example})}" if example else ""
    wanted = None if vis == "alle" else EntryStatus.PUBLISHED
    if vis == "udgaaede":
        wanted = EntryStatus.RETIRED
    records = store.list_records(session, query or None, wanted)
    drafts = [
        {"id": entry_id, "href": f"/katalog/svar/{entry_id}"}
        for entry_id in store.draft_ids(session, editing.author_of(user.principal))
    ]
    rows = [
        {
            "id": r.id,
            "href": f"/katalog/svar/{r.id}{suffix}",
            "title": str(r.content.get("title", "")),
            "topic": r.topic,
            "status": STATUS_LABELS[r.status],
            "version": r.version,
            "updated": _when(r.updated_at),
        }
        for r in records
    ]
    return PAGES.render(
        request,
        "catalogue/list.html",
        {
            "q": query,
            "vis": vis or "",
            "example": example,
            "rows": rows,
            "drafts": drafts,
            "revision": store.current_revision(session),
        },
        user=user,
    )


def _asked(text: str | None) -> str:
    """A citizen's question passed in a link from the statistics page (``spoergsmaal``,
    ``eksempel``): white space tidied, at most 300 characters."""
    return " ".join((text or "").split())[:300]


# --- one entry -----------------------------------------------------------------------------------


def _form_values(entry: CatalogueEntry, base_version: int) -> dict[str, Any]:
    source = entry.source
    kind = "general" if source.file == GENERAL_SOURCE else "seed" if source.file else "external"
    return {
        "id": entry.id,
        "topic": entry.topic,
        "title": entry.title,
        "answer": entry.answer,
        "examples": "\n".join(entry.examples),
        "source_kind": kind,
        "source_file": source.file if kind == "seed" else "",
        "quote": source.quote or "",
        "source_name": source.name or "",
        "source_url": source.url or "",
        "date": source.date,
        "base_version": base_version,
        **_english_values(entry.translations.get("en")),
    }


def _english_values(english: Translation | None) -> dict[str, str]:
    return {
        "title_en": english.title if english else "",
        "answer_en": english.answer if english else "",
        "examples_en": "\n".join(english.examples) if english else "",
    }


def _lines(text: str) -> tuple[str, ...]:
    """One example question per line, spaces tidied, empty lines dropped (at most 300)."""
    return tuple(
        line[:500] for line in (" ".join(raw.split()) for raw in text.splitlines()) if line
    )[:300]


def _translations_from_form(
    values: dict[str, str], live: CatalogueEntry | None
) -> dict[str, Translation]:
    """The English version as the form has it; a form without the English fields (an older
    page) keeps the live one, and emptying all three removes it."""
    translations = dict(live.translations) if live else {}
    if "answer_en" not in values:
        return translations
    title = " ".join(values.get("title_en", "").split())[:300]
    answer = " ".join(values.get("answer_en", "").split())[:4000]
    examples = _lines(values.get("examples_en", ""))
    translations.pop("en", None)
    if title or answer or examples:
        translations["en"] = Translation(title=title, answer=answer, examples=examples)
    return translations


def _entry_from_form(
    values: dict[str, str], entry_id: str, live: CatalogueEntry | None
) -> CatalogueEntry:
    kind = values.get("source_kind", "seed")
    date = values.get("date", "").strip()[:7]
    if kind == "general":
        source = EntrySource(date=date, file=GENERAL_SOURCE)
    elif kind == "external":
        source = EntrySource(
            date=date,
            name=values.get("source_name", "").strip()[:300] or None,
            url=values.get("source_url", "").strip()[:500] or None,
        )
    else:
        source = EntrySource(
            date=date,
            file=values.get("source_file", "").strip()[:100] or None,
            quote=" ".join(values.get("quote", "").split())[:1000] or None,
        )
    return CatalogueEntry(
        id=entry_id,
        topic=values.get("topic", "").strip()[:64] or (live.topic if live else ""),
        title=" ".join(values.get("title", "").split())[:300],
        answer=" ".join(values.get("answer", "").split())[:4000],
        source=source,
        examples=_lines(values.get("examples", "")),
        related=live.related if live else (),
        translations=_translations_from_form(values, live),
    )


def _history(session: Session, entry_id: str) -> list[dict[str, Any]]:
    rows: list[CatalogueVersion] = store.history(session, entry_id)
    return [
        {
            "version": v.version,
            "action": ACTION_LABELS[v.action],
            "status": STATUS_LABELS[v.status],
            "author": _display_name(session, v.author_user_id),
            "when": _when(v.created_at),
            "revision": v.revision,
            "title": str(v.content.get("title", "")),
        }
        for v in rows
    ]


def _entry_page(
    request: Request,
    session: Session,
    user: SignedIn,
    entry_id: str,
    *,
    form: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
    flash: str | None = None,
    conflict: str | None = None,
    preview: dict[str, Any] | None = None,
    question: str = "",
    example: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    record = store.get_record(session, entry_id)
    draft = store.get_draft(session, entry_id, editing.author_of(user.principal))
    if record is None and draft is None:
        return PAGES.error_page(
            request,
            status.HTTP_404_NOT_FOUND,
            "Svaret findes ikke",
            f"Der er intet svar med id'et {entry_id}.",
            user=user,
        )
    live = store.entry_of(record.content) if record else None
    if form is None:
        if draft is not None:
            form = _form_values(store.entry_of(draft.content), draft.base_version)
        else:
            assert live is not None and record is not None
            form = _form_values(live, record.version)
        if example and example not in form["examples"].splitlines():
            # From the unanswered list: the question joins the examples once the editor saves.
            form["examples"] = "\n".join(filter(None, [form["examples"], example]))
            flash = EXAMPLE_ADDED
    if problems is None and draft is not None:
        problems = editing.problems_of(session, store.entry_of(draft.content))
    stale = draft is not None and record is not None and draft.base_version != record.version
    return PAGES.render(
        request,
        "catalogue/entry.html",
        {
            "entry_id": entry_id,
            "live": live,
            "live_source": _source_text(live.source) if live else "",
            "record": record,
            "status_label": STATUS_LABELS[record.status] if record else "Nyt svar",
            "is_retired": record is not None and record.status is EntryStatus.RETIRED,
            "has_draft": draft is not None,
            "draft_saved": _when(draft.updated_at) if draft else "",
            "stale": stale,
            "form": form,
            "problems": problems or [],
            "blocking": bool(problems and blocking(problems)),
            "flash": flash,
            "conflict": conflict,
            "preview": preview,
            "question": question,
            "history": _history(session, entry_id) if record else [],
            "seed_files": seed_files(),
            "topics": store.topics(session),
            "is_new": record is None,
        },
        status_code,
        user=user,
    )


def _preview_view(result: PreviewResult, entry_id: str) -> dict[str, Any]:
    return {
        "tier": TIER_LABELS[result.tier],
        "is_this_entry": result.entry_id == entry_id,
        "entry_id": result.entry_id,
        "intent": result.intent,
        "confidence": f"{result.confidence * 100:.0f} %",
        "text": result.text,
        # Tier 2 answers with the passage itself (its source line shown); tier 1 may show one
        # under the answer, as the chat does.
        "passage": result.passage.__dict__ if result.passage else None,
        "candidates": [
            {"entry_id": c.entry_id, "title": c.title, "score": f"{c.score * 100:.0f} %"}
            for c in result.candidates
            if c.entry_id != result.entry_id  # the runners-up, not the winner again
        ],
    }


@router.get("/katalog/svar/{entry_id}")
def entry_page(
    entry_id: EntryId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    besked: str | None = None,
    eksempel: str | None = None,
) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    flash = FLASHES.get(besked or "")
    example = _asked(eksempel)
    return _entry_page(request, session, user, entry_id, flash=flash, example=example)


@router.post("/katalog/svar/{entry_id}")
async def entry_form(
    entry_id: EntryId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The edit form's buttons: save (gem), preview (forhaandsvis), publish (offentliggoer),
    discard the draft (kasser)."""
    posted = await PAGES.posted_form(request, session, settings, FORM_REFUSED)
    if isinstance(posted, Response):
        return posted
    user, values = posted
    action = values.get("action", "gem")
    page = f"/katalog/svar/{entry_id}"
    if action == "kasser":
        store.discard_draft(session, entry_id, editing.author_of(user.principal))
        session.commit()
        return redirect(
            "/katalog?besked=kasseret"
            if not store.get_record(session, entry_id)
            else f"{page}?besked=kasseret"
        )
    live = editing.live_entry(session, entry_id)
    entry = _entry_from_form(values, entry_id, live)
    try:
        base_version = int(values.get("base_version", "0"))
    except ValueError:
        base_version = -1
    record = store.get_record(session, entry_id)
    if base_version < 0 or (record is None and base_version != 0):
        return PAGES.error_page(
            request,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "Ugyldig formular",
            "Formularen mangler oplysninger. Hent siden igen, og prøv en gang til.",
            user=user,
        )
    try:
        saved = editing.save_draft(session, user.principal, entry, base_version)
    except store.CatalogueChangeError as error:
        return _entry_page(
            request, session, user, entry_id, conflict=error.danish, status_code=error.status_code
        )
    if action == "forhaandsvis":
        question = " ".join(values.get("question", "").split())[:500]
        if not question:
            problem = Problem("question", "question missing", "Skriv et spørgsmål at prøve med.")
            return _entry_page(
                request,
                session,
                user,
                entry_id,
                problems=[*saved.problems, problem],
                status_code=422,
            )
        try:
            result = editing.preview(session, request, user.principal, question, entry_id)
        except PreviewUnavailable:
            problem = Problem(
                "question",
                "preview unavailable",
                "Forhåndsvisningen virker ikke lige nu, fordi assistenten ikke svarer. Dit udkast "
                "er gemt. Prøv igen om lidt.",
            )
            return _entry_page(
                request,
                session,
                user,
                entry_id,
                problems=[*saved.problems, problem],
                question=question,
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return _entry_page(
            request,
            session,
            user,
            entry_id,
            preview=_preview_view(result, entry_id),
            question=question,
        )
    if action == "offentliggoer":
        try:
            editing.publish_draft(session, request, user.principal, entry_id)
        except editing.ProblemsFound as found:
            session.rollback()
            return _entry_page(
                request,
                session,
                user,
                entry_id,
                problems=found.problems,
                status_code=found.status_code,
            )
        except store.CatalogueChangeError as error:
            session.rollback()
            return _entry_page(
                request,
                session,
                user,
                entry_id,
                conflict=error.danish,
                status_code=error.status_code,
            )
        return redirect(f"{page}?besked=offentliggjort")
    return redirect(f"{page}?besked=gemt")


async def _change(
    entry_id: str, request: Request, session: Session, settings: Settings, kind: str
) -> Response:
    posted = await PAGES.posted_form(request, session, settings, FORM_REFUSED)
    if isinstance(posted, Response):
        return posted
    user, values = posted
    try:
        base_version = int(values.get("base_version", ""))
    except ValueError:
        base_version = 0
    try:
        if kind == "tilbagerul":
            editing.roll_back(session, request, user.principal, entry_id, base_version)
            flash = "tilbagerullet"
        else:
            retire = values.get("action") != "genindsaet"
            editing.set_status(
                session, request, user.principal, entry_id, base_version, retire=retire
            )
            flash = "udgaaet" if retire else "genindsat"
    except store.EntryNotFound as missing:
        return PAGES.error_page(
            request,
            status.HTTP_404_NOT_FOUND,
            "Svaret findes ikke",
            missing.danish,
            user=user,
        )
    except store.CatalogueChangeError as error:
        session.rollback()
        return _entry_page(
            request, session, user, entry_id, conflict=error.danish, status_code=error.status_code
        )
    return redirect(f"/katalog/svar/{entry_id}?besked={flash}")


@router.post("/katalog/svar/{entry_id}/status")
async def status_form(
    entry_id: EntryId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    return await _change(entry_id, request, session, settings, "status")


@router.post("/katalog/svar/{entry_id}/tilbagerul")
async def rollback_form(
    entry_id: EntryId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    return await _change(entry_id, request, session, settings, "tilbagerul")


# --- a new entry ---------------------------------------------------------------------------------


@router.get("/katalog/nyt")
def new_entry_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    spoergsmaal: str | None = None,
) -> Response:
    """The new-entry form; ``spoergsmaal`` (an unanswered question from the statistics page's
    "Skriv et nyt svar") becomes its first example question."""
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    question = _asked(spoergsmaal)
    return PAGES.render(
        request,
        "catalogue/new.html",
        {
            "form": {"source_kind": "seed", "base_version": 0, "examples": question},
            "problems": [],
            "seed_files": seed_files(),
            "topics": store.topics(session),
        },
        user=user,
    )


@router.post("/katalog/nyt")
async def new_entry(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Save the new entry as a draft and go to its page (preview and publish are there)."""
    posted = await PAGES.posted_form(request, session, settings, FORM_REFUSED)
    if isinstance(posted, Response):
        return posted
    user, values = posted
    entry_id = values.get("id", "").strip().lower()[:64]
    entry = _entry_from_form(values, entry_id, None)
    problems = [p for p in editing.problems_of(session, entry) if p.field in ("id", "topic")]
    if store.get_record(session, entry_id) is not None:
        problems.append(
            Problem("id", "exists", f"Der findes allerede et svar med id'et {entry_id}.")
        )
    if problems:
        form = _form_values(entry, 0)
        return PAGES.render(
            request,
            "catalogue/new.html",
            {
                "form": form,
                "problems": problems,
                "seed_files": seed_files(),
                "topics": store.topics(session),
            },
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            user=user,
        )
    editing.save_draft(session, user.principal, entry, 0)
    return redirect(f"/katalog/svar/{entry_id}?besked=gemt")
