"""No evaluation text in what the assistant learns or answers from.

Every message of every evaluation set (eval/**) is compared with the training data (nlu_data/,
bot/data/), the citizen catalogue (knowledge/citizen/) and the legal notes (knowledge/legal/): no
run of six or more words may be shared, after folding case, æ/ø/å and punctuation. The source
documents' own wording is left out on both sides (quotes, and runs that occur in the seeds): the
catalogue and the sets are both written from the seeds, and a phrase the seed uses is the seed's,
not the set's.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kkshared.knowledge import default_seeds_dir
from kkshared.normalize import normalize_source_text
from kkshared.sources import word_runs

REPO = Path(__file__).resolve().parents[2]
RUN = 6
EVAL_KEYS = {"text", "message", "question", "user"}
SKIPPED_KEYS = {"quote", "source", "expect_any", "expect_not", "expect", "expected"}
LEARNED_FROM = [
    *(REPO / "nlu_data").rglob("*.yml"),
    *(REPO / "bot" / "data").rglob("*.yml"),
    *(REPO / "knowledge" / "citizen").glob("*.yml"),
    *(REPO / "knowledge" / "citizen_en").glob("*.yml"),
    *(REPO / "knowledge" / "nlu_en").glob("*.yml"),
    *(REPO / "knowledge" / "legal").rglob("*.yml"),
]
# Python modules with questions a model or a threshold is fitted on.
LEARNED_FROM_PYTHON = [REPO / "api" / "legal" / "dev_questions.py"]
EVAL_FILES = sorted((REPO / "eval").rglob("*.yml"))


def runs(text: str) -> frozenset[tuple[str, ...]]:
    return word_runs(text, RUN)


def _strings(node: object, keys: set[str] | None, key: str | None = None) -> Iterator[str]:
    """String values under ``keys`` (every string when ``keys`` is None), never under a
    skipped key. Example blocks ("- a\\n- b") yield one string per example."""
    if key in SKIPPED_KEYS:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, keys, str(k))
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, keys, key)
    elif isinstance(node, str) and (keys is None or key in keys):
        for line in node.splitlines() or [node]:
            yield re.sub(r"^\s*-\s+", "", line)


def python_strings(path: Path) -> Iterator[str]:
    """The string constants assigned in a module (its docstrings are not)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            for constant in ast.walk(node.value):
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                    yield constant.value


def seed_runs() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for path in sorted(default_seeds_dir().glob("*.txt")):
        found |= runs(normalize_source_text(path.read_text(encoding="utf-8")))
    return found


def learned_runs() -> dict[tuple[str, ...], str]:
    seeds = seed_runs()
    assert seeds, f"no seed documents in {default_seeds_dir()}"
    found: dict[tuple[str, ...], str] = {}
    texts = [
        (path, text)
        for path in LEARNED_FROM
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8")), None)
    ]
    texts += [(path, text) for path in LEARNED_FROM_PYTHON for text in python_strings(path)]
    for path, text in texts:
        for run in runs(text) - seeds:
            found.setdefault(run, str(path.relative_to(REPO)))
    return found


def test_the_check_sees_the_sets_and_the_training_data() -> None:
    assert len(EVAL_FILES) >= 8, [str(p) for p in EVAL_FILES]
    assert len(learned_runs_cached()) > 10_000
    assert sum(1 for _ in python_strings(LEARNED_FROM_PYTHON[0])) > 100
    # A shared run of six words is found whatever the case, æ/ø/å spelling and punctuation.
    assert runs("Hvornår får jeg min kontanthjælp udbetalt?") & runs(
        "hvornaar faar jeg, min KONTANTHJAELP udbetalt"
    )


@pytest.mark.parametrize("path", EVAL_FILES, ids=lambda p: str(p.relative_to(REPO / "eval")))
def test_no_evaluation_message_shares_six_words_with_training_catalogue_or_notes(
    path: Path,
) -> None:
    learned = learned_runs_cached()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw.get("items") if isinstance(raw, dict) else None
    parts = (
        [(str(item.get("id", index)), item) for index, item in enumerate(items)]
        if isinstance(items, list)
        else [(path.name, raw)]
    )
    leaks = []
    for item_id, part in parts:
        for text in _strings(part, EVAL_KEYS):
            shared = [(" ".join(run), learned[run]) for run in runs(text) if run in learned]
            if shared:
                # The item's id, the shared run and where it was learned: enough to reword the
                # training side without printing the whole evaluation message.
                leaks.append((item_id, *shared[0]))
    assert not leaks, f"{len(leaks)} evaluation messages share {RUN}+ words: {leaks[:8]}"


_CACHE: dict[tuple[str, ...], str] | None = None


def learned_runs_cached() -> dict[tuple[str, ...], str]:
    global _CACHE
    if _CACHE is None:
        _CACHE = learned_runs()
    return _CACHE
