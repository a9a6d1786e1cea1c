"""kkshared.sources: source titles and dates for people, passages for the second answer tier."""

from __future__ import annotations

from kkshared.knowledge import default_seeds_dir
from kkshared.sources import (
    MAX_WORDS,
    SOURCE_DOCUMENTS,
    document_passages,
    read_passages,
    source_label,
)


def test_source_label_names_the_document_and_its_date_not_the_file() -> None:
    label = source_label("002_5e6f3c0d831500e7.txt", "2017-07")
    assert label == "BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017-07"
    assert source_label("003_fdb3bbd829f81f33.txt").endswith(", 2022")
    assert source_label("general", "2025") == "Generel vejledning fra Jobcenter København, 2025"
    # An unknown file is still shown, never dropped.
    assert source_label("999.txt", "2020") == "999.txt, 2020"


def test_passages_join_hyphenated_lines_and_skip_headings_and_tables() -> None:
    raw = (
        "INDHOLD\tSIDE\n\nFORORD....................3\n\n"
        "Borgerne blev gradvist ind-\nkaldt til fysiske samtaler igen fra 15. juni. "
        "Mandag den 15. juni var der ingen fysiske samtaler i jobcentret.\n\n"
        "12 345 678 910\n"
    )
    passages = document_passages("000_0be9af2cecd9aa10.txt", raw)
    assert [p.text for p in passages] == [
        "Borgerne blev gradvist indkaldt til fysiske samtaler igen fra 15. juni. "
        "Mandag den 15. juni var der ingen fysiske samtaler i jobcentret.",
        "Mandag den 15. juni var der ingen fysiske samtaler i jobcentret.",
    ]
    assert passages[0].id == "000_0be9af2cecd9aa10.txt#0"
    assert passages[0].document is SOURCE_DOCUMENTS["000_0be9af2cecd9aa10.txt"]


def test_every_seed_gives_passages_of_bounded_length() -> None:
    passages = read_passages(default_seeds_dir())
    assert {p.file for p in passages} == set(SOURCE_DOCUMENTS)
    assert len(passages) > 1000
    # Two sentences are joined only within the cap; only a rare single long sentence exceeds it.
    longer = [p for p in passages if len(p.text.split()) > MAX_WORDS]
    assert len(longer) <= len(passages) // 100
    assert len({p.id for p in passages}) == len(passages)


def test_a_full_stop_after_an_abbreviation_ends_no_sentence():
    raw = (
        "Der sættes et punktum i sagen og skrives videre næste dag i journalen. Men det skal "
        "ske inden kl. 10 næste dag, ellers sendes der partshøring til borgeren.\n\n"
        "Borgeren kan klage over afgørelsen efter reglerne, jf. LAB § 13, stk. 2 og stk. 3 i "
        "loven om en aktiv beskæftigelsesindsats."
    )
    texts = [p.text for p in document_passages("002_5e6f3c0d831500e7.txt", raw)]
    assert texts[-2] == (
        "Men det skal ske inden kl. 10 næste dag, ellers sendes der partshøring til borgeren."
    )
    assert texts[-1].startswith("Borgeren kan klage")
    assert texts[-1].endswith("beskæftigelsesindsats.")
    assert not any(t.startswith(("10 ", "LAB ", "2 ")) for t in texts)
