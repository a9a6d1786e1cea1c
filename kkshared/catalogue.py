"""The live citizen answer catalogue: what crosses the boundary between the case service, which
stores and versions it (editors publish there), and the Rasa side, which ranks questions against
it and renders its answers.

The contract, in one place (both ends import these types; no raw JSON is indexed elsewhere):

- ``GET /catalogue/live?since=<revision>`` on the case service (service token): a
  ``CatalogueSnapshot`` of every *published* entry with the catalogue revision, or
  ``{"revision": n, "unchanged": true}`` when ``since`` is already the newest revision. Every
  Rasa process and the action server poll it; a publish is answered everywhere within a minute.
- ``POST /webhooks/catalogue_preview/rank`` on the Rasa server (service token): a
  ``PreviewRequest`` (a question, draft versions of entries, ids to leave out) answered with a
  ``PreviewResult`` by the same ranking and answer tiers the bot uses, so an editor sees how the
  assistant would answer *before* publishing.

The catalogue revision is a number that only grows; an entry's ``version`` counts its own
changes. The YAML in ``knowledge/citizen/`` (answers) and ``nlu_data/faq/`` (example questions)
is the reviewed seed the case service imports and the format its export writes.

Standard library only (the bot environment has pydantic 1, the case service pydantic 2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

LANGUAGES = ("da", "en")
ENTRY_STATUSES = ("published", "retired")


@dataclass(frozen=True)
class EntrySource:
    """Where an answer comes from: a seed file with a quote (checked against the seed), or a
    named external source with its address. ``date`` is when the fact held (YYYY or YYYY-MM)."""

    date: str
    file: str | None = None
    quote: str | None = None
    name: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntrySource:
        return cls(
            date=str(data["date"]),
            file=_opt(data, "file"),
            quote=_opt(data, "quote"),
            name=_opt(data, "name"),
            url=_opt(data, "url"),
        )


@dataclass(frozen=True)
class Translation:
    """An entry in another language than Danish (the English issue): same source and date."""

    title: str
    answer: str
    examples: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "answer": self.answer, "examples": list(self.examples)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Translation:
        return cls(
            title=str(data["title"]),
            answer=str(data["answer"]),
            examples=tuple(str(x) for x in data.get("examples") or ()),
        )


@dataclass(frozen=True)
class CatalogueEntry:
    """One citizen answer (Danish), its example questions and its source."""

    id: str
    topic: str
    title: str
    answer: str
    source: EntrySource
    examples: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    version: int = 1
    translations: Mapping[str, Translation] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "title": self.title,
            "answer": self.answer,
            "source": self.source.to_json(),
            "examples": list(self.examples),
            "related": list(self.related),
            "version": self.version,
            "translations": {lang: t.to_json() for lang, t in self.translations.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CatalogueEntry:
        return cls(
            id=str(data["id"]),
            topic=str(data["topic"]),
            title=str(data["title"]),
            answer=str(data["answer"]),
            source=EntrySource.from_json(data["source"]),
            examples=tuple(str(x) for x in data.get("examples") or ()),
            related=tuple(str(x) for x in data.get("related") or ()),
            version=int(data.get("version", 1)),
            translations={
                str(lang): Translation.from_json(t)
                for lang, t in (data.get("translations") or {}).items()
            },
        )


@dataclass(frozen=True)
class CatalogueSnapshot:
    """Every published entry at one catalogue revision."""

    revision: int
    entries: tuple[CatalogueEntry, ...]

    def by_id(self) -> dict[str, CatalogueEntry]:
        return {e.id: e for e in self.entries}

    def to_json(self) -> dict[str, Any]:
        return {"revision": self.revision, "entries": [e.to_json() for e in self.entries]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CatalogueSnapshot:
        return cls(
            revision=int(data["revision"]),
            entries=tuple(CatalogueEntry.from_json(e) for e in data.get("entries") or ()),
        )


@dataclass(frozen=True)
class PreviewRequest:
    question: str
    drafts: tuple[CatalogueEntry, ...] = ()
    left_out: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "drafts": [d.to_json() for d in self.drafts],
            "left_out": list(self.left_out),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PreviewRequest:
        return cls(
            question=str(data["question"]),
            drafts=tuple(CatalogueEntry.from_json(d) for d in data.get("drafts") or ()),
            left_out=tuple(str(x) for x in data.get("left_out") or ()),
        )


@dataclass(frozen=True)
class PreviewCandidate:
    entry_id: str
    title: str
    score: float


@dataclass(frozen=True)
class PreviewPassage:
    """A source passage as the citizen would see it: its text, its document's title and date."""

    text: str
    title: str
    date: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PreviewPassage:
        return cls(str(data["text"]), str(data["title"]), str(data.get("date") or ""))


@dataclass(frozen=True)
class PreviewResult:
    """How the bot would answer: ``tier`` 1 (a catalogue answer, ``entry_id``), 2 (a quoted source
    passage), 3 (don't know); ``intent`` when another intent than ``faq`` wins (small talk, own
    case, ...). ``passage`` is the source passage shown: the answer itself in tier 2, and in
    tier 1 the one under the answer, when there is one."""

    tier: Literal[1, 2, 3]
    intent: str
    confidence: float
    entry_id: str | None
    text: str | None
    reason: str | None
    candidates: tuple[PreviewCandidate, ...] = ()
    passage: PreviewPassage | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "intent": self.intent,
            "confidence": self.confidence,
            "entry_id": self.entry_id,
            "text": self.text,
            "reason": self.reason,
            "candidates": [c.__dict__ for c in self.candidates],
            "passage": self.passage.__dict__ if self.passage else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PreviewResult:
        tier = int(data["tier"])
        if tier not in (1, 2, 3):
            raise ValueError(f"tier {tier} is not 1, 2 or 3")
        return cls(
            tier=cast(Literal[1, 2, 3], tier),
            intent=str(data["intent"]),
            confidence=float(data["confidence"]),
            entry_id=_opt(data, "entry_id"),
            text=_opt(data, "text"),
            reason=_opt(data, "reason"),
            candidates=tuple(
                PreviewCandidate(str(c["entry_id"]), str(c["title"]), float(c["score"]))
                for c in data.get("candidates") or ()
            ),
            passage=PreviewPassage.from_json(data["passage"]) if data.get("passage") else None,
        )


def _opt(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def changed_entries(
    old: Sequence[CatalogueEntry], new: Sequence[CatalogueEntry]
) -> tuple[set[str], set[str]]:
    """Ids whose content differs or which are new in ``new``, and ids gone from ``new``."""
    before = {e.id: e for e in old}
    after = {e.id: e for e in new}
    changed = {i for i, e in after.items() if before.get(i) != e}
    return changed, set(before) - set(after)
