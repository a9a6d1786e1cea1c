"""The live citizen answer catalogue (docs/content_editing.md).

- ``GET /catalogue/live``: the Rasa side's poll (service token only).
- ``/catalogue/entries...``, ``/catalogue/preview``: editors and admins with their own user token
  (never the service token, also not with ``X-Subject``): list and search, read with history,
  save a draft, publish it, retire / restore, roll back, preview. Publishing, retiring, restoring
  and rolling back are written to the audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from api.catalogue import editing, store
from api.catalogue.checks import Problem
from api.catalogue.live import live_cache
from api.catalogue.preview import PreviewUnavailable
from api.deps import CurrentPrincipal, ServiceCaller, SessionDep
from api.errors import error_responses, raises
from api.models.catalogue import CatalogueDraft, CatalogueEntryRecord, CatalogueVersion, EntryStatus
from api.models.users import Role
from api.schemas.catalogue import (
    ChangeIn,
    ChangeOut,
    DraftIn,
    DraftOut,
    EntryContentOut,
    EntryDetailOut,
    EntrySummaryOut,
    LiveCatalogueOut,
    PreviewIn,
    ProblemOut,
    VersionOut,
)
from api.security.principal import Principal
from kkshared.catalogue import PreviewResult

router = APIRouter(tags=["catalogue"])

EDITOR_ROLES = frozenset({Role.EDITOR, Role.ADMIN})
EntryId = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]


@raises(403)
def require_editor(principal: CurrentPrincipal) -> Principal:
    """An editor or admin acting with their own token (the service may not edit answers)."""
    if principal.is_service:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the catalogue is edited with a user token")
    if principal.role not in EDITOR_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not allowed for your role")
    return principal


Editor = Annotated[Principal, Depends(require_editor)]


def _content(content: dict[str, object]) -> EntryContentOut:
    return EntryContentOut.model_validate(content)


def _problems(problems: list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(field=p.field, reason=p.reason, blocking=p.blocking) for p in problems]


def _draft_out(draft: CatalogueDraft, problems: list[Problem]) -> DraftOut:
    return DraftOut(
        entry_id=draft.entry_id,
        base_version=draft.base_version,
        updated_at=draft.updated_at,
        entry=_content(draft.content),
        problems=_problems(problems),
    )


def _summary(record: CatalogueEntryRecord) -> EntrySummaryOut:
    return EntrySummaryOut(
        id=record.id,
        topic=record.topic,
        title=str(record.content.get("title", "")),
        status=record.status.value,
        version=record.version,
        revision=record.revision,
        updated_at=record.updated_at,
    )


def _version_out(row: CatalogueVersion) -> VersionOut:
    return VersionOut(
        version=row.version,
        status=row.status.value,
        action=row.action.value,
        author_user_id=row.author_user_id,
        created_at=row.created_at,
        revision=row.revision,
        entry=_content(row.content),
    )


def _change_out(change: store.Change) -> ChangeOut:
    return ChangeOut(
        entry_id=change.entry_id,
        version=change.version,
        revision=change.revision,
        action=change.action.value,
        status=change.status.value,
    )


@router.get(
    "/catalogue/live",
    summary="Service: the published catalogue, or unchanged since a revision",
    response_model=LiveCatalogueOut,
    responses={200: {"description": "CatalogueSnapshot JSON, or {revision, unchanged: true}"}},
)
def live_catalogue(
    _service: ServiceCaller,
    session: SessionDep,
    request: Request,
    since: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> Response:
    _, body = live_cache(request.app).answer(session, since)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("/catalogue/entries", summary="Editor: list and search the entries")
def list_entries(
    _editor: Editor,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in title/answer/examples")
    ] = None,
    status_filter: Annotated[EntryStatus | None, Query(alias="status")] = None,
) -> list[EntrySummaryOut]:
    return [_summary(r) for r in store.list_records(session, q, status_filter)]


@router.get(
    "/catalogue/entries/{entry_id}",
    summary="Editor: an entry with its version history",
    responses=error_responses(404),
)
def read_entry(entry_id: EntryId, _editor: Editor, session: SessionDep) -> EntryDetailOut:
    record = store.require_record(session, entry_id)
    return EntryDetailOut(
        id=record.id,
        status=record.status.value,
        version=record.version,
        revision=record.revision,
        updated_at=record.updated_at,
        entry=_content(record.content),
        history=[_version_out(v) for v in store.history(session, entry_id)],
    )


@router.put(
    "/catalogue/entries/{entry_id}/draft",
    summary="Editor: save your draft of an entry (base_version 0: a new entry); never live",
    responses=error_responses(404, 409),
)
def save_draft(entry_id: EntryId, body: DraftIn, editor: Editor, session: SessionDep) -> DraftOut:
    live = editing.live_entry(session, entry_id)
    saved = editing.save_draft(session, editor, body.to_entry(entry_id, live), body.base_version)
    return _draft_out(saved.draft, saved.problems)


@router.get(
    "/catalogue/entries/{entry_id}/draft",
    summary="Editor: your draft of an entry and its problems",
    responses=error_responses(404),
)
def read_draft(entry_id: EntryId, editor: Editor, session: SessionDep) -> DraftOut:
    draft = editing.require_draft(session, editor, entry_id)
    return _draft_out(draft, editing.problems_of(session, store.entry_of(draft.content)))


@router.delete(
    "/catalogue/entries/{entry_id}/draft",
    summary="Editor: discard your draft",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404),
)
def discard_draft(entry_id: EntryId, editor: Editor, session: SessionDep) -> Response:
    if not store.discard_draft(session, entry_id, editing.author_of(editor)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "you have no draft of this entry")
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/catalogue/entries/{entry_id}/publish",
    summary="Editor: publish your draft (409 when the entry changed since the draft's version)",
    responses=error_responses(
        404, 409, descriptions={422: "The draft breaks a rule: `detail` names each"}
    ),
)
def publish_draft(
    entry_id: EntryId, editor: Editor, session: SessionDep, request: Request
) -> ChangeOut:
    return _change_out(editing.publish_draft(session, request, editor, entry_id))


@router.post(
    "/catalogue/entries/{entry_id}/retire",
    summary="Editor: take an entry out of the live catalogue",
    responses=error_responses(404, 409),
)
def retire_entry(
    entry_id: EntryId, body: ChangeIn, editor: Editor, session: SessionDep, request: Request
) -> ChangeOut:
    change = editing.set_status(session, request, editor, entry_id, body.base_version, retire=True)
    return _change_out(change)


@router.post(
    "/catalogue/entries/{entry_id}/restore",
    summary="Editor: put a retired entry back into the live catalogue",
    responses=error_responses(404, 409),
)
def restore_entry(
    entry_id: EntryId, body: ChangeIn, editor: Editor, session: SessionDep, request: Request
) -> ChangeOut:
    change = editing.set_status(session, request, editor, entry_id, body.base_version, retire=False)
    return _change_out(change)


@router.post(
    "/catalogue/entries/{entry_id}/rollback",
    summary="Editor: undo the latest change (the previous version comes back as a new one)",
    responses=error_responses(404, 409),
)
def roll_back_entry(
    entry_id: EntryId, body: ChangeIn, editor: Editor, session: SessionDep, request: Request
) -> ChangeOut:
    change = editing.roll_back(session, request, editor, entry_id, body.base_version)
    return _change_out(change)


@router.post(
    "/catalogue/preview",
    summary="Editor: how the assistant would answer a question (with your draft of entry_id)",
    responses=error_responses(503, descriptions={503: "The Rasa server cannot answer now"}),
)
def preview(
    body: PreviewIn, editor: Editor, session: SessionDep, request: Request
) -> PreviewResult:
    try:
        result = editing.preview(session, request, editor, body.question, body.entry_id)
    except PreviewUnavailable as unavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"preview unavailable: {unavailable.reason}",
            headers={"Retry-After": "10"},
        ) from None
    return result
