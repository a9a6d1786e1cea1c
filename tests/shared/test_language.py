"""kkshared.language: Danish or English, per message and per conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kkshared import language
from kkshared.language import decided_language, detect

# Written from the seeds by a helper who never saw this module (eval/seed_sets/english/README.md).
MIX = yaml.safe_load(
    (
        Path(__file__).resolve().parents[2] / "eval" / "seed_sets" / "english" / "language_mix.yml"
    ).read_text(encoding="utf-8")
)


@pytest.mark.parametrize("text", MIX["danish_with_english_words"])
def test_danish_with_english_words_stays_danish(text):
    # Even a conversation that was in English turns Danish on such a message.
    assert detect(text, current="en") == "da"


@pytest.mark.parametrize("text", MIX["english_with_danish_words"])
def test_english_with_danish_names_is_english(text):
    assert detect(text, current="da") == "en"


def test_the_sets_are_big_enough_for_the_issue():
    assert len(MIX["danish_with_english_words"]) >= 30
    assert len(MIX["english_with_danish_words"]) >= 30


@pytest.mark.parametrize("text", ["ok", "1", "2", "👍", "", "   ", "CV", "weekend", "job"])
def test_a_message_that_says_nothing_keeps_the_conversation_language(text):
    assert decided_language(text) is None
    assert detect(text, current="en") == "en"
    assert detect(text, current="da") == "da"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jeg er syg i dag", "da"),
        ("hvornaar er mit naeste moede", "da"),  # no æøå on the keyboard
        ("I am sick today", "en"),
        ("can I get dagpenge?", "en"),
        ("how do I apply for kontanthjælp", "en"),  # a Danish name does not make it Danish
        ("kontanthjælp", None),  # a name alone says nothing
    ],
)
def test_function_words_decide_not_names(text, expected):
    assert decided_language(text) == expected


def test_without_lingua_the_word_lists_still_decide(monkeypatch):
    monkeypatch.setattr(language, "_detector", lambda: None)
    assert decided_language("what is the deadline") == "en"
    assert decided_language("hvad er fristen") == "da"
    assert decided_language("application status") is None  # only Lingua could tell


def test_lingua_decides_when_no_word_list_word_occurs():
    assert language._detector() is not None, "lingua-language-detector is in both locks"
    assert decided_language("application status") == "en"
