"""The durable SMS inbox and outbox (SQLAlchemy 1.4 Core, the tracker store's database).

Why here: the Rasa server already depends on this database (``KK_TRACKER_DB_URL``: SQLite
``var/tracker.db`` by default, PostgreSQL in production), so the SMS channel adds no new moving
part, survives restarts like the conversations do, and shares their backups and retention. The
tables are prefixed ``sms_`` and made by versioned migrations (``bot.sms.schema``,
``bot/sms/migrations/``), which ``./kk run`` runs before Rasa starts; ``KK_SMS_DB_URL`` may point
elsewhere. All methods are synchronous and short; the async service calls them in a worker
thread so the Rasa event loop never blocks on the database.

Tables (times are UNIX seconds, UTC):

- ``sms_inbox``: one row per incoming SMS, unique on the gateway's ``id``. Holds the keyed hash
  of the sender's number and the *masked* text; the text is set to NULL once the message is
  processed. Processed rows (without text) are kept for ``retention`` so a webhook retried days
  later is still recognised as a duplicate, then deleted.
- ``sms_outbox``: one row per SMS to send; at most one reply per inbox row (unique
  ``inbox_id``), and at most one row per ``dedupe_key`` for the SMS the channel starts itself
  (reminders, closure alerts: ``queue_notice``). Holds the text until it is sent (or given up),
  then NULL.
- ``sms_recipients``: the only place a phone number is stored: hash -> number, kept while an
  inbox row is unprocessed or an outbox row unsent for that hash, deleted right after.
- ``sms_preferences``: STOP/START per hash, and whether the case service has been told.

Rows are claimed with a lease (``lease_until``), so several Rasa processes can share the tables
and a crashed process's rows are picked up again when the lease runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

logger = logging.getLogger(__name__)

PENDING, DONE = "pending", "done"
SENT, REJECTED, EXPIRED, CANCELLED = "sent", "rejected", "expired", "cancelled"
# Outbox kinds: a reply to a message, the STOP confirmation (the one SMS sent after STOP), and
# the SMS the channel starts itself (bot.reminders): a meeting reminder, a closure alert.
REPLY, STOP_ACK = "reply", "stop_ack"
REMINDER, CLOSURE_ALERT = "reminder", "closure_alert"

metadata = MetaData()

inbox = Table(
    "sms_inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("gateway_id", String(40), nullable=False, unique=True),
    Column("phone_hash", String(64), nullable=False, index=True),
    Column("receiver", String(16), nullable=True),
    Column("text", Text, nullable=True),
    Column("pii_kinds", String(40), nullable=False, default=""),
    Column("senttime", Float, nullable=True),
    Column("received_at", Float, nullable=False, index=True),
    Column("status", String(16), nullable=False, default=PENDING, index=True),
    Column("outcome", String(24), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False, default=0.0),
    Column("lease_until", Float, nullable=True),
    Column("processed_at", Float, nullable=True),
)

outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("inbox_id", Integer, nullable=True, unique=True),
    Column("phone_hash", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False, default=REPLY),
    Column("sender", String(16), nullable=True),
    Column("text", Text, nullable=True),
    Column("encoding", String(8), nullable=False, default="GSM"),
    Column("segments", Integer, nullable=False, default=1),
    Column("status", String(16), nullable=False, default=PENDING, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False, default=0.0),
    Column("lease_until", Float, nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("gateway_message_id", String(40), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float, nullable=True),
    # Migration 0002: unique (index ux_sms_outbox_dedupe_key); NULL for replies.
    Column("dedupe_key", String(80), nullable=True),
)

recipients = Table(
    "sms_recipients",
    metadata,
    Column("phone_hash", String(64), primary_key=True),
    Column("msisdn", String(16), nullable=False),
    Column("updated_at", Float, nullable=False),
)

preferences = Table(
    "sms_preferences",
    metadata,
    Column("phone_hash", String(64), primary_key=True),
    Column("opted_out", Boolean, nullable=False),
    Column("citizen_id", String(40), nullable=True),
    Column("synced", Boolean, nullable=False, default=True),
    Column("updated_at", Float, nullable=False),
)


@dataclass(frozen=True)
class InboxRow:
    id: int
    gateway_id: str
    phone_hash: str
    receiver: str | None
    text: str | None
    pii_kinds: frozenset
    received_at: float
    attempts: int


@dataclass(frozen=True)
class OutboxRow:
    id: int
    phone_hash: str
    msisdn: str | None
    kind: str
    sender: str | None
    text: str | None
    encoding: str
    segments: int
    attempts: int
    created_at: float


@dataclass(frozen=True)
class Reply:
    """An SMS to put in the outbox."""

    text: str
    encoding: str
    segments: int
    sender: str | None
    kind: str = REPLY


def _outbox_row(reply: Reply, phone_hash: str, now: float) -> dict[str, Any]:
    """The columns of a new pending outbox row sending ``reply`` to ``phone_hash``."""
    return {
        "phone_hash": phone_hash,
        "kind": reply.kind,
        "sender": reply.sender,
        "text": reply.text,
        "encoding": reply.encoding,
        "segments": reply.segments,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


@dataclass(frozen=True)
class Preference:
    opted_out: bool
    citizen_id: str | None
    synced: bool


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The tracker store writes to the same file: wait for its locks instead of failing.
        return create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    return create_engine(url, pool_pre_ping=True)


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _kinds(raw: str | None) -> frozenset:
    return frozenset(k for k in (raw or "").split(",") if k)


class SmsStore:
    """The SMS tables of one database.

    ``migrate=True`` (commands and tests: ``python -m bot.retention``, the production profile's
    table step) first brings the tables to the newest revision (``bot.sms.schema.upgrade``); the
    Rasa server's channel opens the store with ``migrate=False`` and only checks the revision,
    because ``./kk run`` migrated before it started and several servers must not race.
    """

    def __init__(self, url_or_engine, *, migrate: bool = True) -> None:
        self.engine = (
            url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
        )
        self._sqlite = self.engine.dialect.name == "sqlite"
        if self._sqlite:
            # Deleted numbers and texts are overwritten with zeros, not just unlinked.
            event.listen(self.engine, "connect", _secure_delete)
        from bot.sms import schema

        if migrate:
            schema.upgrade(self.engine)
        else:
            schema.check(self.engine)

    def _scrub(self) -> None:
        """After deleting a number or a text: with SQLite's write-ahead log the old page versions
        stay in the log (and the database file keeps the last checkpointed one) until a
        checkpoint; run it now, so that nothing deleted can be read back from the files."""
        if self._sqlite:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.engine.dispose()

    # --- inbox -------------------------------------------------------------------------------

    def receive(
        self,
        gateway_id: str,
        phone_hash: str,
        msisdn: str,
        receiver: str | None,
        text: str,
        pii_kinds: Iterable[str],
        senttime: float | None,
        now: float,
    ) -> bool:
        """Store an incoming SMS; False (and nothing changed) when ``gateway_id`` is known."""
        for attempt in (1, 2):
            with self.engine.connect() as conn:
                known = conn.execute(
                    select(inbox.c.id).where(inbox.c.gateway_id == gateway_id)
                ).first()
                if known is not None:
                    return False
                try:
                    with conn.begin():
                        conn.execute(
                            insert(inbox).values(
                                gateway_id=gateway_id,
                                phone_hash=phone_hash,
                                receiver=receiver,
                                text=text,
                                pii_kinds=",".join(sorted(pii_kinds)),
                                senttime=senttime,
                                received_at=now,
                                status=PENDING,
                                attempts=0,
                                next_attempt_at=now,
                            )
                        )
                        self._remember_number(conn, phone_hash, msisdn, now)
                    return True
                except IntegrityError:
                    # Another request stored the same id (or number) at the same moment.
                    if attempt == 2:
                        raise
        return False

    @staticmethod
    def _remember_number(conn, phone_hash: str, msisdn: str, now: float) -> None:
        updated = conn.execute(
            update(recipients)
            .where(recipients.c.phone_hash == phone_hash)
            .values(msisdn=msisdn, updated_at=now)
        ).rowcount
        if not updated:
            conn.execute(
                insert(recipients).values(phone_hash=phone_hash, msisdn=msisdn, updated_at=now)
            )

    def claim_inbox(
        self, now: float, lease: float, limit: int, busy_hashes: Iterable[str] = ()
    ) -> list[InboxRow]:
        """Due unprocessed messages, at most one per sender and the oldest first.

        A sender whose earlier message is still waiting (deferred, leased, or in ``busy_hashes``)
        gets nothing, so one number's messages are handled in the order they arrived.
        """
        if limit <= 0:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(inbox).where(inbox.c.status == PENDING).order_by(inbox.c.id).limit(500)
            ).fetchall()
            return _claim_first_per_number(
                conn,
                inbox,
                rows,
                now,
                lease,
                limit,
                set(busy_hashes),
                lambda row: InboxRow(
                    row.id,
                    row.gateway_id,
                    row.phone_hash,
                    row.receiver,
                    row.text,
                    _kinds(row.pii_kinds),
                    row.received_at,
                    row.attempts,
                ),
            )

    def count_received(self, phone_hash: str, since: float, up_to_id: int) -> int:
        """Messages from this number received after ``since``, up to and including ``up_to_id``."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(inbox)
                .where(
                    and_(
                        inbox.c.phone_hash == phone_hash,
                        inbox.c.received_at > since,
                        inbox.c.id <= up_to_id,
                    )
                )
            ).scalar_one()

    def finish_inbox(
        self, row_id: int, outcome: str, now: float, reply: Reply | None = None
    ) -> None:
        """Mark a message processed, drop its text and queue its reply, in one transaction."""
        with self.engine.begin() as conn:
            phone_hash = self._reply_to_inbox(conn, row_id, reply, now)
            if phone_hash is None:
                return
            conn.execute(
                update(inbox)
                .where(inbox.c.id == row_id)
                .values(status=DONE, outcome=outcome, text=None, lease_until=None, processed_at=now)
            )
            self._forget_number_if_unused(conn, phone_hash)
        self._scrub()

    def defer_inbox(
        self, row_id: int, next_attempt_at: float, reply: Reply | None = None, now: float = 0.0
    ) -> None:
        """Try a message again later (case service unreachable); a reply may already go out."""
        with self.engine.begin() as conn:
            if self._reply_to_inbox(conn, row_id, reply, now) is None:
                return
            conn.execute(
                update(inbox)
                .where(inbox.c.id == row_id)
                .values(
                    attempts=inbox.c.attempts + 1, next_attempt_at=next_attempt_at, lease_until=None
                )
            )

    @classmethod
    def _reply_to_inbox(cls, conn, row_id: int, reply: Reply | None, now: float) -> str | None:
        """The phone hash of inbox row ``row_id`` (None when it is gone), after queueing
        ``reply`` to that number."""
        row = conn.execute(select(inbox.c.phone_hash).where(inbox.c.id == row_id)).first()
        if row is None:
            return None
        if reply is not None:
            cls._queue_reply(conn, row_id, row.phone_hash, reply, now)
        return row.phone_hash

    @staticmethod
    def _queue_reply(conn, inbox_id: int | None, phone_hash: str, reply: Reply, now: float) -> None:
        if (
            inbox_id is not None
            and conn.execute(select(outbox.c.id).where(outbox.c.inbox_id == inbox_id)).first()
            is not None
        ):
            return  # at most one reply per incoming message
        conn.execute(
            insert(outbox).values(**_outbox_row(reply, phone_hash, now), inbox_id=inbox_id)
        )

    def queue_notice(
        self, dedupe_key: str, phone_hash: str, msisdn: str, reply: Reply, now: float
    ) -> tuple[int, bool]:
        """Queue an SMS the channel starts itself (a reminder, a closure alert), once per
        ``dedupe_key``: (outbox id, True) when queued now, (id, False) when it already was —
        also when it has been sent since. Nothing is queued for an opted-out number: (0, False).
        """
        for attempt in (1, 2):
            with self.engine.connect() as conn:
                known = conn.execute(
                    select(outbox.c.id).where(outbox.c.dedupe_key == dedupe_key)
                ).scalar()
                if known is not None:
                    return int(known), False
                stopped = conn.execute(
                    select(preferences.c.opted_out).where(preferences.c.phone_hash == phone_hash)
                ).scalar()
                if stopped:
                    return 0, False
                try:
                    with conn.begin():
                        row = _outbox_row(reply, phone_hash, now)
                        row_id = conn.execute(
                            insert(outbox).values(**row, inbox_id=None, dedupe_key=dedupe_key)
                        ).inserted_primary_key[0]
                        self._remember_number(conn, phone_hash, msisdn, now)
                    return int(row_id), True
                except IntegrityError:
                    # Another process queued the same key (or number) at the same moment.
                    if attempt == 2:
                        raise
        return 0, False

    def outbox_status(self, dedupe_key: str) -> str | None:
        """The status of the outbox row queued under ``dedupe_key`` (None: none)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(outbox.c.status).where(outbox.c.dedupe_key == dedupe_key)
            ).scalar()

    def pending_inbox(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(inbox).where(inbox.c.status == PENDING)
            ).scalar_one()

    # --- numbers ---------------------------------------------------------------------------

    def msisdn(self, phone_hash: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(recipients.c.msisdn).where(recipients.c.phone_hash == phone_hash)
            ).scalar()

    @staticmethod
    def _forget_number_if_unused(conn, phone_hash: str) -> None:
        waiting_in = conn.execute(
            select(inbox.c.id)
            .where(and_(inbox.c.phone_hash == phone_hash, inbox.c.status == PENDING))
            .limit(1)
        ).first()
        waiting_out = conn.execute(
            select(outbox.c.id)
            .where(and_(outbox.c.phone_hash == phone_hash, outbox.c.status == PENDING))
            .limit(1)
        ).first()
        if waiting_in is None and waiting_out is None:
            conn.execute(delete(recipients).where(recipients.c.phone_hash == phone_hash))

    # --- preferences (STOP / START) ----------------------------------------------------------

    def preference(self, phone_hash: str) -> Preference | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(preferences).where(preferences.c.phone_hash == phone_hash)
            ).first()
        return None if row is None else Preference(row.opted_out, row.citizen_id, row.synced)

    def set_preference(
        self, phone_hash: str, opted_out: bool, citizen_id: str | None, synced: bool, now: float
    ) -> None:
        with self.engine.begin() as conn:
            values = dict(opted_out=opted_out, citizen_id=citizen_id, synced=synced, updated_at=now)
            changed = conn.execute(
                update(preferences).where(preferences.c.phone_hash == phone_hash).values(**values)
            ).rowcount
            if not changed:
                conn.execute(insert(preferences).values(phone_hash=phone_hash, **values))
            if opted_out:
                # Nothing queued for this number goes out any more (except the confirmation).
                conn.execute(
                    update(outbox)
                    .where(
                        and_(
                            outbox.c.phone_hash == phone_hash,
                            outbox.c.status == PENDING,
                            outbox.c.kind != STOP_ACK,
                        )
                    )
                    .values(status=CANCELLED, text=None, lease_until=None)
                )

    # --- outbox ------------------------------------------------------------------------------

    def claim_outbox(self, now: float, lease: float, limit: int) -> list[OutboxRow]:
        """Due SMS to send, oldest first and at most one per number, so one number's replies go
        out in order (a reply waiting for a retry holds back the later ones)."""
        if limit <= 0:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox, recipients.c.msisdn)
                .select_from(
                    outbox.outerjoin(recipients, recipients.c.phone_hash == outbox.c.phone_hash)
                )
                .where(outbox.c.status == PENDING)
                .order_by(outbox.c.id)
                .limit(500)
            ).fetchall()
            return _claim_first_per_number(
                conn,
                outbox,
                rows,
                now,
                lease,
                limit,
                set(),
                lambda row: OutboxRow(
                    row.id,
                    row.phone_hash,
                    row.msisdn,
                    row.kind,
                    row.sender,
                    row.text,
                    row.encoding,
                    row.segments,
                    row.attempts,
                    row.created_at,
                ),
            )

    def outbox_sent(self, row_id: int, gateway_message_id: str | None, now: float) -> None:
        self._close_outbox(
            row_id, SENT, now, gateway_message_id=gateway_message_id, last_error=None
        )

    def outbox_give_up(self, row_id: int, status: str, error: str, now: float) -> None:
        self._close_outbox(row_id, status, now, last_error=error[:200])

    def _close_outbox(self, row_id: int, status: str, now: float, **values) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(outbox.c.phone_hash).where(outbox.c.id == row_id)).first()
            if row is None:
                return
            conn.execute(
                update(outbox)
                .where(outbox.c.id == row_id)
                .values(
                    status=status,
                    text=None,
                    lease_until=None,
                    attempts=outbox.c.attempts + (1 if status in (SENT, REJECTED, EXPIRED) else 0),
                    sent_at=now if status == SENT else None,
                    **values,
                )
            )
            self._forget_number_if_unused(conn, row.phone_hash)
        self._scrub()

    def outbox_retry(self, row_id: int, next_attempt_at: float, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == row_id)
                .values(
                    attempts=outbox.c.attempts + 1,
                    next_attempt_at=next_attempt_at,
                    lease_until=None,
                    last_error=error[:200],
                )
            )

    def release(self, inbox_ids: Iterable[int] = (), outbox_ids: Iterable[int] = ()) -> None:
        """Give up leases at a graceful shutdown, so a restart picks the rows up at once."""
        inbox_ids, outbox_ids = list(inbox_ids), list(outbox_ids)
        with self.engine.begin() as conn:
            if inbox_ids:
                conn.execute(
                    update(inbox)
                    .where(and_(inbox.c.id.in_(inbox_ids), inbox.c.status == PENDING))
                    .values(lease_until=None)
                )
            if outbox_ids:
                conn.execute(
                    update(outbox)
                    .where(and_(outbox.c.id.in_(outbox_ids), outbox.c.status == PENDING))
                    .values(lease_until=None)
                )

    # --- timing and housekeeping ------------------------------------------------------------------

    def next_due(self) -> float | None:
        """The earliest time a pending inbox or outbox row becomes due (None: nothing pending)."""
        with self.engine.connect() as conn:
            times = [
                conn.execute(
                    select(func.min(table.c.next_attempt_at)).where(table.c.status == PENDING)
                ).scalar()
                for table in (inbox, outbox)
            ]
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def housekeeping(self, now: float, retention: float) -> None:
        """Delete processed rows older than ``retention`` and numbers nothing waits for."""
        cutoff = now - retention
        with self.engine.begin() as conn:
            conn.execute(
                delete(inbox).where(and_(inbox.c.status == DONE, inbox.c.processed_at < cutoff))
            )
            conn.execute(
                delete(outbox).where(and_(outbox.c.status != PENDING, outbox.c.created_at < cutoff))
            )
            waiting = (
                select(inbox.c.phone_hash)
                .where(inbox.c.status == PENDING)
                .union(select(outbox.c.phone_hash).where(outbox.c.status == PENDING))
            )
            conn.execute(delete(recipients).where(recipients.c.phone_hash.not_in(waiting)))
        self._scrub()

    def erase_number(self, phone_hash: str) -> dict[str, int]:
        """Right to erasure (``python -m bot.retention --erase-phone``): delete this number's
        inbox and outbox rows (queued replies are not sent) and the number itself. Its STOP is
        kept, so the number still gets no SMS; a preference without an opt-out is deleted."""
        with self.engine.begin() as conn:
            counts = {
                "inbox": conn.execute(
                    delete(inbox).where(inbox.c.phone_hash == phone_hash)
                ).rowcount,
                "outbox": conn.execute(
                    delete(outbox).where(outbox.c.phone_hash == phone_hash)
                ).rowcount,
                "recipients": conn.execute(
                    delete(recipients).where(recipients.c.phone_hash == phone_hash)
                ).rowcount,
                "preferences": conn.execute(
                    delete(preferences).where(
                        and_(
                            preferences.c.phone_hash == phone_hash,
                            preferences.c.opted_out.is_(False),
                        )
                    )
                ).rowcount,
            }
        self._scrub()
        return {name: int(count or 0) for name, count in counts.items()}


def _claim_first_per_number(
    conn: Any,
    table: Table,
    rows: Sequence[Any],
    now: float,
    lease: float,
    limit: int,
    blocked: set,
    make: Callable[[Any], Any],
) -> list:
    """Lease the oldest due row of each number (``rows`` oldest first). A number whose oldest
    row is not due, leased elsewhere or in ``blocked`` gets nothing, keeping its order."""
    claimed: list = []
    for row in rows:
        if row.phone_hash in blocked:
            continue
        blocked.add(row.phone_hash)
        if row.next_attempt_at > now or (row.lease_until or 0) > now:
            continue
        with conn.begin():
            got = conn.execute(
                update(table)
                .where(
                    and_(
                        table.c.id == row.id,
                        table.c.status == PENDING,
                        or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
                    )
                )
                .values(lease_until=now + lease)
            ).rowcount
        if got:
            claimed.append(make(row))
            if len(claimed) >= limit:
                break
    return claimed
