import pytest

from kkshared.pii import (
    CPR_PLACEHOLDER,
    EMAIL_PLACEHOLDER,
    PHONE_PLACEHOLDER,
    find_pii,
    mask_pii,
    pii_kinds,
)


@pytest.mark.parametrize(
    "text",
    [
        "010190-1234",
        "0101901234",
        "010190 1234",
        "mit cpr er 311299-4321.",
        "cpr:290200-1111",  # 29 February in a leap year
        "CPR nr 150585‐2222",  # Unicode hyphen from a copy-paste
    ],
)
def test_cpr_variants_are_found_and_masked(text):
    assert pii_kinds(text) == {"cpr"}
    masked = mask_pii(text)
    assert CPR_PLACEHOLDER in masked
    assert not any(ch.isdigit() for ch in masked.replace(CPR_PLACEHOLDER, ""))


@pytest.mark.parametrize(
    "text",
    [
        "320190-1234",  # day 32
        "011390-1234",  # month 13
        "300290-1234",  # 30 February
        "290201-1234",  # 29 February in a year that is never a leap year
        "000190-1234",  # day 0
        "12.345,50 kr.",
        "mødet er 24.12.2026 kl. 10.00",
        "reference FRA-2026-000123",
        "01019012345",  # eleven digits: not a CPR number
    ],
)
def test_things_that_are_not_cpr_numbers(text):
    assert "cpr" not in pii_kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "ring på 23 45 67 89",
        "tlf. 23456789",
        "+45 33 66 33 66",
        "0045 33663366",
        "4523456789",
        "2345 6789",
        "23-45-67-89",
    ],
)
def test_danish_phone_numbers(text):
    assert pii_kinds(text) == {"phone"}
    assert PHONE_PLACEHOLDER in mask_pii(text)


@pytest.mark.parametrize(
    "text", ["ring 1813", "112", "ring 1234 5678", "beløb 1.234.567", "år 2026"]
)
def test_short_and_service_numbers_are_not_phone_numbers(text):
    assert pii_kinds(text) == set()


def test_email_is_masked_and_not_mistaken_for_a_phone_number():
    text = "skriv til anna.jensen+job@example.dk eller 23456789@sms.dk"
    assert [m.kind for m in find_pii(text)] == ["email", "email"]
    assert mask_pii(text) == f"skriv til {EMAIL_PLACEHOLDER} eller {EMAIL_PLACEHOLDER}"


def test_mixed_text_keeps_everything_but_the_personal_data():
    text = "Hej, jeg hedder Anna (010190-1234), tlf 23 45 67 89, og kan ikke komme i morgen."
    assert mask_pii(text) == (
        f"Hej, jeg hedder Anna ({CPR_PLACEHOLDER}), tlf {PHONE_PLACEHOLDER}, "
        "og kan ikke komme i morgen."
    )


def test_positions_point_at_the_match():
    text = "a 010190-1234 b"
    (match,) = find_pii(text)
    assert text[match.start : match.end] == match.text == "010190-1234"


def test_iso_dates_are_not_phone_numbers():
    assert pii_kinds("foretrukne tider: 2026-12-03 kl. 10 eller 2027-01-15") == set()


def test_cpr_in_a_path_is_found():
    assert pii_kinds("/citizens/010190-1234/meetings") == {"cpr"}
