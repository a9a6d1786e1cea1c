"""Phone numbers (MSISDN) to E.164, Danish numbers by default: the one normalisation.

Both ends of ``GET /service/citizens/by-phone/{msisdn}`` use it: the SMS channel normalises the
number a message came from (GatewayAPI sends it as an integer with country code) and sends the
result; the case service normalises the path again before it looks the number up in
``citizens.phone`` (stored as E.164). One function, so the two ends cannot disagree.

Rules:

- separators (spaces, ``-``, ``(``, ``)``, ``.``) are ignored;
- exactly eight digits are a Danish number without country code (``12345678`` ->
  ``+4512345678``). Eight digits can never be an international number written with ``00``,
  which would leave six;
- otherwise ``+`` or ``00`` starts the country code, and bare digits are an MSISDN that already
  has one (``4512345678``, GatewayAPI's ``46701234567``);
- the result has 8 to 15 digits after ``+`` and no leading 0 (a country code never starts
  with 0); a Danish number (``+45``) has exactly eight digits after the country code.

Anything else is None: not a phone number. Standard library only.
"""

from __future__ import annotations

import re
from typing import Any

_SEPARATORS = re.compile(r"[\s\-().]")
_DANISH_NATIONAL = re.compile(r"\d{8}")
_INTERNATIONAL = re.compile(r"[1-9]\d{7,14}")
DANISH_COUNTRY_CODE = "45"


def normalize_msisdn(raw: Any) -> str | None:
    """``raw`` as E.164 (``"+4512345678"``), or None when it is not a plausible phone number.

    ``raw`` is a string as a person or a URL writes it, or GatewayAPI's integer MSISDN.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = str(raw)
    elif isinstance(raw, str):
        number = _SEPARATORS.sub("", raw.strip())
    else:
        return None
    if _DANISH_NATIONAL.fullmatch(number):
        digits = DANISH_COUNTRY_CODE + number
    elif number.startswith("+"):
        digits = number[1:]
    elif number.startswith("00"):
        digits = number[2:]
    else:
        digits = number
    if not _INTERNATIONAL.fullmatch(digits):
        return None
    if digits.startswith(DANISH_COUNTRY_CODE) and len(digits) != 2 + 8:
        return None
    return "+" + digits
