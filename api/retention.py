"""python -m api.retention: delete the case service's expired data once (docs/privacy.md).

Deletes feedback, the citizens' form texts and audit-log rows older than ``KK_RETENTION_*_DAYS``
and prints the counts as JSON. ``./kk run`` runs it at start and then daily; in production,
schedule it daily (cron, a systemd timer or a Kubernetes CronJob). Running it twice is harmless.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from typing import Any

from api.core.config import Settings, get_settings
from api.core.logging import configure_logging

log = logging.getLogger("api.retention")


def run(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Delete what has expired in ``settings.database_url``; counts per kind."""
    from api.db.migrate import is_up_to_date
    from api.db.session import make_engine, make_session_factory
    from api.services.retention import purge_expired, scrub

    engine = make_engine(settings.database_url)
    try:
        if not is_up_to_date(engine):
            raise RuntimeError(
                "the database schema is not at the latest migration; run "
                "`python -m api.cli migrate` first"
            )
        with make_session_factory(engine)() as session:
            counts = purge_expired(session, settings, now)
            counts.update(_purge_analytics(session, settings, now))
        scrub(engine)
    finally:
        engine.dispose()
    return counts


def _purge_analytics(session: Any, settings: Settings, now: datetime | None) -> dict[str, int]:
    """Conversation analytics and the events database (api/analytics/retention.py)."""
    from api.analytics.events import EventsDatabase
    from api.analytics.retention import purge_analytics, purge_events
    from api.db.base import utcnow

    moment = now or utcnow()
    counts = purge_analytics(session, settings, moment)
    session.commit()
    events_db = EventsDatabase(settings.events_db_url)
    try:
        counts.update(purge_events(events_db, settings, moment))
    finally:
        events_db.dispose()
    return counts


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog="python -m api.retention", description=__doc__)


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        counts = run(settings)
    except Exception as error:  # one line for the operator; the traceback is in the log
        log.exception("retention failed")
        print(f"retention failed: {error}", file=sys.stderr)
        return 1
    log.info("retention: expired rows deleted", extra={"deleted": counts})
    print(json.dumps({"deleted": counts}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
