"""Paths and commands shared by the bot tests (the repository root must be on PYTHONPATH)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
# KK_TEST_MODEL points the tests at another trained model (default: the one `rasa train` writes).
MODEL = Path(os.environ.get("KK_TEST_MODEL") or REPO_ROOT / "models" / "kk.tar.gz")
DATA_ARGS = ["--config", "config.yml", "--domain", "bot/domain", "--data", "nlu_data", "bot/data"]


def rasa_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.update(extra)
    return env
