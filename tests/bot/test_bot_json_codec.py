"""bot/json_codec.py writes the JSON value json.dumps writes, and fails where it fails."""

from __future__ import annotations

import json
import math

import pytest

from bot import json_codec

VALUES = [
    {"event": "user", "text": "Hvornår får jeg min ydelse? æøå ÆØÅ “citat” 😀", "timestamp": 1.7e9},
    {"url": "https://www.kk.dk/jobcenter", "path": "a/b\\c", "nested": [1, 2.5, None, True]},
    {"confidence": 0.1 + 0.2, "big": 2**62, "small": 1e-300, "neg": -0.0, "empty": {}},
    ["\x00\x1f control", "\u2028\u2029", "tab\tnew\nline"],
]


@pytest.mark.parametrize("value", VALUES)
def test_the_same_json_value_as_the_standard_library(value) -> None:
    text = json_codec.dumps(value)
    assert json.loads(text) == json.loads(json.dumps(value))
    assert text.isascii()  # ensure_ascii, as json.dumps
    assert "\\/" not in text


def test_nan_is_written_as_the_standard_library_writes_it() -> None:
    value = {"x": math.nan, "y": math.inf, "z": -math.inf}
    assert json_codec.dumps(value) == json.dumps(value, separators=(",", ":"))


def test_what_json_cannot_encode_fails_as_it_does() -> None:
    with pytest.raises(TypeError):
        json_codec.dumps({"x": object()})
