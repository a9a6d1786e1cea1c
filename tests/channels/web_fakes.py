"""What the in-process web channel tests share (the REST and kk channels served by
``sanic_server.serve``): a stand-in for Rasa's agent, a demo user's token and the channels'
settings for one test."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
import jwt
import pytest


class ReadyAgent:
    """The part of Rasa's agent the channels use: always ready, with ``tracker_store``."""

    def __init__(self, tracker_store: Any = None) -> None:
        self.tracker_store = tracker_store

    def is_ready(self) -> bool:
        return True


def demo_token(secret: str, sub: str, role: str) -> str:
    """A demo user token (HS256 with ``secret``, valid for 5 minutes)."""
    now = datetime.now(timezone.utc)
    claims = {"sub": sub, "role": role, "iat": int(now.timestamp())}
    claims["exp"] = int((now + timedelta(minutes=5)).timestamp())
    return jwt.encode(claims, secret, algorithm="HS256")


def use_web_channel_settings(monkeypatch: pytest.MonkeyPatch, jwt_secret: str) -> None:
    """Demo tokens signed with ``jwt_secret`` (they count in demo mode only), a sender key, and
    no rate limits."""
    monkeypatch.setenv("KK_JWT_SECRET", jwt_secret)
    monkeypatch.setenv("KK_DEMO_MODE", "true")
    monkeypatch.setenv("KK_SENDER_HMAC_KEY", "test-sender-key-0123456789")
    monkeypatch.setenv("KK_CHAT_RATE_PER_CONVERSATION", "0")
    monkeypatch.setenv("KK_CHAT_RATE_PER_SUBJECT", "0")


async def post_each(
    base: str,
    requests: list[tuple[str, dict, dict]],
    between: Callable[[int], None] | None = None,
) -> list[tuple[int, Any]]:
    """POST each (channel, body, headers) to ``<base>/<channel>/webhook`` in order (``between``
    runs before request i); the (status, JSON) answers. ``json.dumps`` keeps ensure_ascii, so a
    lone surrogate such as "\\ud800" travels as an escape."""
    answers = []
    async with aiohttp.ClientSession() as session:
        for i, (channel, body, headers) in enumerate(requests):
            if between is not None:
                between(i)
            async with session.post(
                f"{base}/{channel}/webhook",
                data=json.dumps(body),
                headers={"Content-Type": "application/json", **headers},
            ) as answer:
                answers.append((answer.status, await answer.json()))
    return answers
