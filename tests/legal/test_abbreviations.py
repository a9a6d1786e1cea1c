"""Caseworkers' abbreviations written out before a legal question is ranked."""

from api.legal.abbreviations import expand


def test_abbreviations_are_written_out() -> None:
    assert expand("Kan YDS partshøre?") == "Kan Ydelsesservice partshøre?"
    assert expand("Akt.parat UH-modtager i VP") == (
        "aktivitetsparat uddannelseshjælp-modtager i virksomhedspraktik"
    )
    assert expand("hvad har BIU besluttet") == (
        "hvad har Beskæftigelses- og Integrationsudvalget besluttet"
    )


def test_words_that_merely_contain_an_abbreviation_are_kept() -> None:
    for text in ("Truende borger", "uhensigtsmæssig praksis", "fpx og trx", "sbs"):
        assert expand(text) == text
