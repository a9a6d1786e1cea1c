"""How long `rasa train` takes, how often it says something, and its peak memory (issue 16).

    .venvs/bot/bin/python -m bench.training [--cold] [--no-seed] [--busy] [--threads N]
        [--change-one]

Trains the repository's bot with `rasa train --force` into a throwaway directory (never
``models/kk.tar.gz``), in the environment ``./kk run``'s train step gives it
(``tools.run_system.training_env``, through ``bot.nlu.training_progress`` as there; ``--plain``:
bare `rasa train`). Reports the wall time, the CPU time, the longest silence
between two output lines (the step must print progress at least every 10 s) and the peak RSS.

- ``--cold``: an empty e5 vector cache (a fresh clone, which has the repository's seed of e5
  vectors, kkshared/data/e5_seed.npz); default: ``var/e5-cache`` (warm).
- ``--no-seed``: the seed is not read (``KK_E5_SEED=off``): with ``--cold``, every text is encoded.
- ``--busy``: Debian's ``stress-ng --cpu 1`` runs for the whole training (bench/load/busy.py).
- ``--threads N``: e5/OpenMP threads for the training (default: ``training_threads()``).
- ``--change-one``: a copy of ``nlu_data`` is trained once, one example is changed, and the
  retrain (without ``--force``, Rasa's own cache kept, as ``./kk run`` retrains) is measured.
- ``--rasa-cache DIR``: Rasa's training cache (default: a fresh one per run, so that every run
  trains every component).

Each run prints one JSON line at the end (also appended to ``var/bench/training.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.load.busy import BUSY_COMMAND, busy_machine
from tools.paths import REPO, VAR
from tools.run_system import E5_CACHE_DIR, child_env, rasa_train_command, training_env

RESULTS = VAR / "bench" / "training.jsonl"
E5_LINE = re.compile(r"^(e5|progress): ")


def _tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its children (MB); 0 when it is gone."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as children:
                pids += [int(p) for p in children.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def train(
    data: Path, out: Path, env: dict, force: bool = True, name: str = "bench", plain: bool = False
) -> dict[str, float | int]:
    """One `rasa train` run, as `./kk run` starts it (with bot.nlu.training_progress) or
    ``plain``; its wall and CPU seconds, longest silence, peak RSS, lines."""
    forced = ["--force"] if force else []
    cmd = rasa_train_command(out, *forced, data=data, name=name, progress=not plain)
    started = time.monotonic()
    before = os.times()
    process = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    peak = 0.0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.5):
            peak = max(peak, _tree_rss_mb(process.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    last = started
    longest = 0.0
    lines = progress = 0
    log = out / f"{name}.log"
    assert process.stdout is not None
    with open(log, "w") as handle:
        for line in process.stdout:
            now = time.monotonic()
            longest = max(longest, now - last)
            last = now
            lines += 1
            progress += bool(E5_LINE.match(line))
            handle.write(f"{now - started:7.1f} {line}")
            handle.flush()
    code = process.wait()
    done.set()
    watcher.join()
    ended = time.monotonic()
    after = os.times()
    longest = max(longest, ended - last)
    if code != 0:
        raise SystemExit(f"rasa train failed ({code}); log: {log}")
    return {
        "seconds": round(ended - started, 1),
        "cpu_seconds": round(
            (after.children_user + after.children_system)
            - (before.children_user + before.children_system),
            1,
        ),
        "longest_silence_seconds": round(longest, 1),
        "peak_rss_mb": round(peak),
        "output_lines": lines,
        "progress_lines": progress,
    }


def change_one_example(data: Path) -> str:
    """Change the first NLU example of the first file in ``data`` (a copy); returns it."""
    for path in sorted(data.rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^(\s+- )(\S.*)$", text, flags=re.MULTILINE)
        if match is not None:
            changed = match.group(2) + " lige nu"
            path.write_text(
                text[: match.start(2)] + changed + text[match.end(2) :], encoding="utf-8"
            )
            return f"{path.name}: {changed}"
    raise SystemExit(f"no NLU example found in {data}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", action="store_true", help="start with an empty e5 cache")
    parser.add_argument("--no-seed", action="store_true", help="do not read the e5 seed")
    parser.add_argument("--busy", action="store_true", help=f"run `{BUSY_COMMAND}` meanwhile")
    parser.add_argument("--threads", type=int, help="e5/OpenMP threads (default: automatic)")
    parser.add_argument("--change-one", action="store_true", help="measure a one-entry retrain")
    parser.add_argument("--rasa-cache", type=Path, help="Rasa's training cache directory")
    parser.add_argument("--plain", action="store_true", help="bare `rasa train` (no heartbeat)")
    parser.add_argument("--keep-model", type=Path, help="copy the trained model here")
    parser.add_argument("--label", default="", help="a note stored with the result")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kk-bench-training-"))
    result: dict[str, object] = {}
    try:
        e5_cache = work / "e5-cache" if args.cold else E5_CACHE_DIR
        env = training_env(child_env(dict(os.environ)))
        env["KK_E5_CACHE_DIR"] = str(e5_cache)
        env["RASA_CACHE_DIRECTORY"] = str(args.rasa_cache or work / "rasa-cache")
        if args.no_seed:
            env["KK_E5_SEED"] = "off"
        if args.threads:
            env["OMP_NUM_THREADS"] = env["KK_E5_THREADS"] = str(args.threads)
        data = REPO / "nlu_data"
        result = {
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "label": args.label,
            "cold_e5_cache": args.cold,
            "e5_seed": not args.no_seed,
            "busy": BUSY_COMMAND if args.busy else None,
            "threads": env["KK_E5_THREADS"],
            "command": "rasa train" if args.plain else "python -m bot.nlu.training_progress train",
            "load_average_before": round(os.getloadavg()[0], 2),
        }
        if args.change_one:
            data = work / "nlu_data"
            shutil.copytree(REPO / "nlu_data", data)
            result["first_training"] = train(data, work, env, True, "first", args.plain)
            result["changed"] = change_one_example(data)
        with busy_machine(args.busy):
            result.update(train(data, work, env, not args.change_one, "bench", args.plain))
        result["load_average_after"] = round(os.getloadavg()[0], 2)
        if args.keep_model:
            shutil.copy(work / "bench.tar.gz", args.keep_model)
    finally:
        # The timestamped output of the measured training, kept beside the results.
        log = RESULTS.parent / f"training-{time.strftime('%Y%m%d-%H%M%S')}.log"
        if (work / "bench.log").exists():
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "bench.log", log)
            result["log"] = str(log.relative_to(REPO))
        shutil.rmtree(work, ignore_errors=True)
    line = json.dumps(result, ensure_ascii=False)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
