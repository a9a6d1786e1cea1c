"""The Danish normalising tokenizer makes æ/ø/å and ae/oe/aa spellings featurise alike."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.danish_tokenizer import DanishNormalizingTokenizer


def _tokens(text: str, mode: str) -> list[str]:
    tokenizer = DanishNormalizingTokenizer(
        {**DanishNormalizingTokenizer.get_default_config(), "mode": mode}
    )
    return [t.text for t in tokenizer.tokenize(Message(data={TEXT: text}), TEXT)]


@pytest.mark.parametrize("mode", ["fold", "restore"])
def test_both_spellings_give_the_same_tokens(mode: str) -> None:
    assert _tokens("Hvornår får jeg KONTANTHJÆLP", mode) == _tokens(
        "hvornaar faar jeg kontanthjaelp", mode
    )


def test_fold_mode_tokens() -> None:
    assert _tokens("Møde på Jobcentret", "fold") == ["moede", "paa", "jobcentret"]


def test_restore_mode_tokens() -> None:
    assert _tokens("moede paa jobcentret", "restore") == ["møde", "på", "jobcentret"]


def test_offsets_point_into_the_original_text_and_the_text_is_kept() -> None:
    tokenizer = DanishNormalizingTokenizer(DanishNormalizingTokenizer.get_default_config())
    message = Message(data={TEXT: "Får jeg penge"})
    tokens = tokenizer.tokenize(message, TEXT)
    assert [(t.start, t.end) for t in tokens] == [(0, 3), (4, 7), (8, 13)]
    assert tokens[0].lemma == "faar"
    assert message.get(TEXT) == "Får jeg penge"


def test_pii_placeholders_stay_one_token() -> None:
    assert _tokens("mit cpr er [CPR]", "fold") == ["mit", "cpr", "er", "cpr"]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        DanishNormalizingTokenizer({**DanishNormalizingTokenizer.get_default_config(), "mode": "x"})
