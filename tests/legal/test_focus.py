"""The question part of a caseworker's text, apart from the situation described first."""

from api.legal.coverage import Coverage
from api.legal.focus import reductions, split_question
from kkshared.retrieval.index import Document


def test_situation_first_then_the_question() -> None:
    parts = split_question(
        "Borgeren er i praktik tre dage om ugen. Må vi holde samtalen over telefonen?"
    )
    assert parts.has_context
    assert parts.asked == "Må vi holde samtalen over telefonen?"
    assert parts.context == "Borgeren er i praktik tre dage om ugen."


def test_a_topic_before_a_dash_is_context() -> None:
    parts = split_question("Sygedagpenge – hvornår skal vi holde den første samtale?")
    assert parts.context == "Sygedagpenge"


def test_a_plain_question_has_no_context() -> None:
    for text in (
        "Må jobsamtalen holdes pr. telefon, når borgeren er i praktik?",
        "borger i praktik kan ikke komme til samtale",  # no question part to tell apart
        "Kan vi det? Og hvornår?",  # only questions
    ):
        parts = split_question(text)
        assert not parts.has_context
        assert parts.asked == text


def test_situation_details_the_note_lacks_do_not_dilute_coverage() -> None:
    note = Document(
        "n1",
        "Telefoniske jobsamtaler i praktik",
        ("Må jobsamtalen holdes telefonisk, når borgeren er i praktik?",),
        "Ja, samtalen kan holdes telefonisk, når borgeren er i virksomhedspraktik.",
    )
    other = Document("n2", "Befordring", ("Hvem betaler befordring?",), "Arbejdsgiveren.")
    coverage = Coverage([note, other])
    text = "Borgeren bor i Valby og har tre børn. Må jobsamtalen holdes telefonisk i praktik?"
    plain = coverage.features(text, note)
    focused = coverage.features(text, note, question_part=split_question(text).asked)
    assert focused["idf_coverage"] > plain["idf_coverage"]
    assert focused["unknown"] < plain["unknown"]
    # Words of the question part still count when the note lacks them.
    asked_gap = "Borgeren er i praktik. Må jobsamtalen holdes telefonisk, og hvad koster kaffen?"
    gap = coverage.features(asked_gap, note, question_part=split_question(asked_gap).asked)
    assert gap["idf_coverage"] < 1.0


def test_reductions_keep_the_question_part_and_each_joined_question() -> None:
    text = (
        "Borgeren er i praktik tre dage om ugen. Hvor mange samtaler skal vi holde med hende, "
        "og hvem har besluttet det?"
    )
    found = reductions(text)
    assert "Hvor mange samtaler skal vi holde med hende, og hvem har besluttet det?" in found
    assert "Hvor mange samtaler skal vi holde med hende" in found
    assert "hvem har besluttet det?" in found
    assert text not in found


def test_a_plain_single_question_has_no_reductions() -> None:
    for text in (
        "Må jobsamtalen holdes pr. telefon, når borgeren er i praktik?",
        "Kan vi det? Og hvornår?",
        # "og" before a word that opens no question joins words, not questions
        "Skal løntilskud og praktik godkendes af tillidsrepræsentanten?",
    ):
        assert reductions(text) == ()
