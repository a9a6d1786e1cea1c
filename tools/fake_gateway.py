"""A fake GatewayAPI for the demo and the tests: a real HTTP server on loopback (stdlib only).

It accepts the send API the bot uses, records what was sent, can fail on demand, and plays the
citizen's phone: it posts signed incoming-SMS webhooks to the bot.

    python3 -m tools.fake_gateway serve [--port 5080] [--webhook-url URL] [--receiver 4500000000]
    python3 -m tools.fake_gateway text [--from 4500000101] "hvornår er mit næste møde?"
    python3 -m tools.fake_gateway sent [--to 4500000101]
    python3 -m tools.fake_gateway fail [--count 3] [--status 503] | --down | --up

``serve`` reads the shared secrets from the environment (``KK_SMS_WEBHOOK_SECRET`` signs the
webhooks, ``KK_SMS_GATEWAY_TOKEN`` is the token the send API accepts), falling back to
``var/secrets.env`` like ``./kk run``. The other commands talk to a running fake gateway
(``--gateway``, default ``KK_SMS_GATEWAY_URL`` or http://127.0.0.1:5080).

HTTP endpoints:

- ``POST /rest/mtsms``: GatewayAPI's send API (``Authorization: Token <token>``, HTTP Basic with
  the token as user name, or ``?token=``); answers ``{"ids": [...], "usage": {...}}``;
- ``GET /_fake/health``; ``GET /_fake/sent`` (``?to=<msisdn>&after=<id>``); ``DELETE /_fake/sent``;
- ``GET /_fake/stats``: ``{"send_attempts": n, "failed_attempts": n, "sent": n}``;
- ``POST /_fake/fail`` ``{"count": 3, "status": 503}`` (``count`` -1 = until told otherwise,
  0 = stop failing);
- ``POST /_fake/incoming`` ``{"msisdn": 4500000101, "message": "hej"}`` (optional ``id`` to
  repeat a delivery, ``signature``: ``"valid"`` | ``"missing"`` | ``"wrong"`` | ``"mismatch"``)
  -> ``{"id", "status", "body"}`` with the bot's answer to the webhook.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_PORT = 5080
DEFAULT_RECEIVER = 4500000000  # the demo "short number" citizens write to (not a real number)
DEFAULT_FROM = 4500000101  # demo-borger's registered (deliberately invalid) phone number
SECRETS_FILE = Path(__file__).resolve().parents[1] / "var" / "secrets.env"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_jwt(claims: dict, secret: str) -> str:
    """An HS256 JWT, the way GatewayAPI signs its webhooks."""
    header = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def _from_secrets_file(name: str) -> str | None:
    try:
        for line in SECRETS_FILE.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == name and value.strip():
                return value.strip()
    except OSError:
        pass
    return None


def setting(name: str) -> str | None:
    return os.environ.get(name) or _from_secrets_file(name)


class FakeGateway:
    """State and behaviour; ``FakeGatewayServer`` puts it on HTTP."""

    def __init__(
        self,
        webhook_url: str | None,
        webhook_secret: str | None,
        token: str | None,
        receiver: int = DEFAULT_RECEIVER,
    ) -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.token = token
        self.receiver = receiver
        self.lock = threading.Lock()
        self.sent: list[dict] = []
        self.send_attempts = 0
        self.failed_attempts = 0
        self.fail_count = 0
        self.fail_status = 503
        self._message_ids = itertools.count(900000001)
        self._mo_ids = itertools.count(int(time.time() * 1000))  # unique across restarts

    # --- send API ----------------------------------------------------------------------------

    def authorized(self, headers, query: dict) -> bool:
        if not self.token:
            return True
        auth = headers.get("Authorization") or ""
        if auth.startswith("Token ") and hmac.compare_digest(auth[6:].strip(), self.token):
            return True
        if auth.startswith("Basic "):
            try:
                user = base64.b64decode(auth[6:].strip()).decode().split(":", 1)[0]
            except (ValueError, UnicodeDecodeError):
                return False
            return hmac.compare_digest(user, self.token)
        return hmac.compare_digest((query.get("token") or [""])[0], self.token)

    def send(self, body: object) -> tuple[int, dict]:
        with self.lock:
            self.send_attempts += 1
            if self.fail_count:
                self.failed_attempts += 1
                if self.fail_count > 0:
                    self.fail_count -= 1
                return self.fail_status, {
                    "message": "fake gateway failure (on demand)",
                    "code": "0x0000",
                }
            messages = body if isinstance(body, list) else [body]
            ids = []
            for message in messages:
                if not isinstance(message, dict) or not isinstance(message.get("message"), str):
                    return 422, {"message": "message is required"}
                recipients = message.get("recipients")
                if not isinstance(recipients, list) or not recipients:
                    return 422, {"message": "recipients is required"}
                for recipient in recipients:
                    msisdn = recipient.get("msisdn") if isinstance(recipient, dict) else None
                    if not str(msisdn or "").isdigit():
                        return 400, {"message": "invalid msisdn"}
                    message_id = next(self._message_ids)
                    ids.append(message_id)
                    self.sent.append(
                        {
                            "id": message_id,
                            "msisdn": int(msisdn),
                            "message": message["message"],
                            "sender": message.get("sender"),
                            "encoding": message.get("encoding", "UTF8"),
                            "max_parts": message.get("max_parts"),
                            "userref": message.get("userref"),
                            "time": time.time(),
                        }
                    )
            return 200, {
                "ids": ids,
                "usage": {"countries": {"DK": len(ids)}, "currency": "DKK", "total_cost": 0.0},
            }

    # --- incoming SMS (the citizen's phone) -----------------------------------------------------

    def incoming(self, request: dict) -> tuple[int, dict]:
        if not self.webhook_url:
            return 409, {"detail": "no --webhook-url configured"}
        try:
            msisdn = int(str(request.get("msisdn", DEFAULT_FROM)).lstrip("+"))
        except ValueError:
            return 400, {"detail": "msisdn must be digits"}
        message = request.get("message")
        if not isinstance(message, str):
            return 400, {"detail": "message is required"}
        mo_id = request.get("id") or next(self._mo_ids)
        body = {
            "id": mo_id,
            "msisdn": msisdn,
            "receiver": int(request.get("receiver") or self.receiver),
            "message": message,
            "senttime": int(time.time()),
            "webhook_label": "kk-demo",
        }
        mode = request.get("signature", "valid")
        claims = dict(body, api=4)
        headers = {"Content-Type": "application/json"}
        if mode == "valid":
            headers["X-Gwapi-Signature"] = sign_jwt(claims, self.webhook_secret or "")
        elif mode == "wrong":
            headers["X-Gwapi-Signature"] = sign_jwt(claims, (self.webhook_secret or "") + "x")
        elif mode == "mismatch":
            headers["X-Gwapi-Signature"] = sign_jwt(
                dict(claims, message="noget andet"), self.webhook_secret or ""
            )
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.webhook_url, data=data, headers=headers, method="POST")
        try:
            with _opener.open(req, timeout=30) as resp:
                status, answer = resp.status, resp.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            return 502, {"id": mo_id, "detail": f"the bot did not answer: {error}"}
        try:
            parsed = json.loads(answer or b"null")
        except ValueError:
            parsed = answer.decode("utf-8", "replace")
        return 200, {"id": mo_id, "status": status, "body": parsed}


class _Handler(BaseHTTPRequestHandler):
    server: FakeGatewayServer

    def log_message(self, format: str, *args) -> None:  # quiet: no numbers or texts on stderr
        pass

    def _json(self, status: int, payload: object) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> object:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            form = urllib.parse.parse_qs(raw.decode("utf-8"))
            return {
                "message": (form.get("message") or [None])[0],
                "recipients": [
                    {"msisdn": v[0]} for k, v in sorted(form.items()) if k.startswith("recipients.")
                ],
            }
        return json.loads(raw.decode("utf-8"))

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        fake = self.server.fake
        if url.path == "/_fake/health":
            return self._json(200, {"status": "ok"})
        if url.path == "/_fake/sent":
            to = (query.get("to") or [None])[0]
            after = int((query.get("after") or ["0"])[0])
            with fake.lock:
                rows = [
                    m
                    for m in fake.sent
                    if m["id"] > after and (to is None or str(m["msisdn"]) == to.lstrip("+"))
                ]
            return self._json(200, {"messages": rows})
        if url.path == "/_fake/stats":
            with fake.lock:
                return self._json(
                    200,
                    {
                        "send_attempts": fake.send_attempts,
                        "failed_attempts": fake.failed_attempts,
                        "sent": len(fake.sent),
                    },
                )
        return self._json(404, {"message": "not found"})

    def do_DELETE(self) -> None:
        if urllib.parse.urlsplit(self.path).path == "/_fake/sent":
            with self.server.fake.lock:
                self.server.fake.sent.clear()
            return self._json(200, {"status": "cleared"})
        return self._json(404, {"message": "not found"})

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        fake = self.server.fake
        try:
            body = self._body()
        except (ValueError, UnicodeDecodeError):
            return self._json(422, {"message": "invalid json request body"})
        if url.path == "/rest/mtsms":
            if not fake.authorized(self.headers, urllib.parse.parse_qs(url.query)):
                return self._json(401, {"message": "invalid API token", "code": "0x0101"})
            return self._json(*fake.send(body))
        if url.path == "/_fake/fail":
            with fake.lock:
                fake.fail_count = int(body.get("count", 1))
                fake.fail_status = int(body.get("status", 503))
            return self._json(200, {"fail_count": fake.fail_count, "status": fake.fail_status})
        if url.path == "/_fake/incoming":
            return self._json(*fake.incoming(body if isinstance(body, dict) else {}))
        return self._json(404, {"message": "not found"})


class FakeGatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGateway, port: int = 0, host: str = "127.0.0.1") -> None:
        super().__init__((host, port), _Handler)
        self.fake = fake

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="fake-gateway", daemon=True)
        thread.start()
        return thread


# --- command line --------------------------------------------------------------------------------


def _call(gateway: str, method: str, path: str, payload: object | None = None) -> object:
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    req = urllib.request.Request(
        gateway.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with _opener.open(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        raise SystemExit(
            f"fake gateway answered HTTP {error.code}: {error.read()[:300]!r}"
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise SystemExit(f"no fake gateway at {gateway} ({error}); is ./kk run running?") from error


def _default_gateway() -> str:
    return os.environ.get("KK_SMS_GATEWAY_URL") or f"http://127.0.0.1:{DEFAULT_PORT}"


def cmd_serve(args: argparse.Namespace) -> int:
    secret = setting("KK_SMS_WEBHOOK_SECRET")
    token = setting("KK_SMS_GATEWAY_TOKEN")
    if not secret:
        print(
            "KK_SMS_WEBHOOK_SECRET is not set: incoming messages cannot be signed", file=sys.stderr
        )
    fake = FakeGateway(args.webhook_url, secret, token, args.receiver)
    server = FakeGatewayServer(fake, args.port, args.host)
    print(f"fake SMS gateway on {server.url} (webhook: {args.webhook_url or 'none'})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_text(args: argparse.Namespace) -> int:
    gateway = args.gateway or _default_gateway()
    to = str(args.sender).lstrip("+")
    before = _call(gateway, "GET", f"/_fake/sent?to={to}")["messages"]
    last_id = max((m["id"] for m in before), default=0)
    print(f"+{to} > {args.message}")
    result = _call(
        gateway,
        "POST",
        "/_fake/incoming",
        {
            "msisdn": to,
            "message": args.message,
            "signature": args.signature,
            **({"id": args.id} if args.id else {}),
        },
    )
    if result.get("status") != 200:
        print(f"  (webhook answered HTTP {result.get('status')}: {result.get('body')})")
        return 1
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        replies = _call(gateway, "GET", f"/_fake/sent?to={to}&after={last_id}")["messages"]
        if replies:
            time.sleep(0.3)  # a reply may come in more than one SMS
            replies = _call(gateway, "GET", f"/_fake/sent?to={to}&after={last_id}")["messages"]
            for reply in replies:
                indented = reply["message"].replace("\n", "\n    ")
                print(f"+{to} < {indented}")
            return 0
        time.sleep(0.25)
    print(f"  (no reply within {args.wait:.0f} s; webhook status: {result.get('body')})")
    return 2


def cmd_sent(args: argparse.Namespace) -> int:
    gateway = args.gateway or _default_gateway()
    query = f"?to={str(args.to).lstrip('+')}" if args.to else ""
    for message in _call(gateway, "GET", "/_fake/sent" + query)["messages"]:
        stamp = time.strftime("%H:%M:%S", time.localtime(message["time"]))
        print(f"{stamp} to +{message['msisdn']} ({message['encoding']}): {message['message']}")
    return 0


def cmd_fail(args: argparse.Namespace) -> int:
    gateway = args.gateway or _default_gateway()
    count = -1 if args.down else 0 if args.up else args.count
    print(_call(gateway, "POST", "/_fake/fail", {"count": count, "status": args.status}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m tools.fake_gateway",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the fake gateway")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--webhook-url",
        default=os.environ.get("KK_SMS_WEBHOOK_URL"),
        help="the bot's SMS webhook (default KK_SMS_WEBHOOK_URL)",
    )
    serve.add_argument("--receiver", type=int, default=DEFAULT_RECEIVER)
    serve.set_defaults(fn=cmd_serve)
    text = sub.add_parser("text", help="send an SMS to the bot and print the reply")
    text.add_argument("message")
    text.add_argument("--from", dest="sender", default=str(DEFAULT_FROM))
    text.add_argument("--gateway")
    text.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the reply")
    text.add_argument("--id", help="gateway message id (repeat one to simulate a retry)")
    text.add_argument(
        "--signature", default="valid", choices=("valid", "missing", "wrong", "mismatch")
    )
    text.set_defaults(fn=cmd_text)
    sent = sub.add_parser("sent", help="list what the bot has sent")
    sent.add_argument("--to")
    sent.add_argument("--gateway")
    sent.set_defaults(fn=cmd_sent)
    fail = sub.add_parser("fail", help="make the send API fail")
    fail.add_argument("--count", type=int, default=3)
    fail.add_argument("--status", type=int, default=503)
    fail.add_argument("--down", action="store_true", help="fail until --up")
    fail.add_argument("--up", action="store_true", help="stop failing")
    fail.add_argument("--gateway")
    fail.set_defaults(fn=cmd_fail)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
