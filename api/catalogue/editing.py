"""What an editor does, for the API and the pages alike: save a draft (with its problems),
publish it, retire / restore, roll back, preview. Every change that goes live is committed with
an audit-log row (author, time, entry, version, revision).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from api.catalogue import store
from api.catalogue.checks import Problem, blocking, check_entry
from api.catalogue.preview import preview_client
from api.models.catalogue import CatalogueDraft
from api.security.principal import Principal
from api.services.audit import record_change
from kkshared.catalogue import CatalogueEntry, PreviewRequest, PreviewResult

log = logging.getLogger("api.catalogue")


class ProblemsFound(store.CatalogueChangeError):
    """The entry does not meet the rules for going live (422)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "; ".join(p.reason for p in problems),
            " ".join(p.danish for p in problems),
        )
        self.problems = problems


class NoDraft(store.EntryNotFound):
    pass


@dataclass(frozen=True)
class SavedDraft:
    draft: CatalogueDraft
    problems: list[Problem]


def author_of(principal: Principal) -> str:
    assert principal.user_id is not None  # editor routes take user tokens only
    return principal.user_id


def live_entry(session: Session, entry_id: str) -> CatalogueEntry | None:
    record = store.get_record(session, entry_id)
    return store.entry_of(record.content) if record else None


def problems_of(session: Session, entry: CatalogueEntry) -> list[Problem]:
    return check_entry(
        entry, previous=live_entry(session, entry.id), known_ids=store.all_ids(session)
    )


def save_draft(
    session: Session, principal: Principal, entry: CatalogueEntry, base_version: int
) -> SavedDraft:
    """Save (and commit) the editor's draft; its problems are reported, not refused: a draft may
    be unfinished."""
    record = store.get_record(session, entry.id)
    if base_version == 0 and record is not None:
        raise store.VersionConflict(
            "an entry with this id exists already",
            f"Der findes allerede et svar med id'et {entry.id}. Vælg et andet id.",
        )
    if base_version > 0 and record is None:
        raise store.EntryNotFound("catalogue entry not found", "Svaret findes ikke.")
    draft = store.save_draft(session, entry, base_version=base_version, author=author_of(principal))
    session.commit()
    return SavedDraft(draft, problems_of(session, entry))


def require_draft(session: Session, principal: Principal, entry_id: str) -> CatalogueDraft:
    draft = store.get_draft(session, entry_id, author_of(principal))
    if draft is None:
        raise NoDraft("you have no draft of this entry", "Du har intet udkast til dette svar.")
    return draft


def _audit(
    session: Session, request: Request, principal: Principal, change: store.Change, action: str
) -> None:
    record_change(session, request, principal, action, change.describe())


def _commit_change(
    session: Session, request: Request, principal: Principal, change: store.Change, action: str
) -> store.Change:
    _audit(session, request, principal, change, action)
    session.commit()
    log.info(
        "catalogue change",
        extra={
            "action": action,
            "entry_id": change.entry_id,
            "version": change.version,
            "revision": change.revision,
            "actor": principal.user_id,
        },
    )
    return change


def publish_draft(
    session: Session, request: Request, principal: Principal, entry_id: str
) -> store.Change:
    """Publish the editor's draft: 422 with problems, 409 when the entry moved on meanwhile."""
    draft = require_draft(session, principal, entry_id)
    entry = store.entry_of(draft.content)
    problems = blocking(problems_of(session, entry))
    if problems:
        raise ProblemsFound(problems)
    change = store.publish(
        session, entry, base_version=draft.base_version, author=author_of(principal)
    )
    store.discard_draft(session, entry_id, author_of(principal))
    return _commit_change(session, request, principal, change, "publish")


def set_status(
    session: Session,
    request: Request,
    principal: Principal,
    entry_id: str,
    base_version: int,
    *,
    retire: bool,
) -> store.Change:
    change = store.set_status(
        session, entry_id, base_version=base_version, author=author_of(principal), retire=retire
    )
    return _commit_change(session, request, principal, change, "retire" if retire else "restore")


def roll_back(
    session: Session, request: Request, principal: Principal, entry_id: str, base_version: int
) -> store.Change:
    change = store.rollback(
        session, entry_id, base_version=base_version, author=author_of(principal)
    )
    return _commit_change(session, request, principal, change, "rollback")


def preview(
    session: Session, request: Request, principal: Principal, question: str, entry_id: str | None
) -> PreviewResult:
    """How the bot would answer ``question`` with the editor's draft of ``entry_id`` in place of
    the live entry (raises ``PreviewUnavailable`` when Rasa cannot answer)."""
    drafts: tuple[CatalogueEntry, ...] = ()
    if entry_id is not None:
        draft = store.get_draft(session, entry_id, author_of(principal))
        if draft is not None:
            drafts = (store.entry_of(draft.content),)
    return preview_client(request.app).rank(PreviewRequest(question=question, drafts=drafts))
