"""The load benchmark's method (bench/load/method.py, issue 16): every run counts, medians per
scenario, the throughput ratio within each run, and the targets judged on those."""

from __future__ import annotations

import math

from bench.load.method import INIT, OURS, Measurement, median, medians, ratios, targets


def m(
    run: int, bot: str, users: int, think: float, rate: float, p95: float = 50.0, errors: int = 0
):
    return Measurement(run, bot, users, think, rate, 20.0, p95, 200.0, errors)


RUNS = [
    # run 1: 3.2x; run 2: 2.4x (below 2.5); run 3: 3.1x
    m(1, OURS, 10, 0.0, 96.0),
    m(1, INIT, 10, 0.0, 30.0),
    m(1, OURS, 25, 1.0, 23.0, p95=90.0),
    m(2, OURS, 10, 0.0, 72.0),
    m(2, INIT, 10, 0.0, 30.0),
    m(2, OURS, 25, 1.0, 23.0, p95=200.0),
    m(3, OURS, 10, 0.0, 93.0),
    m(3, INIT, 10, 0.0, 30.0),
    m(3, OURS, 25, 1.0, 23.0, p95=110.0),
]


def test_ratio_is_taken_within_each_run() -> None:
    assert {run: round(r, 2) for run, r in ratios(RUNS).items()} == {1: 3.2, 2: 2.4, 3: 3.1}


def test_a_run_without_the_baseline_has_no_ratio() -> None:
    assert ratios([m(1, OURS, 10, 0.0, 90.0)]) == {}


def test_medians_per_bot_and_scenario_errors_summed() -> None:
    rows = medians([*RUNS, m(2, OURS, 25, 1.0, 22.0, errors=2)])
    ours_fast = next(r for r in rows if r["bot"] == OURS and r["users"] == 10)
    ours_slow = next(r for r in rows if r["bot"] == OURS and r["users"] == 25)
    assert ours_fast["msg_per_s"] == 93.0 and ours_fast["runs"] == 3
    assert ours_slow["errors"] == 2 and ours_slow["runs"] == 4


def test_median_ignores_missing_values() -> None:
    assert median([1.0, float("nan"), 3.0]) == 2.0
    assert math.isnan(median([]))


def test_targets_use_the_median_and_the_lowest_run() -> None:
    judged = dict((text.split(":")[0], ok) for text, ok in targets(RUNS, {OURS: [900.0, 1100.0]}))
    assert judged["throughput at 10 users ≥ 3× the `rasa init` bot, median of 3 runs"] is True
    assert judged["no run below 2.5×"] is False  # run 2 is not left out
    assert judged["p95 ≤ 120 ms with 25 users at 1 s think time, median of 3 runs"] is True
    assert judged["our Rasa process ≤ 1024 MB RSS in every run"] is False
