from kkshared.lexicon import lemma
from kkshared.tokenize import lemmas, tokenize, word_tokens


def test_danish_abbreviations_stay_whole():
    assert tokenize("LAB § 16 a, stk. 5, jf. bl.a. kl. 10") == [
        "LAB",
        "§",
        "16",
        "a",
        ",",
        "stk.",
        "5",
        ",",
        "jf.",
        "bl.a.",
        "kl.",
        "10",
    ]


def test_word_tokens_drop_punctuation_but_keep_paragraph_sign():
    assert word_tokens("Må jeg? § 13!") == ["må", "jeg", "§", "13"]


def test_lemmas_from_the_lookup_table_and_domain_words():
    assert lemmas("Kontanthjælpen samtalerne") == ["kontanthjælp", "samtale"]
    assert lemma("Jobcentret") == "jobcenter"  # a domain word with its lemma named
    assert lemma("lærkevej") == "lærkevej"  # a domain word without: its own lemma
    assert lemma("ukendtord") == "ukendtord"


def test_a_lemma_named_in_the_domain_words_overrides_the_lookup_table():
    from kkshared.retrieval.terms import compound_parts, word_terms

    assert lemma("væk") == "væk"  # spaCy's table says "vække"
    assert lemma("vækker") == "vække"
    assert lemma("jobcentrene") == lemma("jobcentrets") == "jobcenter"
    assert word_terms("borgeren bliver væk fra samtalerne") == ["udeblivelse", "samtale"]
    assert sorted(word_terms("ydelsen ophører")) == sorted(word_terms("ophør af ydelsen"))
    assert compound_parts("coronakrisen") == ("corona", "krise")
    assert word_terms("store bededag") == ["stor", "bededag"]  # a line of two words is one form
