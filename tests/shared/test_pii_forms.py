"""Written forms of CPR and phone numbers that must be masked, and look-alikes that must not.

The rule (kkshared/pii.py): ten digits whose first six are a valid date (DDMMYY) are a CPR
number; eight digits (with or without +45/0045, in pairs or not) are a phone number. Dates,
kroner amounts, times, years and reference numbers stay as they are.
"""

from __future__ import annotations

import re

import pytest

from kkshared.pii import CPR_PLACEHOLDER, PHONE_PLACEHOLDER, find_pii, mask_pii

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"
EN, EM, MINUS, HYPHEN, NBHYPHEN = "\u2013", "\u2014", "\u2212", "\u2010", "\u2011"

# (text, the kind that must be found, the exact text that must be replaced)
MASKED = [
    # CPR numbers: together, dash, space
    ("1311804425", "cpr", "1311804425"),
    ("131180-4425", "cpr", "131180-4425"),
    ("131180 4425", "cpr", "131180 4425"),
    ("mit cpr er 131180-4425.", "cpr", "131180-4425"),
    ("CPR: 1311804425, tak", "cpr", "1311804425"),
    ("cpr-nr.131180-4425", "cpr", "131180-4425"),
    ("cpr-131180-4425", "cpr", "131180-4425"),
    ("(131180-4425)", "cpr", "131180-4425"),
    ("cpr1311804425", "cpr", "1311804425"),
    # CPR numbers: other dashes and spaces (copy-paste from Word, phones, web forms)
    (f"131180{EN}4425", "cpr", f"131180{EN}4425"),
    (f"131180{EM}4425", "cpr", f"131180{EM}4425"),
    (f"131180{MINUS}4425", "cpr", f"131180{MINUS}4425"),
    (f"131180{HYPHEN}4425", "cpr", f"131180{HYPHEN}4425"),
    (f"131180{NBHYPHEN}4425", "cpr", f"131180{NBHYPHEN}4425"),
    (f"131180{NBSP}4425", "cpr", f"131180{NBSP}4425"),
    ("131180 - 4425", "cpr", "131180 - 4425"),
    (f"131180 {EN} 4425", "cpr", f"131180 {EN} 4425"),
    # CPR numbers: dotted, spaced, dashed and slashed dates; serial in pairs
    ("13.11.80-4425", "cpr", "13.11.80-4425"),
    ("13.11.80 4425", "cpr", "13.11.80 4425"),
    (f"13.11.80{EN}4425", "cpr", f"13.11.80{EN}4425"),
    ("13.11.80.4425", "cpr", "13.11.80.4425"),
    ("13. 11. 80-4425", "cpr", "13. 11. 80-4425"),
    ("13 11 80 44 25", "cpr", "13 11 80 44 25"),
    ("13 11 80 4425", "cpr", "13 11 80 4425"),
    ("13 11 80-4425", "cpr", "13 11 80-4425"),
    ("131180 44 25", "cpr", "131180 44 25"),
    (f"13{NBSP}11{NBSP}80{NBSP}44{NBSP}25", "cpr", f"13{NBSP}11{NBSP}80{NBSP}44{NBSP}25"),
    (f"13{NNBSP}11{NNBSP}80{NNBSP}4425", "cpr", f"13{NNBSP}11{NNBSP}80{NNBSP}4425"),
    (f"13{THIN}11{THIN}80{THIN}44{THIN}25", "cpr", f"13{THIN}11{THIN}80{THIN}44{THIN}25"),
    ("13-11-80-4425", "cpr", "13-11-80-4425"),
    ("13-11-80 4425", "cpr", "13-11-80 4425"),
    ("13/11/80-4425", "cpr", "13/11/80-4425"),
    ("Jeg hedder Anna, 13.11.80-4425, og er syg", "cpr", "13.11.80-4425"),
    # CPR numbers: edge dates
    ("290200-1111", "cpr", "290200-1111"),  # 29 February 2000
    ("29.02.88-1234", "cpr", "29.02.88-1234"),
    ("311299-4321", "cpr", "311299-4321"),
    ("01 01 00 00 01", "cpr", "01 01 00 00 01"),
    ("300480-1234", "cpr", "300480-1234"),
    # phone numbers: together, in pairs, in fours, with country codes
    ("23456789", "phone", "23456789"),
    ("ring på 23 45 67 89", "phone", "23 45 67 89"),
    ("2345 6789", "phone", "2345 6789"),
    ("2345-6789", "phone", "2345-6789"),
    ("23-45-67-89", "phone", "23-45-67-89"),
    ("23.45.67.89", "phone", "23.45.67.89"),
    (f"23{NBSP}45{NBSP}67{NBSP}89", "phone", f"23{NBSP}45{NBSP}67{NBSP}89"),
    (f"23{EN}45{EN}67{EN}89", "phone", f"23{EN}45{EN}67{EN}89"),
    ("+45 23 45 67 89", "phone", "+45 23 45 67 89"),
    ("+4523456789", "phone", "+4523456789"),
    ("+45 23456789", "phone", "+45 23456789"),
    ("+45 2345 6789", "phone", "+45 2345 6789"),
    ("+45-23456789", "phone", "+45-23456789"),
    ("(+45) 23 45 67 89", "phone", "(+45) 23 45 67 89"),
    ("0045 23456789", "phone", "0045 23456789"),
    ("004523456789", "phone", "004523456789"),
    ("0045 33 66 33 66", "phone", "0045 33 66 33 66"),
    ("+45 12 34 56 78", "phone", "+45 12 34 56 78"),  # with a country code any eight digits
    ("4512345678", "phone", "4512345678"),
    ("4523456789", "phone", "4523456789"),
    ("tlf.: 33663366", "phone", "33663366"),
    ("mobil 70 10 20 30.", "phone", "70 10 20 30"),
    ("Ring til mig på 31 12 80 44 i morgen", "phone", "31 12 80 44"),
]

NOT_MASKED = [
    # kroner amounts
    "12.500 kr",
    "1.234,50 kr.",
    "12.345,50 kr.",
    "kr. 25.000.000",
    "12 345 678 kr",
    "3.500 kr. om måneden",
    "kontanthjælp 12.345 kr",
    "beløb 2.345.678,90 kr",
    "15 % af 12.000 kr",
    "beløb 1.234.567",
    # times
    "kl. 10.00",
    "kl. 10.00-12.00",
    "kl. 20.00-22.00",
    "20.00 - 22.00",
    "kl. 9.30-11.00",
    "10:00-12:00",
    "telefontid 08.00-16.00",
    "åbent 20.00-22.00 og 22.30-23.30",
    # dates
    "24.12.2026",
    "24-12-2026",
    "24/12/2026",
    "24/12-2026",
    "2026-12-03",
    "foretrukne tider: 2026-12-03 kl. 10 eller 2027-01-15",
    "13.11.80",
    "født 13.11.1980",
    "født 13 11 1980",
    "mødet er 24.12.2026 kl. 10.00",
    "13.11.2026 14 00",
    "mødet 13.11.80 kl. 10.00",
    "24.12.26 kl. 10.00",
    "den 1.1.2026",
    "fra 01.01.2026 til 31.12.2026",
    "20.12-23.12",
    "24.12.2026 10.00-12.00",
    # years
    "2026",
    "år 2026 og 2027",
    "1980-2026",
    "2019-2026",
    f"2025{EN}2026",
    "2019 2026",
    # reference numbers, codes and short numbers
    "FRA-2026-000001",
    "reference FRA-2026-000123",
    "SAG-2026-000042",
    "FRA-2026-1311804425",
    "ref. 2026-12345",
    "2300 København S",
    "postnummer 1550",
    "ring 1813",
    "112",
    "ring 1234 5678",  # a number starting with 1 is not a Danish subscriber number
    "CVR 12345678",
    "§ 42, stk. 2",
    "version 1.2.3",
    "uge 48-49",
    "01019012345",  # eleven digits
    "320190-1234",  # day 32
    "011390-1234",  # month 13
    "300290-1234",  # 30 February
    "290201-1234",  # 29 February in a year that is never a leap year
    "000190-1234",  # day 0
    "1,23456789",  # a decimal number
]


def test_the_tables_are_big_enough() -> None:
    assert len(MASKED) >= 40 and len(NOT_MASKED) >= 40
    assert len({row[0] for row in MASKED}) == len(MASKED)
    assert len(set(NOT_MASKED)) == len(NOT_MASKED)


@pytest.mark.parametrize("text, kind, number", MASKED, ids=[repr(row[0]) for row in MASKED])
def test_written_forms_are_masked(text: str, kind: str, number: str) -> None:
    matches = find_pii(text)
    assert [(m.kind, m.text) for m in matches] == [(kind, number)]
    placeholder = CPR_PLACEHOLDER if kind == "cpr" else PHONE_PLACEHOLDER
    assert mask_pii(text) == text.replace(number, placeholder)
    digits = re.sub(r"\D", "", number)
    assert digits not in re.sub(r"\D", "", mask_pii(text))


@pytest.mark.parametrize("text", NOT_MASKED, ids=[repr(t) for t in NOT_MASKED])
def test_look_alikes_are_kept(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == text


def test_several_forms_in_one_message() -> None:
    text = (
        "Mit cpr er 13.11.80-4425 og min søns 01 02 03 44 56. Ring på +45 23 45 67 89 "
        "efter kl. 10.00 om de 12.500 kr (sag FRA-2026-000001)."
    )
    assert mask_pii(text) == (
        "Mit cpr er [CPR] og min søns [CPR]. Ring på [TELEFON] "
        "efter kl. 10.00 om de 12.500 kr (sag FRA-2026-000001)."
    )
