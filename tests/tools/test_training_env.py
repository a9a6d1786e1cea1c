"""Training uses every core with passively waiting OpenMP threads (issue 16), and the e5 cache
is on disk."""

from __future__ import annotations

from tools.run_system import E5_CACHE_DIR, training_env, training_threads


def test_every_core_waiting_passively() -> None:
    assert training_threads(cores=2) == 2
    assert training_threads(cores=1) == 1
    assert training_env({"PATH": "/usr/bin"})["OMP_WAIT_POLICY"] == "PASSIVE"


def test_training_env_sets_threads_and_the_vector_cache() -> None:
    env = training_env({"PATH": "/usr/bin"})
    assert env["OMP_NUM_THREADS"] == env["KK_E5_THREADS"]
    assert env["KK_E5_CACHE_DIR"] == str(E5_CACHE_DIR)
    assert training_env({"KK_E5_CACHE_DIR": "/x"})["KK_E5_CACHE_DIR"] == "/x"
