"""Phone numbers in, pseudonyms out: normalisation, the keyed hash, and the channel metadata.

The phone number (MSISDN) never becomes an id: conversations, inbox and outbox rows are keyed by
``phone_hash`` = HMAC-SHA256(KK_SMS_HMAC_KEY, "+4512345678") in hex. Without the key the hash
cannot be reversed by trying all eight-digit numbers. The Rasa conversation id is
``sms:<phone_hash>``.

Standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

TRACKER_PREFIX = "sms:"
_DIGITS = re.compile(r"^\d{8,15}$")


def normalize_msisdn(raw: Any) -> str | None:
    """GatewayAPI's integer MSISDN (4512345678) as E.164 ("+4512345678"); None if implausible.

    Eight digits alone are a Danish number without country code; "+" and a "00" prefix are
    accepted; Danish numbers must have eight digits after 45.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        digits = str(raw)
    elif isinstance(raw, str):
        digits = re.sub(r"[\s\-]", "", raw.strip())
        if digits.startswith("+"):
            digits = digits[1:]
        elif digits.startswith("00"):
            digits = digits[2:]
    else:
        return None
    if not _DIGITS.match(digits) or digits.startswith("0"):
        return None
    if len(digits) == 8:
        digits = "45" + digits
    if digits.startswith("45") and len(digits) != 10:
        return None
    return "+" + digits


def phone_hash(msisdn_e164: str, key: str) -> str:
    """The keyed hash that stands in for a normalised phone number everywhere it is stored."""
    return hmac.new(key.encode("utf-8"), msisdn_e164.encode("ascii"), hashlib.sha256).hexdigest()


def tracker_id(hashed: str) -> str:
    return TRACKER_PREFIX + hashed


def gateway_msisdn(msisdn_e164: str) -> int:
    """The number as GatewayAPI's send API wants it: digits with country code, as an integer."""
    return int(msisdn_e164.lstrip("+"))


def kk_metadata(subject: str | None) -> dict[str, Any]:
    """The identity metadata every channel passes with a ``UserMessage`` (contract with actions/).

    ``subject`` is the case-service user id of the citizen whose registered phone number sent the
    message, or None (unknown number, or the citizen has no login user). Nothing else goes in,
    and nothing comes from the message or the gateway.
    """
    return {
        "kk": {
            "channel": "sms",
            "subject": subject,
            "role": "citizen" if subject else None,
        }
    }
