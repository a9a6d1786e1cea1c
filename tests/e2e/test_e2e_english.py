"""English for citizens against the whole system (issue 20): an English question in a new
anonymous REST conversation is answered with the catalogue entry's English version and its
source ("Source: ..."); "DANSK" switches the conversation back and a Danish question then gets the
Danish answer; "ENGLISH" switches it to English again."""

from __future__ import annotations

from conftest import Chat

from kkshared.catalogue_yaml import REPO_ROOT, TRANSLATIONS_DIRS, read_seed, read_translations

ENGLISH = read_translations(REPO_ROOT / TRANSLATIONS_DIRS["en"])
DANISH = read_seed(with_examples=False).by_id()


def _answers(reply: list[dict]) -> list[dict]:
    """The catalogue answers in a reply (the messages with a source)."""
    return [m for m in reply if (m.get("custom") or {}).get("source")]


def test_an_english_question_gets_the_english_answer_and_dansk_switches_back() -> None:
    chat = Chat()
    reply = chat.send("how do I apply for kontanthjælp? where can I find the application")
    [answer] = _answers(reply)
    english_answers = {t.answer for t in ENGLISH.values()}
    assert answer["text"] in english_answers, answer["text"]
    custom = answer["custom"]
    assert custom["language"] == "en"
    assert custom["title"] in {t.title for t in ENGLISH.values()}
    assert custom["source"]["label"].startswith("Source: ")
    assert custom["source"]["date"]

    switched = chat.say("DANSK")
    assert "dansk" in switched.lower()
    reply = chat.send("hvordan søger jeg om kontanthjælp")
    [answer] = _answers(reply)
    assert answer["text"] in {e.answer for e in DANISH.values()}, answer["text"]
    assert answer["custom"]["language"] == "da"
    assert answer["custom"]["source"]["label"].startswith("Kilde: ")

    assert "english" in chat.say("ENGLISH").lower()
