"""Load benchmark of the production profile: 1 and 2 Rasa replicas behind nginx, in one run.

Starts the production profile itself (tools/production.py: PostgreSQL, Redis, nginx, 2 Rasa and
2 action-server replicas, the case service with 2 workers) on free ports with a throwaway data
directory, then drives the same load as bench/load/run_load.py through nginx:

1. both Rasa replicas behind nginx;
2. one Rasa replica: nginx reloaded with replica 1 only, replica 2 stopped (its CPU is free).

Each step runs the scenarios of run_load (10 users without think time: throughput; 25 users with
1 s think time: latency), and the order is repeated once (2, 1, 2, 1) so a slow moment of the
machine does not decide the comparison. Writes docs/production_benchmark.md.

    .venvs/bot/bin/python -m bench.load.replicas [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from bench.load.run_load import SCENARIOS, TURNS, fmt, our_plan, run_scenarios
from tools import production, production_nginx
from tools.paths import LOGS
from tools.processes import Supervisor, kill_groups
from tools.run_system import SystemConfig, start_system
from tools.steps import StepRunner

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "production_benchmark.md"


def start(runner: StepRunner, sup: Supervisor, data_dir: Path) -> SystemConfig:
    cfg = SystemConfig.on_free_ports(data_dir, LOGS / "bench-production", "bench: ")
    production.configure(cfg, production.free_topology())
    # The demo's three citizens stand in for many: the per-person limit is off (as in run_load).
    environ = dict(os.environ, KK_CHAT_RATE_PER_SUBJECT="0")
    start_system(runner, sup, cfg, environ)
    return cfg


def set_rasa_replicas(cfg: SystemConfig, sup: Supervisor, count: int) -> None:
    """nginx in front of the first ``count`` Rasa replicas; the others stopped (or started)."""
    topology: production.Topology = cfg.production
    rasa = [s for s in sup.services if s.name.startswith("Rasa server")]
    for index, svc in enumerate(rasa):
        running = svc.proc is not None and svc.proc.poll() is None
        if index < count and not running:
            svc.proc = None
            sup.services.remove(svc)
            sup.start(svc)
            sup.wait_healthy(svc)
        elif index >= count and running:
            kill_groups([svc.proc], grace=10)
    nginx = next(s for s in sup.services if s.name == "nginx")
    prefix = Path(cfg.data_dir) / "nginx"
    text = production_nginx.render(
        prefix=prefix.resolve(),
        rasa_port=cfg.rasa_port,
        rasa_replicas=topology.rasa_ports[:count],
        actions_port=cfg.actions_port,
        actions_replicas=topology.actions_ports,
        access_log=(Path(cfg.log_dir) / "nginx-access.log").resolve(),
    )
    conf = production_nginx.write(prefix.resolve(), text)
    subprocess.run([nginx.cmd[0], "-p", str(prefix.resolve()), "-c", str(conf), "-s", "reload"])
    time.sleep(2)  # the old workers finish; new ones use the new upstream list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=2, help="times the 2-then-1 order is run")
    args = parser.parse_args()
    runner = StepRunner(LOGS / "bench-production")
    sup = Supervisor(log_path=LOGS / "bench-production" / "supervisor.log")
    data_dir = Path(tempfile.mkdtemp(prefix="kk-bench-prod-"))
    data_dir.chmod(0o755)
    rows: list[dict] = []
    try:
        cfg = start(runner, sup, data_dir)
        plan = our_plan(cfg.rasa_url, cfg.api_url)
        for round_number in range(1, args.rounds + 1):
            for replicas in (2, 1):
                set_rasa_replicas(cfg, sup, replicas)
                label = f"round {round_number}: {replicas} replica(s)"
                for users, think, result in run_scenarios(plan, args.seconds, label):
                    row = {"users": users, "think": think, **result.row()}
                    rows.append({"round": round_number, "replicas": replicas, **row})
    finally:
        sup.stop_all()
        production.remove_data(data_dir)
    write_report(rows, args)
    print(REPORT.read_text())


def write_report(rows: list[dict], args: argparse.Namespace) -> None:
    lines = [
        "# Production profile: throughput with 1 and 2 Rasa replicas",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M')} on this machine ({os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}), each scenario "
        f"{args.seconds:.0f} s after a 3 s warm-up, through nginx. Users hold {TURNS}-turn "
        "conversations (half anonymous FAQ on the REST channel, half logged in on the kk "
        "channel with own-case questions), as in docs/load_benchmark.md. Reproduce:",
        "",
        "```sh",
        f".venvs/bot/bin/python -m bench.load.replicas --seconds {args.seconds:.0f}",
        "```",
        "",
        "| round | Rasa replicas | users | think | msg/s | p50 ms | p95 ms | max ms | errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        errors = str(row["errors"]) + (f" ({row['error_kinds']})" if row["errors"] else "")
        lines.append(
            f"| {row['round']} | {row['replicas']} | {row['users']} | {row['think']:.0f} s | "
            f"{fmt(row['msg_per_s'], 1)} | {fmt(row['p50_ms'])} | {fmt(row['p95_ms'])} | "
            f"{fmt(row['max_ms'])} | {errors} |"
        )
    lines += ["", "## Summary", ""]
    for users, think in SCENARIOS:
        for replicas in (1, 2):
            same = [
                r
                for r in rows
                if r["replicas"] == replicas and r["users"] == users and r["think"] == think
            ]
            if same:
                rate = sum(r["msg_per_s"] for r in same) / len(same)
                p95 = sum(r["p95_ms"] for r in same) / len(same)
                lines.append(
                    f"- {users} users, {think:.0f} s think time, {replicas} replica(s): "
                    f"{rate:.1f} msg/s, p95 {p95:.0f} ms (mean of {len(same)} runs)"
                )
    lines += ["", "## Reading the numbers", "", *[f"- {note}" for note in notes(rows)], ""]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


def mean_rate(rows: list[dict], replicas: int, users: int = 10, think: float = 0.0) -> float:
    same = [
        r["msg_per_s"]
        for r in rows
        if r["replicas"] == replicas and r["users"] == users and r["think"] == think
    ]
    return sum(same) / len(same) if same else float("nan")


def notes(rows: list[dict]) -> list[str]:
    one, two = mean_rate(rows, 1), mean_rate(rows, 2)
    gain = two / one if one == one and one else float("nan")
    return [
        f"Throughput (10 users, no think time): {fmt(one, 1)} msg/s with one Rasa replica, "
        f"{fmt(two, 1)} with two: {fmt(gain, 2)}x. This machine has 2 cores for everything: both "
        "Rasa replicas, both action servers, the case service's 2 workers, PostgreSQL, Redis, "
        "nginx and the load generator. One Rasa replica already keeps about a core busy (its "
        "event loop plus the classification thread, docs/load_benchmark.md), so a second replica "
        "mostly competes for the same CPU: little gain is expected here, and the second "
        "replica's gain is the part of a core the first one left idle.",
        "Per core, honestly: a Rasa replica is one Python process, so it uses at most about one "
        "core (plus the e5 thread). Where each replica has a core of its own and PostgreSQL, "
        "Redis and the case service run elsewhere (Kubernetes: deploy/), throughput grows about "
        f"linearly with replicas, roughly {fmt(one, 0)} msg/s per replica-core measured here as "
        "a lower bound (here that replica shares its cores with everything else). Not measured: "
        "the point where PostgreSQL's writes (one transaction per turn) or the case service "
        "become the limit; that needs a machine with more cores.",
        "Compared with docs/load_benchmark.md (`./kk run`: one Rasa process, SQLite), each turn "
        "here also goes through nginx, takes the conversation lock in Redis (a few round trips), "
        "checks the tracker copy against PostgreSQL (one max(id) query) and writes the turn to "
        "PostgreSQL: that costs latency, not correctness.",
        "Runs on this shared machine vary by 20% and more (other work on the same cores); the "
        "order 2, 1, 2, 1 puts both configurations into the same conditions as far as possible. "
        f"Load average when the report was written: {os.getloadavg()[0]:.1f} (1 min) on "
        f"{os.cpu_count()} cores.",
    ]


if __name__ == "__main__":
    main()
