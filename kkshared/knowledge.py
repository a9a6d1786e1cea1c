"""Loading and checking the knowledge files under ``knowledge/``.

- ``knowledge/citizen/*.yml``: the citizen answer catalogue (one bot answer per entry).
- ``knowledge/legal/notes/*.yml``: legal notes for caseworkers (one note per source row).

The checks here are what the build enforces (``tests/knowledge``) and what the case service runs
before publishing a jurist's answer as a new note: every quote occurs in its source after the
shared normalisation, every reference in an answer is among the note's references, and every
note reference occurs, as tokens, in the source.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kkshared.formatting import format_day_month_year
from kkshared.legal_refs import extract_references, is_stated_in, parse_reference
from kkshared.normalize import normalize_source_text

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
GENERAL_SOURCE = "general"
MAX_QUOTE_WORDS = 30

# How current a note is, said once here and appended to every answer by status (never in the note).
STATUS_NOTICES: dict[str, str] = {
    "skal revurderes": (
        "Bemærk: Vurderingen er fra {year}. Den bygger på regler og paragrafnumre fra før den "
        "nye lov "
        "om en aktiv beskæftigelsesindsats trådte i kraft 1. januar 2020, så den skal revurderes."
    ),
    "historisk (2020)": (
        "Bemærk: Beskrivelsen gælder praksis under corona-nedlukningen i 2020 og er historisk."
    ),
    "historisk (udkast, ca. 2010)": (
        "Bemærk: Beskrivelsen stammer fra et ældre, udateret udkast til et "
        "effektiviseringskatalog; "
        "forslagene er ikke nødvendigvis gennemført."
    ),
    "gældende pr. 2022": (
        "Bemærk: Beskrivelsen er fra Københavns Kommunes beskæftigelsesplan for 2022."
    ),
    "besvaret af jurist": "Svaret er givet af juristerne i centralforvaltningen den {date}.",
}


def default_seeds_dir() -> Path:
    """``../shared/seeds`` beside the repository (override with the ``KK_SEEDS_DIR`` variable)."""
    return Path(os.environ.get("KK_SEEDS_DIR", REPO_ROOT.parent / "shared" / "seeds"))


@dataclass(frozen=True)
class Source:
    file: str
    date: str
    quote: str | None = None
    section: str | None = None
    row: str | None = None


@dataclass(frozen=True)
class CitizenEntry:
    id: str
    topic: str
    title: str
    answer: str
    source: Source
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalNote:
    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    references: tuple[str, ...]
    source: Source
    date: str
    office: str
    status: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def status_notice(note: LegalNote) -> str:
    """The sentence that tells a reader how current the note is (empty for an unknown status)."""
    template = STATUS_NOTICES.get(note.status, "")
    try:
        shown = format_day_month_year(date.fromisoformat(note.date))
    except ValueError:
        shown = note.date
    return template.format(year=note.date[:4], date=shown)


def _source(raw: dict[str, Any]) -> Source:
    return Source(
        file=str(raw["file"]),
        date=str(raw.get("date", "")),
        quote=raw.get("quote"),
        section=raw.get("section"),
        row=raw.get("row"),
    )


def load_citizen_entries(directory: Path | None = None) -> list[CitizenEntry]:
    directory = directory or KNOWLEDGE_DIR / "citizen"
    entries: list[CitizenEntry] = []
    for path in sorted(directory.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            entries.append(
                CitizenEntry(
                    id=raw["id"],
                    topic=raw["topic"],
                    title=raw["title"],
                    answer=" ".join(str(raw["answer"]).split()),
                    source=_source(raw["source"]),
                    related=tuple(raw.get("related") or ()),
                )
            )
    return entries


def legal_note_from_dict(raw: dict[str, Any]) -> LegalNote:
    known = {
        "id",
        "title",
        "questions",
        "answer",
        "references",
        "source",
        "date",
        "office",
        "status",
    }
    return LegalNote(
        id=raw["id"],
        title=raw["title"],
        questions=tuple(raw.get("questions") or ()),
        answer=" ".join(str(raw["answer"]).split()),
        references=tuple(raw.get("references") or ()),
        source=_source(raw["source"]),
        date=str(raw["date"]),
        office=str(raw.get("office", "")),
        status=str(raw.get("status", "")),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def load_legal_notes(directory: Path | None = None) -> list[LegalNote]:
    directory = directory or KNOWLEDGE_DIR / "legal" / "notes"
    return [
        legal_note_from_dict(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(directory.glob("*.yml"))
    ]


class SourceTexts:
    """The seed documents, normalised once, looked up by file name."""

    def __init__(self, seeds_dir: Path | None = None) -> None:
        self.seeds_dir = seeds_dir or default_seeds_dir()
        self._cache: dict[str, str] = {}

    def normalized(self, file_name: str) -> str:
        if file_name not in self._cache:
            path = self.seeds_dir / file_name
            self._cache[file_name] = normalize_source_text(path.read_text(encoding="utf-8"))
        return self._cache[file_name]

    def contains_quote(self, file_name: str, quote: str) -> bool:
        return normalize_source_text(quote) in self.normalized(file_name)

    def passage_around(self, file_name: str, quote: str, chars: int = 1000) -> str:
        """The normalised source text around a quote:
        the "row" a note's references must occur in."""
        text = self.normalized(file_name)
        position = text.find(normalize_source_text(quote))
        if position < 0:
            return ""
        return text[max(0, position - chars) : position + len(quote) + chars]


def check_quote(source: Source, texts: SourceTexts) -> list[str]:
    """Problems with a source's quote (empty list when fine)."""
    if source.file == GENERAL_SOURCE:
        return []
    if not source.quote:
        return ["source.quote is missing"]
    problems = []
    if len(source.quote.split()) > MAX_QUOTE_WORDS:
        problems.append(f"quote has more than {MAX_QUOTE_WORDS} words")
    if not (texts.seeds_dir / source.file).exists():
        problems.append(f"unknown source file {source.file}")
    elif not texts.contains_quote(source.file, source.quote):
        problems.append(f"quote not found in {source.file}: {source.quote!r}")
    return problems


def check_legal_note(
    note: LegalNote, texts: SourceTexts, source_row: str | None = None
) -> list[str]:
    """Problems with a legal note: quote, references in the answer, references in the source row.

    ``source_row`` is the text the references must occur in; by default the passage of the source
    around the quote (the seeds are tables without reliable row boundaries).
    """
    problems = check_quote(note.source, texts)
    for reference in note.references:
        try:
            parse_reference(reference)
        except ValueError as error:
            problems.append(str(error))
    # Read the list as one citation so that "§ 17, stk. 2" after "LAB § 16 a" is LAB's, as in the
    # source.
    parsed = extract_references("; ".join(note.references))
    for cited in extract_references(note.answer):
        if not any(cited.is_satisfied_by(ref) for ref in parsed):
            problems.append(f"answer cites {cited.key}, which is not among the note's references")
    if note.source.file != GENERAL_SOURCE and note.source.quote:
        row = (
            source_row
            if source_row is not None
            else texts.passage_around(note.source.file, note.source.quote)
        )
        for reference in note.references:
            if not is_stated_in(reference, row):
                problems.append(f"reference {reference!r} does not occur in its source row")
    return problems
