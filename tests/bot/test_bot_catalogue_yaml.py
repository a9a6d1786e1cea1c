"""The reviewed catalogue in the repository, read into the contract's types
(kkshared/catalogue_yaml.py): what training and the action server's fallback read, checked the
way bot/build_faq.py checked it before the answers became live (no generated domain any more)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bot_paths import REPO_ROOT

from kkshared.catalogue_yaml import (
    CatalogueYamlError,
    parse_examples,
    read_answers,
    read_examples,
    read_seed,
)


def _write(directory: Path, name: str, entries: list[dict]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def _entry(entry_id: str, answer: str = "Et svar.", date: str = "2020-06-15") -> dict:
    return {
        "id": entry_id,
        "topic": "test",
        "title": f"Titel {entry_id}",
        "answer": answer,
        "source": {"file": "000_0be9af2cecd9aa10.txt", "date": date, "quote": "citat"},
    }


def test_entries_of_every_file_sorted_by_id(tmp_path: Path) -> None:
    _write(tmp_path, "b.yml", [_entry("zeta", "Svar Z")])
    _write(tmp_path, "a.yml", [_entry("alpha", "  Svar æøå\n")])
    entries = read_answers(tmp_path)
    assert [e.id for e in entries] == ["alpha", "zeta"]
    assert entries[0].answer == "Svar æøå" and entries[0].title == "Titel alpha"
    assert entries[0].source.file == "000_0be9af2cecd9aa10.txt"
    assert entries[0].source.date == "2020-06-15" and entries[0].source.quote == "citat"


def test_yaml_dates_are_read_as_iso_text(tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_text(
        "- id: dated\n  topic: t\n  title: T\n  answer: A\n"
        "  source: {file: f.txt, date: 2017-03-01, quote: q}\n",
        encoding="utf-8",
    )
    assert read_answers(tmp_path)[0].source.date == "2017-03-01"


def test_a_named_external_source_needs_name_and_url(tmp_path: Path) -> None:
    external = {
        **_entry("ext"),
        "source": {"name": "borger.dk", "url": "https://x", "date": "2025"},
    }
    _write(tmp_path, "a.yml", [external])
    source = read_answers(tmp_path)[0].source
    assert (source.name, source.url, source.file) == ("borger.dk", "https://x", None)


@pytest.mark.parametrize(
    "entries, message",
    [
        ([_entry("same"), _entry("same")], "duplicate id"),
        ([_entry("Has Space")], "invalid or missing id"),
        ([_entry("no_answer", answer="")], "has no answer"),
        ([{**_entry("no_date"), "source": {"file": "x.txt"}}], "no source with a date"),
        ([{**_entry("no_file"), "source": {"date": "2020", "name": "x"}}], "a name and a url"),
    ],
)
def test_bad_catalogue_is_refused(tmp_path: Path, entries: list[dict], message: str) -> None:
    _write(tmp_path, "bad.yml", entries)
    with pytest.raises(CatalogueYamlError, match=message):
        read_answers(tmp_path)


def test_examples_are_the_lines_of_faq_intents(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/alpha\n  examples: |\n    - hvad er det\n'
        "    -   med mellemrum  \n- intent: greet\n  examples: |\n    - hej\n",
        encoding="utf-8",
    )
    assert read_examples(tmp_path) == {"alpha": ("hvad er det", "med mellemrum")}
    assert parse_examples("- a\n\n- b\n") == ("a", "b")


def test_the_repository_catalogue_reads_with_examples_for_all_but_the_lookup_entry() -> None:
    seed = read_seed(REPO_ROOT)
    assert seed.revision == 0 and len(seed.entries) > 100
    without = {e.id for e in seed.entries if not e.examples}
    # Opening hours are looked up live (action_opening_hours), not answered from the catalogue.
    assert without == {"contact_opening_hours_lookup"}
    ids = {e.id for e in seed.entries}
    assert set(read_examples(REPO_ROOT / "nlu_data" / "faq")) <= ids  # no answer without entry
