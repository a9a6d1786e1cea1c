"""Bot messages as one SMS text: no markdown, numbered choices, few segments.

Segments (what the citizen receives and what the job centre pays for):

- GSM 03.38 (7-bit) when every character is in the GSM default alphabet or its extension table.
  The default alphabet includes æ ø å Æ Ø Å (and é, ü, ä, ö, ...). Extension characters
  (``^ { } \\ [ ~ ] | €``) take two septets. One SMS holds 160 septets; a concatenated message
  153 per segment, and an escape pair is never split.
- UCS-2 as soon as any other character appears: 70 UTF-16 units in one SMS, 67 per segment of a
  concatenated message (a surrogate pair is never split).

Before counting, typographic punctuation in the bot's texts (»« “” ’ – — … non-breaking space)
is replaced by its GSM look-alike, so a single » does not turn a 2-segment answer into a
5-segment UCS-2 one. Letters are never changed.

Buttons become numbered choices ("Svar 1 for Ja eller 2 for Nej."); a reply "1" is mapped back to
the first button's payload by the channel. An answer longer than the segment budget is cut at a
sentence (else word) boundary and ends with a pointer to kk.dk; the choices are never cut.

The channel's own words (choices, the pointer) are Danish msgids of the message catalogue
(``kkshared.i18n``, docs/english.md): in English ("Reply 1 for Yes or 2 for No.") when the
conversation is in English. ``render`` takes the language, or reads it from the bot's own
messages (they are in the conversation's language, the ``language`` slot).

Standard library, Babel (the catalogue) and kkshared.language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kkshared.i18n import N_, _, language_of
from kkshared.language import decided_language

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
_GSM_BASIC_SET = frozenset(GSM_BASIC) - {"\x1b"}  # the escape itself is not text
_GSM_EXTENSION_SET = frozenset(GSM_EXTENSION)

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

CUT_POINTER = N_("Svaret er forkortet. Læs mere på kk.dk.")
ELLIPSIS = "..."

_TYPOGRAPHY = str.maketrans(
    {
        "»": '"',
        "«": '"',
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
        "•": "-",
        "·": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
        "\t": " ",
        "\u200b": None,
        "\u2060": None,
        "\ufeff": None,
    }
)


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str  # "GSM" or "UCS2"
    segments: int


def is_gsm(text: str) -> bool:
    return all(ch in _GSM_BASIC_SET or ch in _GSM_EXTENSION_SET for ch in text)


def encoding_for(text: str) -> str:
    return "GSM" if is_gsm(text) else "UCS2"


def _units(ch: str, encoding: str) -> int:
    if encoding == "GSM":
        return 2 if ch in _GSM_EXTENSION_SET else 1
    return 2 if ord(ch) > 0xFFFF else 1


def split_segments(text: str) -> list[str]:
    """The text as the parts a phone receives (one part if it fits in a single SMS)."""
    encoding = encoding_for(text)
    single, part = (GSM_SINGLE, GSM_PART) if encoding == "GSM" else (UCS2_SINGLE, UCS2_PART)
    units = [_units(ch, encoding) for ch in text]
    if sum(units) <= single:
        return [text]
    parts: list[str] = []
    start, used = 0, 0
    for index, size in enumerate(units):
        if used + size > part:  # never split an escape pair or a surrogate pair
            parts.append(text[start:index])
            start, used = index, 0
        used += size
    parts.append(text[start:])
    return parts


def segment_count(text: str) -> int:
    return len(split_segments(text)) if text else 0


def measure(text: str) -> SmsText:
    return SmsText(text, encoding_for(text), segment_count(text))


def plain_typography(text: str) -> str:
    """Typographic punctuation replaced by GSM look-alikes (letters unchanged)."""
    return text.translate(_TYPOGRAPHY)


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_MD_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_MD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_CODE = re.compile(r"`([^`\n]+)`")
_MD_FENCE = re.compile(r"^\s*```[^\n]*$", re.M)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.M)
_MD_BULLET = re.compile(r"^(\s*)[*+]\s+", re.M)
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_TAG = re.compile(r"</?(?:b|i|u|em|strong|p|span|a)(?:\s[^<>]*)?>", re.I)


def _link(match: re.Match) -> str:
    label, url = match.group(1).strip(), match.group(2).strip()
    if url.startswith("mailto:"):
        url = url[len("mailto:") :]
    if label == url or label == re.sub(r"^https?://", "", url):
        return label
    return f"{label} ({url})"


def strip_markdown(text: str) -> str:
    """Markdown (and the few HTML tags responses use) as plain text."""
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub("", text)
    text = _MD_FENCE.sub("", text)
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(_link, text)
    text = _MD_RULE.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_BULLET.sub(lambda m: f"{m.group(1)}- ", text)
    text = _MD_BOLD.sub(lambda m: m.group(2), text)
    text = _MD_STRIKE.sub(lambda m: m.group(1), text)
    text = _MD_ITALIC_STAR.sub(lambda m: m.group(1), text)
    text = _MD_ITALIC_UNDERSCORE.sub(lambda m: m.group(1), text)
    text = _MD_CODE.sub(lambda m: m.group(1), text)
    lines = [line.rstrip() for line in text.splitlines()]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _clean(text: str) -> str:
    return plain_typography(strip_markdown(text)).strip()


def numbered_choices(titles: Sequence[str], language: str = "da") -> str:
    """The buttons' titles as numbered choices, in order.

    Two short choices fit on one line ("Svar 1 for Ja eller 2 for Nej."); more choices, or
    titles with commas (meeting times), get a line each ("Svar 1 for 24. november kl. 10.00,
    jobsamtale").
    """
    cleaned = [
        _clean(title).rstrip(".!?:") or str(number) for number, title in enumerate(titles, start=1)
    ]
    if not cleaned:
        return ""
    reply = _("Svar {number} for {title}", language)
    if len(cleaned) <= 2 and not any("," in title or "\n" in title for title in cleaned):
        first, *rest = [
            (reply if number == 1 else _("{number} for {title}", language)).format(
                number=number, title=title
            )
            for number, title in enumerate(cleaned, start=1)
        ]
        return _(" eller ", language).join([first, *rest]) + "."
    return "\n".join(
        reply.format(number=number, title=title) for number, title in enumerate(cleaned, start=1)
    )


def _cut_candidates(body: str) -> tuple[list[int], list[int]]:
    """End positions where the body may be cut: sentence ends first, then word ends."""
    sentences = [m.end() for m in re.finditer(r"[.!?:](?=\s)|\n", body)]
    words = [m.start() for m in re.finditer(r"\s", body)]
    return sorted(set(sentences), reverse=True), sorted(set(words), reverse=True)


def fit(body: str, tail: str = "", max_segments: int = 4, language: str = "da") -> str:
    """``body`` + ``tail`` in at most ``max_segments`` segments; the body is cut if needed.

    A cut body ends at a sentence (or, failing that, a word) and is followed by a pointer to
    kk.dk; the tail (numbered choices) is kept whole.
    """

    def join(*pieces: str) -> str:
        return "\n".join(p for p in pieces if p)

    pointer = _(CUT_POINTER, language)
    whole = join(body, tail)
    if segment_count(whole) <= max_segments:
        return whole
    sentence_ends, word_ends = _cut_candidates(body)
    for end in sentence_ends:
        candidate = join(body[:end].rstrip() + " " + pointer, tail)
        if segment_count(candidate) <= max_segments:
            return candidate
    for end in word_ends:
        candidate = join(body[:end].rstrip(" ,;-") + ELLIPSIS + " " + pointer, tail)
        if segment_count(candidate) <= max_segments:
            return candidate
    # Not even the pointer and the choices fit: hard cut, keeping as much as possible.
    text = join(pointer, tail)
    while text and segment_count(text) > max_segments:
        text = text[:-1]
    return text.rstrip()


def messages_language(messages: Iterable[dict[str, Any]]) -> str:
    """The language the bot wrote ``messages`` in ("da" when they do not tell)."""
    text = " ".join(str(message.get("text") or "") for message in messages)
    return language_of(decided_language(text)) if text.strip() else "da"


def render(
    messages: Iterable[dict[str, Any]],
    notice: str | None = None,
    max_segments: int = 4,
    language: str | None = None,
) -> SmsText | None:
    """The SMS for one turn's bot messages (Rasa's ``text``/``buttons`` keys), or None if empty.

    ``notice`` (the PII warning) goes first. Only the last message's buttons are numbered: the
    channel maps a reply "1" to the buttons of the bot's last message. Images, attachments and
    ``custom`` payloads are left out.
    """
    messages = list(messages)
    language = language or messages_language(messages)
    pieces = [_clean(notice)] if notice else []
    for message in messages:
        text = _clean(message.get("text") or "")
        if text:
            pieces.append(text)
    buttons = (
        [b for b in (messages[-1].get("buttons") or []) if isinstance(b, dict)] if messages else []
    )
    titles = [str(b.get("title") or b.get("payload") or "") for b in buttons if b.get("payload")]
    tail = numbered_choices(titles, language)
    body = "\n".join(pieces)
    if not body and not tail:
        return None
    return measure(fit(body, tail, max_segments, language))


def reply_number(text: str) -> int | None:
    """The choice a reply like "1", " 2. ", "nr 3", "svar 1" or "reply 1" names, else None."""
    match = re.fullmatch(
        r"\s*(?:(?:svar|nr\.?|nummer|reply|answer|no\.)\s*)?(\d{1,2})\s*[.)!]?\s*", text, re.I
    )
    return int(match.group(1)) if match else None
