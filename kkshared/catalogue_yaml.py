"""The reviewed seed of the citizen catalogue, read from the repository's YAML into the contract's
types (``kkshared.catalogue``).

Two files per topic, under one root (the repository, or an export with the same layout):

- ``knowledge/citizen/<topic>.yml``: the answers (``id``, ``topic``, ``title``, ``answer``,
  ``source: {file | name + url, date, quote}``, ``related``), see knowledge/citizen/README.md;
- ``nlu_data/faq/<topic>.yml``: the example questions, Rasa NLU blocks ``- intent: faq/<id>``
  with ``examples: |`` lines;
- ``knowledge/citizen_<lang>/<topic>.yml`` (``TRANSLATIONS_DIRS``): an entry in another language,
  a list of ``id``, ``title``, ``answer``, ``examples`` (knowledge/citizen_en/README.md); source,
  date, topic and related come from the Danish entry with the same id.

Read by Rasa training (the catalogue in the model, ``bot/nlu/retrieval_classifier.py``) and by
the action server when the case service's live catalogue cannot be reached
(``actions/faq_catalogue.py``). Texts are stripped, not re-wrapped, so an entry read here equals
the same entry imported by the case service (``api/catalogue/yaml_io.py``): an unchanged live
snapshot ranks exactly like the model.

Needs PyYAML (both environments have it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from kkshared.catalogue import CatalogueEntry, CatalogueSnapshot, EntrySource, Translation

REPO_ROOT = Path(__file__).resolve().parent.parent
ANSWERS_DIR = Path("knowledge") / "citizen"
EXAMPLES_DIR = Path("nlu_data") / "faq"
# The translations of the catalogue, by language.
TRANSLATIONS_DIRS = {"en": Path("knowledge") / "citizen_en"}
INTENT_PREFIX = "faq/"
# Entry ids become part of the intent name "faq/<id>": no spaces, no slashes.
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
# The revision of the catalogue in the repository; the case service's revisions start above it.
SEED_REVISION = 0


class CatalogueYamlError(ValueError):
    """The YAML cannot be read as a catalogue (missing field, duplicate id, ...)."""


def _text(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _opt_text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value is None else _text(value)


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml"))


def _entries_in(document: Any, path: Path) -> list[dict[str, Any]]:
    if document is None:
        return []
    if isinstance(document, dict) and "entries" in document:
        document = document["entries"]
    if isinstance(document, dict) and "id" in document:
        document = [document]
    if not isinstance(document, list) or not all(isinstance(e, dict) for e in document):
        raise CatalogueYamlError(f"{path}: expected a list of entries")
    return document


def entry_from_yaml(raw: Mapping[str, Any], where: str = "catalogue") -> CatalogueEntry:
    """One entry of ``knowledge/citizen/*.yml`` (without examples), checked."""
    entry_id = _text(raw.get("id", ""))
    if not ENTRY_ID.match(entry_id):
        raise CatalogueYamlError(f"{where}: invalid or missing id {entry_id!r}")
    for key in ("topic", "title", "answer"):
        if not _text(raw.get(key) or ""):
            raise CatalogueYamlError(f"{where}: entry {entry_id!r} has no {key}")
    source = raw.get("source")
    if not isinstance(source, dict) or not source.get("date"):
        raise CatalogueYamlError(f"{where}: entry {entry_id!r} has no source with a date")
    if not source.get("file") and not (source.get("name") and source.get("url")):
        raise CatalogueYamlError(
            f"{where}: entry {entry_id!r}: source needs a file, or a name and a url"
        )
    return CatalogueEntry(
        id=entry_id,
        topic=_text(raw["topic"]),
        title=_text(raw["title"]),
        answer=_text(raw["answer"]),
        source=EntrySource(
            date=_text(source["date"]),
            file=_opt_text(source, "file"),
            quote=_opt_text(source, "quote"),
            name=_opt_text(source, "name"),
            url=_opt_text(source, "url"),
        ),
        related=tuple(_text(r) for r in raw.get("related") or ()),
    )


def read_answers(directory: Path) -> list[CatalogueEntry]:
    """Every entry of every ``*.yml`` in ``directory``, sorted by id (duplicates refused)."""
    entries: dict[str, CatalogueEntry] = {}
    for path in _yaml_files(directory):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in _entries_in(document, path):
            entry = entry_from_yaml(raw, str(path))
            if entry.id in entries:
                raise CatalogueYamlError(f"{path}: duplicate id {entry.id!r}")
            entries[entry.id] = entry
    return [entries[i] for i in sorted(entries)]


def parse_examples(block: str) -> tuple[str, ...]:
    """The ``- example`` lines of a Rasa ``examples: |`` block."""
    examples = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            line = line[2:].strip()
        if line:
            examples.append(line)
    return tuple(examples)


def read_examples(directory: Path) -> dict[str, tuple[str, ...]]:
    """``faq/<id>`` example questions of every ``*.yml`` in ``directory``, by entry id."""
    examples: dict[str, tuple[str, ...]] = {}
    for path in _yaml_files(directory):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or ():
            intent = str(block.get("intent", ""))
            if not intent.startswith(INTENT_PREFIX):
                continue
            entry_id = intent[len(INTENT_PREFIX) :]
            if entry_id in examples:
                raise CatalogueYamlError(f"{path}: {intent} appears twice")
            examples[entry_id] = parse_examples(str(block.get("examples") or ""))
    return examples


def read_translations(directory: Path) -> dict[str, Translation]:
    """The entries of every ``*.yml`` in ``directory`` (one language), by id (duplicates and
    entries without a title or answer refused)."""
    translations: dict[str, Translation] = {}
    for path in _yaml_files(directory):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in _entries_in(document, path):
            entry_id = _text(raw.get("id", ""))
            if not ENTRY_ID.match(entry_id):
                raise CatalogueYamlError(f"{path}: invalid or missing id {entry_id!r}")
            if entry_id in translations:
                raise CatalogueYamlError(f"{path}: duplicate id {entry_id!r}")
            title, answer = _text(raw.get("title") or ""), _text(raw.get("answer") or "")
            if not title or not answer:
                raise CatalogueYamlError(f"{path}: entry {entry_id!r} has no title or answer")
            examples = tuple(_text(x) for x in raw.get("examples") or () if _text(x))
            translations[entry_id] = Translation(title, answer, examples)
    return translations


def with_translations(
    entries: list[CatalogueEntry], root: Path = REPO_ROOT
) -> tuple[list[CatalogueEntry], tuple[str, ...]]:
    """``entries`` with their translations under ``root`` (``TRANSLATIONS_DIRS``), and the
    ``<lang>/<id>`` of translations whose id has no Danish entry (left out)."""
    by_language = {
        language: read_translations(root / directory)
        for language, directory in TRANSLATIONS_DIRS.items()
    }
    ids = {e.id for e in entries}
    orphans = tuple(
        sorted(f"{lang}/{i}" for lang, found in by_language.items() for i in found if i not in ids)
    )
    translated = [
        replace(
            e,
            translations={
                **e.translations,
                **{lang: found[e.id] for lang, found in by_language.items() if e.id in found},
            },
        )
        for e in entries
    ]
    return translated, orphans


def read_seed(root: Path = REPO_ROOT, with_examples: bool = True) -> CatalogueSnapshot:
    """The catalogue in the repository under ``root`` as a snapshot of revision
    ``SEED_REVISION`` (entries sorted by id, each with its example questions and
    translations)."""
    entries = read_answers(root / ANSWERS_DIR)
    if with_examples:
        examples = read_examples(root / EXAMPLES_DIR)
        entries = [replace(e, examples=examples.get(e.id, ())) for e in entries]
    entries, _ = with_translations(entries, root)
    return CatalogueSnapshot(SEED_REVISION, tuple(entries))
