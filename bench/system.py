"""Start the whole system on free ports with a throwaway data directory, for evaluations and
benchmarks that must not touch ``./kk run``'s ports or ``var/`` (several people on one machine):

    .venvs/bot/bin/python -m bench.system [--production]

prints the case service's and Rasa's URLs, then runs until Ctrl-C or SIGTERM and stops
everything it started. The Rasa model is the shared ``models/kk.tar.gz`` (trained first when its
inputs changed, under the training lock), as with ``./kk run``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from tools import production
from tools.paths import LOGS
from tools.processes import Supervisor
from tools.run_system import SystemConfig, start_system
from tools.steps import StepRunner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--production", action="store_true", help="the production profile")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kk-bench-system-"))
    cfg = SystemConfig.on_free_ports(data_dir, LOGS / f"bench-system-{os.getpid()}", "bench: ")
    if args.production:
        production.configure(cfg, production.free_topology())
    sup = Supervisor()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        env = start_system(StepRunner(cfg.log_dir), sup, cfg, dict(os.environ))
        print(f"KK_API_URL={cfg.api_url}", flush=True)
        print(f"KK_RASA_URL={cfg.rasa_url}", flush=True)
        print(f"KK_SERVICE_TOKEN={env['KK_SERVICE_TOKEN']}", flush=True)
        print(
            f"evaluate with: .venvs/bot/bin/python -m bench.seed_eval.run_eval"
            f" --rasa-url {cfg.rasa_url} --api-url {cfg.api_url} --set ...",
            flush=True,
        )
        stopped.wait()
    finally:
        sup.stop_all()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
