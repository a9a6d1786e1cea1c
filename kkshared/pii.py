"""Detection and masking of personal data in free text: CPR numbers, Danish phone numbers, e-mails.

CPR numbers are DDMMYY followed by four digits, written together, with a dash or with a space.
Only the date part is validated (a real day of a real month); there is deliberately no modulus-11
check, because many valid CPR numbers issued since 2007 fail it.

Phone numbers are Danish eight-digit numbers (first digit 2-9), optionally prefixed by +45, 0045
or 45, written together or in groups of two or four.

Every channel, the action server and the case service mask with ``mask_pii`` before anything is
stored or logged; the placeholders are what is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CPR_PLACEHOLDER = "[CPR]"
PHONE_PLACEHOLDER = "[TELEFON]"
EMAIL_PLACEHOLDER = "[EMAIL]"
PLACEHOLDERS = {"cpr": CPR_PLACEHOLDER, "phone": PHONE_PLACEHOLDER, "email": EMAIL_PLACEHOLDER}

_DIGIT_EDGE_BEFORE = r"(?<![\d.,-])"
_DIGIT_EDGE_AFTER = r"(?![\d]|[.,/-]\d)"

_CPR = re.compile(
    _DIGIT_EDGE_BEFORE
    + r"(?P<day>[0-3]\d)(?P<month>[01]\d)(?P<year>\d\d)[ \-\u2010-\u2013]?(?P<serial>\d{4})"
    + _DIGIT_EDGE_AFTER
)
_EIGHT_DIGITS = r"\d\d(?:[ \-]?\d\d){3}|\d{4}[ \-]\d{4}"
_PHONE = re.compile(
    r"(?<![\w+\-])"
    # With an explicit country code any eight digits count; without one, Danish subscriber numbers
    # start with 2-9 (numbers starting with 1 are short service numbers such as 1813).
    + rf"(?:(?:\+|00)45[ \-]?(?:{_EIGHT_DIGITS})|(?:45)?(?=[2-9])(?:{_EIGHT_DIGITS}))"
    + _DIGIT_EDGE_AFTER
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)

# "2026-12-03" has the shape of a phone number written in pairs; it is a date.
_ISO_DATE = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # "cpr" | "phone" | "email"
    start: int
    end: int
    text: str


def _is_valid_cpr_date(day: int, month: int, year: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        # The century follows from the serial, so accept 29 February in every year divisible by
        # four (00 included: 2000 was a leap year).
        return year % 4 == 0
    return day <= _DAYS_IN_MONTH[month - 1]


def _overlaps(start: int, end: int, taken: list[PiiMatch]) -> bool:
    return any(start < m.end and m.start < end for m in taken)


def find_pii(text: str) -> list[PiiMatch]:
    """All CPR numbers, phone numbers and e-mail addresses in ``text``, in order of position."""
    found: list[PiiMatch] = []
    for match in _EMAIL.finditer(text):
        found.append(PiiMatch("email", match.start(), match.end(), match.group(0)))
    for match in _CPR.finditer(text):
        day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
        if _is_valid_cpr_date(day, month, year) and not _overlaps(
            match.start(), match.end(), found
        ):
            found.append(PiiMatch("cpr", match.start(), match.end(), match.group(0)))
    for match in _PHONE.finditer(text):
        if _ISO_DATE.fullmatch(match.group(0)):
            continue
        if not _overlaps(match.start(), match.end(), found):
            found.append(PiiMatch("phone", match.start(), match.end(), match.group(0)))
    return sorted(found, key=lambda m: m.start)


def contains_pii(text: str) -> bool:
    return bool(find_pii(text))


def pii_kinds(text: str) -> set[str]:
    """The kinds of personal data found in ``text`` (e.g. {"cpr"})."""
    return {m.kind for m in find_pii(text)}


def mask_pii(text: str) -> str:
    """``text`` with every CPR number, phone number and e-mail replaced by its placeholder."""
    pieces: list[str] = []
    position = 0
    for match in find_pii(text):
        pieces.append(text[position : match.start])
        pieces.append(PLACEHOLDERS[match.kind])
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)
