"""The coverage report of the source documents (docs/seed_coverage.md) is current and sound."""

from __future__ import annotations

from bench.seed_eval.coverage import REPORT, main, map_passages
from kkshared.knowledge import default_seeds_dir
from kkshared.sources import read_passages


def test_the_committed_report_is_current(monkeypatch) -> None:
    monkeypatch.setattr("sys.argv", ["coverage", "--check"])
    assert main() == 0, f"run `python -m bench.seed_eval.coverage` to update {REPORT.name}"


def test_every_catalogue_entry_quotes_a_passage_it_maps() -> None:
    mappings = map_passages(read_passages(default_seeds_dir()))
    quoted = {m.covered_by for m in mappings if m.how == "quoted"}
    # Each seed-based entry's quote lies in some passage, so the mapping finds its source text.
    assert len(quoted) > 150
    assert any(m.how == "uncovered" for m in mappings)
    assert all(m.covered_by is None for m in mappings if m.how == "uncovered")
