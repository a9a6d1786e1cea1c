"""The Rasa patches: applied to the Rasa version they were written for only, and the cached
validation of action-server responses accepts and refuses what Rasa's does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import bot.channels  # noqa: F401  (installs the patches, as the Rasa server does)
from bot import rasa_patches


def action() -> RemoteAction:
    return RemoteAction("action_x", None)


def test_installed_and_valid_response_passes() -> None:
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_patches"
    assert action()._validate_action_result(
        {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []}
    )


@pytest.mark.parametrize(
    "bad", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 3}]
)
def test_invalid_responses_are_refused_like_rasa(bad) -> None:
    with pytest.raises(ValidationError):
        action()._validate_action_result(bad)


def test_written_for_the_installed_rasa() -> None:
    import rasa

    assert rasa.__version__ == rasa_patches.RASA_VERSION


def test_another_rasa_version_is_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa

    with pytest.raises(rasa_patches.UnsupportedRasaVersion, match="3.6.21.*3.7.0"):
        rasa_patches.check_rasa_version("3.7.0")
    monkeypatch.setattr(rasa, "__version__", "3.6.20")
    monkeypatch.setattr(rasa_patches, "_INSTALLED", False)
    original = RemoteAction._validate_action_result
    with pytest.raises(rasa_patches.UnsupportedRasaVersion):
        rasa_patches.install()
    assert RemoteAction._validate_action_result is original  # nothing patched on refusal
