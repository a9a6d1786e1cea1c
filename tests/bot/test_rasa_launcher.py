"""bot/rasa_launcher.py: Rasa starts without importing jax (memory), and every Rasa server this
project starts goes through it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from tools.run_system import rasa_run_command

REPO = Path(__file__).resolve().parents[2]


def test_jax_is_installed_so_blocking_it_matters() -> None:
    assert importlib.util.find_spec("jax") is not None


def test_rasa_and_tensorflow_load_without_jax() -> None:
    code = (
        "import sys\n"
        "from bot.rasa_launcher import block_jax\n"
        "block_jax()\n"
        "import rasa.core.agent, tensorflow\n"
        "assert sys.modules['jax'] is None, 'jax was imported'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_the_launcher_passes_rasas_own_arguments() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.rasa_launcher", "--version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Rasa Version" in done.stdout


def test_every_rasa_server_is_started_through_the_launcher() -> None:
    cmd = rasa_run_command("models/kk.tar.gz", 5999)
    assert cmd[1:4] == ["-m", "bot.rasa_launcher", "run"]
