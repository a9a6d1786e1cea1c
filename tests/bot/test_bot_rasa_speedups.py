"""The cached validation of action-server responses accepts and refuses what Rasa's does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import bot.channels  # noqa: F401  (installs the speed-up, as the Rasa server does)


def action() -> RemoteAction:
    return RemoteAction("action_x", None)


def test_installed_and_valid_response_passes() -> None:
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_speedups"
    assert action()._validate_action_result(
        {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []}
    )


@pytest.mark.parametrize(
    "bad", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 3}]
)
def test_invalid_responses_are_refused_like_rasa(bad) -> None:
    with pytest.raises(ValidationError):
        action()._validate_action_result(bad)
