"""Import the reviewed YAML into the live catalogue (``python -m api.cli import-catalogue``, and at
start-up when the catalogue is empty).

Rules for a later import (a new release of the YAML):
- an id the catalogue does not know is added (version 1, action ``import``);
- an entry that only the import ever changed, and whose YAML differs, gets a new version;
- an entry a person has changed (edit, retire, rollback, ...) is kept as it is; when its YAML
  changed since the last import it is reported as a conflict for an editor to look at;
- entries the YAML no longer has are left alone and reported.
All changes of one import go live at one catalogue revision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.catalogue import store
from api.catalogue.yaml_io import YamlCatalogue, read_yaml
from api.models.catalogue import CatalogueVersion, EntryStatus, VersionAction

log = logging.getLogger("api.catalogue.import")


@dataclass
class ImportReport:
    revision: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    not_in_yaml: list[str] = field(default_factory=list)
    orphan_examples: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """Counts and ids (no content) for logs and the command line."""
        return {
            "revision": self.revision,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "not_in_yaml": self.not_in_yaml,
            "orphan_examples": self.orphan_examples,
        }


def import_catalogue(session: Session, root: Path) -> ImportReport:
    """Apply the YAML under ``root`` (flushes, does not commit)."""
    return import_entries(session, read_yaml(root))


def import_entries(session: Session, yaml_catalogue: YamlCatalogue) -> ImportReport:
    """Apply entries read from the YAML (flushes, does not commit)."""
    report = ImportReport(orphan_examples=list(yaml_catalogue.orphan_examples))
    revision: int | None = None

    def take_revision() -> int:
        nonlocal revision
        if revision is None:
            revision = store.next_revision(session)
        return revision

    for entry in yaml_catalogue.entries:
        record = store.get_record(session, entry.id)
        if record is None:
            store.write_version(
                session,
                entry,
                base_version=0,
                status=EntryStatus.PUBLISHED,
                action=VersionAction.IMPORT,
                author=None,
                revision=take_revision(),
            )
            report.created.append(entry.id)
            continue
        versions = session.scalars(
            select(CatalogueVersion)
            .where(CatalogueVersion.entry_id == entry.id)
            .order_by(CatalogueVersion.version.desc())
        ).all()
        imported = [v for v in versions if v.action is VersionAction.IMPORT]
        by_person = any(v.action is not VersionAction.IMPORT for v in versions)
        new_content = store.comparable(entry)
        if by_person:
            last_import = store.comparable(store.entry_of(imported[0].content)) if imported else {}
            if new_content != last_import:
                report.conflicts.append(entry.id)
            else:
                report.unchanged += 1
        elif new_content != store.comparable(store.entry_of(record.content)):
            store.write_version(
                session,
                entry,
                base_version=record.version,
                status=record.status,
                action=VersionAction.IMPORT,
                author=None,
                revision=take_revision(),
            )
            report.updated.append(entry.id)
        else:
            report.unchanged += 1
    yaml_ids = {e.id for e in yaml_catalogue.entries}
    report.not_in_yaml = sorted(store.all_ids(session) - yaml_ids)
    report.revision = store.current_revision(session)
    return report


def import_if_empty(session: Session, root: Path) -> ImportReport | None:
    """Import and commit when the catalogue has no entries yet; None when it has. Two processes
    starting at once: the second one's insert fails on the primary key and it leaves the import
    to the first."""
    if not store.is_empty(session):
        return None
    try:
        report = import_catalogue(session, root)
        session.commit()
    except (IntegrityError, store.VersionConflict):
        session.rollback()
        log.info("catalogue imported by another process")
        return None
    log.info("catalogue imported", extra={"summary": report.summary()})
    return report
