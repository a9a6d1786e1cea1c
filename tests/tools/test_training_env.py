"""Training threads follow how busy the machine is (issue 16), and the e5 cache is on disk."""

from __future__ import annotations

from tools.run_system import E5_CACHE_DIR, training_env, training_threads


def test_every_core_when_idle_one_when_busy() -> None:
    assert training_threads(cores=2, load=0.2) == 2
    assert training_threads(cores=2, load=1.4) == 2
    assert training_threads(cores=2, load=1.6) == 1
    assert training_threads(cores=8, load=3.0) == 8
    assert training_threads(cores=8, load=9.0) == 1
    assert training_threads(cores=1, load=0.0) == 1


def test_training_env_sets_threads_and_the_vector_cache() -> None:
    env = training_env({"PATH": "/usr/bin"})
    assert env["OMP_NUM_THREADS"] == env["KK_E5_THREADS"]
    assert env["KK_E5_CACHE_DIR"] == str(E5_CACHE_DIR)
    assert training_env({"KK_E5_CACHE_DIR": "/x"})["KK_E5_CACHE_DIR"] == "/x"
