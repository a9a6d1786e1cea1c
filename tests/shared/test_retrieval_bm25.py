import pytest

from kkshared.retrieval.bm25 import BM25


def test_rare_terms_weigh_more_and_missing_terms_score_zero():
    bm25 = BM25([["a", "b"], ["a", "c"], ["a", "d", "d"]])
    scores = bm25.scores(["d"])
    assert scores[2] > 0 and scores[0] == scores[1] == 0
    assert bm25.idf("d") > bm25.idf("a")


def test_score_never_exceeds_the_upper_bound():
    bm25 = BM25([["x", "y", "y"], ["y", "z"]])
    query = ["x", "y", "q"]
    assert max(bm25.scores(query)) <= bm25.max_score(query) + 1e-9


def test_empty_index():
    assert list(BM25([]).scores(["a"])) == []
    with pytest.raises(ZeroDivisionError):
        1 / len(BM25([]).scores(["a"]))
