"""Versions, drafts and the revision counter of the live catalogue.

Every change that goes live (publish, retire, restore, rollback, import) takes the next catalogue
revision first (the state row is the lock that orders catalogue writers), then moves the entry from
the version it was based on to the next one with a conditional update (optimistic locking: when
another change got there first, nothing is written and ``VersionConflict`` is raised), and appends a
row to the version history. The caller commits (and writes the audit log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.base import utcnow
from api.errors import RequestRefused
from api.models.catalogue import (
    CatalogueDraft,
    CatalogueEntryRecord,
    CatalogueState,
    CatalogueVersion,
    EntryStatus,
    VersionAction,
)
from kkshared.catalogue import CatalogueEntry
from kkshared.normalize import fold

STATE_ID = 1


class CatalogueChangeError(RequestRefused):
    """A change that cannot be made; ``danish`` is for the editor, ``reason`` for API callers
    (answered with the class's ``status_code`` by ``api.errors``)."""

    def __init__(self, reason: str, danish: str) -> None:
        super().__init__(reason)
        self.danish = danish


class EntryNotFound(CatalogueChangeError):
    status_code = 404


class VersionConflict(CatalogueChangeError):
    """The entry is no longer at the version the change was based on."""

    status_code = 409


class NotAllowed(CatalogueChangeError):
    """The entry's state does not allow the change."""

    status_code = 409


class NothingChanged(CatalogueChangeError):
    """The draft equals what is live."""


@dataclass(frozen=True)
class Change:
    entry_id: str
    version: int
    revision: int
    action: VersionAction
    status: EntryStatus

    def describe(self) -> str:
        """For the audit log: ids and numbers only."""
        return f"entry={self.entry_id} version={self.version} revision={self.revision}"


# --- reading -------------------------------------------------------------------------------------


def current_revision(session: Session) -> int:
    revision = session.scalar(select(CatalogueState.revision).where(CatalogueState.id == STATE_ID))
    return int(revision or 0)


def state_key(session: Session) -> tuple[int, str]:
    """(revision, when it was taken): what a cached snapshot is keyed by."""
    row = session.execute(
        select(CatalogueState.revision, CatalogueState.changed_at).where(
            CatalogueState.id == STATE_ID
        )
    ).one_or_none()
    if row is None:
        return 0, ""
    return int(row.revision), row.changed_at.isoformat() if row.changed_at else ""


def is_empty(session: Session) -> bool:
    return session.scalar(select(CatalogueEntryRecord.id).limit(1)) is None


def get_record(session: Session, entry_id: str) -> CatalogueEntryRecord | None:
    return session.get(CatalogueEntryRecord, entry_id)


def require_record(session: Session, entry_id: str) -> CatalogueEntryRecord:
    record = get_record(session, entry_id)
    if record is None:
        raise EntryNotFound("catalogue entry not found", "Svaret findes ikke.")
    return record


def entry_of(content: dict[str, Any]) -> CatalogueEntry:
    return CatalogueEntry.from_json(content)


def comparable(entry: CatalogueEntry) -> dict[str, Any]:
    """The content without the version number: what "changed" means."""
    data = entry.to_json()
    data.pop("version", None)
    return data


def search_text(entry: CatalogueEntry) -> str:
    return fold(" ".join((entry.id, entry.title, entry.answer, *entry.examples)))


def list_records(
    session: Session, query: str | None = None, status: EntryStatus | None = None
) -> list[CatalogueEntryRecord]:
    """Entries by title; ``query`` matches title, answer, id and example questions (folded, so
    "kontanthjaelp" finds "kontanthjælp"; every word must occur, the whole phrase ranks first)."""
    statement = select(CatalogueEntryRecord)
    if status is not None:
        statement = statement.where(CatalogueEntryRecord.status == status)
    phrase = fold(query or "")
    words = phrase.split()
    ranked = []
    for record in session.scalars(statement):
        text = search_text(entry_of(record.content)) if words else ""
        if words and not all(w in text for w in words):
            continue
        # An example question typed as it is finds its entry first; then by title.
        ranked.append((0 if words and phrase in text else 1, record))
    ranked.sort(key=lambda r: (r[0], fold(str(r[1].content.get("title", ""))), r[1].id))
    return [record for _, record in ranked]


def history(session: Session, entry_id: str) -> list[CatalogueVersion]:
    """Every version of the entry, newest first."""
    return list(
        session.scalars(
            select(CatalogueVersion)
            .where(CatalogueVersion.entry_id == entry_id)
            .order_by(CatalogueVersion.version.desc())
        )
    )


def published_entries(session: Session) -> list[CatalogueEntry]:
    records = session.scalars(
        select(CatalogueEntryRecord)
        .where(CatalogueEntryRecord.status == EntryStatus.PUBLISHED)
        .order_by(CatalogueEntryRecord.id)
    )
    return [entry_of(r.content) for r in records]


def all_ids(session: Session) -> set[str]:
    return set(session.scalars(select(CatalogueEntryRecord.id)))


def topics(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(CatalogueEntryRecord.topic))))


# --- writing -------------------------------------------------------------------------------------


def next_revision(session: Session) -> int:
    """Take the next catalogue revision (row lock on the state row until commit)."""
    session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == STATE_ID)
        .values(revision=CatalogueState.revision + 1, changed_at=utcnow())
    )
    return current_revision(session)


def _conflict(entry_id: str, current: int | None) -> VersionConflict:
    if current is None:
        return VersionConflict(
            "the entry does not exist (any more)", "Svaret findes ikke (længere)."
        )
    return VersionConflict(
        f"the entry is at version {current}; reload it and apply your change again",
        f"Svaret er blevet ændret, mens du arbejdede (det er nu i version {current}). Se den nye "
        "version, og lav din ændring igen ud fra den.",
    )


def write_version(
    session: Session,
    entry: CatalogueEntry,
    *,
    base_version: int,
    status: EntryStatus,
    action: VersionAction,
    author: str | None,
    revision: int | None = None,
) -> Change:
    """Move ``entry.id`` from ``base_version`` (0: it does not exist yet) to the next version with
    this content and status. Raises ``VersionConflict`` when the entry is not at ``base_version``.
    ``revision``: an already taken revision (the import takes one for all its changes)."""
    revision = revision if revision is not None else next_revision(session)
    version = base_version + 1
    content = replace(entry, version=version).to_json()
    now = utcnow()
    if base_version == 0:
        if get_record(session, entry.id) is not None:
            raise VersionConflict(
                "an entry with this id exists already",
                f"Der findes allerede et svar med id'et {entry.id}. Vælg et andet id.",
            )
        try:
            with session.begin_nested():
                session.add(
                    CatalogueEntryRecord(
                        id=entry.id,
                        topic=entry.topic,
                        status=status,
                        version=version,
                        content=content,
                        revision=revision,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            raise VersionConflict(
                "an entry with this id exists already",
                f"Der findes allerede et svar med id'et {entry.id}. Vælg et andet id.",
            ) from None
    else:
        result = session.execute(
            update(CatalogueEntryRecord)
            .where(
                CatalogueEntryRecord.id == entry.id,
                CatalogueEntryRecord.version == base_version,
            )
            .values(
                version=version,
                topic=entry.topic,
                status=status,
                content=content,
                revision=revision,
                updated_at=now,
            )
        )
        if not isinstance(result, CursorResult) or result.rowcount != 1:
            current = session.scalar(
                select(CatalogueEntryRecord.version).where(CatalogueEntryRecord.id == entry.id)
            )
            raise _conflict(entry.id, current)
    session.add(
        CatalogueVersion(
            entry_id=entry.id,
            version=version,
            status=status,
            content=content,
            action=action,
            author_user_id=author,
            created_at=now,
            revision=revision,
        )
    )
    session.flush()
    return Change(entry.id, version, revision, action, status)


def publish(session: Session, entry: CatalogueEntry, *, base_version: int, author: str) -> Change:
    """Publish new content for an entry (a new entry when ``base_version`` is 0)."""
    if base_version == 0:
        return write_version(
            session,
            entry,
            base_version=0,
            status=EntryStatus.PUBLISHED,
            action=VersionAction.CREATE,
            author=author,
        )
    record = require_record(session, entry.id)
    if record.version != base_version:
        raise _conflict(entry.id, record.version)
    if record.status is EntryStatus.RETIRED:
        raise NotAllowed(
            "the entry is retired; restore it before editing",
            "Svaret er taget ud af brug. Tag det i brug igen, før du retter det.",
        )
    if comparable(entry) == comparable(entry_of(record.content)):
        raise NothingChanged(
            "the draft equals the published version",
            "Udkastet er magen til det offentliggjorte svar, så der er intet at offentliggøre.",
        )
    return write_version(
        session,
        entry,
        base_version=base_version,
        status=EntryStatus.PUBLISHED,
        action=VersionAction.EDIT,
        author=author,
    )


def set_status(
    session: Session, entry_id: str, *, base_version: int, author: str, retire: bool
) -> Change:
    """Retire an entry (it leaves the live catalogue) or restore a retired one."""
    record = require_record(session, entry_id)
    if record.version != base_version:
        raise _conflict(entry_id, record.version)
    wanted = EntryStatus.RETIRED if retire else EntryStatus.PUBLISHED
    if record.status is wanted:
        raise NotAllowed(
            f"the entry is {wanted.value} already",
            "Svaret er allerede taget ud af brug." if retire else "Svaret er allerede i brug.",
        )
    return write_version(
        session,
        entry_of(record.content),
        base_version=base_version,
        status=wanted,
        action=VersionAction.RETIRE if retire else VersionAction.RESTORE,
        author=author,
    )


def rollback(session: Session, entry_id: str, *, base_version: int, author: str) -> Change:
    """Undo the latest change: the previous version's content and status come back as a new
    version. Rolling back the first version of an entry retires it."""
    record = require_record(session, entry_id)
    if record.version != base_version:
        raise _conflict(entry_id, record.version)
    if base_version == 1:
        if record.status is EntryStatus.RETIRED:
            raise NotAllowed(
                "there is no earlier version to roll back to",
                "Der er ingen tidligere version at rulle tilbage til.",
            )
        content, status = entry_of(record.content), EntryStatus.RETIRED
    else:
        previous = session.scalars(
            select(CatalogueVersion).where(
                CatalogueVersion.entry_id == entry_id,
                CatalogueVersion.version == base_version - 1,
            )
        ).one()
        content, status = entry_of(previous.content), previous.status
    return write_version(
        session,
        content,
        base_version=base_version,
        status=status,
        action=VersionAction.ROLLBACK,
        author=author,
    )


# --- drafts --------------------------------------------------------------------------------------


def get_draft(session: Session, entry_id: str, author: str) -> CatalogueDraft | None:
    return session.scalars(
        select(CatalogueDraft).where(
            CatalogueDraft.entry_id == entry_id, CatalogueDraft.author_user_id == author
        )
    ).one_or_none()


def save_draft(
    session: Session, entry: CatalogueEntry, *, base_version: int, author: str
) -> CatalogueDraft:
    """Create or replace this editor's draft of the entry (never live)."""
    draft = get_draft(session, entry.id, author)
    content = replace(entry, version=base_version + 1).to_json()
    if draft is None:
        draft = CatalogueDraft(entry_id=entry.id, author_user_id=author)
        session.add(draft)
    draft.base_version = base_version
    draft.content = content
    draft.updated_at = utcnow()
    session.flush()
    return draft


def discard_draft(session: Session, entry_id: str, author: str) -> bool:
    draft = get_draft(session, entry_id, author)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


def draft_ids(session: Session, author: str) -> Sequence[str]:
    """Ids of this editor's drafts (new entries among them)."""
    return list(
        session.scalars(
            select(CatalogueDraft.entry_id)
            .where(CatalogueDraft.author_user_id == author)
            .order_by(CatalogueDraft.entry_id)
        )
    )
