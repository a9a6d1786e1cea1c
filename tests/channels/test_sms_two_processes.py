"""Two Rasa servers share one SMS database (issue 18, item 2): every incoming SMS is answered
exactly once and in order per number, also when one server is killed (SIGKILL) while it holds a
message's lease — the other takes the message over when the lease has run out.

Real processes: one action server, two `rasa run` servers with models/kk.tar.gz on the same
tracker/SMS SQLite database, the fake gateway, and one case-service stub per Rasa server (sharing
their state, so the test sees which server looked a number up). Webhooks are posted to the two
servers in turn, as a load balancer would. Leases and the turn timeout are short for the test
(KK_SMS_INBOX_LEASE_SECONDS, KK_SMS_TURN_TIMEOUT); the tracker cache is off
(KK_TRACKER_CACHE_SIZE=0), so this test does not depend on how the cache is kept in step across
processes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import time
from itertools import cycle
from pathlib import Path

import pytest
from rasa_stack import MODEL
from sms_fakes import (
    GATEWAY_TOKEN,
    WEBHOOK_SECRET,
    CaseServiceState,
    CaseServiceStub,
    mo_body,
    post,
    signed_headers,
    wait_for,
)
from sms_stack import SmsStack

from tools.fake_gateway import FakeGateway, FakeGatewayServer

pytestmark = pytest.mark.skipif(
    not MODEL.exists(), reason="models/kk.tar.gz not trained (the test command trains first)"
)

TURN_TIMEOUT = 30.0  # a real turn on a loaded 2-core machine can take several seconds
LEASE = 35.0
NUMBERS = (4522330001, 4522330002, 4522330003)  # unknown numbers: general answers
TEXTS = ("hej", "hvornår får jeg kontanthjælp?", "hvad er et jobcenter?", "tak for hjælpen")
_ids = iter(range(7_000_000, 8_000_000))


class Pair:
    def __init__(self, workdir: Path) -> None:
        self.state = CaseServiceState()
        self.gateway = FakeGatewayServer(FakeGateway(None, WEBHOOK_SECRET, GATEWAY_TOKEN))
        self.gateway.start_in_thread()
        env = {
            "KK_TRACKER_CACHE_SIZE": "0",
            "KK_SMS_TURN_TIMEOUT": str(TURN_TIMEOUT),
            "KK_SMS_INBOX_LEASE_SECONDS": str(LEASE),
            "KK_SMS_OUTBOX_LEASE_SECONDS": str(LEASE),
        }
        self.servers = {
            name: SmsStack(
                workdir,
                CaseServiceStub(self.state, name=name),
                self.gateway,
                name=name,
                extra_env=env,
            )
            for name in ("rasa-a", "rasa-b")
        }
        first, second = self.servers.values()
        second.actions_port = first.actions_port  # one action server for both
        # All three start at once instead of one after the other (each takes tens of seconds on
        # 2 cores); the SMS tables are migrated before the first Rasa server starts.
        try:
            first.spawn_actions()
            for server in self.servers.values():
                server.spawn_rasa()
            first.wait_for_actions()
            for server in self.servers.values():
                server.wait_for_rasa()
        except BaseException:
            self.stop()
            raise

    @property
    def db(self) -> Path:
        return next(iter(self.servers.values())).tracker_db

    def text(self, server: str, msisdn: int, message: str) -> str:
        gateway_id = str(next(_ids))
        body = mo_body(msisdn, message, int(gateway_id))
        status, answer = post(self.servers[server].webhook_url, body, signed_headers(body))
        assert (status, answer.get("status")) == (200, "accepted"), (status, answer)
        return gateway_id

    def sent(self, msisdn: int | None = None) -> list[dict]:
        fake = self.gateway.fake
        with fake.lock:
            return [m for m in fake.sent if msisdn is None or m["msisdn"] == msisdn]

    def answered_ids(self, msisdn: int) -> list[str]:
        """The gateway ids of the messages the SMS sent to ``msisdn`` answer, in sending order."""
        with sqlite3.connect(self.db) as conn:
            by_outbox = dict(
                conn.execute(
                    "SELECT o.id, i.gateway_id FROM sms_outbox o "
                    "JOIN sms_inbox i ON i.id = o.inbox_id"
                ).fetchall()
            )
        return [by_outbox[int(m["userref"].removeprefix("kk-sms-"))] for m in self.sent(msisdn)]

    def turns(self, msisdn_hash_sender: str) -> list[str]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (msisdn_hash_sender,),
            ).fetchall()
        return [json.loads(row[0])["message_id"] for row in rows]

    def processed_by(self, server: str) -> set[str]:
        log = (self.servers[server].workdir / f"{server}.log").read_text(errors="replace")
        return set(re.findall(r"sms: message (\d+) processed", log))

    def kill(self, server: str) -> None:
        process = self.servers[server].rasa
        assert process is not None and process.poll() is None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        self.servers[server].rasa = None

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop_rasa()
        first = next(iter(self.servers.values()))
        first._stop(first.actions)
        for server in self.servers.values():
            server.case.stop()
        self.gateway.shutdown()
        self.gateway.server_close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    running = Pair(tmp_path_factory.mktemp("sms_pair"))
    yield running
    running.stop()


def _sender(msisdn: int) -> str:
    from sms_fakes import HMAC_KEY

    from bot.sms.identity import phone_hash, tracker_id

    return tracker_id(phone_hash(f"+{msisdn}", HMAC_KEY))


def test_every_message_is_answered_once_and_in_order_by_either_server(pair: Pair) -> None:
    servers = cycle(pair.servers)
    posted: dict[int, list[str]] = {n: [] for n in NUMBERS}
    for text in TEXTS:  # interleaved: each number's messages alternate between the servers
        for msisdn in NUMBERS:
            posted[msisdn].append(pair.text(next(servers), msisdn, text))
    total = len(TEXTS) * len(NUMBERS)
    wait_for(lambda: len(pair.sent()) >= total, timeout=300, interval=0.5)
    time.sleep(2 * 0.2 + 1)  # a duplicate would come within a few polls
    for msisdn in NUMBERS:
        assert pair.answered_ids(msisdn) == posted[msisdn]  # once each, in order
        assert pair.turns(_sender(msisdn)) == [f"sms-{gid}" for gid in posted[msisdn]]
    assert len(pair.sent()) == total
    # Both servers did part of the work (the claims, not the webhook target, decide who).
    done_a, done_b = pair.processed_by("rasa-a"), pair.processed_by("rasa-b")
    assert done_a and done_b and not done_a & done_b
    assert done_a | done_b == {gid for ids in posted.values() for gid in ids}


def test_a_server_killed_while_holding_a_lease_loses_nothing(pair: Pair) -> None:
    msisdn = NUMBERS[0]
    before = len(pair.sent(msisdn))
    lookups = len(pair.state.lookup_servers)
    pair.state.lookup_delay = 8.0  # the message stays leased, mid-processing, for 8 s
    first = pair.text("rasa-a", msisdn, "hvornår har jobcentret åbent?")
    wait_for(lambda: len(pair.state.lookup_servers) > lookups, timeout=60, interval=0.1)
    holder, number = pair.state.lookup_servers[lookups]
    assert number == f"+{msisdn}"
    killed_at = time.monotonic()
    pair.kill(holder)  # SIGKILL: no shutdown, the lease stays taken
    pair.state.lookup_delay = 0.0
    survivor = next(name for name in pair.servers if name != holder)
    # A later message from the same number, to the surviving server: it must wait its turn.
    second = pair.text(survivor, msisdn, "tak")
    wait_for(lambda: len(pair.sent(msisdn)) >= before + 2, timeout=LEASE + 120, interval=0.5)
    time.sleep(1.5)
    assert pair.answered_ids(msisdn)[before:] == [first, second]  # once each, in order
    # Not before the lease ran out: the survivor did not steal a message in progress.
    with sqlite3.connect(pair.db) as conn:
        [(processed_at,)] = conn.execute(
            "SELECT processed_at FROM sms_inbox WHERE gateway_id = ?", (first,)
        ).fetchall()
        [(received_at,)] = conn.execute(
            "SELECT received_at FROM sms_inbox WHERE gateway_id = ?", (first,)
        ).fetchall()
    assert processed_at - received_at >= LEASE - 1
    assert first in pair.processed_by(survivor) and second in pair.processed_by(survivor)
    assert [name for name, _ in pair.state.lookup_servers[lookups:]][:2] == [holder, survivor]
    assert time.monotonic() - killed_at < LEASE + 120
