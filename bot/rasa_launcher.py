"""Rasa's command line (``python -m bot.rasa_launcher run ...``, the same arguments as ``rasa``)
without jax: ~65 MB less memory per Rasa process (docs/training_benchmark.md).

Rasa 3.6 imports TensorFlow when it starts (``rasa.core.agent`` → ``rasa.utils.train_utils``),
before any of this bot's code runs, and TensorFlow's TFLite module imports jax whenever jax is
installed (it is, as a dependency in the bot environment's lock file). Nothing in this bot or in
the Rasa components it uses (rules, memoization, the retrieval classifier) calls jax, and
TensorFlow treats a jax that cannot be imported as absent. Marking the module missing before
Rasa starts is therefore all it takes; it cannot be done from ``bot/`` code that Rasa loads,
because that is loaded after TensorFlow.
"""

from __future__ import annotations

import sys
from typing import Any, cast


def block_jax() -> None:
    """Make ``import jax`` raise ImportError in this process (unless it is imported already)."""
    sys.modules.setdefault("jax", cast(Any, None))  # None in sys.modules: "not installed"


def main() -> None:
    block_jax()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
