"""SMS rendering: GSM 03.38 vs UCS-2 segments, markdown, numbered choices, cutting, keywords."""

from __future__ import annotations

import pytest

from bot.sms import keywords
from bot.sms.rendering import (
    CUT_POINTER,
    encoding_for,
    fit,
    numbered_choices,
    plain_typography,
    render,
    reply_number,
    segment_count,
    split_segments,
    strip_markdown,
)
from kkshared.i18n import _


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("", "GSM", 0),
        ("a" * 160, "GSM", 1),
        ("a" * 161, "GSM", 2),
        ("a" * 306, "GSM", 2),
        ("a" * 307, "GSM", 3),
        # æ ø å Æ Ø Å are in the GSM default alphabet: still 160 per SMS.
        ("æøåÆØÅ" * 26 + "æøåÆ", "GSM", 1),
        ("Hvornår får jeg min kontanthjælp? " * 5, "GSM", 2),
        # Extension characters take two septets each.
        ("€" * 80, "GSM", 1),
        ("€" * 81, "GSM", 2),
        ("[x]" * 32, "GSM", 1),  # 32 * 5 septets = 160
        ("[x]" * 32 + "x", "GSM", 2),
        # Anything outside GSM makes the whole message UCS-2: 70 / 67 per segment.
        ("ł" + "a" * 69, "UCS2", 1),
        ("ł" + "a" * 70, "UCS2", 2),
        ("ł" + "a" * 133, "UCS2", 2),
        ("ł" + "a" * 134, "UCS2", 3),
        ("Hej 😀", "UCS2", 1),
    ],
)
def test_encoding_and_segment_count(text: str, encoding: str, segments: int) -> None:
    assert encoding_for(text) == encoding
    assert segment_count(text) == segments


def test_escape_pairs_and_surrogate_pairs_are_never_split() -> None:
    # 152 plain septets then a two-septet euro sign: it must move to the next segment.
    parts = split_segments("a" * 152 + "€" + "b" * 10)
    assert parts[0] == "a" * 152 and parts[1].startswith("€")
    emoji_parts = split_segments("a" * 66 + "😀" + "b" * 10)
    assert emoji_parts[0] == "a" * 66 and emoji_parts[1].startswith("😀")
    assert "".join(emoji_parts) == "a" * 66 + "😀" + "b" * 10


def test_typography_does_not_force_ucs2_but_letters_are_kept() -> None:
    text = "Skriv »medarbejder« – så hjælper vi… ‘tak’"
    assert encoding_for(text) == "UCS2"
    plain = plain_typography(text)
    assert plain == "Skriv \"medarbejder\" - så hjælper vi... 'tak'"
    assert encoding_for(plain) == "GSM"
    assert plain_typography("Łódź") == "Łódź"


def test_markdown_is_stripped() -> None:
    text = (
        "# Ydelser\n**Kontanthjælp** udbetales _bagud_. Se [kk.dk](https://kk.dk) eller "
        "[reglerne](https://www.borger.dk/regler).\n* første\n+ anden\n`kode` og snake_case_navn "
        "og 2*3*4<br>slut"
    )
    assert strip_markdown(text) == (
        "Ydelser\nKontanthjælp udbetales bagud. Se kk.dk eller reglerne "
        "(https://www.borger.dk/regler).\n- første\n- anden\nkode og snake_case_navn og 2*3*4\nslut"
    )


def test_buttons_become_numbered_choices() -> None:
    assert numbered_choices(["Ja", "Nej"]) == "Svar 1 for Ja eller 2 for Nej."
    assert numbered_choices(["Vis min næste udbetaling"]) == "Svar 1 for Vis min næste udbetaling."
    # More than two choices, or commas in a title, get a line each.
    assert (
        numbered_choices(["Møde", "Udbetaling", "Andet"])
        == "Svar 1 for Møde\nSvar 2 for Udbetaling\nSvar 3 for Andet"
    )
    assert numbered_choices(["Ja, send", "Nej"]) == "Svar 1 for Ja, send\nSvar 2 for Nej"
    assert (
        numbered_choices(["24. november kl. 10.00, jobsamtale", "Et tilbud"])
        == "Svar 1 for 24. november kl. 10.00, jobsamtale\nSvar 2 for Et tilbud"
    )
    sms = render(
        [
            {
                "text": "Mente du: »Skat af kontanthjælp«?",
                "buttons": [
                    {"title": "Ja", "payload": "/affirm"},
                    {"title": "Nej", "payload": "/deny"},
                ],
            }
        ]
    )
    assert sms.text == 'Mente du: "Skat af kontanthjælp"?\nSvar 1 for Ja eller 2 for Nej.'
    assert (sms.encoding, sms.segments) == ("GSM", 1)


def test_only_the_last_messages_buttons_are_numbered_and_custom_is_dropped() -> None:
    sms = render(
        [
            {"text": "Først", "buttons": [{"title": "Gammel", "payload": "/old"}]},
            {"text": "Svar", "custom": {"source": {"file": "x.pdf"}}, "image": "https://x/y.png"},
        ]
    )
    assert sms.text == "Først\nSvar"


def test_pii_notice_comes_first() -> None:
    sms = render([{"text": "Svar."}], notice="Skriv ikke dit CPR-nummer i en sms.")
    assert sms.text == "Skriv ikke dit CPR-nummer i en sms.\nSvar."


def test_nothing_to_say_is_none() -> None:
    assert render([]) is None
    assert render([{"custom": {"x": 1}}]) is None


def test_long_answers_are_cut_at_a_sentence_with_a_pointer_and_choices_kept() -> None:
    sentences = [f"Dette er sætning nummer {n} om reglerne for kontanthjælp." for n in range(40)]
    body = " ".join(sentences)
    sms = render(
        [
            {
                "text": body,
                "buttons": [
                    {"title": "Ja", "payload": "/affirm"},
                    {"title": "Nej", "payload": "/deny"},
                ],
            }
        ],
        max_segments=3,
    )
    assert sms.segments <= 3
    assert sms.encoding == "GSM"
    text_part, choices = sms.text.rsplit("\n", 1)
    assert choices == "Svar 1 for Ja eller 2 for Nej."
    assert text_part.endswith("kontanthjælp. " + CUT_POINTER)
    assert text_part.startswith(sentences[0])
    # As much as fits: one more sentence would not.
    kept = text_part[: -len(" " + CUT_POINTER)]
    next_sentence = sentences[kept.count(".")]
    assert segment_count(kept + " " + next_sentence + " " + CUT_POINTER + "\n" + choices) > 3


def test_a_single_overlong_sentence_is_cut_at_a_word() -> None:
    sms = render([{"text": "ord " * 400}], max_segments=2)
    assert sms.segments <= 2
    assert sms.text.endswith("ord... " + CUT_POINTER)


def test_ucs2_answers_are_cut_by_ucs2_limits() -> None:
    body = "Ukrainsk: Привіт. " * 30
    sms = render([{"text": body}], max_segments=2)
    assert sms.encoding == "UCS2" and sms.segments <= 2
    assert sms.text.endswith(CUT_POINTER)
    assert fit("kort", "", 1) == "kort"


@pytest.mark.parametrize(
    "text, number", [("1", 1), (" 2 ", 2), ("2.", 2), ("svar 1", 1), ("Nr 3", 3), ("10", 10)]
)
def test_reply_numbers(text: str, number: int) -> None:
    assert reply_number(text) == number


@pytest.mark.parametrize("text", ["1 2", "123", "ja", "1 time", "", "min 1. samtale"])
def test_not_reply_numbers(text: str) -> None:
    assert reply_number(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("STOP", keywords.STOP),
        ("stop", keywords.STOP),
        (" Stop! ", keywords.STOP),
        ("afmeld", keywords.STOP),
        ("START", keywords.START),
        ("HJÆLP", keywords.HELP),
        ("hjaelp", keywords.HELP),
        ("Hjælp?", keywords.HELP),
        ("jeg vil ikke stoppe", None),
        ("stop min ydelse", None),
        ("hjælp mig med skat", None),
    ],
)
def test_keywords(text: str, expected) -> None:
    assert keywords.keyword(text) == expected


@pytest.mark.parametrize("language", ["da", "en"])
def test_fixed_texts_fit_in_one_or_two_gsm_segments(language: str) -> None:
    for text in (
        _(keywords.HELP_TEXT, language),
        _(keywords.STOP_TEXT, language),
        _(keywords.START_TEXT, language),
        _(keywords.RATE_LIMIT_TEXT, language),
        _(keywords.TECHNICAL_ERROR_TEXT, language),
        _(keywords.DID_NOT_UNDERSTAND_TEXT, language),
        _(keywords.NO_ANSWER_TEXT, language),
        keywords.choose_number_text(1, language),
        keywords.choose_number_text(5, language),
    ):
        assert encoding_for(text) == "GSM", text
        assert segment_count(text) <= 3, text
    # One SMS (160 septets) for the number-choice help in both languages.
    assert segment_count(keywords.choose_number_text(12, language)) == 1
