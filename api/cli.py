"""Command line of the case service.

python -m api.cli migrate | seed-demo | load-locations FILE | load-legal-notes |
    import-catalogue [ROOT] | export-catalogue DIR | serve
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from api.core.config import UnsafeSettingsError, get_settings
from api.core.logging import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.legal.notes_store import LoadSummary

log = logging.getLogger("api.cli")


@contextmanager
def _database_session() -> Iterator[Session]:
    """A session on the configured database, its engine disposed of afterwards."""
    from api.db.session import make_engine, make_session_factory

    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def cmd_migrate(args: argparse.Namespace) -> int:
    from api.db import migrate
    from api.db.session import ensure_sqlite_dir

    settings = get_settings()
    ensure_sqlite_dir(settings)
    migrate.upgrade(settings.database_url, rev=args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from api.demo.seed import seed_demo

    settings = get_settings()
    if not settings.demo_mode and not args.force:
        print(
            "seed-demo writes demo users; it runs only with KK_DEMO_MODE=true (or --force).",
            file=sys.stderr,
        )
        return 2
    with _database_session() as session:
        summary = seed_demo(session, settings.tz, today=args.today)
        session.commit()
        legal = _load_legal_notes(session)
    print(f"demo data seeded: {vars(summary)}")
    print(f"legal notes loaded: {vars(legal)}")
    return 0


def _load_legal_notes(session: Session, directory: Path | None = None) -> LoadSummary:
    from api.legal.config import notes_dir
    from api.legal.notes_store import load_knowledge_notes

    summary = load_knowledge_notes(session, directory or notes_dir())
    session.commit()
    return summary


def cmd_load_legal_notes(args: argparse.Namespace) -> int:
    with _database_session() as session:
        summary = _load_legal_notes(session, Path(args.directory) if args.directory else None)
    print(f"legal notes loaded: {vars(summary)}")
    return 0


def cmd_load_locations(args: argparse.Namespace) -> int:
    from api.demo.locations import load_locations

    with _database_session() as session:
        ids = load_locations(session, Path(args.file))
        session.commit()
    print(f"loaded {len(ids)} locations: {', '.join(ids)}")
    return 0


def cmd_import_catalogue(args: argparse.Namespace) -> int:
    from api.catalogue.importer import import_catalogue
    from api.catalogue.yaml_io import CatalogueYamlError

    root = Path(args.root) if args.root else get_settings().catalogue_yaml_root
    with _database_session() as session:
        try:
            report = import_catalogue(session, root)
        except CatalogueYamlError as error:
            print(f"cannot import the catalogue: {error}", file=sys.stderr)
            return 2
        session.commit()
    print(
        f"catalogue imported at revision {report.revision}: {len(report.created)} new, "
        f"{len(report.updated)} updated, {report.unchanged} unchanged"
    )
    if report.conflicts:
        print(
            f"{len(report.conflicts)} entries were changed by an editor and their YAML changed "
            f"too; the editor's version is kept: {', '.join(report.conflicts)}"
        )
    if report.not_in_yaml:
        print(f"not in the YAML (left as they are): {', '.join(report.not_in_yaml)}")
    if report.orphan_examples:
        print(f"examples without an entry (ignored): {', '.join(report.orphan_examples)}")
    return 0


def cmd_export_catalogue(args: argparse.Namespace) -> int:
    from api.catalogue import store
    from api.catalogue.yaml_io import write_yaml

    with _database_session() as session:
        entries = store.published_entries(session)
        revision = store.current_revision(session)
    written = write_yaml(entries, Path(args.directory), revision)
    print(f"exported {len(entries)} entries (revision {revision}) to {len(written)} files")
    return 0


def cmd_aggregate_analytics(args: argparse.Namespace) -> int:
    """Read the new events of the events database into the analytics tables (docs/analytics.md);
    safe next to the running service (the job's lease keeps one run at a time)."""
    import json

    from api.analytics.job import run_once
    from api.db.session import make_engine, make_session_factory

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        result = run_once(make_session_factory(engine), settings)
    finally:
        engine.dispose()
    print(json.dumps(result.as_dict(), sort_keys=True))
    return 3 if result.skipped else 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    try:
        settings.assert_safe_for_startup()
    except UnsafeSettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    uvicorn.run(
        "api.main:app",
        host=args.host,
        port=args.port or settings.api_port,
        access_log=False,  # our own access log (api.access) omits raw paths and headers
        log_config=None,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="upgrade the database schema (Alembic)")
    p.add_argument("--revision", default="heads")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed-demo", help="create/refresh demo data (idempotent)")
    p.add_argument("--today", type=date.fromisoformat, default=None, help="pretend today is")
    p.add_argument("--force", action="store_true", help="allow outside demo mode")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("load-locations", help="load locations and opening hours from JSON")
    p.add_argument("file")
    p.set_defaults(func=cmd_load_locations)

    p = sub.add_parser(
        "load-legal-notes", help="load knowledge/legal/notes into the database (idempotent)"
    )
    p.add_argument("directory", nargs="?", default=None, help="default: knowledge/legal/notes")
    p.set_defaults(func=cmd_load_legal_notes)

    p = sub.add_parser(
        "import-catalogue",
        help="import the reviewed citizen answers (knowledge/citizen, nlu_data/faq); entries an "
        "editor changed are kept and reported",
    )
    p.add_argument("root", nargs="?", default=None, help="directory holding both; default: repo")
    p.set_defaults(func=cmd_import_catalogue)

    p = sub.add_parser(
        "export-catalogue", help="write the live catalogue as YAML in the two reviewed formats"
    )
    p.add_argument("directory", help="writes DIR/knowledge/citizen and DIR/nlu_data/faq")
    p.set_defaults(func=cmd_export_catalogue)

    p = sub.add_parser(
        "aggregate-analytics",
        help="read new conversation events into the analytics tables (exit 3: another run holds "
        "the lease)",
    )
    p.set_defaults(func=cmd_aggregate_analytics)

    p = sub.add_parser("serve", help="run the service with uvicorn")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(get_settings().log_level)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
