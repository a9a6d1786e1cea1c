from kkshared.retrieval.terms import char_ngrams, compound_parts, word_terms


def test_compounds_are_split_into_known_parts():
    assert compound_parts("jobsamtale") == ("job", "samtale")
    assert compound_parts("sygedagpengemodtager")  # a long domain compound splits
    assert compound_parts("hus") == ()


def test_synonyms_and_phrases_unify_how_people_say_it():
    for text in (
        "borgeren udeblev fra samtalen",
        "borgeren mødte ikke op til samtalen",
        "borgeren udebliver",
    ):
        assert "udeblivelse" in word_terms(text), text


def test_ae_oe_aa_spelling_gives_the_same_terms():
    assert word_terms("Må jobsamtalen holdes på anden måde?") == word_terms(
        "Maa jobsamtalen holdes paa anden maade?"
    )


def test_references_become_tokens_at_three_levels():
    terms = word_terms("jf. LAB § 16 a, stk. 5")
    assert {"ref:§16a", "ref:LAB §16a", "ref:§16a stk5"} <= set(terms)
    assert "lab" not in terms and "5" not in terms


def test_stop_words_are_dropped():
    assert word_terms("hvad skal jeg gøre med en sygemelding") == ["sygemelding", "syge", "melding"]


def test_char_ngrams_are_padded_per_word():
    grams = char_ngrams("Ja")
    assert " ja " in grams and " ja" in grams
