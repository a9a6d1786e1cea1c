"""The FAQ responses are generated from the citizen catalogue and kept up to date."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import build_faq


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


def test_one_response_per_entry_with_source(tmp_path: Path) -> None:
    _write(tmp_path, "b.yml", [_entry("zeta", "Svar Z")])
    _write(tmp_path, "a.yml", [_entry("alpha", "Svar æøå")])

    document = yaml.safe_load(build_faq.build(tmp_path))

    responses = document["responses"]
    assert list(responses) == ["utter_faq/alpha", "utter_faq/zeta"]
    alpha = responses["utter_faq/alpha"][0]
    assert alpha["text"] == "Svar æøå"
    assert alpha["custom"]["source"] == {
        "file": "000_0be9af2cecd9aa10.txt",
        "date": "2020-06-15",
        # People see the document's title and date, not the file name.
        "title": "BIF: Bidrag til Københavns Kommunes evaluering af indsatsen under "
        "corona-nedlukningen, 2020-06-15",
    }
    assert alpha["custom"]["title"] == "Titel alpha"


def test_yaml_dates_are_written_as_iso_text(tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_text(
        "- id: dated\n  title: T\n  answer: A\n"
        "  source: {file: f.txt, date: 2017-03-01, quote: q}\n",
        encoding="utf-8",
    )
    document = yaml.safe_load(build_faq.build(tmp_path))
    assert document["responses"]["utter_faq/dated"][0]["custom"]["source"]["date"] == "2017-03-01"


@pytest.mark.parametrize(
    "entries, message",
    [
        ([_entry("same"), _entry("same")], "duplicate id"),
        ([_entry("Has Space")], "invalid or missing id"),
        ([_entry("no_answer", answer="")], "empty answer"),
        ([{**_entry("no_source"), "source": {"file": "x.txt"}}], "source.file and source.date"),
    ],
)
def test_bad_catalogue_is_refused(tmp_path: Path, entries: list[dict], message: str) -> None:
    _write(tmp_path, "bad.yml", entries)
    with pytest.raises(build_faq.CatalogueError, match=message):
        build_faq.build(tmp_path)


def test_check_mode_detects_stale_output(tmp_path: Path) -> None:
    catalogue, out = tmp_path / "cat", tmp_path / "faq.yml"
    _write(catalogue, "a.yml", [_entry("one")])
    assert build_faq.main([str(catalogue), "--out", str(out)]) == 0
    assert build_faq.main([str(catalogue), "--out", str(out), "--check"]) == 0
    _write(catalogue, "a.yml", [_entry("one"), _entry("two")])
    assert build_faq.main([str(catalogue), "--out", str(out), "--check"]) == 1


def test_committed_faq_domain_is_up_to_date_with_the_catalogue() -> None:
    committed = build_faq.DEFAULT_OUTPUT.read_text(encoding="utf-8")
    is_current = committed == build_faq.build(build_faq.DEFAULT_CATALOGUE)
    assert is_current, "bot/domain/faq.yml is stale: run `python -m bot.build_faq`"
