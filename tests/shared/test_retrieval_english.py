"""The English BM25 analyser (kkshared/retrieval/english.py) and the index ranking with it."""

from __future__ import annotations

import pytest

from kkshared.retrieval.english import word_terms
from kkshared.retrieval.index import Document, SearchIndex


def test_stems_drop_stop_words_and_fold_danish_names() -> None:
    assert word_terms("When do I get my kontanthjælp? I applied yesterday") == [
        "when",
        "kontanthjaelp",
        "appli",
        "yesterday",
    ]
    assert word_terms("applying") == word_terms("applies") == ["appli"]
    assert word_terms("kontanthjaelp") == word_terms("Kontanthjælp")


def test_an_english_index_ranks_inflected_english_questions() -> None:
    documents = [
        Document(
            "faq/apply", "Applying for kontanthjælp", ("how do I apply",), "You apply online."
        ),
        Document("faq/holiday", "Holiday", ("can I take a holiday",), "After one year."),
    ]
    index = SearchIndex(documents, language="en")
    assert index.rank("I applied for kontanthjaelp, what now").best.note_id == "faq/apply"
    assert index.rank("holidays while on benefits").best.note_id == "faq/holiday"
    # The Danish analyser does not stem English: the same question finds nothing by words.
    danish = SearchIndex(documents)
    assert danish.rank("applied").features["word_coverage"] == 0.0


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        SearchIndex([], language="de")
