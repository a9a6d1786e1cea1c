import pytest

from kkshared.normalize import collapse_whitespace, fold, normalize_source_text, restore_danish


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kontanthjælp", "kontanthjaelp"),
        ("KONTANTHJÆLP", "Kontanthjaelp"),
        ("Lærkevej", "laerkevej"),
        ("Gammel Køge Landevej", "gammel koege  landevej"),
        ("Ydelsesservice åbent?", "ydelsesservice aabent?"),
        ("café", "cafe"),
    ],
)
def test_fold_makes_danish_and_ascii_spellings_equal(a, b):
    assert fold(a) == fold(b)


def test_fold_keeps_different_words_apart():
    assert fold("møde") != fold("mode")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kontanthjaelpen", "kontanthjælpen"),
        ("hvornaar faar jeg penge", "hvornår får jeg penge"),
        ("Moedet paa Laerkevej", "Mødet på Lærkevej"),
        ("SYGEDAGPENGE", "SYGEDAGPENGE"),
        ("jeg er syg i morgen", "jeg er syg i morgen"),
        ("Michael og Aarhus", "Michael og Aarhus"),
    ],
)
def test_restore_danish(typed, expected):
    assert restore_danish(typed) == expected


def test_source_normalisation_joins_hyphenated_line_ends_and_collapses_whitespace():
    raw = "ledi-\nge i job og ud-  \n  dannelse\n\nBIF-SOF portalen"
    assert normalize_source_text(raw) == "ledige i job og uddannelse BIF-SOF portalen"


def test_source_normalisation_is_nfkc():
    assert normalize_source_text("ﬁnde\u00a0job") == "finde job"


def test_collapse_whitespace():
    assert collapse_whitespace("  a \t b\n") == "a b"
