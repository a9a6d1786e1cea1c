"""Emoji in chat messages (bot/nlu/emoji_text.py): left out before ranking, a row of them
recognised; digits, currency, paragraph signs and ASCII smileys are text and stay."""

from __future__ import annotations

import pytest

from bot.nlu.emoji_text import only_emoji, strip_emoji


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("hej 👋 hvordan går det", "hej hvordan går det"),
        ("👍🏽 tak", "tak"),  # skin-tone modifier
        ("👨‍👩‍👧 min familie", "min familie"),  # joiner sequence
        ("1️⃣", "1"),  # keycap: the digit stays
        ("§ 13 og 100 kr. (€)", "§ 13 og 100 kr. (€)"),
        ("ok :)", "ok :)"),
        ("æøå ÆØÅ", "æøå ÆØÅ"),
    ],
)
def test_strip_emoji(text: str, stripped: str) -> None:
    assert strip_emoji(text) == stripped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😀😀😀", True),
        ("👍", True),
        ("🇩🇰 !", True),
        ("❤️", True),
        ("hej 🙂", False),
        (":)", False),  # ASCII smileys are text: ranked as the training data has them
        ("", False),
        ("?", False),
    ],
)
def test_only_emoji(text: str, expected: bool) -> None:
    assert only_emoji(text) is expected
