"""The load benchmark's method, fixed before any number is seen (issue 16): every run is kept and
reported, a scenario's figure is the median over the runs, the throughput ratio against the
`rasa init` bot is taken within each run (both bots measured minutes apart under the same machine
load) and its median is the result. Stdlib only: the arithmetic is tested in tests/tools.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OURS = "ours"
INIT = "init"
# The scenario whose throughput is compared, and the one whose latency has a target.
THROUGHPUT_SCENARIO = (10, 0.0)
LATENCY_SCENARIO = (25, 1.0)
# Targets of issue 16.
MEDIAN_RATIO_TARGET = 3.0
LOWEST_RATIO_TARGET = 2.5
P95_TARGET_MS = 120.0
RSS_TARGET_MB = 1024.0  # 1.0 GB per Rasa process


@dataclass(frozen=True)
class Measurement:
    """One scenario of one bot in one run."""

    run: int
    bot: str  # OURS or INIT
    users: int
    think: float
    msg_per_s: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    errors: int
    empty: int = 0
    rasa_cpu_ms: float = float("nan")  # CPU time of the bot's Rasa process per message

    @property
    def scenario(self) -> tuple[int, float]:
        return (self.users, self.think)


def median(values: Iterable[float]) -> float:
    present = [v for v in values if v == v]  # NaN (no messages) is not a measurement
    return statistics.median(present) if present else float("nan")


def ratios(measurements: Sequence[Measurement]) -> dict[int, float]:
    """Our throughput over the `rasa init` bot's in THROUGHPUT_SCENARIO, per run."""
    by_run: dict[int, dict[str, float]] = {}
    for m in measurements:
        if m.scenario == THROUGHPUT_SCENARIO:
            by_run.setdefault(m.run, {})[m.bot] = m.msg_per_s
    return {
        run: bots[OURS] / bots[INIT]
        for run, bots in sorted(by_run.items())
        if bots.get(OURS) and bots.get(INIT)
    }


def medians(measurements: Sequence[Measurement]) -> list[dict[str, object]]:
    """Per bot and scenario: the median msg/s, p50, p95, max over the runs; errors summed."""
    groups: dict[tuple[str, int, float], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.bot, m.users, m.think), []).append(m)
    rows: list[dict[str, object]] = []
    for (bot, users, think), group in groups.items():
        rows.append(
            {
                "bot": bot,
                "users": users,
                "think": think,
                "runs": len(group),
                "msg_per_s": median(m.msg_per_s for m in group),
                "p50_ms": median(m.p50_ms for m in group),
                "p95_ms": median(m.p95_ms for m in group),
                "max_ms": median(m.max_ms for m in group),
                "rasa_cpu_ms": median(m.rasa_cpu_ms for m in group),
                "errors": sum(m.errors for m in group),
                "empty": sum(m.empty for m in group),
            }
        )
    return rows


def targets(
    measurements: Sequence[Measurement], rss_mb: dict[str, list[float]]
) -> list[tuple[str, bool]]:
    """Each target of issue 16 as (text, met). ``rss_mb``: per bot, Rasa's RSS after each run."""
    out: list[tuple[str, bool]] = []
    per_run = ratios(measurements)
    if per_run:
        mid = median(per_run.values())
        low = min(per_run.values())
        listed = ", ".join(f"{r:.2f}×" for r in per_run.values())
        out.append(
            (
                f"throughput at {THROUGHPUT_SCENARIO[0]} users ≥ {MEDIAN_RATIO_TARGET:.0f}× the "
                f"`rasa init` bot, median of {len(per_run)} runs: {mid:.2f}× (runs: {listed})",
                mid >= MEDIAN_RATIO_TARGET,
            )
        )
        out.append(
            (f"no run below {LOWEST_RATIO_TARGET}×: lowest {low:.2f}×", low >= LOWEST_RATIO_TARGET)
        )
    ours = [m for m in measurements if m.bot == OURS and m.scenario == LATENCY_SCENARIO]
    if ours:
        p95 = median(m.p95_ms for m in ours)
        errors = sum(m.errors for m in ours)
        listed = ", ".join(f"{m.p95_ms:.0f}" for m in ours)
        out.append(
            (
                f"p95 ≤ {P95_TARGET_MS:.0f} ms with {LATENCY_SCENARIO[0]} users at "
                f"{LATENCY_SCENARIO[1]:.0f} s think time, median of {len(ours)} runs: {p95:.0f} ms "
                f"(runs: {listed} ms)",
                p95 <= P95_TARGET_MS,
            )
        )
        out.append((f"0 errors at {LATENCY_SCENARIO[0]} users: {errors}", errors == 0))
    rss = rss_mb.get(OURS) or []
    if rss:
        out.append(
            (
                f"our Rasa process ≤ {RSS_TARGET_MB:.0f} MB RSS in every run: highest "
                f"{max(rss):.0f} MB",
                max(rss) <= RSS_TARGET_MB,
            )
        )
    return out
