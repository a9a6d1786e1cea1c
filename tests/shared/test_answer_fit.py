"""kkshared.answer_fit: an answer must contain the kind of content its question asks for."""

from __future__ import annotations

import pytest

from kkshared.answer_fit import asked_kinds, missing_kinds


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Hvornår åbnede jobcentret igen efter nedlukningen?", ("time",)),
        ("hvornaar aabner i igen", ("time",)),
        ("hvor længe skal jeg vente på svar", ("time",)),
        ("hvad er fristen for at klage", ("time",)),
        ("hvor meget får jeg i kontanthjælp", ("amount",)),
        ("hvor mange gange om året skal jeg til samtale", ("count",)),
        ("hvor meget må jeg arbejde", ("count",)),
        ("hvor meget kan jeg få i kontanthjælp", ("amount", "count")),
        ("how much is kontanthjælp", ("amount",)),
        ("when will I get my money", ("time",)),
        ("when I am sick, who do I call", ()),
        ("how many meetings do I have to go to", ("count",)),
        ("is the course voluntary?", ("obligation",)),
        ("what is the legal basis for this", ("legal_basis",)),
        ("hvilken hjemmel har I til at kræve det?", ("legal_basis",)),
        ("står det i en paragraf?", ("legal_basis",)),
        ("efter hvilken lov skal jeg det", ("legal_basis",)),
        ("er det frivilligt at deltage i gruppesamtaler?", ("obligation",)),
        ("hvad er Min Plan", ()),
        ("kan jeg holde samtalen over telefonen", ()),
        ("hej", ()),
    ],
)
def test_asked_kinds(question: str, kinds: tuple[str, ...]) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    ("question", "answer", "missing"),
    [
        # A time is answered by a date, a weekday, a period or a time word.
        ("Hvornår kom de fysiske samtaler tilbage?", "Fra 15. juni 2020 kom de tilbage.", ()),
        ("hvornår får jeg pengene", "Kontanthjælp udbetales den sidste bankdag.", ()),
        ("hvornår åbner I?", "Jobcentret hjælper borgere med at finde job.", ("time",)),
        # An amount needs a number or an amount word.
        ("hvor meget får jeg", "Satsen afhænger af din alder.", ()),
        ("hvor meget får jeg", "Du skal søge hos kommunen.", ("amount",)),
        # Money is not answered by other numbers (the holiday rules' weeks and months).
        (
            "hvor meget får man i kontanthjælp",
            "Efter 12 måneder har du ret til 4 ugers ferie.",
            ("amount",),
        ),
        ("hvor meget får man i kontanthjælp", "De gældende satser står på borger.dk.", ()),
        ("how much is kontanthjælp", "You get 4 weeks of holiday after 12 months.", ("amount",)),
        ("how much is kontanthjælp", "The current rates are on borger.dk.", ()),
        # A quantity that is not money needs a number.
        ("hvor meget må jeg arbejde", "Du skal arbejde 225 timer på et år.", ()),
        # English questions are checked against English answers.
        ("when will I get my money", "It is paid on the last weekday of the month.", ()),
        ("when will I get my money", "Contact Ydelsesservice.", ("time",)),
        # A legal basis needs a reference or a rule.
        ("hvilken hjemmel er der?", "Det følger af LAB § 16 a.", ()),
        ("hvilken hjemmel er der?", "Jobcentret holder samtalen over telefonen.", ("legal_basis",)),
        # Voluntary or not needs an obligation word.
        ("er det frivilligt?", "Du skal deltage.", ()),
        ("er det frivilligt?", "Samtalen handler om dit CV.", ("obligation",)),
        # Nothing asked, nothing missing.
        ("hvad er Min Plan", "Min Plan er din plan på Jobnet.", ()),
    ],
)
def test_missing_kinds(question: str, answer: str, missing: tuple[str, ...]) -> None:
    assert missing_kinds(question, answer) == missing
