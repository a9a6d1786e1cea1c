"""The fake gateway (tools/fake_gateway.py) the demo and the tests rely on: its send API, its
failure switch, its signed webhooks, and the `text` command shown in docs/sms.md."""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sms_fakes import GATEWAY_TOKEN, WEBHOOK_SECRET, get_json, post

from bot.sms.signature import HEADER, IncomingSms, verify_incoming
from tools import fake_gateway
from tools.fake_gateway import FakeGateway, FakeGatewayServer


class EchoBot(ThreadingHTTPServer):
    """A stand-in bot: checks the signature like the SMS channel and answers by SMS."""

    daemon_threads = True

    def __init__(self, gateway_url: str) -> None:
        bot = self
        self.gateway_url = gateway_url
        self.received: list[IncomingSms] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    sms = IncomingSms.from_body(
                        verify_incoming(self.headers.get(HEADER), raw, WEBHOOK_SECRET)
                    )
                    status = 200
                except Exception:
                    status, sms = 401, None
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if sms is not None:
                    bot.received.append(sms)
                    post(
                        f"{bot.gateway_url}/rest/mtsms",
                        {
                            "message": f"Ekko: {sms.message}",
                            "recipients": [{"msisdn": int(sms.msisdn[1:])}],
                        },
                        {
                            "Content-Type": "application/json",
                            "Authorization": f"Token {GATEWAY_TOKEN}",
                        },
                    )

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/webhook"


@pytest.fixture()
def gateway():
    server = FakeGatewayServer(FakeGateway(None, WEBHOOK_SECRET, GATEWAY_TOKEN))
    server.start_in_thread()
    bot = EchoBot(server.url)
    server.fake.webhook_url = bot.url
    yield server, bot
    for s in (server, bot):
        s.shutdown()
        s.server_close()


def test_text_command_shows_a_two_way_conversation(gateway, capsys) -> None:
    server, bot = gateway
    code = fake_gateway.main(
        [
            "text",
            "--gateway",
            server.url,
            "--from",
            "4500000101",
            "hvornår er mit møde?",
            "--wait",
            "5",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["+4500000101 > hvornår er mit møde?", "+4500000101 < Ekko: hvornår er mit møde?"]
    [sms] = bot.received
    assert (sms.msisdn, sms.receiver, sms.message) == (
        "+4500000101",
        "4500000000",
        "hvornår er mit møde?",
    )


@pytest.mark.parametrize("signature", ["missing", "wrong", "mismatch"])
def test_it_can_send_badly_signed_webhooks(gateway, signature: str) -> None:
    server, bot = gateway
    status, answer = post(
        f"{server.url}/_fake/incoming",
        {"msisdn": 4500000101, "message": "hej", "signature": signature},
    )
    assert status == 200 and answer["status"] == 401
    assert bot.received == []


def test_send_api_requires_the_token_in_any_of_gateway_apis_forms(gateway) -> None:
    server, _ = gateway
    body = {"message": "hej", "recipients": [{"msisdn": 4500000101}]}
    assert post(f"{server.url}/rest/mtsms", body)[0] == 401
    basic = base64.b64encode(f"{GATEWAY_TOKEN}:".encode()).decode()
    status, answer = post(
        f"{server.url}/rest/mtsms",
        body,
        {"Content-Type": "application/json", "Authorization": f"Basic {basic}"},
    )
    assert status == 200 and len(answer["ids"]) == 1
    assert post(f"{server.url}/rest/mtsms?token={GATEWAY_TOKEN}", body)[0] == 200
    assert len(get_json(f"{server.url}/_fake/sent?to=4500000101")["messages"]) == 2


def test_it_fails_on_demand_and_counts_attempts(gateway) -> None:
    server, _ = gateway
    headers = {"Content-Type": "application/json", "Authorization": f"Token {GATEWAY_TOKEN}"}
    body = {"message": "hej", "recipients": [{"msisdn": 4500000101}]}
    post(f"{server.url}/_fake/fail", {"count": 2, "status": 503})
    statuses = [post(f"{server.url}/rest/mtsms", body, headers)[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert get_json(f"{server.url}/_fake/stats") == {
        "send_attempts": 3,
        "failed_attempts": 2,
        "sent": 1,
    }
    post(f"{server.url}/_fake/fail", {"count": -1})
    assert [post(f"{server.url}/rest/mtsms", body, headers)[0] for _ in range(3)] == [503] * 3
    post(f"{server.url}/_fake/fail", {"count": 0})
    assert post(f"{server.url}/rest/mtsms", body, headers)[0] == 200


def test_incoming_ids_do_not_repeat_after_a_restart() -> None:
    """The bot remembers gateway ids for days: a restarted fake must not reuse them."""
    before_ms = int(time.time() * 1000)
    assert next(FakeGateway(None, WEBHOOK_SECRET, None)._mo_ids) >= before_ms


def test_the_run_command_starts_the_fake_gateway_with_generated_secrets(tmp_path) -> None:
    from tools.run_system import SystemConfig, ensure_secrets, process_env, services

    secrets = ensure_secrets(tmp_path, {})
    for name in ("KK_SMS_WEBHOOK_SECRET", "KK_SMS_GATEWAY_TOKEN", "KK_SMS_HMAC_KEY"):
        assert len(secrets[name]) >= 32
    cfg = SystemConfig.from_env(
        {"KK_SMS_GATEWAY_PORT": "15080", "KK_RASA_PORT": "15005"}, data_dir=tmp_path
    )
    env = process_env(cfg, secrets, {})
    assert env["KK_SMS_GATEWAY_URL"] == "http://127.0.0.1:15080"
    assert env["KK_SMS_WEBHOOK_URL"] == "http://127.0.0.1:15005/webhooks/sms/webhook"
    assert env["KK_SMS_HMAC_KEY"] == secrets["KK_SMS_HMAC_KEY"]
    fake = services(cfg, env)["sms_gateway"]
    assert fake.cmd[1:4] == ["-m", "tools.fake_gateway", "serve"] and "15080" in fake.cmd
    # With a real gateway configured, no fake one is started and its URL is passed through.
    real = {"KK_SMS_GATEWAY_URL": "https://gatewayapi.eu"}
    cfg_real = SystemConfig.from_env(real, data_dir=tmp_path)
    env_real = process_env(cfg_real, secrets, real)
    assert env_real["KK_SMS_GATEWAY_URL"] == "https://gatewayapi.eu"
    assert "sms_gateway" not in services(cfg_real, env_real)
