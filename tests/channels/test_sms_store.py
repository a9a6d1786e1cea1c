"""The durable inbox/outbox: uniqueness, order per number, leases, purging of text and numbers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.sms.store import CANCELLED, DONE, PENDING, REPLY, SENT, STOP_ACK, Reply, SmsStore

A, B = "a" * 64, "b" * 64
NUMBER_A, NUMBER_B = "+4500000101", "+4522334455"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture()
def store(db: Path) -> SmsStore:
    s = SmsStore(f"sqlite:///{db}")
    yield s
    s.close()


def _receive(
    store: SmsStore,
    gateway_id: str,
    hashed: str = A,
    number: str = NUMBER_A,
    text: str = "hej",
    now: float = 1000.0,
) -> bool:
    return store.receive(gateway_id, hashed, number, "4500000000", text, {"cpr"}, None, now)


def _rows(db: Path, sql: str) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_a_gateway_id_is_stored_once(store: SmsStore, db: Path) -> None:
    assert _receive(store, "1") is True
    assert _receive(store, "1", text="en anden tekst") is False
    assert _rows(db, "SELECT gateway_id, text, pii_kinds, status FROM sms_inbox") == [
        ("1", "hej", "cpr", PENDING)
    ]


def test_the_number_lives_only_in_sms_recipients_and_goes_when_done(
    store: SmsStore, db: Path
) -> None:
    _receive(store, "1")
    assert _rows(db, "SELECT phone_hash, msisdn FROM sms_recipients") == [(A, NUMBER_A)]
    for table in ("sms_inbox",):
        assert NUMBER_A.encode() not in repr(_rows(db, f"SELECT * FROM {table}")).encode()
    [row] = store.claim_inbox(now=1001.0, lease=60, limit=10)
    store.finish_inbox(row.id, "answered", 1002.0, Reply("svar", "GSM", 1, "4500000000"))
    # Text purged; the number stays while the reply waits in the outbox ...
    assert _rows(db, "SELECT text, status, outcome FROM sms_inbox") == [(None, DONE, "answered")]
    assert store.msisdn(A) == NUMBER_A
    [out] = store.claim_outbox(now=1003.0, lease=60, limit=10)
    assert (out.msisdn, out.text, out.kind) == (NUMBER_A, "svar", REPLY)
    store.outbox_sent(out.id, "900001", 1004.0)
    # ... and is deleted with the reply's text as soon as it is sent.
    assert store.msisdn(A) is None
    assert _rows(db, "SELECT text, status, gateway_message_id FROM sms_outbox") == [
        (None, SENT, "900001")
    ]
    assert _rows(db, "SELECT * FROM sms_recipients") == []


def test_one_number_is_processed_in_order_and_numbers_in_parallel(store: SmsStore) -> None:
    for gid, hashed, number in (("1", A, NUMBER_A), ("2", A, NUMBER_A), ("3", B, NUMBER_B)):
        _receive(store, gid, hashed, number)
    first = store.claim_inbox(now=1001.0, lease=60, limit=10)
    assert [r.gateway_id for r in first] == ["1", "3"]
    # While "1" is leased, "2" (same number) must wait.
    assert store.claim_inbox(now=1002.0, lease=60, limit=10) == []
    store.finish_inbox(first[0].id, "answered", 1003.0)
    assert [r.gateway_id for r in store.claim_inbox(now=1004.0, lease=60, limit=10)] == ["2"]


def test_a_deferred_message_blocks_later_ones_from_the_same_number(store: SmsStore) -> None:
    _receive(store, "1")
    _receive(store, "2")
    [row] = store.claim_inbox(now=1001.0, lease=60, limit=10)
    store.defer_inbox(row.id, next_attempt_at=1100.0, now=1001.0)
    assert store.claim_inbox(now=1050.0, lease=60, limit=10) == []
    assert [r.gateway_id for r in store.claim_inbox(now=1100.0, lease=60, limit=10)] == ["1"]


def test_an_expired_lease_is_claimed_again_after_a_crash(db: Path) -> None:
    first = SmsStore(f"sqlite:///{db}")
    _receive(first, "1")
    assert len(first.claim_inbox(now=1001.0, lease=60, limit=10)) == 1
    first.close()  # the process dies while handling the message
    second = SmsStore(f"sqlite:///{db}")
    assert second.claim_inbox(now=1030.0, lease=60, limit=10) == []
    assert [r.gateway_id for r in second.claim_inbox(now=1062.0, lease=60, limit=10)] == ["1"]
    second.close()


def test_one_reply_per_incoming_message(store: SmsStore, db: Path) -> None:
    _receive(store, "1")
    [row] = store.claim_inbox(now=1001.0, lease=60, limit=10)
    store.defer_inbox(row.id, 1001.0, Reply("kvittering", "GSM", 1, None, STOP_ACK), 1001.0)
    store.finish_inbox(row.id, "stop", 1002.0, Reply("kvittering", "GSM", 1, None, STOP_ACK))
    assert _rows(db, "SELECT COUNT(*) FROM sms_outbox") == [(1,)]


def test_opting_out_cancels_queued_replies_but_not_the_confirmation(
    store: SmsStore, db: Path
) -> None:
    _receive(store, "1")
    _receive(store, "2", text="STOP")
    first = store.claim_inbox(now=1001.0, lease=60, limit=10)[0]
    store.finish_inbox(first.id, "answered", 1002.0, Reply("svar", "GSM", 1, None))
    second = store.claim_inbox(now=1003.0, lease=60, limit=10)[0]
    store.set_preference(A, True, None, False, 1004.0)
    store.finish_inbox(second.id, "stop", 1005.0, Reply("afmeldt", "GSM", 1, None, STOP_ACK))
    assert _rows(db, "SELECT kind, status, text FROM sms_outbox ORDER BY id") == [
        (REPLY, CANCELLED, None),
        (STOP_ACK, PENDING, "afmeldt"),
    ]
    assert store.preference(A).opted_out is True


def test_count_received_for_the_rate_limit(store: SmsStore) -> None:
    for n in range(5):
        _receive(store, str(n), now=1000.0 + n * 10)
    _receive(store, "x", B, NUMBER_B, now=1001.0)
    assert store.count_received(A, since=1000.0 + 15, up_to_id=5) == 3
    assert store.count_received(A, since=0, up_to_id=2) == 2


def test_outbox_retry_keeps_the_message(store: SmsStore) -> None:
    _receive(store, "1")
    row = store.claim_inbox(now=1001.0, lease=60, limit=10)[0]
    store.finish_inbox(row.id, "answered", 1002.0, Reply("svar", "GSM", 1, None))
    out = store.claim_outbox(now=1003.0, lease=60, limit=10)[0]
    store.outbox_retry(out.id, 1010.0, "HTTP 503")
    assert store.claim_outbox(now=1005.0, lease=60, limit=10) == []
    again = store.claim_outbox(now=1010.0, lease=60, limit=10)[0]
    assert (again.id, again.attempts, again.text, again.msisdn) == (out.id, 1, "svar", NUMBER_A)
    assert store.next_due() == 1010.0


def test_housekeeping_forgets_old_processed_rows(store: SmsStore, db: Path) -> None:
    _receive(store, "old", now=1000.0)
    row = store.claim_inbox(now=1001.0, lease=60, limit=10)[0]
    store.finish_inbox(row.id, "answered", 1002.0)
    _receive(store, "new", B, NUMBER_B, now=5000.0)
    store.housekeeping(now=1002.0 + 3600, retention=3600 - 1)
    assert _rows(db, "SELECT gateway_id FROM sms_inbox") == [("new",)]
    assert store.msisdn(B) == NUMBER_B
