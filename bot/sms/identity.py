"""Phone numbers in, pseudonyms out: the keyed hash and the identity of an SMS sender.

The phone number (MSISDN) never becomes an id: conversations, inbox and outbox rows are keyed by
``phone_hash`` = HMAC-SHA256(KK_SMS_HMAC_KEY, "+4512345678") in hex. Without the key the hash
cannot be reversed by trying all eight-digit numbers. The Rasa conversation id is
``sms:<phone_hash>``. Numbers are normalised to E.164 first with ``kkshared.phone`` (the same
function the case service uses on its side of ``/service/citizens/by-phone``).
"""

from __future__ import annotations

import hashlib
import hmac

from kkshared.identity import ChannelIdentity

TRACKER_PREFIX = "sms:"


def phone_hash(msisdn_e164: str, key: str) -> str:
    """The keyed hash that stands in for a normalised phone number everywhere it is stored."""
    return hmac.new(key.encode("utf-8"), msisdn_e164.encode("ascii"), hashlib.sha256).hexdigest()


def tracker_id(hashed: str) -> str:
    return TRACKER_PREFIX + hashed


def gateway_msisdn(msisdn_e164: str) -> int:
    """The number as GatewayAPI's send API wants it: digits with country code, as an integer."""
    return int(msisdn_e164.lstrip("+"))


def sms_identity(subject: str | None) -> ChannelIdentity:
    """The identity an SMS turn passes to the actions (``to_metadata()`` on the ``UserMessage``).

    ``subject`` is the case-service user id of the citizen whose registered phone number sent the
    message, or None (unknown number, or the citizen has no login user); the role is
    ``citizen`` exactly when there is a subject. Nothing comes from the message or the gateway.
    """
    return ChannelIdentity(channel="sms", subject=subject, role="citizen" if subject else None)
