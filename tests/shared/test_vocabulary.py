"""The typo vocabulary (kkshared/vocabulary.py): the citizen classifier's training words and the
legal advisor's note words."""

from kkshared.vocabulary import Vocabulary


def test_vocabulary_knows_lexicon_words_and_typos_of_training_words() -> None:
    vocabulary = Vocabulary(["hvad er sygedagpenge", "ressourceforløb"])
    assert not vocabulary.is_gibberish("sygedagpnge")  # typo of a training word
    assert not vocabulary.is_gibberish("ressoruceforløb")
    assert not vocabulary.is_gibberish("hvornaar kommer bussen")  # lexicon words, ae/oe/aa spelling
    assert not vocabulary.is_gibberish("[CPR]")  # a placeholder is not mashing
    assert not vocabulary.is_gibberish("???")  # no letters: left to the classifier
    assert vocabulary.is_gibberish("asdfg hjkl")
    assert vocabulary.is_gibberish("jhgf kjdfs ffff øøø lkj")


def test_a_typo_becomes_the_word_it_was_meant_as_and_known_words_stay() -> None:
    vocabulary = Vocabulary(["telefoniske jobsamtaler i virksomhedspraktik", "video"])
    assert vocabulary.correct("samtale i virksomhedspratik") == "samtale i virksomhedspraktik"
    assert vocabulary.correct("over vidoe") == "over video"  # swapped letters: one edit
    # A Danish word is not "corrected" into a training word, nor is a short word.
    assert vocabulary.correct("hvornår kommer bussen") == "hvornår kommer bussen"
    assert vocabulary.correct("kth og lab") == "kth og lab"
