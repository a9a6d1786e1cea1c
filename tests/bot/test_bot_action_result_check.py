"""The fast check of action-server responses (``bot.rasa_patches._compile_fast_check``): it takes
the shapes our action server sends, and it never says "valid" for anything Rasa's schema refuses
(checked against jsonschema on the responses below and thousands of mutations of them)."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

import bot.channels  # noqa: F401  (installs the patches, as the Rasa server does)
from bot import rasa_patches

SCHEMA = RemoteAction.action_response_format_spec()
VALIDATOR = validator_for(SCHEMA)(SCHEMA)
FAST = rasa_patches._compile_fast_check(SCHEMA)


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


# What our actions return (rasa_sdk's serialised events and dispatcher messages).
OURS: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [slot("faq_hit", {"id": "a1", "score": 0.5, "tags": ["x"]})], "responses": []},
    {
        "events": [
            slot("clarify_target", None),
            {"event": "followup", "timestamp": None, "name": "action_x"},
        ],
        "responses": [
            {
                "text": "Hej",
                "buttons": [{"title": "Ja", "payload": "/ja"}],
                "elements": [],
                "custom": {},
                "template": None,
                "response": None,
                "image": None,
                "attachment": None,
            },
        ],
    },
    {
        "events": [
            {"event": "session_started", "timestamp": None},
            {
                "event": "action",
                "timestamp": None,
                "name": "action_listen",
                "policy": None,
                "confidence": None,
            },
            slot("logged_in", True),
            {"event": "active_loop", "timestamp": 1.5, "name": "absence_form"},
        ],
        "responses": [{"response": "utter_ai_notice"}],
    },
    {"responses": [{"text": "kun svar"}]},
    {"events": [slot("n", 3), slot("f", 2.5), slot("l", [1, "a"])]},
    {"events": [{"event": "bot", "text": "hej", "metadata": {"a": 1}, "timestamp": 12}]},
    {
        "events": [
            {
                "event": "user",
                "text": "hej",
                "parse_data": {
                    "intent": {"name": "greet", "confidence": 0.9},
                    "entities": [{"entity": "e", "value": "v", "start": 0, "end": 3}],
                },
            }
        ]
    },
]

INVALID: list[Any] = [
    {"events": "nope"},
    {"events": [{"no_event_key": 1}]},
    {"responses": 3},
    {"responses": ["text"]},
    {"events": [{"event": "slot", "value": 1}]},  # no name
    {"events": [{"event": "slot", "name": 1, "value": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "bot", "timestamp": "now"}]},
    {"events": [{"event": "action", "hide_rule_turn": "yes"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "e"}]}}]},
    {
        "events": [
            {
                "event": "user",
                "parse_data": {"entities": [{"entity": "e", "value": 1, "start": 1.5}]},
            }
        ]
    },
    {"events": [1]},
    [],
    "x",
]


@pytest.mark.parametrize("response", OURS)
def test_our_responses_take_the_fast_path(response: dict[str, Any]) -> None:
    assert VALIDATOR.is_valid(response)
    assert FAST(response)


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_are_never_fast_and_still_refused(response: Any) -> None:
    assert not VALIDATOR.is_valid(response)
    assert not FAST(response)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result(response)


# Values of every JSON type (and Python types JSON does not have) to swap in.
REPLACEMENTS: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -3,
    1.0,
    2.5,
    "",
    "slot",
    "user",
    "bot",
    "action",
    [],
    [1],
    {},
    {"event": "slot"},
    {"event": "slot", "name": "a", "value": 1},
    (1, 2),
    b"x",
]


def mutations(value: Any, rng: random.Random) -> Iterator[Any]:
    """``value`` with one random change deep inside: a value swapped, a key dropped or added."""
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, [*path, key])
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, [*path, index])

    walk(value, [])
    for _ in range(60):
        path = rng.choice(paths)
        mutated = copy.deepcopy(value)
        if not path:
            yield rng.choice(REPLACEMENTS)
            continue
        parent = mutated
        for step in path[:-1]:
            parent = parent[step]
        choice = rng.random()
        if choice < 0.6:
            parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
        elif choice < 0.8 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["event", "name", "value", "text", "x"])] = copy.deepcopy(
                rng.choice(REPLACEMENTS)
            )
        else:
            parent.append(copy.deepcopy(rng.choice(REPLACEMENTS)))
        yield mutated


def test_fast_means_valid_on_mutations() -> None:
    rng = random.Random(16)
    checked = fast = 0
    for seed in OURS + INVALID[:-2]:
        for mutated in mutations(seed, rng):
            for again in [mutated, *list(mutations(mutated, rng))[:5]]:
                checked += 1
                if FAST(again):
                    fast += 1
                    assert VALIDATOR.is_valid(again), again
    assert checked > 3000
    assert 0 < fast < checked  # both outcomes were exercised


def test_unsupported_keywords_are_never_fast() -> None:
    check = rasa_patches._compile_fast_check(
        {"type": "object", "properties": {"a": {"type": "string", "minLength": 2}}}
    )
    assert check({}) is True  # "a" absent: its schema is not needed
    assert check({"a": "abc"}) is False  # not sure: full validation
    not_discriminated = rasa_patches._compile_fast_check(
        {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    )
    assert not_discriminated("x") is False
