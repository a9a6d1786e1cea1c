"""The kk channel fails closed without a configured secret outside demo mode."""

from __future__ import annotations

import pytest

from bot.channels.kk import DEMO_JWT_SECRET, jwt_secret
from bot.settings import load_settings


def test_configured_secret_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("KK_DEMO_MODE", "true")
    assert jwt_secret(load_settings()) == "s" * 40


def test_demo_secret_only_in_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KK_JWT_SECRET", raising=False)
    monkeypatch.setenv("KK_DEMO_MODE", "true")
    assert jwt_secret(load_settings()) == DEMO_JWT_SECRET
    monkeypatch.setenv("KK_DEMO_MODE", "false")
    assert jwt_secret(load_settings()) is None
    monkeypatch.delenv("KK_DEMO_MODE")
    assert jwt_secret(load_settings()) is None
