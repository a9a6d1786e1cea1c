"""The one phone-number normalisation (kkshared.phone), used by both ends of
``/service/citizens/by-phone``: the SMS channel and the case service."""

from __future__ import annotations

import pytest

from kkshared.phone import normalize_msisdn


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # GatewayAPI's integer MSISDN (always with country code)
        (4512345678, "+4512345678"),
        (4500000101, "+4500000101"),
        (46701234567, "+46701234567"),
        (451234567, None),
        (True, None),
        (None, None),
        (12.5, None),
        # what a person or a URL writes
        ("+4512345678", "+4512345678"),
        ("+45 12 34 56 78", "+4512345678"),
        ("+45 00 00 01 01", "+4500000101"),
        ("004512345678", "+4512345678"),
        ("004500000101", "+4500000101"),
        ("4512345678", "+4512345678"),
        ("4500000101", "+4500000101"),
        ("12345678", "+4512345678"),
        ("00000101", "+4500000101"),  # eight digits are a Danish number, even with leading 0s
        ("12-34-56-78", "+4512345678"),
        ("(+45) 12.34.56.78", "+4512345678"),
        ("+46701234567", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("46701234567", "+46701234567"),  # bare digits: an MSISDN with its country code
        # not phone numbers
        ("12345", None),
        ("+45123", None),
        ("+451234567890", None),  # Danish numbers have eight digits
        ("0123", None),
        ("+0123456789", None),  # no country code starts with 0
        ("+1234567890123456", None),  # more than 15 digits
        ("abc", None),
        ("", None),
        ("+", None),
        ("45 12 34 56 78 x", None),
    ],
)
def test_normalize_msisdn(raw, expected) -> None:
    assert normalize_msisdn(raw) == expected


@pytest.mark.parametrize(
    "raw", [4512345678, "+45 12 34 56 78", "00000101", 46701234567, "0046701234567"]
)
def test_the_result_is_a_fixed_point(raw) -> None:
    """What the SMS channel sends to the case service normalises to itself there."""
    e164 = normalize_msisdn(raw)
    assert e164 is not None and normalize_msisdn(e164) == e164
