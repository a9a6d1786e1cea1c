"""Test doubles for the SMS channel tests: a case-service stub (real HTTP on loopback), a fake
Rasa bridge, settings, and helpers to post signed webhooks.

The fake SMS gateway itself is tools/fake_gateway.py (the same one the demo uses).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from rasa.shared.core.events import BotUttered

from bot.settings import SmsSettings
from tools.fake_gateway import sign_jwt

WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"
GATEWAY_TOKEN = "test-gateway-token"
HMAC_KEY = "test-hmac-key-0123456789"
SERVICE_TOKEN = "test-service-token"
KNOWN_MSISDN = 4500000101  # a citizen with a login user
KNOWN_NO_LOGIN_MSISDN = 4500000103  # a citizen without a login user
UNKNOWN_MSISDN = 4522334455
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Citizen:
    citizen_id: str
    user_id: str | None
    sms_opt_out: bool = False


@dataclass
class CaseServiceState:
    citizens: dict[str, Citizen] = field(
        default_factory=lambda: {
            "+4500000101": Citizen("c-borger", "u-borger"),
            "+4500000103": Citizen("c-nologin", None),
            "+4500000104": Citizen("c-stopper", "u-stopper"),
        }
    )
    fail_with: int | None = None  # answer every request with this status
    lookups: list[str] = field(default_factory=list)
    opt_out_calls: list[tuple] = field(default_factory=list)
    bad_tokens: int = 0
    requests: list[tuple] = field(default_factory=list)  # (method, path, X-Subject or None)
    lookup_delay: float = 0.0  # seconds each phone lookup takes (a slow case service)
    lookup_servers: list[tuple[str, str]] = field(default_factory=list)  # (stub name, number)


class JsonHandler(BaseHTTPRequestHandler):
    """A stand-in server's handler: no request log, JSON answers."""

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _CaseHandler(JsonHandler):
    server: CaseServiceStub

    def _guard(self) -> bool:
        state = self.server.state
        state.requests.append((self.command, self.path, self.headers.get("X-Subject")))
        if self.headers.get("X-Service-Token") != SERVICE_TOKEN:
            state.bad_tokens += 1
            self._json(401, {"detail": "service token required"})
            return False
        if state.fail_with:
            self._json(state.fail_with, {"detail": "stub failure"})
            return False
        return True

    def do_GET(self) -> None:
        path = urllib.request.unquote(self.path)
        match = re.fullmatch(r"/service/citizens/by-phone/(.+)", path)
        if not self._guard():
            return
        if not match:  # the own-case endpoints the actions call are not served here
            return self._json(404, {"detail": "not found"})
        state = self.server.state
        number = match.group(1)
        state.lookups.append(number)
        state.lookup_servers.append((self.server.name, number))
        if state.lookup_delay:
            time.sleep(state.lookup_delay)
        citizen = state.citizens.get(number)
        if citizen is None:
            return self._json(404, {"detail": "citizen not found"})
        self._json(
            200,
            {
                "citizen_id": citizen.citizen_id,
                "user_id": citizen.user_id,
                "sms_opt_out": citizen.sms_opt_out,
                "preferred_channel": "sms",
            },
        )

    def do_POST(self) -> None:
        match = re.fullmatch(r"/service/citizens/([^/]+)/sms-opt-out", self.path)
        if not self._guard():
            return
        if not match:
            return self._json(404, {"detail": "not found"})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        state = self.server.state
        for citizen in state.citizens.values():
            if citizen.citizen_id == match.group(1):
                citizen.sms_opt_out = bool(body["opt_out"])
                state.opt_out_calls.append((citizen.citizen_id, citizen.sms_opt_out))
                return self._json(
                    200, {"citizen_id": citizen.citizen_id, "sms_opt_out": citizen.sms_opt_out}
                )
        self._json(404, {"detail": "citizen not found"})


class StandInServer(ThreadingHTTPServer):
    """A stand-in HTTP server on a free loopback port, serving from a thread of its own."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)

    def start(self) -> None:
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class CaseServiceStub(StandInServer):
    def __init__(self, state: CaseServiceState | None = None, name: str = "case") -> None:
        super().__init__(_CaseHandler)
        self.state = state or CaseServiceState()
        self.name = name  # several stubs may share one state (one per Rasa process)
        self.start()


def settings(db_url: str, gateway_url: str | None, api_url: str, **overrides: Any) -> SmsSettings:
    values = dict(
        webhook_secret=WEBHOOK_SECRET,
        hmac_key=HMAC_KEY,
        gateway_url=gateway_url,
        gateway_token=GATEWAY_TOKEN,
        sender=None,
        keyword=None,
        db_url=db_url,
        api_url=api_url,
        service_token=SERVICE_TOKEN,
        retry_base=0.05,
        retry_max=0.2,
        poll_interval=0.05,
        lookup_grace=30.0,
        turn_timeout=10.0,
    )
    values.update(overrides)
    return SmsSettings(**values)


def environment(db_url: str, gateway_url: str, api_url: str) -> dict[str, str]:
    """The same settings as environment variables, for a Rasa server process."""
    return {
        "KK_SMS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "KK_SMS_HMAC_KEY": HMAC_KEY,
        "KK_SMS_GATEWAY_URL": gateway_url,
        "KK_SMS_GATEWAY_TOKEN": GATEWAY_TOKEN,
        "KK_SMS_DB_URL": db_url,
        "KK_API_URL": api_url,
        "KK_SERVICE_TOKEN": SERVICE_TOKEN,
        "KK_SMS_RETRY_BASE_SECONDS": "0.2",
        "KK_SMS_RETRY_MAX_SECONDS": "1",
        "KK_SMS_POLL_SECONDS": "0.2",
    }


def mo_body(msisdn: int, message: str, gateway_id: int, receiver: int = 4500000000) -> dict:
    return {
        "id": gateway_id,
        "msisdn": msisdn,
        "receiver": receiver,
        "message": message,
        "senttime": int(time.time()),
        "webhook_label": "test",
    }


def signed_headers(body: dict, secret: str = WEBHOOK_SECRET, **claim_changes: Any) -> dict:
    claims = dict(body, api=4)
    claims.update(claim_changes)
    return {"Content-Type": "application/json", "X-Gwapi-Signature": sign_jwt(claims, secret)}


def post(
    url: str, body: dict | None = None, headers: dict | None = None, raw: bytes | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers=headers or {"Content-Type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get_json(url: str) -> Any:
    with _opener.open(url, timeout=10) as response:
        return json.loads(response.read())


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class FakeTrackerStore:
    def __init__(self) -> None:
        self.events: dict[str, list] = {}
        self.slots: dict[str, dict[str, Any]] = {}  # sender id -> slot values ("language")

    async def retrieve(self, sender_id: str):
        if sender_id not in self.events and sender_id not in self.slots:
            return None
        slots = self.slots.get(sender_id, {})
        return type(
            "Tracker",
            (),
            {"events": self.events.get(sender_id, []), "get_slot": lambda _, key: slots.get(key)},
        )()


class FakeBridge:
    """Stands in for Rasa: records each turn and answers with ``answer(text)``'s messages."""

    def __init__(self, answer: Callable[[str], list[dict[str, Any]]] | None = None) -> None:
        self.turns: list[dict[str, Any]] = []
        self.store = FakeTrackerStore()
        self.answer = answer or (lambda text: [{"text": f"Svar på: {text}"}])
        self.is_ready = True
        self.delay = 0.0  # seconds each turn takes

    def ready(self) -> bool:
        return self.is_ready

    @property
    def tracker_store(self) -> FakeTrackerStore:
        return self.store

    async def handle(
        self, text: str, sender_id: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]:
        self.turns.append(
            {"text": text, "sender_id": sender_id, "metadata": metadata, "message_id": message_id}
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        messages = self.answer(text)
        events = self.store.events.setdefault(sender_id, [])
        for message in messages:
            data = {"buttons": message["buttons"]} if message.get("buttons") else {}
            events.append(BotUttered(message.get("text"), data))
        return [dict(m, recipient_id=sender_id) for m in messages]
