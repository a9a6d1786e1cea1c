"""kkshared/string_map.py: a compact str -> str mapping that answers exactly as the dict it
was built from."""

from __future__ import annotations

import random
import string

import pytest

from kkshared.string_map import StringMap


def _random_words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    letters = string.ascii_lowercase + "æøåé"
    return ["".join(rng.choices(letters, k=rng.randint(1, 12))) for _ in range(count)]


def test_every_lookup_matches_the_dict() -> None:
    words = _random_words(5000, seed=1)
    source = {word: words[(i * 7) % len(words)] for i, word in enumerate(words)}
    mapped = StringMap(source)
    assert len(mapped) == len(source)
    assert set(mapped) == set(source)
    for key, value in source.items():
        assert mapped[key] == value
        assert mapped.get(key) == value
        assert key in mapped
    assert dict(mapped.items()) == source


def test_missing_keys_behave_like_a_dict() -> None:
    mapped = StringMap({"sygedagpenge": "sygedagpenge", "jobcentrene": "jobcenter"})
    assert "jobcentret" not in mapped
    assert mapped.get("jobcentret") is None
    assert mapped.get("jobcentret", "x") == "x"
    assert mapped.get("jobcentr") is None  # a prefix of a key is not a key
    with pytest.raises(KeyError):
        mapped["jobcentr"]
    assert 3 not in mapped  # type: ignore[comparison-overlap]
    assert mapped.get(3) is None  # type: ignore[arg-type]


def test_an_empty_value_and_an_empty_mapping() -> None:
    assert StringMap({"a": ""})["a"] == ""
    empty = StringMap({})
    assert len(empty) == 0
    assert empty.get("a") is None
    assert list(empty) == []


def test_a_saved_map_loads_with_the_same_answers(tmp_path) -> None:
    source = {word: word[::-1] for word in _random_words(2000, seed=2)}
    StringMap(source).save(tmp_path / "words")
    loaded = StringMap.load(tmp_path / "words")
    assert dict(loaded.items()) == source
    assert loaded.get("not a key") is None


def test_files_that_do_not_belong_together_are_refused(tmp_path) -> None:
    StringMap({"a": "1", "b": "2", "c": "3"}).save(tmp_path / "small")
    StringMap({"x": "9"}).save(tmp_path / "other")
    (tmp_path / "small.ids").write_bytes((tmp_path / "other.ids").read_bytes())
    with pytest.raises(ValueError):
        StringMap.load(tmp_path / "small")
    with pytest.raises(OSError):
        StringMap.load(tmp_path / "missing")
