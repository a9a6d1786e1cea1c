"""The X-Gwapi-Signature check and the incoming-message shape (unit level; the HTTP answers
and "nothing stored" are checked against a running Rasa server in test_sms_channel_e2e.py)."""

from __future__ import annotations

import json

import jwt
import pytest
from sms_fakes import WEBHOOK_SECRET, mo_body, signed_headers

from bot.sms.identity import phone_hash, sms_identity, tracker_id
from bot.sms.signature import (
    IncomingSms,
    InvalidMessage,
    SignatureError,
    verify_claims,
    verify_incoming,
)
from kkshared.identity import ChannelIdentity
from tools.fake_gateway import sign_jwt

BODY = mo_body(4500000101, "hvornår er mit næste møde?", 1000001)
RAW = json.dumps(BODY).encode()


def _token(body=BODY, secret=WEBHOOK_SECRET, **changes) -> str:
    return signed_headers(body, secret, **changes)["X-Gwapi-Signature"]


def test_a_gateway_signed_body_is_accepted() -> None:
    assert verify_incoming(_token(), RAW, WEBHOOK_SECRET) == BODY


def test_the_fake_gateways_tokens_are_standard_jwts() -> None:
    key = "k" * 32
    claims = jwt.decode(sign_jwt({"id": 1, "message": "æøå"}, key), key, algorithms=["HS256"])
    assert claims == {"id": 1, "message": "æøå"}


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_signature(token) -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify_incoming(token, RAW, WEBHOOK_SECRET)


def test_wrong_secret_garbage_and_unsigned_tokens_are_refused() -> None:
    unsigned = jwt.encode(dict(BODY), key=None, algorithm="none")
    for token in (
        _token(secret="another-secret"),
        "not.a.jwt",
        "abc",
        unsigned,
        jwt.encode(dict(BODY), WEBHOOK_SECRET * 2, algorithm="HS512"),
    ):
        with pytest.raises(SignatureError):
            verify_incoming(token, RAW, WEBHOOK_SECRET)


@pytest.mark.parametrize(
    "field, value",
    [
        ("message", "STOP"),
        ("msisdn", 4500000102),
        ("id", 1000002),
        ("receiver", 4599999999),
        ("senttime", 1),
        ("msisdn", "4500000101"),
    ],
)
def test_claims_must_match_the_body(field: str, value) -> None:
    with pytest.raises(SignatureError, match="do not match"):
        verify_incoming(_token(**{field: value}), RAW, WEBHOOK_SECRET)


def test_a_signed_field_missing_from_the_claims_is_refused() -> None:
    claims = {k: v for k, v in BODY.items() if k != "message"}
    with pytest.raises(SignatureError):
        verify_incoming(sign_jwt(claims, WEBHOOK_SECRET), RAW, WEBHOOK_SECRET)


def test_a_signed_delivery_report_passes_the_signature_but_is_no_sms() -> None:
    report = {"id": 1000001, "msisdn": 4500000101, "time": 1450000000, "status": "DELIVERED"}
    body = verify_incoming(
        sign_jwt(report, WEBHOOK_SECRET), json.dumps(report).encode(), WEBHOOK_SECRET
    )
    with pytest.raises(InvalidMessage):
        IncomingSms.from_body(body)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"\xff\xfe", json.dumps({"id": 1}).encode()])
def test_a_valid_token_with_another_or_broken_body_is_refused(raw: bytes) -> None:
    with pytest.raises(SignatureError):
        verify_incoming(_token(), raw, WEBHOOK_SECRET)


def test_expired_token_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify_claims(_token(exp=1), WEBHOOK_SECRET)


def test_incoming_sms_shape() -> None:
    sms = IncomingSms.from_body(BODY)
    assert (sms.gateway_id, sms.msisdn, sms.receiver) == ("1000001", "+4500000101", "4500000000")
    assert sms.message == BODY["message"]
    for bad in (
        {**BODY, "msisdn": "abc"},
        {**BODY, "msisdn": True},
        {**BODY, "message": 5},
        {**BODY, "id": None},
        {**BODY, "message": "x" * 1601},
        {**BODY, "receiver": "x"},
    ):
        with pytest.raises(InvalidMessage):
            IncomingSms.from_body(bad)


def test_the_tracker_id_is_a_keyed_hash_not_the_number() -> None:
    hashed = phone_hash("+4512345678", "key-1")
    assert hashed != phone_hash("+4512345678", "key-2")
    assert "12345678" not in tracker_id(hashed) and tracker_id(hashed) == "sms:" + hashed
    assert len(hashed) == 64


def test_metadata_contract() -> None:
    known, unknown = sms_identity("u-1"), sms_identity(None)
    assert known.to_metadata() == {"kk": {"channel": "sms", "subject": "u-1", "role": "citizen"}}
    assert unknown.to_metadata() == {"kk": {"channel": "sms", "subject": None, "role": None}}
    # What the actions read back (kkshared.identity): a citizen, and an anonymous SMS caller.
    assert ChannelIdentity.from_metadata(known.to_metadata()).is_citizen
    back = ChannelIdentity.from_metadata(unknown.to_metadata(), "sms")
    assert back.over_sms and back.is_anonymous
