"""GatewayAPI webhook authentication and the incoming-message (MO SMS) shape.

GatewayAPI signs each webhook call with a JWT (HS256, the secret chosen when the webhook was set
up) in the ``X-Gwapi-Signature`` header; the token's claims are the fields of the JSON body (plus
extras such as ``api``). An incoming SMS looks like::

    {"id": 1000001, "msisdn": 4587654321, "receiver": 451204, "message": "foo Hello World",
     "senttime": 1450000000, "webhook_label": "test"}

``verify_incoming`` checks, in this order, and before anything is stored:

1. the header is present and the token verifies with the shared secret (HS256 only);
2. the raw body is a JSON object and each field the channel uses (``id``, ``msisdn``,
   ``receiver``, ``message``, ``senttime``) that is in the body or in the claims is in both with
   the same value, so a valid token cannot be replayed with another body. (An authentic body
   without one of them, e.g. a delivery report sent to this URL, passes here and is then
   refused by ``IncomingSms.from_body``.)

Any failure raises ``SignatureError`` (HTTP 401; the reason is safe to log, it has no user data).
Only then is the body validated (``IncomingSms.from_body``), which raises ``InvalidMessage``.
Body fields that are not signed are never read.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from kkshared.phone import normalize_msisdn

HEADER = "X-Gwapi-Signature"
# The body fields the channel reads; each must be signed with the same value.
SIGNED_FIELDS = ("id", "msisdn", "receiver", "message", "senttime")
MAX_MESSAGE_CHARS = 1600  # ten concatenated GSM segments; longer bodies are not SMS


class SignatureError(Exception):
    """The request is not authentically from the gateway (HTTP 401)."""


class InvalidMessage(ValueError):
    """An authentic request that is not a usable incoming SMS."""


@dataclass(frozen=True)
class IncomingSms:
    gateway_id: str
    msisdn: str  # E.164, e.g. "+4512345678"
    receiver: str  # the number (or short code) the citizen wrote to, digits
    message: str
    senttime: int | None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> IncomingSms:
        raw_id = body.get("id")
        if (
            isinstance(raw_id, bool)
            or not isinstance(raw_id, (int, str))
            or not str(raw_id).strip()
        ):
            raise InvalidMessage("'id' must be a number or a non-empty string")
        gateway_id = str(raw_id).strip()
        if len(gateway_id) > 40:
            raise InvalidMessage("'id' is too long")
        msisdn = normalize_msisdn(body.get("msisdn"))
        if msisdn is None:
            raise InvalidMessage("'msisdn' must be a phone number with country code")
        receiver = body.get("receiver")
        if isinstance(receiver, bool) or not isinstance(receiver, (int, str)):
            raise InvalidMessage("'receiver' must be a number")
        receiver_digits = str(receiver).strip().lstrip("+")
        if not receiver_digits.isdigit() or len(receiver_digits) > 15:
            raise InvalidMessage("'receiver' must be a number")
        message = body.get("message")
        if not isinstance(message, str):
            raise InvalidMessage("'message' must be a string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidMessage("'message' is too long")
        senttime = body.get("senttime")
        if senttime is not None:
            if isinstance(senttime, bool) or not isinstance(senttime, (int, float)):
                raise InvalidMessage("'senttime' must be a UNIX timestamp")
            senttime = int(senttime)
        return cls(gateway_id, msisdn, receiver_digits, message, senttime)


def _same(claim: Any, value: Any) -> bool:
    """Equal values of the same JSON type (1 and "1" differ; 1 and 1.0 do not)."""
    if isinstance(claim, bool) or isinstance(value, bool):
        return claim is value
    if isinstance(claim, (int, float)) and isinstance(value, (int, float)):
        return claim == value
    return type(claim) is type(value) and claim == value


def verify_claims(token: str | None, secret: str) -> dict:
    """The token's claims, or SignatureError when it is missing or does not verify."""
    if not token or not token.strip():
        raise SignatureError(f"missing {HEADER} header")
    try:
        with warnings.catch_warnings():
            # GatewayAPI lets the customer choose the secret; PyJWT warns on every call when it
            # is shorter than 32 bytes. The channel warns once at start instead.
            warnings.simplefilter("ignore")
            claims = jwt.decode(
                token.strip(), secret, algorithms=["HS256"], options={"require": []}
            )
    except jwt.InvalidTokenError as error:
        raise SignatureError(f"invalid signature ({type(error).__name__})") from None
    if not isinstance(claims, dict):
        raise SignatureError("invalid signature (claims are not an object)")
    return claims


def verify_incoming(token: str | None, raw_body: bytes, secret: str) -> dict:
    """The JSON body of an authentic webhook call (see the module docstring)."""
    claims = verify_claims(token, secret)
    try:
        body = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SignatureError("the body is not the signed JSON") from None
    if not isinstance(body, dict):
        raise SignatureError("the body is not the signed JSON")
    for field in SIGNED_FIELDS:
        if field in claims or field in body:
            if field not in claims or field not in body or not _same(claims[field], body[field]):
                raise SignatureError(f"the signed claims do not match the body ({field})")
    return body
