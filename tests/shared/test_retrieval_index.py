"""SearchIndex: BM25 alone, with a dense encoder, and the BM25-only view of a dense index."""

from __future__ import annotations

import numpy as np

from kkshared.retrieval.index import Document, SearchIndex

NOTES = [
    Document(
        "ferie",
        "Ferie på kontanthjælp",
        ("må jeg holde ferie", "ferie og kontanthjælp"),
        "Du kan holde ferie ...",
    ),
    Document(
        "syg",
        "Sygemelding",
        ("hvordan melder jeg mig syg", "jeg er syg"),
        "Ring til jobcentret ...",
    ),
    Document(
        "klage",
        "Klage over afgørelse",
        ("hvordan klager jeg", "klage over afgørelse"),
        "Du kan klage ...",
    ),
]


class OnlyLikesComplaints:
    """A stand-in encoder whose similarity always favours the complaint note."""

    def query(self, text: str) -> np.ndarray:
        return np.array([1.0, 0.0])

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if "klage" in t.lower() else [0.0, 1.0] for t in texts])


def test_the_bm25_only_view_ranks_like_an_index_without_encoder() -> None:
    dense = SearchIndex(
        NOTES, OnlyLikesComplaints(), {"char": 0.35, "word": 0.35, "dense": 5.0, "ref": 0.3}
    )
    plain = SearchIndex(NOTES)
    assert dense.rank("må jeg holde fri").best.note_id == "klage"  # the encoder dominates
    view = dense.without_dense()
    for question in ("må jeg holde ferie", "jeg er syg i dag", "klage"):
        got, want = view.rank(question), plain.rank(question)
        assert [c.note_id for c in got.candidates] == [c.note_id for c in want.candidates]
        assert got.features == want.features
    assert dense.rank("må jeg holde fri").best.note_id == "klage"  # the original is unchanged


class HashedVectors:
    """A stand-in encoder with fixed pseudo-random unit vectors per text."""

    def _vector(self, text: str) -> np.ndarray:
        rng = np.random.default_rng(sum(map(ord, text)))
        vector = rng.normal(size=8)
        return vector / np.linalg.norm(vector)

    def query(self, text: str) -> np.ndarray:
        return self._vector("query: " + text)

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.array([self._vector(t) for t in texts])


def test_the_stacked_dense_scores_rank_exactly_like_one_product_per_note(monkeypatch) -> None:
    index = SearchIndex(NOTES, HashedVectors())
    questions = ("må jeg holde ferie", "jeg er syg i dag", "klage", "noget helt andet")
    stacked = [index.rank(q, limit=3) for q in questions]
    assert index._stacked is not None
    monkeypatch.setattr(index, "_stacked", None)  # the per-note loop
    looped = [index.rank(q, limit=3) for q in questions]
    for got, want in zip(stacked, looped, strict=True):
        assert got.candidates == want.candidates
        assert got.features == want.features


def test_top_is_the_stable_argsort_prefix() -> None:
    from kkshared.retrieval.index import _top

    rng = np.random.default_rng(7)
    for _ in range(300):
        values = rng.integers(0, 5, size=int(rng.integers(1, 40))).astype(float)
        values[rng.random(len(values)) < 0.2] = -np.inf  # excluded notes
        for count in range(len(values) + 2):
            want = np.argsort(-values, kind="stable")[:count]
            assert _top(values, count).tolist() == want.tolist()


def _flexjob_notes() -> list[Document]:
    return [
        Document(
            "sick_in_flexjob",
            "Syg i fleksjob",
            ("jeg er syg i mit fleksjob", "fleksjob og sygdom", "sygemeldt fra fleksjob"),
            "Bliver du syg i dit fleksjob, får du sygedagpenge. Fleksjobbet fortsætter.",
        ),
        Document(
            "flexjob",
            "Fleksjob",
            ("Fleksjob", "hvem kan få et job på særlige vilkår"),
            "Et job på særlige vilkår, når din arbejdsevne er varigt nedsat.",
        ),
    ]


def test_a_question_asked_verbatim_ranks_its_own_note_first() -> None:
    index = SearchIndex(_flexjob_notes())
    # Case, punctuation and æ/ae do not matter.
    for asked in ("fleksjob", "Fleksjob??", "FLEKSJOB."):
        ranking = index.rank(asked)
        assert ranking.best.note_id == "flexjob"
        assert ranking.features["margin"] > 0.4
    assert index.rank("hvem kan faa et job paa saerlige vilkaar").best.note_id == "flexjob"


def test_the_leave_one_out_split_does_not_see_the_held_out_question() -> None:
    notes = _flexjob_notes()
    index = SearchIndex(notes)
    held_out = Document(
        notes[1].id, notes[1].title, notes[1].questions[1:], notes[1].answer, notes[1].references
    )
    # Without its own question, the note that says "fleksjob" most often wins the words.
    assert index.rank("fleksjob", substitute=held_out).best.note_id == "sick_in_flexjob"
    # ... and a note excluded from the ranking is never put first by it.
    excluded = index.rank("fleksjob", exclude=frozenset({"flexjob"}))
    assert excluded.best.note_id == "sick_in_flexjob"


def test_the_best_note_by_words_alone_ignores_e5_and_says_its_word_coverage() -> None:
    index = SearchIndex(
        NOTES, OnlyLikesComplaints(), {"char": 0.35, "word": 0.35, "dense": 5.0, "ref": 0.3}
    )
    assert index.rank("kan jeg holde ferie nu").best.note_id == "klage"  # e5 dominates the fusion
    note, coverage = index.best_by_words("kan jeg holde ferie nu")
    assert note.id == "ferie"
    plain = SearchIndex(NOTES).rank("kan jeg holde ferie nu")
    assert plain.best.note_id == "ferie"
    assert coverage == plain.features["word_coverage"]
    assert 0.0 < coverage <= 1.0
    assert index.best_by_words("xyzzy qwerty") is None  # no word in any note
