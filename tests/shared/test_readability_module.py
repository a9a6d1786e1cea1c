"""LIX and abbreviation checks (kkshared.readability) against hand-counted examples."""

import pytest

from kkshared.readability import lix, lix_counts, sentences, unexplained_abbreviations


def test_lix_of_a_plain_text_counted_by_hand():
    # Words: Du skal møde op i jobcentret | Husk dit sygesikringskort = 9.
    # Sentences: 2 ("." and "!"). Long words (> 6 letters): jobcentret, sygesikringskort = 2.
    # LIX = 9 / 2 + 100 * 2 / 9 = 4.5 + 22.22 = 26.72
    text = "Du skal møde op i jobcentret. Husk dit sygesikringskort!"
    assert lix_counts(text).words == 9
    assert lix_counts(text).sentences == 2
    assert lix_counts(text).long_words == 2
    assert lix(text) == pytest.approx(9 / 2 + 100 * 2 / 9)
    assert round(lix(text), 2) == 26.72


def test_lix_with_numbers_ordinals_abbreviations_and_a_colon_counted_by_hand():
    # Words (23): Fra 1. juli 2025 er uddannelseshjælp lagt sammen med kontanthjælp fx for
    # 25-årige (13) | Spørg jobcentret Hvad gælder for mig (6) | Læs mere på borger.dk (4).
    # Sentences (3): "1." is followed by "juli" (lower case), the colon is inside a line, so
    # only "25-årige." and "mig?" end sentences, and the end of the text closes the third.
    # Long words (4): uddannelseshjælp, kontanthjælp, jobcentret, borger.dk (8 letters).
    # Not long: "25-årige" (5 letters; digits are not letters), "2025" (0), "gælder" (6).
    # LIX = 23 / 3 + 100 * 4 / 23 = 7.67 + 17.39 = 25.06
    text = (
        "Fra 1. juli 2025 er uddannelseshjælp lagt sammen med kontanthjælp, fx for 25-årige. "
        "Spørg jobcentret: Hvad gælder for mig? Læs mere på borger.dk"
    )
    counts = lix_counts(text)
    assert (counts.words, counts.sentences, counts.long_words) == (23, 3, 4)
    assert round(lix(text), 2) == 25.06


def test_a_colon_before_a_line_break_ends_a_sentence_and_signs_are_not_words():
    # Words: Du skal medbringe dit pas dit sygesikringskort = 7 ("-" is not a word).
    # Sentences: 2 (the colon before a line break, then the full stop). Long: 2.
    text = "Du skal medbringe:\n- dit pas\n- dit sygesikringskort."
    assert lix_counts(text).words == 7
    assert lix_counts(text).sentences == 2
    assert round(lix(text), 2) == round(7 / 2 + 100 * 2 / 7, 2)


def test_abbreviations_and_ordinals_do_not_end_sentences():
    text = (
        "I 2017 skulle samtalen registreres senest kl. 10 dagen efter, jf. § 13, stk. 2. "
        "Det gjaldt bl.a. Ydelsesservice, fx hver 8. uge osv. Spørg jobcentret."
    )
    assert sentences(text) == [
        "I 2017 skulle samtalen registreres senest kl. 10 dagen efter, jf. § 13, stk. 2.",
        "Det gjaldt bl.a. Ydelsesservice, fx hver 8. uge osv.",
        "Spørg jobcentret.",
    ]
    assert lix_counts(text).sentences == 3


def test_hyphenated_words_count_once_and_an_empty_text_scores_zero():
    assert lix_counts("CPR-nummer e-Boks selvforsørgelses- og hjemrejseydelse").words == 5
    assert lix("") == 0.0
    assert lix_counts("Et svar uden punktum").sentences == 1


def test_abbreviations_need_their_full_name_next_to_them():
    assert unexplained_abbreviations("Reglen står i LAB § 16.") == ["LAB"]
    assert unexplained_abbreviations("Det er en LAB-regel.") == ["LAB"]
    assert unexplained_abbreviations("Kommunernes Landsforening (KL) mener. KL's billede.") == []
    assert unexplained_abbreviations("IGU (integrationsgrunduddannelse) er job og skole.") == []
    assert unexplained_abbreviations("Styrelsen for Arbejdsmarked og Rekruttering (STAR)") == []
    # An internal unit without a listed name: the capitals of the full name spell it.
    assert unexplained_abbreviations("Du hører under Jobcenter København Indsats (JKI).") == []
    assert unexplained_abbreviations("Du hører under JKI og KL.") == ["JKI", "KL"]
    # A full name elsewhere in the text is not next to it; web addresses and words are fine.
    assert unexplained_abbreviations("KL skrev. Kommunernes Landsforening er stor.") == ["KL"]
    assert unexplained_abbreviations("Læs på KK.dk om LABEL og STARt.") == []
    assert unexplained_abbreviations("Jeg er KK-assistenten.") == []
