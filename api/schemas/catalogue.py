"""Request and response bodies of the catalogue API (``/catalogue/...``).

The entry content is ``kkshared.catalogue.CatalogueEntry`` on both ends; these models describe it
in the OpenAPI document and bound the input (the rules an entry must meet to be published are
``api.catalogue.checks``, reported as ``problems``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import InputModel, LocalDateTime
from kkshared.catalogue import CatalogueEntry, EntrySource, Translation

EntryIdStr = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
Example = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class SourceIn(InputModel):
    """A seed file with a quote, or a named external source with its address."""

    date: Annotated[str, StringConstraints(min_length=1, max_length=7)]
    file: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    quote: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    url: ShortText | None = None


class TranslationIn(InputModel):
    """The English version of an entry: same source and date as the Danish."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    answer: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    examples: list[Example] = Field(default_factory=list, max_length=300)

    def to_translation(self) -> Translation:
        return Translation(
            title=" ".join(self.title.split()),
            answer=" ".join(self.answer.split()),
            examples=tuple(" ".join(e.split()) for e in self.examples),
        )


class DraftIn(InputModel):
    """Content of an entry as an editor writes it, and the entry version it is based on
    (0 for a new entry). Saving never publishes."""

    base_version: int = Field(ge=0, le=2**31 - 1)
    topic: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    answer: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    source: SourceIn
    examples: list[Example] = Field(default_factory=list, max_length=300)
    related: list[EntryIdStr] = Field(default_factory=list, max_length=50)
    english: TranslationIn | None = Field(
        default=None,
        description="The English version; left out: the live one is kept; null: removed",
    )

    def to_entry(self, entry_id: str, live: CatalogueEntry | None = None) -> CatalogueEntry:
        translations = dict(live.translations) if live else {}
        if "english" in self.model_fields_set:
            translations.pop("en", None)
            if self.english is not None:
                translations["en"] = self.english.to_translation()
        return CatalogueEntry(
            id=entry_id,
            topic=self.topic,
            title=self.title,
            answer=" ".join(self.answer.split()),
            source=EntrySource(**self.source.model_dump()),
            examples=tuple(" ".join(e.split()) for e in self.examples),
            related=tuple(self.related),
            version=self.base_version + 1,
            translations=translations,
        )


class SourceOut(BaseModel):
    date: str
    file: str | None = None
    quote: str | None = None
    name: str | None = None
    url: str | None = None


class TranslationOut(BaseModel):
    title: str
    answer: str
    examples: list[str]


class EntryContentOut(BaseModel):
    """``CatalogueEntry.to_json()``."""

    id: str
    topic: str
    title: str
    answer: str
    source: SourceOut
    examples: list[str]
    related: list[str]
    version: int
    translations: dict[str, TranslationOut]


class ProblemOut(BaseModel):
    field: str
    reason: str
    blocking: bool = Field(description="true: the entry cannot be published like this")


class DraftOut(BaseModel):
    entry_id: str
    base_version: int
    updated_at: LocalDateTime
    entry: EntryContentOut
    problems: list[ProblemOut]


EntryStatusStr = Literal["published", "retired"]
ActionStr = Literal["create", "edit", "retire", "restore", "rollback", "import"]


class EntrySummaryOut(BaseModel):
    id: str
    topic: str
    title: str
    status: EntryStatusStr
    version: int
    revision: int
    updated_at: LocalDateTime


class VersionOut(BaseModel):
    version: int
    status: EntryStatusStr
    action: ActionStr
    author_user_id: str | None = Field(description="None: the YAML import")
    created_at: LocalDateTime
    revision: int = Field(description="The catalogue revision at which it went live")
    entry: EntryContentOut


class EntryDetailOut(BaseModel):
    id: str
    status: EntryStatusStr
    version: int
    revision: int
    updated_at: LocalDateTime
    entry: EntryContentOut
    history: list[VersionOut] = Field(description="Newest first")


class ChangeIn(InputModel):
    """The entry version the change is based on (optimistic locking: another version is 409)."""

    base_version: int = Field(ge=1, le=2**31 - 1)


class ChangeOut(BaseModel):
    entry_id: str
    version: int
    revision: int
    action: ActionStr
    status: EntryStatusStr


class PreviewIn(InputModel):
    question: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    entry_id: EntryIdStr | None = Field(
        default=None, description="Rank with your draft of this entry instead of the live one"
    )


class LiveCatalogueOut(BaseModel):
    """``CatalogueSnapshot.to_json()``, or ``{"revision": n, "unchanged": true}``."""

    revision: int
    unchanged: bool | None = None
    entries: list[EntryContentOut] | None = None
