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
    assert lemma("Jobcentret") == "jobcentret"  # a domain word: known, kept
    assert lemma("ukendtord") == "ukendtord"
