"""Load benchmark: our bot against a `rasa init` bot on the same machine, in the same run.

Start our system first (with the per-person limit off: the demo has only three citizens, who
stand in for many), then run the benchmark from the repository root:

    KK_CHAT_RATE_PER_SUBJECT=0 ./kk run &
    .venvs/bot/bin/python -m bench.load.run_load [--rasa-url http://127.0.0.1:5005]
        [--api-url http://127.0.0.1:8000] [--seconds 30] [--no-baseline] [--no-train]

Each simulated user holds short conversations (6 turns, then a new sender id) and waits its
think time between turns. Our bot gets a mix: anonymous FAQ conversations through the REST
channel and logged-in conversations (own-case questions, which call the case service, and FAQ
questions) through the kk channel. The `rasa init` bot (TED + UnexpecTED + rules, trained once
into var/bench/rasa-init) gets its own mood-bot messages through Rasa's REST channel; a second
variant of it uses RulePolicy + MemoizationPolicy only. Reported: p50/p95/max latency,
messages/s, errors, Rasa's memory (RSS), training time of our bot. Writes docs/load_benchmark.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tools.run_system import child_env, rasa_train_command, training_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"
REPORT = ROOT / "docs" / "load_benchmark.md"
TURNS = 6
CITIZENS = ("demo-borger", "demo-borger-syg", "demo-borger-2")
SCENARIOS = ((10, 0.0), (25, 1.0))  # (users, think time in seconds)

# Our bot: FAQ-style questions (anonymous) and own-case questions (logged in). Written for the
# benchmark; they are not the accuracy evaluation set.
FAQ_MESSAGES = [
    "hvornår bliver kontanthjælpen udbetalt",
    "hvad er uddannelseshjælp",
    "skal jeg møde op personligt",
    "kan samtalen foregå over telefon",
    "hvad sker der hvis jeg ikke møder op",
    "hvad er en partshøring",
    "må jeg holde ferie når jeg får kontanthjælp",
    "hvad er 225 timers reglen",
    "hvor ser jeg min plan",
    "hvordan klager jeg over en afgørelse",
    "hvad er fleksjob",
    "hvad er ledighedsydelse",
    "jeg vil gerne tale med en medarbejder",
    "hvordan melder jeg mig syg",
    "hej",
    "tak for hjælpen",
]
OWN_CASE_MESSAGES = [
    "hvornår er min næste samtale",
    "hvornår får jeg mine penge",
    "hvad står der i min plan",
    "hvem er min sagsbehandler",
    "er jobcentret på lærkevej åbent i morgen",
    "har i åbent 2. juledag",
]
INIT_MESSAGES = [
    "hello",
    "I am sad",
    "yes",
    "great",
    "are you a bot?",
    "goodbye",
    "hi there",
    "no",
    "very good",
]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    empty: int = 0  # 200 with no bot message (the mood bot has no rule for some inputs)
    errors: int = 0
    error_kinds: dict = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def row(self) -> dict:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return (
                ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000
                if ordered
                else float("nan")
            )

        return {
            "messages": len(ordered),
            "empty": self.empty,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "msg_per_s": len(ordered) / self.seconds if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "max_ms": ordered[-1] * 1000 if ordered else float("nan"),
            "mean_ms": statistics.mean(ordered) * 1000 if ordered else float("nan"),
        }


async def send(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    text: str,
    headers: dict,
    result: Result,
    recording: list[bool],
) -> None:
    started = time.perf_counter()
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": text},
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=30),
        ) as response:
            body = await response.read()
            elapsed = time.perf_counter() - started
            if not recording[0]:
                return
            if response.status != 200:
                result.error(f"HTTP {response.status}")
            else:
                result.latencies.append(elapsed)
                result.empty += not json.loads(body)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        if recording[0]:
            result.error(type(error).__name__)


async def user(
    index: int, plan, think: float, stop_at: float, result: Result, recording: list[bool]
) -> None:
    rng = random.Random(index)
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < stop_at:
            url, headers, messages = plan(rng)
            sender = f"load{index}x{uuid.uuid4().hex[:8]}"
            for _ in range(TURNS):
                if time.monotonic() >= stop_at:
                    return
                await send(session, url, sender, rng.choice(messages), headers, result, recording)
                if think:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def run_scenario(
    plan, users: int, think: float, seconds: float, warmup: float = 3.0
) -> Result:
    result = Result()
    recording = [False]
    stop_at = time.monotonic() + warmup + seconds
    tasks = [
        asyncio.create_task(user(i, plan, think, stop_at, result, recording)) for i in range(users)
    ]
    await asyncio.sleep(warmup)
    recording[0] = True
    started = time.monotonic()
    await asyncio.gather(*tasks)
    result.seconds = time.monotonic() - started
    return result


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def our_plan(rasa_url: str, api_url: str):
    tokens = [
        post_json(f"{api_url}/auth/demo-login", {"username": u})["access_token"] for u in CITIZENS
    ]

    def plan(rng: random.Random):
        if rng.random() < 0.5:
            return f"{rasa_url}/webhooks/rest/webhook", {}, FAQ_MESSAGES
        token = rng.choice(tokens)
        return (
            f"{rasa_url}/webhooks/kk/webhook",
            {"Authorization": f"Bearer {token}"},
            OWN_CASE_MESSAGES + FAQ_MESSAGES[:6],
        )

    return plan


def init_plan(rasa_url: str):
    def plan(rng: random.Random):
        return f"{rasa_url}/webhooks/rest/webhook", {}, INIT_MESSAGES

    return plan


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def rss_mb_of_port(port: int) -> float | None:
    """Resident memory of the `rasa run` process serving ``port`` (from /proc)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [c.decode(errors="replace") for c in cmd]
        if (
            "run" in words
            and "--port" in words
            and words[words.index("--port") + 1 :][:1] == [str(port)]
            and not any(w == "actions" for w in words)
        ):
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    return None


def rasa_env(training: bool = False) -> dict:
    """The environment `./kk run` gives its servers (tools/run_system.child_env: among others
    one BLAS/OpenMP thread), so the `rasa init` bots run under the same settings as ours; for
    training all cores, as `./kk run` trains."""
    env = child_env(dict(os.environ))
    return training_env(env) if training else env


def prepare_init_bot(rules_only: bool) -> tuple[Path, float]:
    """A `rasa init` project (trained once and kept); the rules-only variant retrains its copy."""
    base = WORK / "rasa-init"
    trained = 0.0
    if not list((base / "models").glob("*.tar.gz")):
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(base)],
            env=rasa_env(training=True),
            check=True,
            capture_output=True,
            cwd=base,
        )
        trained = time.monotonic() - started
    if not rules_only:
        return base, trained
    variant = WORK / "rasa-init-rules"
    if not list((variant / "models").glob("*.tar.gz")):
        shutil.rmtree(variant, ignore_errors=True)
        shutil.copytree(base, variant, ignore=shutil.ignore_patterns("models"))
        config = (variant / "config.yml").read_text()
        head = config.split("policies:")[0]
        (variant / "config.yml").write_text(
            head + "policies:\n  - name: MemoizationPolicy\n  - name: RulePolicy\n"
        )
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "rasa"), "train", "--out", "models"],
            env=rasa_env(training=True),
            check=True,
            capture_output=True,
            cwd=variant,
        )
        trained = time.monotonic() - started
    return variant, trained


def start_init_bot(project: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = open(project / "rasa.log", "wb")
    process = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--port", str(port), "--interface", "127.0.0.1"],
        cwd=project,
        env=rasa_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_http(f"http://127.0.0.1:{port}/")
    return process, port


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def time_our_training() -> float:
    out = WORK / "train-timing"
    shutil.rmtree(out, ignore_errors=True)
    started = time.monotonic()
    subprocess.run(
        rasa_train_command(out, "--force"),
        cwd=ROOT,
        env=rasa_env(training=True),
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


# --- report --------------------------------------------------------------------------------


def fmt(value: float, digits: int = 0) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def write_report(rows: list[dict], extra: dict, args: argparse.Namespace) -> None:
    lines = [
        "# Load benchmark: KK-assistenten against a `rasa init` bot",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M')} on this machine ({os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}), each scenario "
        f"{args.seconds:.0f} s after a 3 s warm-up. Users hold {TURNS}-turn conversations, then "
        "take a new sender id. Reproduce:",
        "",
        "```sh",
        "KK_CHAT_RATE_PER_SUBJECT=0 ./kk run &     # the demo's three citizens stand in for many",
        f".venvs/bot/bin/python -m bench.load.run_load --seconds {args.seconds:.0f}",
        "```",
        "",
        "Our bot: half the conversations anonymous FAQ questions via the REST channel, half "
        "logged-in (own-case questions that call the case service, date-aware opening hours, FAQ) "
        "via the kk channel with a verified token on every turn. `rasa init`: the mood bot via "
        "Rasa's REST channel.",
        "",
        "| bot | users | think time | msg/s | p50 ms | p95 ms | max ms | errors | empty replies |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        errors = str(row["errors"]) + (f" ({row['error_kinds']})" if row["errors"] else "")
        lines.append(
            f"| {row['bot']} | {row['users']} | {row['think']:.0f} s | "
            f"{fmt(row['msg_per_s'], 1)} | "
            f"{fmt(row['p50_ms'])} | {fmt(row['p95_ms'])} | {fmt(row['max_ms'])} | {errors} | "
            f"{row['empty']} |"
        )
    lines += ["", "## Targets", ""]
    for target in extra.get("targets", []):
        lines.append(f"- {target}")
    lines += ["", "## Memory and training", ""]
    for key, value in extra.get("facts", {}).items():
        lines.append(f"- {key}: {value}")
    lines += ["", "## Notes", "", *[f"- {n}" for n in extra.get("notes", [])], ""]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rasa-url", default=os.environ.get("KK_RASA_URL", "http://127.0.0.1:5005")
    )
    parser.add_argument("--api-url", default=os.environ.get("KK_API_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-baseline", action="store_true", help="skip the rasa init bots")
    parser.add_argument("--no-train", action="store_true", help="do not time a training of our bot")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    facts: dict = {}

    if not args.no_train:
        print("timing `rasa train` of our bot ...", flush=True)
        facts["`rasa train` of our bot (forced, no cache)"] = f"{time_our_training():.0f} s"

    our_port = int(args.rasa_url.rsplit(":", 1)[1].split("/")[0])
    plan = our_plan(args.rasa_url, args.api_url)
    for users, think in SCENARIOS:
        print(f"our bot: {users} users, think {think} s ...", flush=True)
        result = asyncio.run(run_scenario(plan, users, think, args.seconds))
        rows.append(
            {
                "bot": "KK-assistenten (REST + kk, own-case via case service)",
                "users": users,
                "think": think,
                **result.row(),
            }
        )
    rss = rss_mb_of_port(our_port)
    facts["Rasa server memory (RSS) after the runs"] = f"{rss:.0f} MB" if rss else "not found"

    if not args.no_baseline:
        for rules_only, name in (
            (False, "`rasa init` bot (TED + UnexpecTED + rules)"),
            (True, "`rasa init` bot, RulePolicy + MemoizationPolicy only"),
        ):
            print(f"preparing {name} ...", flush=True)
            project, trained = prepare_init_bot(rules_only)
            if trained:
                facts[f"training of the {name}"] = f"{trained:.0f} s"
            process, port = start_init_bot(project)
            try:
                for users, think in SCENARIOS:
                    print(f"{name}: {users} users, think {think} s ...", flush=True)
                    result = asyncio.run(
                        run_scenario(
                            init_plan(f"http://127.0.0.1:{port}"), users, think, args.seconds
                        )
                    )
                    rows.append({"bot": name, "users": users, "think": think, **result.row()})
                rss = rss_mb_of_port(port)
                facts[f"memory (RSS) of the {name}"] = f"{rss:.0f} MB" if rss else "not found"
            finally:
                stop(process)

    ours = {(r["users"], r["think"]): r for r in rows if r["bot"].startswith("KK")}
    init = {
        (r["users"], r["think"]): r for r in rows if r["bot"].startswith("`rasa init` bot (TED")
    }
    targets = []
    slow = ours.get((25, 1.0))
    if slow:
        ok = slow["p95_ms"] <= 150 and slow["errors"] == 0
        targets.append(
            f"p95 ≤ 150 ms with 25 users at 1 s think time and 0 errors: "
            f"{fmt(slow['p95_ms'])} ms, {slow['errors']} errors — {'met' if ok else 'NOT met'}"
        )
    fast, base = ours.get((10, 0.0)), init.get((10, 0.0))
    if fast and base and base["msg_per_s"]:
        ratio = fast["msg_per_s"] / base["msg_per_s"]
        targets.append(
            f"throughput with 10 users ≥ 2× the `rasa init` bot: {ratio:.1f}× — "
            f"{'met' if ratio >= 2 else 'NOT met'}"
        )
    notes = [
        "Accuracy cost of dropping TED: none for this bot, which never used TED; all dialogue is "
        "rules (RulePolicy + MemoizationPolicy).",
        "The NLU is Danish BM25 fused with the bundled e5 encoder (config.yml dense_weight), "
        "which lifted the held-out citizen set from 87%/86% (in scope / out of scope) to 96%/97% "
        "(docs/citizen_eval.md). e5 costs 12-40 ms of CPU per message on this machine (one OpenMP "
        "thread); it runs only when BM25 alone is unsure (dense_skip_confidence), about half the "
        "messages, and the channels run the classification in a worker thread before Rasa's "
        "pipeline (bot/nlu/parse_ahead.py): e5 releases the GIL, so it uses the second core while "
        "Rasa's event loop serves other conversations. Full runs of this script on 2026-11-22, "
        "ours against `rasa init` in msg/s with 10 users: 48.4 vs 26.3 (1.8x) before that thread, "
        "53.3 vs 30.7 (1.7x) with it, 72.5 vs 29.7 (2.4x) with it and one BLAS thread (next "
        "note). Three more full runs that day with that code (the last also with the tracker "
        "store keeping event objects and inserting with one Core INSERT): 49.5 vs 24.5 (2.0x, p95 "
        "186 ms at 25 users: NOT met; every bot was slower in that run), 59.9 vs 30.5 (1.96x, p95 "
        "94 ms), 62.3 vs 28.0 (2.2x, p95 113 ms). The margin over 2x is small and runs vary by "
        "20%. The same script measured the BM25-only configuration (dense_weight: 0) on "
        "2026-11-22: 82.1 msg/s with 10 users and p95 46 ms with 25 users, 0 errors; that "
        "configuration meets both targets at the accuracy cost above.",
        "The per-conversation rate limit (KK_CHAT_RATE_PER_CONVERSATION, 30/min) stays on; the "
        "per-person limit is off for the run because three demo citizens stand in for all users.",
        "Latency is measured at the client on loopback and includes token verification, PII "
        "masking, the tracker store (SQLite) and the action server's calls to the case service.",
        "The load generator, the case service and the action server share the 2 cores with Rasa; "
        "Rasa itself is one process: one event loop plus the classification thread.",
        "All servers, ours and both `rasa init` bots, run with the environment `./kk run` gives "
        "its children (tools/run_system.child_env): one OpenBLAS/OpenMP thread. Otherwise numpy's "
        "OpenBLAS keeps a second thread that busy-waits between tiny operations; under this load "
        "it took half a core from our Rasa server (found with gdb on the loaded process).",
        "Found by profiling (cProfile, then py-spy on the running server under this load) and "
        "fixed: Rasa re-validated the JSON schema of every action-server response against the "
        "meta-schema (~80 ms per custom action; bot/rasa_patches.py caches the validator); the "
        "whole domain was sent with every action call (enable_selective_domain); SQLite fsync per "
        "turn (WAL); Rasa's SQL tracker store read the whole session back and counted the stored "
        "events on every turn and opened a new SQLite connection each time, about half of Rasa's "
        "time under load (bot/tracker_store.py keeps recent sessions in memory, writes through, "
        "pools connections); BM25 scoring per posting in Python (now precomputed vectors). Before "
        "all of these: 17.7 msg/s and p95 1188 ms (10 users), p95 1006 ms (25 users); before the "
        "tracker store: 31 msg/s and p95 171-250 ms (25 users).",
    ]
    write_report(rows, {"targets": targets, "facts": facts, "notes": notes}, args)
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
