import pytest

from kkshared.legal_refs import extract_references, is_stated_in, parse_reference, reference_keys

SEED_ROW = (
    "Personer, der er omfattet af § 2, nr.: 1, 2, 3, 4, 11, 12, 13, 14, er ifølge LAB direkte "
    "undtaget fra kravet om personligt fremmøde ved jobsamtaler, hvis de deltager i tilbud efter "
    "kapitel 10-12, herunder virksomhedspraktik, jf. LAB § 16 a, stk. 5, § 17, stk. 2., § 18, "
    "stk. 5, jf. LAB § 16, stk. 1."
)


@pytest.mark.parametrize("written", ["§ 10a", "§ 10 a", "paragraf 10 a", "§10 A", "par. 10a"])
def test_spellings_of_one_section_compare_equal(written):
    assert parse_reference(written).key == "§10a"


def test_law_names_in_full_and_abbreviated_are_the_same_law():
    assert parse_reference("lov om aktiv socialpolitik § 10 a").key == "LAS §10a"
    assert parse_reference("LAS § 10a").key == "LAS §10a"
    assert (
        parse_reference("Lov om en aktiv beskæftigelsesindsats § 16 a, stk. 5").key
        == "LAB §16a stk5"
    )


def test_bare_sections_inherit_the_law_named_before_them():
    keys = [ref.key for ref in extract_references(SEED_ROW)]
    assert keys == [
        "§2 nr1",
        "LAB kap10-12",
        "LAB §16a stk5",
        "LAB §17 stk2",
        "LAB §18 stk5",
        "LAB §16 stk1",
    ]


@pytest.mark.parametrize(
    "reference",
    ["LAB § 17, stk. 2", "§ 17, stk. 2", "LAB § 16 a", "§ 16 a, stk. 5", "kapitel 10-12"],
)
def test_references_stated_in_the_row(reference):
    assert is_stated_in(reference, SEED_ROW)


@pytest.mark.parametrize(
    "reference",
    [
        "LAS § 17, stk. 2",
        "LAB § 17, stk. 3",
        "LAB § 16 b",
        "§ 19",
        "LAB § 2",
    ],  # LAB § 2: the row's § 2 has no law before it
)
def test_references_not_stated_in_the_row(reference):
    assert not is_stated_in(reference, SEED_ROW)


def test_rulings_and_single_letter_words():
    assert reference_keys("jf. Ankestyrelsens principafgørelse 44-17") == {"ANK 44-17"}
    assert reference_keys("efter § 2 i LAB") == {"§2", "LAB"}  # "i" is a word, not a section letter


def test_text_with_ae_oe_aa_spelling():
    assert reference_keys("Principafgoerelse 55-16 og lov om aktiv socialpolitik paragraf 13") == {
        "ANK 55-16",
        "LAS §13",
    }


def test_parse_reference_rejects_non_references():
    with pytest.raises(ValueError):
        parse_reference("telefoniske jobsamtaler")


def test_a_law_named_on_its_own_is_a_reference():
    assert [r.key for r in extract_references("efter serviceloven og LAB § 16")] == [
        "SEL",
        "LAB §16",
    ]
    assert is_stated_in("Serviceloven", "Borgeren får hjælp efter lov om social service § 81.")
    assert not is_stated_in("repatrieringsloven", "Borgeren får hjælp efter serviceloven.")
    assert parse_reference("LAB-loven").key == "LAB"
