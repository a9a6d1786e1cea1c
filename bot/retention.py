"""Retention and erasure on the Rasa side: conversations in the tracker store, and the SMS store.

    python -m bot.retention                                    # delete expired conversations
    python -m bot.retention --erase-subject u-3f9c2a1b         # erase one person's conversations
    python -m bot.retention --erase-subject u-3f9c2a1b --erase-phone +4512345678

Prints what was deleted as JSON. ``./kk run`` runs the first form at start and then daily; in
production schedule it daily (docs/privacy.md). The erasure forms are what an admin runs after
``POST /admin/erasure`` on the case service, which answers the exact command.

Settings, from the environment like the tracker store's (``bot/settings.py``):

- ``KK_TRACKER_DB_URL`` (default ``sqlite:///var/tracker.db``): the tracker database;
- ``KK_RETENTION_ANON_DAYS`` (30), ``KK_RETENTION_KK_DAYS`` (90), ``KK_RETENTION_SMS_DAYS`` (30):
  how long a conversation is kept after its last event, per kind (at least 1 day);
- for ``--erase-phone``: ``KK_SMS_HMAC_KEY`` (the number's keyed hash names the conversation and
  the SMS rows) and ``KK_SMS_DB_URL`` (default: the tracker database).

A conversation's kind is the prefix of its id: ``anon:`` (anonymous web chat,
bot/channels/rest.py), ``kk:`` (logged in, ``kk:<subject>:<sender>``, bot/channels/kk.py), ``sms:``
(``sms:<hash of the number>``, bot/sms/identity.py). Any other id is treated as anonymous.

Rows are DELETEd. On SQLite with ``PRAGMA secure_delete=ON`` and a ``wal_checkpoint(TRUNCATE)``
afterwards, as bot/sms/store.py does, so no deleted text can be read from ``tracker.db`` or its
``-wal``. Every run that deleted something adds a row to ``kk_tracker_purges`` (when, why, counts;
no ids). The tracker store watches that table and then drops the sessions it keeps in memory, so a
deleted conversation is never served from memory (bot/tracker_store.py).

SQLAlchemy only (1.4 and 2.0); Rasa is not imported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from bot.settings import RetentionSettings, load_settings

logger = logging.getLogger(__name__)

DAY = 24 * 3600.0
PREFIXES = {"anon": "anon:", "kk": "kk:", "sms": "sms:"}
BATCH = 200  # conversations per DELETE statement

# Rasa's events table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent): only the columns used
# here. Rasa creates it; this module never does.
events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("data", Text),
)

purge_metadata = MetaData()
purges = Table(
    "kk_tracker_purges",
    purge_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("reason", String(16), nullable=False),  # "retention" | "erasure"
    Column("conversations", Integer, nullable=False),
    Column("events", Integer, nullable=False),
)


def kind_of(sender_id: str) -> str:
    for kind, prefix in PREFIXES.items():
        if sender_id.startswith(prefix):
            return kind
    return "anon"


# --- database -----------------------------------------------------------------------------------


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for the tracker database whose SQLite connections overwrite what they delete."""
    from bot.sms.store import make_engine as sms_engine  # same URL handling as the SMS store

    engine = sms_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _secure_delete)
    return engine


def ensure_purges_table(engine: Engine) -> None:
    """Create ``kk_tracker_purges`` when missing. Several Rasa processes starting at once on one
    database may all try (as with Rasa's own events table): losing that race is fine as long as
    the table exists afterwards."""
    try:
        purge_metadata.create_all(engine, checkfirst=True)
    except (OperationalError, ProgrammingError, IntegrityError):
        if not inspect(engine).has_table(purges.name):
            raise


def latest_purge(engine: Engine) -> int:
    """The id of the latest recorded purge (0: none yet)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(purges.c.id))).scalar() or 0)


def scrub(engine: Engine, attempts: int = 5) -> bool:
    """SQLite: checkpoint the write-ahead log into the database file and truncate it, so old
    page versions with deleted text do not stay in ``-wal``. False if readers kept it busy."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        with engine.connect() as conn:
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        if not busy or not busy[0]:
            return True
        time.sleep(0.2 * (attempt + 1))
    logger.warning("retention: the WAL checkpoint stayed busy; it completes at the next one")
    return False


def _has_events(engine: Engine) -> bool:
    return inspect(engine).has_table("events")


def _chunks(items: Sequence[str], size: int = BATCH) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delete_conversations(engine: Engine, sender_ids: Sequence[str], before: float | None) -> int:
    """Delete the events of ``sender_ids`` (only those older than ``before`` when given: an event
    a returning user added while the job ran is kept). Returns how many were deleted."""
    deleted = 0
    for batch in _chunks(list(sender_ids)):
        statement = delete(events).where(events.c.sender_id.in_(batch))
        if before is not None:
            statement = statement.where(
                or_(events.c.timestamp < before, events.c.timestamp.is_(None))
            )
        with engine.begin() as conn:
            deleted += int(conn.execute(statement).rowcount or 0)
    return deleted


def _record(engine: Engine, reason: str, conversations: int, deleted: int, now: float) -> None:
    """Tell tracker stores (other processes) that conversations were deleted."""
    if not conversations and not deleted:
        return
    with engine.begin() as conn:
        conn.execute(
            insert(purges).values(
                at=now, reason=reason, conversations=conversations, events=deleted
            )
        )


# --- retention ----------------------------------------------------------------------------------


def expired_conversations(
    engine: Engine, settings: RetentionSettings, now: float
) -> dict[str, list[str]]:
    """Conversation ids per kind whose last event is older than the kind's period."""
    shortest = min(settings.period(kind) for kind in PREFIXES)
    last = func.coalesce(func.max(events.c.timestamp), 0.0)
    query = select(events.c.sender_id, last).group_by(events.c.sender_id)
    query = query.having(last < now - shortest)
    expired: dict[str, list[str]] = {kind: [] for kind in PREFIXES}
    with engine.connect() as conn:
        for sender_id, last_at in conn.execute(query):
            kind = kind_of(sender_id)
            if float(last_at or 0.0) < now - settings.period(kind):
                expired[kind].append(sender_id)
    return expired


def purge_expired(
    engine: Engine, settings: RetentionSettings, now: float | None = None
) -> dict[str, dict[str, int]]:
    """Delete the conversations whose last event is older than their kind's period."""
    now = time.time() if now is None else now
    counts = {kind: {"conversations": 0, "events": 0} for kind in PREFIXES}
    ensure_purges_table(engine)
    if not _has_events(engine):  # Rasa has not started on this database yet
        return counts
    for kind, sender_ids in expired_conversations(engine, settings, now).items():
        deleted = _delete_conversations(engine, sender_ids, before=now - settings.period(kind))
        counts[kind] = {"conversations": len(sender_ids), "events": deleted}
    _record(
        engine,
        "retention",
        sum(c["conversations"] for c in counts.values()),
        sum(c["events"] for c in counts.values()),
        now,
    )
    scrub(engine)
    return counts


# --- erasure ------------------------------------------------------------------------------------


def feedback_refs(sender: str) -> list[str]:
    """The ``conversation_ref`` the web chat sends with feedback for this sender id
    (web/widget/kk-chat.js: SHA-256 of ``kk-chat:<sender>``, 32 hex digits; FNV-1a where the
    browser has no WebCrypto)."""
    data = ("kk-chat:" + sender).encode("utf-8")
    fnv = 2166136261
    for byte in data:
        fnv = ((fnv ^ byte) * 16777619) & 0xFFFFFFFF
    return [hashlib.sha256(data).hexdigest()[:32], f"f{fnv:x}"]


def _check_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject or len(subject) > 200 or ":" in subject or not subject.isprintable():
        raise ValueError("the subject must be a user id such as u-3f9c2a1b")
    return subject


def erase_subject(engine: Engine, subject: str, now: float | None = None) -> dict[str, Any]:
    """Delete every conversation of a logged-in person (``kk:<subject>:*``) and the anonymous
    conversation the same chat window had before the log-in (``anon:<sender>``); return counts
    and the feedback references of those conversations (for ``POST /admin/erasure``)."""
    now = time.time() if now is None else now
    prefix = f"{PREFIXES['kk']}{_check_subject(subject)}:"
    ensure_purges_table(engine)
    if not _has_events(engine):
        return {"conversations": 0, "events": 0, "feedback_refs": []}
    with engine.connect() as conn:
        own = [
            row[0]
            for row in conn.execute(
                select(events.c.sender_id)
                .where(events.c.sender_id.startswith(prefix, autoescape=True))
                .distinct()
            )
        ]
        senders = sorted({sender_id[len(prefix) :] for sender_id in own})
        anonymous = [
            row[0]
            for batch in _chunks([PREFIXES["anon"] + s for s in senders])
            for row in conn.execute(
                select(events.c.sender_id).where(events.c.sender_id.in_(batch)).distinct()
            )
        ]
    conversations = sorted(set(own) | set(anonymous))
    deleted = _delete_conversations(engine, conversations, before=None)
    _record(engine, "erasure", len(conversations), deleted, now)
    scrub(engine)
    refs = sorted({ref for s in senders if not s.startswith("h:") for ref in feedback_refs(s)})
    return {"conversations": len(conversations), "events": deleted, "feedback_refs": refs}


def erase_phone(
    engine: Engine,
    number: str,
    hmac_key: str,
    sms_db_url: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Delete the SMS conversation of a phone number (``sms:<keyed hash>``) and the number's rows
    in the SMS store (an opt-out is kept: bot/sms/store.py ``erase_number``)."""
    from bot.sms.identity import phone_hash, tracker_id
    from bot.sms.store import SmsStore
    from kkshared.phone import normalize_msisdn

    now = time.time() if now is None else now
    msisdn = normalize_msisdn(number)
    if msisdn is None:
        raise ValueError("not a phone number (e.g. +4512345678)")
    if not hmac_key:
        raise ValueError("KK_SMS_HMAC_KEY is not set (./kk run keeps it in var/secrets.env)")
    hashed = phone_hash(msisdn, hmac_key)
    ensure_purges_table(engine)
    deleted = (
        _delete_conversations(engine, [tracker_id(hashed)], None) if _has_events(engine) else 0
    )
    _record(engine, "erasure", 1 if deleted else 0, deleted, now)
    scrub(engine)
    # The SMS tables live in the tracker database unless KK_SMS_DB_URL names another one.
    store = SmsStore(sms_db_url) if sms_db_url else SmsStore(engine)
    try:
        sms_rows = store.erase_number(hashed)
    finally:
        if sms_db_url:
            store.close()
    return {"conversations": 1 if deleted else 0, "events": deleted, "sms_rows": sms_rows}


# --- command line -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.retention",
        description="Delete expired conversations (no options), or erase one person's.",
    )
    parser.add_argument(
        "--erase-subject", metavar="SUB", help="erase the conversations kk:SUB:* (user id)"
    )
    parser.add_argument(
        "--erase-phone", metavar="NUMBER", help="erase the SMS conversation and rows of NUMBER"
    )
    return parser


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        configured = load_settings(environ)
    except ValueError as error:
        print(f"bot.retention: {error}", file=sys.stderr)
        return 2
    settings = configured.retention
    engine = make_engine(settings.db_url)
    try:
        if args.erase_subject is None and args.erase_phone is None:
            result: dict[str, Any] = {"deleted": purge_expired(engine, settings)}
            logger.info("retention: expired conversations deleted: %s", result["deleted"])
        else:
            result = {}
            if args.erase_subject is not None:
                result["subject"] = erase_subject(engine, args.erase_subject)
            if args.erase_phone is not None:
                # The SMS tables: the tracker database unless KK_SMS_DB_URL names another one.
                sms = configured.sms
                sms_url = sms.db_url if sms.db_url != settings.db_url else None
                result["phone"] = erase_phone(engine, args.erase_phone, sms.hmac_key or "", sms_url)
            logger.info(
                "erasure: %s conversation(s) deleted",
                sum(part["conversations"] for part in result.values()),
            )
    except ValueError as error:
        print(f"bot.retention: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
