"""The Rasa patches: applied to the Rasa version they were written for only, and the cached
validation of action-server responses accepts and refuses what Rasa's does."""

from __future__ import annotations

import asyncio

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


def _rule_keys_and_states() -> tuple[list[str], list[dict]]:
    """Rule keys as RulePolicy stores them (JSON of a rule's states) from the bot's own rules,
    and conversation states to check them against: every rule state, and each with its
    previous action or user intent changed or dropped."""
    import json

    states = [
        {},
        {"prev_action": {"action_name": "action_listen"}},
        {"user": {"intent": "faq"}, "prev_action": {"action_name": "action_listen"}},
        {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}},
        {"user": {"intent": "faq"}, "prev_action": {"action_name": "action_answer_faq"}},
        {
            "user": {"intent": "inform"},
            "prev_action": {"action_name": "action_listen"},
            "active_loop": {"name": "absence_form"},
            "slots": {"language": (1.0,)},
        },
        {
            "prev_action": {"action_name": "absence_form"},
            "active_loop": {"name": "should_not_be_set"},
        },
    ]
    rules = [
        [states[0], states[2], {"prev_action": {"action_name": "action_answer_faq"}}],
        [states[1], states[3]],
        [states[5], {"prev_action": {"action_name": "absence_form"}}],
        [states[2]],
        [states[6], states[4]],
    ]
    keys = [json.dumps(rule, sort_keys=True) for rule in rules]
    return keys, states


def test_rule_applicability_is_rasas_for_every_rule_turn_and_state() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    assert RulePolicy._is_rule_applicable is rasa_patches._is_rule_applicable
    rasas = rasa_patches.rasa_is_rule_applicable
    assert rasas is not None and rasas is not rasa_patches._is_rule_applicable
    policy = RulePolicy.__new__(RulePolicy)  # the method reads no instance state
    keys, states = _rule_keys_and_states()
    outcomes = set()
    for key in keys:
        for turn in range(4):
            for state in states:
                got = rasa_patches._is_rule_applicable(policy, key, turn, state)
                assert got == rasas(policy, key, turn, state), (key, turn, state)
                outcomes.add(got)
    assert outcomes == {True, False}  # both answers occur, so the comparison means something


def test_possible_rule_keys_are_rasas_for_every_conversation_of_up_to_four_states() -> None:
    import itertools

    from rasa.core.policies.rule_policy import RulePolicy

    assert RulePolicy._get_possible_keys is rasa_patches._get_possible_keys
    rasas = rasa_patches.rasa_get_possible_keys
    assert rasas is not None and rasas is not rasa_patches._get_possible_keys
    policy = RulePolicy.__new__(RulePolicy)  # reads no instance state but the patched method
    keys, states = _rule_keys_and_states()
    lookup = {key: "action" for key in keys}
    sizes = set()
    for length in range(1, 5):
        for conversation in itertools.product(states, repeat=length):
            got = rasa_patches._get_possible_keys(policy, lookup, list(conversation))
            assert got == rasas(policy, lookup, list(conversation)), conversation
            sizes.add(len(got))
    assert 0 in sizes and max(sizes) > 1  # empty and several-key results both occur


class _Request:
    def __init__(
        self, path: str, body: object = None, method: str = "POST", args: dict | None = None
    ) -> None:
        self.method, self.path, self._body = method, path, body
        self.args = args or {}

    @property
    def json(self) -> object:
        if isinstance(self._body, Exception):
            raise self._body
        return self._body


TRIGGER = "/conversations/sms:x/trigger_intent"


@pytest.mark.parametrize(
    ("request_", "kept"),
    [
        (
            _Request(
                TRIGGER,
                {"name": "i", "entities": {"language": "en"}},
                args={"output_channel": "sms"},
            ),
            rasa_patches.TriggerRequest("en", "sms"),
        ),
        (
            _Request(TRIGGER, {"name": "i", "entities": [{"entity": "language", "value": "da"}]}),
            rasa_patches.TriggerRequest("da", None),
        ),
        (
            _Request(TRIGGER, {"name": "i", "entities": {"language": "fr"}}),
            rasa_patches.TriggerRequest(None, None),
        ),
        (_Request(TRIGGER, {"name": "i"}), rasa_patches.TriggerRequest(None, None)),
        (_Request(TRIGGER, ValueError("not json")), rasa_patches.TriggerRequest(None, None)),
        (_Request("/webhooks/rest/webhook", {"entities": {"language": "en"}}), None),
        (_Request(TRIGGER, None, method="GET"), None),
    ],
)
def test_what_a_trigger_intent_request_asks_for_is_kept_for_its_session(request_, kept) -> None:
    async def scenario() -> object:
        # A previous request on the same keep-alive connection.
        rasa_patches._TRIGGER.set(rasa_patches.TriggerRequest("en", "sms"))
        await rasa_patches.remember_trigger_request(request_)
        return rasa_patches._TRIGGER.get()

    assert asyncio.run(scenario()) == kept
