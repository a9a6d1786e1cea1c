"""What the Rasa server's memory (RSS) is made of (issue 16: each Rasa process <= 1.0 GB).

    .venvs/bot/bin/python -m bench.training_memory --model /tmp/models/kk.tar.gz [--tracemalloc]

Loads the model in this process as `rasa run` does (``Agent.load``) and prints the RSS after each
stage: Python, numpy, TensorFlow (Rasa imports it whatever the pipeline), Rasa's agent, the
Danish lexicon, the model (the classifier's indexes, e5 vectors, source passages, Rasa's graph),
and after parsing the load benchmark's messages (e5 mapped in, caches filled). ``--tracemalloc``
also lists the largest Python allocations made while loading the model. The RSS of a running
server is measured by ``--server-port`` (the `rasa run` process serving that port).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import tracemalloc
from pathlib import Path

ENGLISH_MESSAGES = [
    "when do I get my money",
    "can I bring an interpreter to the meeting",
    "what happens if I am sick",
]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stage(name: str, started: float) -> None:
    print(f"{name:<40} RSS {rss_mb():7.0f} MB   ({time.monotonic() - started:5.1f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a trained model (.tar.gz)")
    parser.add_argument("--tracemalloc", action="store_true", help="largest allocations of load")
    parser.add_argument("--server-port", type=int, help="report a running server's RSS instead")
    args = parser.parse_args()
    if args.server_port:
        from bench.load.run_load import rss_mb_of_port

        print(f"rasa run on port {args.server_port}: RSS {rss_mb_of_port(args.server_port)} MB")
        return
    if args.model is None:
        parser.error("--model is required")
    started = time.monotonic()
    stage("python", started)
    import numpy  # noqa: F401

    stage("numpy", started)
    import tensorflow  # noqa: F401

    stage("tensorflow", started)
    from rasa.core.agent import Agent

    stage("rasa.core.agent", started)
    from kkshared import lexicon

    lexicon.load()
    stage("lexicon (lemmas, folded lemmas, restore index)", started)
    if args.tracemalloc:
        tracemalloc.start(12)
    agent = Agent.load(str(args.model))
    stage("model loaded", started)
    if args.tracemalloc:
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        print("largest allocations while loading the model (by file:line):")
        for stat in snapshot.statistics("lineno")[:15]:
            print(f"  {stat.size / 2**20:7.1f} MB  {stat.traceback[0]}")
    from bench.load.run_load import FAQ_MESSAGES, OWN_CASE_MESSAGES

    async def parse_all() -> None:
        for text in [*FAQ_MESSAGES, *OWN_CASE_MESSAGES, *ENGLISH_MESSAGES] * 3:
            await agent.parse_message(text)

    asyncio.run(parse_all())
    stage("after parsing 75 messages", started)
    print(f"modules loaded: {len(sys.modules)}")


if __name__ == "__main__":
    main()
