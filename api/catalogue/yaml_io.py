"""The reviewed YAML of the catalogue, read for the import (with ``kkshared.catalogue_yaml``) and
written by the export.

Two formats under one root (the repository, or an export directory with the same layout):

- ``knowledge/citizen/<topic>.yml``: a list of entries (``id``, ``topic``, ``title``, ``answer``,
  ``source: {file|name+url, date, quote}``, ``related``), see knowledge/citizen/README.md;
- ``nlu_data/faq/<topic>.yml``: Rasa NLU blocks ``- intent: faq/<id>`` with ``examples: |`` lines;
- ``knowledge/citizen_en/<topic>.yml``: the English versions (``id``, ``title``, ``answer``,
  ``examples``), imported into ``translations["en"]`` and written back by the export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from kkshared.catalogue import CatalogueEntry, EntrySource
from kkshared.catalogue_yaml import (
    ANSWERS_DIR,
    ENTRY_ID,
    EXAMPLES_DIR,
    INTENT_PREFIX,
    TRANSLATIONS_DIRS,
    CatalogueYamlError,
    read_answers,
    read_examples,
    with_translations,
)

__all__ = [
    "ANSWERS_DIR",
    "ENTRY_ID",
    "EXAMPLES_DIR",
    "TRANSLATIONS_DIRS",
    "CatalogueYamlError",
    "read_yaml",
]


@dataclass(frozen=True)
class YamlCatalogue:
    entries: tuple[CatalogueEntry, ...]
    # ``faq/<id>`` blocks, and ``<lang>/<id>`` translations, whose id has no entry (ignored by
    # the import, reported).
    orphan_examples: tuple[str, ...] = ()


def read_yaml(root: Path) -> YamlCatalogue:
    """Every entry under ``root`` (sorted by id) with its example questions; the reading itself
    is ``kkshared.catalogue_yaml``'s, shared with the Rasa side."""
    entries = read_answers(root / ANSWERS_DIR)
    if not entries:
        raise CatalogueYamlError(f"no catalogue entries in {root / ANSWERS_DIR}")
    examples = read_examples(root / EXAMPLES_DIR)
    with_examples = [replace(e, examples=examples.get(e.id, ())) for e in entries]
    translated, orphan_translations = with_translations(with_examples, root)
    orphans = tuple(sorted(set(examples) - {e.id for e in entries})) + orphan_translations
    return YamlCatalogue(tuple(translated), orphans)


# --- export --------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Long texts as folded blocks (``>-``) like the reviewed files; everything else as usual."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if len(value) > 80 and "\n" not in value and value == value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def _source_in_order(source: EntrySource) -> list[tuple[str, str | None]]:
    return [
        ("file", source.file),
        ("name", source.name),
        ("url", source.url),
        ("date", source.date),
        ("quote", source.quote),
    ]


def _answer_document(entry: CatalogueEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "topic": entry.topic,
        "title": entry.title,
        "answer": entry.answer,
        "source": {k: v for k, v in _source_in_order(entry.source) if v is not None},
        "related": list(entry.related),
    }


def _examples_text(entries: Sequence[CatalogueEntry]) -> str:
    lines = ['version: "3.1"', "nlu:"]
    for entry in entries:
        if not entry.examples:
            continue
        lines.append(f"- intent: {INTENT_PREFIX}{entry.id}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in entry.examples)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _translation_document(entry: CatalogueEntry, language: str) -> dict[str, Any]:
    translation = entry.translations[language]
    return {
        "id": entry.id,
        "title": translation.title,
        "answer": translation.answer,
        "examples": list(translation.examples),
    }


def _dump(documents: list[dict[str, Any]]) -> str:
    return yaml.dump(
        documents,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def write_yaml(entries: Iterable[CatalogueEntry], root: Path, revision: int) -> list[Path]:
    """Write ``entries`` under ``root`` in the formats above, one file per topic (a translation
    file only for a topic with translated entries); the paths."""
    by_topic: dict[str, list[CatalogueEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.id):
        by_topic[entry.topic].append(entry)
    (root / ANSWERS_DIR).mkdir(parents=True, exist_ok=True)
    (root / EXAMPLES_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    header = f"# Exported from the live catalogue (revision {revision}) by `python -m api.cli "
    for topic, topic_entries in sorted(by_topic.items()):
        answers = root / ANSWERS_DIR / f"{topic}.yml"
        body = yaml.dump(
            [_answer_document(e) for e in topic_entries],
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            width=100,
            default_flow_style=False,
        )
        answers.write_text(
            header + "export-catalogue`.\n# Format: knowledge/citizen/README.md.\n\n" + body,
            encoding="utf-8",
        )
        examples = root / EXAMPLES_DIR / f"{topic}.yml"
        examples.write_text(
            header
            + f"export-catalogue`.\n# Example questions of the topic {topic}.\n"
            + _examples_text(topic_entries),
            encoding="utf-8",
        )
        written += [answers, examples]
        for language, directory in sorted(TRANSLATIONS_DIRS.items()):
            translated = [e for e in topic_entries if language in e.translations]
            if not translated:
                continue
            (root / directory).mkdir(parents=True, exist_ok=True)
            path = root / directory / f"{topic}.yml"
            path.write_text(
                header
                + f"export-catalogue`.\n# {language} versions of {ANSWERS_DIR}/{topic}.yml: "
                + "source and date come from there.\n\n"
                + _dump([_translation_document(e, language) for e in translated]),
                encoding="utf-8",
            )
            written.append(path)
    return written
