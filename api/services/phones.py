"""Normalising phone numbers (MSISDN) to E.164, Danish numbers by default."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"\+[1-9]\d{7,14}")


def normalize_msisdn(raw: str) -> str | None:
    """ "+45 12 34 56 78", "004512345678", "4512345678", "12345678" -> "+4512345678"; else None."""
    number = _SEPARATORS.sub("", raw.strip())
    if re.fullmatch(r"\d{8}", number):  # a Danish number without country code
        number = "+45" + number
    elif number.startswith("00"):
        number = "+" + number[2:]
    elif re.fullmatch(r"45\d{8}", number):
        number = "+" + number
    if not _E164.fullmatch(number):
        return None
    if number.startswith("+45") and len(number) != 11:
        return None
    return number
