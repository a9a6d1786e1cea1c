"""Every domain response has its English variation (issue 20; docs/english.md).

The Danish variation stays the default (no condition); next to it, one variation with the
condition ``language == "en"`` per Danish variation and channel, with the same buttons'
payloads, the same custom keys and the same ``{placeholders}``. Rasa's own generator picks the
English one when the slot says so (on the web and on the SMS channel), the Danish one otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from bot_paths import REPO_ROOT

DOMAIN = REPO_ROOT / "bot" / "domain"
ENGLISH = [{"type": "slot", "name": "language", "value": "en"}]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Danish words that must not be left in an English variation (names of places, benefits and
# systems are kept on purpose, with a gloss).
DANISH_WORDS = re.compile(r"\b(og|ikke|jeg|du|din|dit|dine|skriv|kan|med|til|det|er|har)\b")


def all_responses() -> dict[str, list[dict[str, Any]]]:
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (content.get("responses") or {}).items():
            assert name not in responses, f"{name} is defined twice"
            responses[name] = variations
    return responses


RESPONSES = all_responses()


def payloads(variation: dict[str, Any]) -> list[str]:
    return [button["payload"] for button in variation.get("buttons") or []]


def test_there_are_responses_to_check() -> None:
    assert len(RESPONSES) >= 100
    assert "utter_language_set" in RESPONSES


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_exactly_one_english_variation_per_danish_one(name: str) -> None:
    variations = RESPONSES[name]
    danish = [v for v in variations if not v.get("condition")]
    english = [v for v in variations if v.get("condition")]
    assert danish, f"{name}: no Danish default variation (without a condition)"
    assert all(v["condition"] == ENGLISH for v in english), f"{name}: unknown condition"
    for channel in {v.get("channel") for v in danish}:
        same_channel_da = [v for v in danish if v.get("channel") == channel]
        same_channel_en = [v for v in english if v.get("channel") == channel]
        assert len(same_channel_da) == 1, f"{name}: several Danish variations for {channel}"
        assert len(same_channel_en) == 1, (
            f"{name}: {len(same_channel_en)} English variations for channel {channel}"
        )
        da, en = same_channel_da[0], same_channel_en[0]
        assert payloads(en) == payloads(da), f"{name}: the buttons' payloads differ"
        assert sorted(en.get("custom") or {}) == sorted(da.get("custom") or {}), name
        assert set(PLACEHOLDER.findall(en["text"])) == set(PLACEHOLDER.findall(da["text"])), (
            f"{name}: the placeholders differ"
        )
        assert en["text"] != da["text"] or name == "utter_english", f"{name}: not translated"
    assert len(english) == len({v.get("channel") for v in danish}), f"{name}: extra English"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_english_variations_have_no_danish_sentences(name: str) -> None:
    for variation in RESPONSES[name]:
        if variation.get("condition"):
            # Quoted Danish keywords (»afslut«) are what the user types; they may stay.
            text = re.sub(r"»[^«]*«|\([^)]*\)", "", variation["text"])
            assert not DANISH_WORDS.search(text.lower()), f"{name}: {variation['text']}"


def _generate(name: str, language: str | None, channel: str) -> str:
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    generator = TemplatedNaturalLanguageGenerator(RESPONSES)
    filled = {"language": language} if language else {}
    result = generator.generate_from_slots(name, filled, channel)
    assert result is not None
    return str(result["text"])


@pytest.mark.parametrize("channel", ["rest", "kk", "sms"])
def test_rasa_picks_the_english_variation_when_the_slot_is_en(channel: str) -> None:
    # utter_ai_notice has a Danish and an English SMS variation; the others have none.
    english = _generate("utter_ai_notice", "en", channel)
    danish = _generate("utter_ai_notice", "da", channel)
    assert english.startswith(("You are writing", "KK-assistenten is")), english
    assert "CPR number" in english
    assert "Skriv ikke dit CPR-nummer" in danish
    assert _generate("utter_ai_notice", None, channel) == danish
    assert (channel == "sms") == (len(english) < 120)
    assert _generate("utter_greet", "en", channel).startswith("Hello!")
    assert _generate("utter_greet", "da", channel).startswith("Hej!")
    assert _generate("utter_language_set", "en", channel) == "I will now answer in English."
    assert _generate("utter_language_set", "da", channel) == "Nu skriver jeg på dansk."


def test_english_buttons_are_translated_but_send_the_same_payload() -> None:
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    generator = TemplatedNaturalLanguageGenerator(RESPONSES)
    english = generator.generate_from_slots("utter_clarify_suggest", {"language": "en"}, "rest")
    danish = generator.generate_from_slots("utter_clarify_suggest", {"language": "da"}, "rest")
    assert english is not None and danish is not None
    assert [b["title"] for b in english["buttons"]] == ["Yes", "No, something else"]
    assert [b["payload"] for b in english["buttons"]] == [b["payload"] for b in danish["buttons"]]


def test_the_domain_files_are_read_from_the_repository() -> None:
    assert Path(DOMAIN / "language_responses.yml").is_file()
