"""The logged-in kk channel with identity-provider tokens (KK_OIDC_*), served by Sanic in-process
the way Rasa registers it, against a local OpenID Connect issuer (tests/shared/oidc_issuer.py).

Accepted tokens reach Rasa as ``kk:<derived subject>:<sender>`` with the verified subject and role
in the metadata (and /juridisk only for a jurist); refused ones answer 401 with a reason before
anything reaches Rasa: wrong issuer or audience, expired, alg none, HS256 signed with the public
key, no sub, unmapped role, a withdrawn key, and demo tokens outside demo mode.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import count

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic_server import serve
from web_fakes import ReadyAgent

from bot.channels.kk import LEGAL_PAYLOAD, KKInput
from bot.settings import BotSettings, load_settings
from kkshared.identity import ChannelIdentity
from kkshared.oidc import derive_subject
from kkshared.user_tokens import create_user_token
from tests.shared.oidc_issuer import SUBJECT_KEY, FakeIssuers, SigningKey, oidc_env

DEMO_SECRET = "oidc-channel-demo-secret-0123456789abcdef"
_apps = count()


pytestmark = pytest.mark.usefixtures("sanic_test_mode")  # conftest.py


@pytest.fixture(scope="module")
def issuers() -> Iterator[FakeIssuers]:
    fake = FakeIssuers()
    for name in ("citizen", "staff", "other"):
        fake.add(name)
    yield fake
    fake.close()


def bot_settings(issuers: FakeIssuers, demo: bool = False) -> BotSettings:
    env = oidc_env(
        issuers,
        KK_JWT_SECRET=DEMO_SECRET,
        KK_SENDER_HMAC_KEY="test-sender-key-0123456789",
        KK_CHAT_RATE_PER_CONVERSATION="0",
        KK_CHAT_RATE_PER_SUBJECT="0",
        KK_DEMO_MODE="true" if demo else "false",
    )
    return load_settings(env)


def exchange(
    settings: BotSettings, requests: list[tuple[str | None, str]]
) -> tuple[list[tuple[int, object]], list[UserMessage]]:
    """POST each (bearer token, message text) to /webhooks/kk/webhook; answers and what reached
    Rasa."""
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Svar")

    async def scenario() -> list[tuple[int, object]]:
        app = Sanic(f"oidc_channel_test_{next(_apps)}")
        app.ctx.agent = ReadyAgent()
        channel = KKInput(settings)
        app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/kk")
        url, stop = await serve(app, "/webhooks/kk/webhook")
        answers = []
        try:
            async with aiohttp.ClientSession() as session:
                for token, text in requests:
                    headers = {"Content-Type": "application/json"}
                    if token is not None:
                        headers["Authorization"] = f"Bearer {token}"
                    body = json.dumps({"sender": "web1", "message": text})
                    async with session.post(url, data=body, headers=headers) as response:
                        answers.append((response.status, await response.json()))
        finally:
            await stop()
        return answers

    return asyncio.run(asyncio.wait_for(scenario(), timeout=120)), received


def identity(message: UserMessage) -> ChannelIdentity:
    return ChannelIdentity.from_metadata(message.metadata)


def test_issuer_tokens_are_accepted_with_the_derived_subject(issuers) -> None:
    citizen, staff = issuers.issuers["citizen"], issuers.issuers["staff"]
    citizen_token = citizen.token(sub="mitid-1", cpr="0101901234")
    jurist_token = staff.token(sub="entra-1", roles=["KK.Jurist"])
    answers, received = exchange(
        bot_settings(issuers),
        [
            (citizen_token, "hej"),
            (jurist_token, "/juridisk"),
            (citizen_token, "/juridisk"),
        ],
    )
    assert [status for status, _ in answers] == [200, 200, 200]
    citizen_subject = derive_subject(SUBJECT_KEY, citizen.url, "mitid-1")
    jurist_subject = derive_subject(SUBJECT_KEY, staff.url, "entra-1")
    assert [m.sender_id for m in received] == [
        f"kk:{citizen_subject}:web1",
        f"kk:{jurist_subject}:web1",
        f"kk:{citizen_subject}:web1",
    ]
    assert identity(received[0]) == ChannelIdentity("kk", citizen_subject, "citizen")
    assert identity(received[1]) == ChannelIdentity("kk", jurist_subject, "jurist")
    assert received[1].text == LEGAL_PAYLOAD  # legal mode for the jurist ...
    assert received[2].text != LEGAL_PAYLOAD  # ... not for the citizen
    assert "0101901234" not in json.dumps([m.metadata for m in received])


def test_a_rotated_key_is_accepted_and_a_withdrawn_one_refused(issuers) -> None:
    citizen = issuers.issuers["citizen"]
    old, new = citizen.keys[0], SigningKey.rsa()
    settings = bot_settings(issuers)
    issuers.publish("citizen", new)
    issuers.withdraw("citizen", old)
    try:
        answers, received = exchange(
            settings, [(citizen.token(new, sub="mitid-2"), "hej"), (citizen.token(old), "hej")]
        )
    finally:
        issuers.publish("citizen", old)
        issuers.withdraw("citizen", new)
    assert answers[0][0] == 200 and len(received) == 1
    assert answers[1][0] == 401 and "does not list" in answers[1][1]["detail"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _handmade(issuers: FakeIssuers, alg: str, secret: bytes | None) -> str:
    citizen = issuers.issuers["citizen"]
    header = {"alg": alg, "typ": "JWT", "kid": citizen.keys[0].kid}
    claims = citizen.claims()
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    return (
        f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"
    )


def test_bad_tokens_are_refused_with_401_and_a_reason(issuers) -> None:
    citizen, staff = issuers.issuers["citizen"], issuers.issuers["staff"]
    demo = create_user_token("u-demo", "admin", DEMO_SECRET, ttl=timedelta(minutes=5))
    cases = [
        (None, "missing bearer token"),
        (issuers.issuers["other"].token(), "from another issuer"),
        (citizen.token(aud="another-client"), "another audience"),
        (citizen.token(exp=int(time.time()) - 600), "expired"),
        (citizen.token(nbf=int(time.time()) + 600), "not valid yet"),
        (_handmade(issuers, "none", None), "algorithm is not allowed"),
        (_handmade(issuers, "HS256", citizen.keys[0].public_pem()), "demo mode only"),
        (citizen.token(sub=None), "no 'sub' claim"),
        (staff.token(roles=["Everyone"]), "maps to no role"),
        (demo, "demo mode only"),
    ]
    answers, received = exchange(bot_settings(issuers), [(t, "hej") for t, _ in cases])
    assert received == []
    for (status, body), (_, reason) in zip(answers, cases, strict=True):
        assert status == 401 and reason in body["detail"], (reason, body)


def test_demo_mode_accepts_demo_tokens_as_well(issuers) -> None:
    demo = create_user_token("u-demo", "citizen", DEMO_SECRET, ttl=timedelta(minutes=5))
    issuer_token = issuers.issuers["citizen"].token(sub="mitid-3")
    answers, received = exchange(
        bot_settings(issuers, demo=True), [(demo, "hej"), (issuer_token, "hej")]
    )
    assert [status for status, _ in answers] == [200, 200]
    assert received[0].sender_id == "kk:u-demo:web1"
    assert identity(received[1]).subject == derive_subject(
        SUBJECT_KEY, issuers.issuers["citizen"].url, "mitid-3"
    )


def test_without_issuer_and_demo_mode_every_token_is_refused(issuers) -> None:
    settings = load_settings({"KK_JWT_SECRET": DEMO_SECRET, "KK_DEMO_MODE": "false"})
    demo = create_user_token("u-demo", "citizen", DEMO_SECRET, ttl=timedelta(minutes=5))
    answers, received = exchange(
        settings, [(demo, "hej"), (issuers.issuers["citizen"].token(), "hej")]
    )
    assert received == []
    assert all(s == 401 and "not configured for logins" in b["detail"] for s, b in answers)
