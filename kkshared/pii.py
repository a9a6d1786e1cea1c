"""Detection and masking of personal data in free text: CPR numbers, Danish phone numbers, e-mails.

**CPR numbers**: ten digits whose first six are a valid date (DDMMYY: a real day of a real
month; 29 February in every year divisible by four, as the century follows from the serial).
There is deliberately no modulus-11 check, because many CPR numbers issued since 2007 fail it.
Written forms: together (``1311804425``), with a dash or a space before the serial
(``131180-4425``, ``131180 4425``), with the date in groups (``13.11.80-4425``,
``13 11 80 4425``, ``13-11-80-4425``, ``13/11/80-4425``) and the serial in pairs
(``13 11 80 44 25``). Any dash (hyphen, non-breaking hyphen, en/em dash, minus) and any space
(ordinary, non-breaking, narrow, thin) count. Within the date the separator is the same
throughout, and a grouped date needs a separator before the serial, so a date followed by a
year or a time (``13.11.2026 14 00``) is not a CPR number.

**Phone numbers**: Danish eight-digit numbers, together (``23456789``), in pairs with the same
separator throughout (``23 45 67 89``, ``23-45-67-89``, ``23.45.67.89``) or in two groups of
four (``2345 6789``). With a country code (``+45``, ``(+45)``, ``0045``, or ``45`` written
together with the number) any eight digits count; without one the first digit must be 2-9,
because numbers starting with 1 are short service numbers (1813) and 0 is never used. Two
four-digit groups that are both years (``2019-2026``) are a period, not a phone number.

What is not personal data and stays: dates (``24.12.2026``, ``2026-12-03``, ``13.11.80``),
kroner amounts (``12.500 kr``, ``1.234,50 kr.``), times (``kl. 10.00``, ``10.00-12.00``), years
and reference numbers (``FRA-2026-000001``). ``tests/shared/test_pii_forms.py`` holds the table.

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

# Separators people (and their keyboards and word processors) put between digit groups.
_SPACE = "[ \u00a0\u2007\u2009\u202f]"  # space, no-break, figure, thin, narrow no-break
_DASH = "[\\-\u2010\u2011\u2012\u2013\u2014\u2212]"  # hyphen(-minus), dashes, minus sign
_ANY_SEPARATOR = "[.,/\\-\u2010\u2011\u2012\u2013\u2014\u2212]"

# A number does not start right after a digit, nor after a digit and a separator (the tail of
# "FRA-2026-..." or "1.234..."), and does not continue with a digit or a separator and a digit.
_START = rf"(?<!\d)(?<!\d{_ANY_SEPARATOR})"
_END = rf"(?!\d)(?!{_ANY_SEPARATOR}\d)"

# CPR: the date part, either six digits or three pairs with one separator throughout.
_DATE_SEPARATORS = (_SPACE, rf"\.{_SPACE}?", _DASH, "/")
_GROUPED_DATE = "|".join(rf"\d\d{s}\d\d{s}\d\d" for s in _DATE_SEPARATORS)
_SERIAL_SEPARATOR = rf"(?:{_SPACE}*{_DASH}{_SPACE}*|{_SPACE}|\.|/)"
_SERIAL = rf"(?:\d{{4}}|\d\d{_SPACE}\d\d)"
_CPR = re.compile(
    _START
    + rf"(?:\d{{6}}{_SERIAL_SEPARATOR}?|(?:{_GROUPED_DATE}){_SERIAL_SEPARATOR})"
    + _SERIAL
    + _END
)

# Phone: eight digits together, in pairs (one separator throughout) or in two groups of four.
_PAIR_SEPARATORS = (_SPACE, _DASH, r"\.")
_EIGHT_DIGITS = "|".join(
    [r"\d{8}"]
    + [rf"\d\d{s}\d\d{s}\d\d{s}\d\d" for s in _PAIR_SEPARATORS]
    + [rf"\d{{4}}{s}\d{{4}}" for s in (_SPACE, _DASH)]
)
_COUNTRY_CODE = rf"(?:\(\s*(?:\+|00)45\s*\)|(?:\+|00)45){_SPACE}?(?:{_DASH}{_SPACE}?)?"
_PHONE = re.compile(
    # Not inside a word, right after a "+" or dash ("abc23456789", "FRA-23456789") or after a
    # digit and a separator ("1,23456789").
    r"(?<![\w+\-])"
    + rf"(?<!\d{_ANY_SEPARATOR})"
    + rf"(?:{_COUNTRY_CODE}(?:{_EIGHT_DIGITS})|45\d{{8}}|(?=[2-9])(?:{_EIGHT_DIGITS}))"
    + _END
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)

# "2026-12-03" has the shape of a phone number written in pairs; it is a date.
_ISO_DATE = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
# "2019-2026", "2019 2026": a period of years, not a phone number in two groups of four.
_YEAR_PERIOD = re.compile(rf"(?:19|20)\d\d(?:{_SPACE}*{_DASH}{_SPACE}*|{_SPACE})(?:19|20)\d\d")
_NOT_DIGIT = re.compile(r"\D")

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
        digits = _NOT_DIGIT.sub("", match.group(0))
        day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
        if _is_valid_cpr_date(day, month, year) and not _overlaps(
            match.start(), match.end(), found
        ):
            found.append(PiiMatch("cpr", match.start(), match.end(), match.group(0)))
    for match in _PHONE.finditer(text):
        number = match.group(0)
        if _ISO_DATE.fullmatch(number) or _YEAR_PERIOD.fullmatch(number):
            continue
        if not _overlaps(match.start(), match.end(), found):
            found.append(PiiMatch("phone", match.start(), match.end(), number))
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
