"""The live citizen answer catalogue (docs/content_editing.md).

- ``catalogue_state``: one row holding the catalogue revision, a number that only grows; every
  publish, retire, restore, rollback or import that changes something takes the next one.
- ``catalogue_entries``: the current state of each entry: status, version and content (the JSON of
  ``kkshared.catalogue.CatalogueEntry.to_json()``, its ``version`` included).
- ``catalogue_versions``: append-only history, one row per version of an entry with who made it,
  how (``VersionAction``) and at which catalogue revision it went live.
- ``catalogue_drafts``: unpublished work, one draft per entry per editor, with the entry version
  the draft was based on (0 for a new entry); a draft is never live.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, UTCDateTime, enum_type, utcnow


class EntryStatus(StrEnum):
    PUBLISHED = "published"
    RETIRED = "retired"


class VersionAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    RETIRE = "retire"
    RESTORE = "restore"
    ROLLBACK = "rollback"
    IMPORT = "import"


class CatalogueState(Base):
    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CatalogueEntryRecord(Base):
    __tablename__ = "catalogue_entries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus, "catalogue_entry_status"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The catalogue revision at which the current version went live.
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CatalogueVersion(Base):
    __tablename__ = "catalogue_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("catalogue_entries.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus, "catalogue_version_status"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    action: Mapped[VersionAction] = mapped_column(enum_type(VersionAction, "catalogue_action"))
    # A plain string, not a foreign key (the history outlives users); None for the YAML import.
    author_user_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer)


class CatalogueDraft(Base):
    __tablename__ = "catalogue_drafts"
    __table_args__ = (UniqueConstraint("entry_id", "author_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # Not a foreign key: a draft of a new entry has no entry row yet.
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    author_user_id: Mapped[str] = mapped_column(String(40))
    # The entry version the draft was written against (0: a new entry); publishing it when the
    # entry has moved on is a conflict (optimistic locking).
    base_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
