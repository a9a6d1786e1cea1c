"""Settings the case service reads from the environment, the legal-guidance ones included."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.core.config import DEFAULT_SERVICE_TOKEN, Settings
from api.legal import config as legal_config
from kkshared import defaults


def test_defaults_are_the_shared_published_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KK_SERVICE_TOKEN", raising=False)
    monkeypatch.delenv("KK_JWT_SECRET", raising=False)
    assert DEFAULT_SERVICE_TOKEN == defaults.DEFAULT_SERVICE_TOKEN
    settings = Settings()
    assert settings.service_token == defaults.DEFAULT_SERVICE_TOKEN
    assert settings.jwt_secret == defaults.DEFAULT_JWT_SECRET


def test_legal_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KK_LEGAL_ENCODER", "KK_LEGAL_NOTES_DIR", "KK_LEGAL_SOURCE_PASSAGES"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert legal_config.encoder_name(settings) == "bm25"
    assert legal_config.make_encoder(settings) is None
    assert legal_config.notes_dir(settings) is None
    assert legal_config.source_passages_enabled(settings) is True


def test_legal_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("KK_LEGAL_ENCODER", " BM25 ")
    monkeypatch.setenv("KK_LEGAL_NOTES_DIR", f" {tmp_path} ")
    monkeypatch.setenv("KK_LEGAL_SOURCE_PASSAGES", "off")
    settings = Settings()
    assert settings.legal_encoder == "bm25"
    assert legal_config.notes_dir(settings) == Path(str(tmp_path))
    assert legal_config.source_passages_enabled(settings) is False


@pytest.mark.parametrize(
    ("raw", "enabled"),
    [("1", True), ("true", True), ("on", True), ("  ", True), ("0", False), ("No", False)],
)
def test_source_passages_switch(monkeypatch: pytest.MonkeyPatch, raw: str, enabled: bool) -> None:
    monkeypatch.setenv("KK_LEGAL_SOURCE_PASSAGES", raw)
    assert Settings().legal_source_passages is enabled


def test_an_unknown_encoder_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KK_LEGAL_ENCODER", "bert")
    with pytest.raises(ValidationError, match="KK_LEGAL_ENCODER must be one of bm25, e5"):
        Settings()
