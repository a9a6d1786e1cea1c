"""Is a piece of user input text at all? Characters no person types and no channel can store.

JSON lets a client send ``"\\ud800"`` (half of a UTF-16 surrogate pair, which is not a character
and cannot be encoded as UTF-8), NUL and other control characters, and Unicode's
non-characters (U+FFFE, U+FFFF, U+FDD0-U+FDEF and the last two code points of every plane).
They break storage (the tracker store, the SMS inbox) and mean nothing to the NLU, so the channels
refuse them before anything else happens. Tabs, line breaks, private-use characters, emoji and
U+FFFD (the replacement character) are ordinary text.

Standard library only.
"""

from __future__ import annotations

import re

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, LF, CR), DEL and C1
_SURROGATE = "\ud800-\udfff"
_NONCHARACTER = "\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
_INVALID = re.compile(f"[{_CONTROL}{_SURROGATE}{_NONCHARACTER}]")


def invalid_character(text: str) -> str | None:
    """What the first character that is not text is (e.g. "U+D800, a lone surrogate"), or None."""
    match = _INVALID.search(text)
    if match is None:
        return None
    code = ord(match.group(0))
    if code == 0:
        kind = "NUL"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif code < 0xA0:
        kind = "a control character"
    else:
        kind = "a non-character"
    return f"U+{code:04X}, {kind}"


def is_readable(text: str) -> bool:
    """True when ``text`` contains only characters a person can have written."""
    return _INVALID.search(text) is None
