"""What must hold before a catalogue entry goes live, with a Danish message for the editor and an
English reason for API callers.

Blocking (the entry cannot be published): the same bar as the build's tests of the reviewed YAML
(``tests/knowledge``): a seed quote that ``kkshared.knowledge.check_quote`` finds in its seed, an
answer with LIX at most 45 and no unexplained abbreviations (``kkshared.readability``), no CPR or
phone numbers in answers or examples, a source that is a seed file with a quote or a named
external source with an http(s) address, a date ``YYYY`` or ``YYYY-MM``; an English version, when
there is one, with a title, an answer and examples under the same length and privacy rules.
Warnings only: an answer longer than the catalogue's ~90 words; an English answer whose numbers
(dates, amounts, hours) are not the Danish answer's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from api.catalogue.yaml_io import ENTRY_ID
from kkshared.catalogue import CatalogueEntry, Translation
from kkshared.knowledge import GENERAL_SOURCE, MAX_QUOTE_WORDS, Source, SourceTexts, check_quote
from kkshared.normalize import fold
from kkshared.pii import contains_pii
from kkshared.readability import lix_counts, unexplained_abbreviations
from kkshared.sources import SOURCE_DOCUMENTS

MAX_LIX = 45  # as tests/knowledge/test_readability.py
LONG_ANSWER_WORDS = 90
TOPIC = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
SOURCE_DATE = re.compile(r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$")
TITLE_LENGTH = (3, 120)
ANSWER_LENGTH = (20, 1500)
EXAMPLE_LENGTH = (3, 300)
MAX_EXAMPLES = 200
DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Problem:
    field: str  # the form field it is about
    reason: str
    danish: str
    blocking: bool = True


@lru_cache(maxsize=1)
def source_texts() -> SourceTexts:
    """The seeds (``KK_SEEDS_DIR``, default ``../shared/seeds``), read once per process."""
    return SourceTexts()


def seed_files() -> dict[str, str]:
    """Seed file name -> document title, for the editor's choice of source."""
    return {file: doc.title for file, doc in sorted(SOURCE_DOCUMENTS.items())}


def _source_problems(entry: CatalogueEntry, previous: CatalogueEntry | None) -> list[Problem]:
    source = entry.source
    problems = []
    if not SOURCE_DATE.match(source.date):
        problems.append(
            Problem(
                "date",
                "source.date must be YYYY or YYYY-MM",
                "Skriv kildens dato som år (fx 2025) eller år og måned (fx 2025-07).",
            )
        )
    if source.file and (source.name or source.url):
        problems.append(
            Problem(
                "source_kind",
                "give either source.file (+ quote) or source.name + source.url, not both",
                "Vælg enten et kildedokument med citat eller en ekstern kilde, ikke begge.",
            )
        )
    elif source.file == GENERAL_SOURCE:
        # The general guidance is a reviewed source of the YAML; an editor keeps it, never picks it.
        if previous is None or previous.source.file != GENERAL_SOURCE:
            problems.append(
                Problem(
                    "source_kind",
                    "source.file 'general' is only kept for imported entries: give a seed file "
                    "with a quote or a named external source",
                    "Vælg et kildedokument med citat eller en navngiven ekstern kilde med adresse.",
                )
            )
    elif source.file:
        if source.file not in SOURCE_DOCUMENTS:
            problems.append(
                Problem(
                    "source_file",
                    "unknown seed file",
                    "Vælg et af kildedokumenterne på listen.",
                )
            )
        elif not source.quote:
            problems.append(
                Problem(
                    "quote",
                    "a seed source needs a quote",
                    "Skriv et citat fra kildedokumentet, som svaret bygger på.",
                )
            )
        else:
            found = check_quote(Source(source.file, source.date, source.quote), source_texts())
            if found:
                problems.append(
                    Problem(
                        "quote",
                        f"the quote is not found in the seed file or is longer than "
                        f"{MAX_QUOTE_WORDS} words",
                        f"Citatet findes ikke ordret i kildedokumentet, eller det er længere end "
                        f"{MAX_QUOTE_WORDS} ord. Kopiér det direkte fra dokumentet.",
                    )
                )
    else:
        if not source.name or len(source.name) > 200:
            problems.append(
                Problem(
                    "source_name",
                    "an external source needs a name (at most 200 characters)",
                    "Skriv navnet på den eksterne kilde (fx »borger.dk: Kontanthjælp«).",
                )
            )
        url = urlsplit(source.url or "")
        if url.scheme not in ("http", "https") or not url.netloc or len(source.url or "") > 500:
            problems.append(
                Problem(
                    "source_url",
                    "an external source needs an http(s) address",
                    "Skriv kildens webadresse, der begynder med https://.",
                )
            )
    return problems


def check_entry(
    entry: CatalogueEntry,
    *,
    previous: CatalogueEntry | None,
    known_ids: Collection[str],
) -> list[Problem]:
    """Every problem with ``entry`` (``previous``: the live version, None for a new entry)."""
    problems: list[Problem] = []
    if not ENTRY_ID.match(entry.id):
        problems.append(
            Problem(
                "id",
                "id: lowercase letters, digits, _ and -, at most 64 characters",
                "Id'et må kun have små bogstaver uden æ, ø og å, tal, _ og - (højst 64 tegn).",
            )
        )
    if not TOPIC.match(entry.topic):
        problems.append(Problem("topic", "topic: lowercase letters, digits and _", "Vælg et emne."))
    if not TITLE_LENGTH[0] <= len(entry.title) <= TITLE_LENGTH[1]:
        problems.append(
            Problem(
                "title",
                "title: 3-120 characters",
                "Skriv en titel på 3-120 tegn.",
            )
        )
    answer = " ".join(entry.answer.split())
    if not ANSWER_LENGTH[0] <= len(answer) <= ANSWER_LENGTH[1]:
        problems.append(
            Problem("answer", "answer: 20-1500 characters", "Skriv et svar på 20-1.500 tegn.")
        )
    else:
        counts = lix_counts(answer)
        if counts.lix > MAX_LIX:
            problems.append(
                Problem(
                    "answer",
                    f"answer: LIX {counts.lix:.0f} is above {MAX_LIX}",
                    f"Svaret er for svært at læse (LIX {counts.lix:.0f}, højst {MAX_LIX}). Skriv "
                    "kortere sætninger og brug korte, almindelige ord.",
                )
            )
        unexplained = unexplained_abbreviations(answer)
        if unexplained:
            problems.append(
                Problem(
                    "answer",
                    f"answer: abbreviations without their full name: {', '.join(unexplained)}",
                    f"Skriv det fulde navn ved forkortelsen ({', '.join(unexplained)}), eller "
                    "lad den være væk.",
                )
            )
        if counts.words > LONG_ANSWER_WORDS:
            problems.append(
                Problem(
                    "answer",
                    f"answer: {counts.words} words (the catalogue keeps to about 90)",
                    f"Svaret er langt ({counts.words} ord). Svarene er normalt højst 90 ord.",
                    blocking=False,
                )
            )
    if contains_pii(entry.answer) or contains_pii(entry.title):
        problems.append(
            Problem(
                "answer",
                "answer or title: no CPR or phone numbers",
                "Svaret og titlen må ikke indeholde CPR-numre eller telefonnumre. Assistenten "
                "slår telefonnumre og åbningstider op i de aktuelle oplysninger.",
            )
        )
    problems += _example_problems(entry.examples)
    english = entry.translations.get("en")
    if english is not None:
        problems += _english_problems(english, answer)
    problems += _source_problems(entry, previous)
    unknown = sorted(set(entry.related) - set(known_ids) - {entry.id})
    if unknown:
        problems.append(
            Problem(
                "related",
                f"related: unknown ids {', '.join(unknown)}",
                f"Relaterede svar findes ikke: {', '.join(unknown)}.",
            )
        )
    return problems


def _example_problems(examples: tuple[str, ...], field: str = "examples") -> list[Problem]:
    problems = []
    seen: set[str] = set()
    duplicates = []
    for example in examples:
        key = fold(example)
        if key in seen:
            duplicates.append(example)
        seen.add(key)
    if len(examples) > MAX_EXAMPLES or any(
        not EXAMPLE_LENGTH[0] <= len(e) <= EXAMPLE_LENGTH[1] or "\n" in e for e in examples
    ):
        problems.append(
            Problem(
                field,
                f"{field}: at most 200, one line of 3-300 characters each",
                "Skriv højst 200 eksempler på spørgsmål, ét pr. linje og 3-300 tegn hvert.",
            )
        )
    if duplicates:
        problems.append(
            Problem(
                field,
                f"{field}: duplicates",
                f"Eksemplet »{duplicates[0]}« står der flere gange.",
            )
        )
    if any(contains_pii(e) for e in examples):
        problems.append(
            Problem(
                field,
                f"{field}: no CPR or phone numbers",
                "Eksemplerne må ikke indeholde CPR-numre eller telefonnumre.",
            )
        )
    return problems


def _english_problems(english: Translation, danish_answer: str) -> list[Problem]:
    """The English version (fields ``title_en``, ``answer_en``, ``examples_en``): the Danish
    rules of length and privacy; readability is the reviewer's (LIX is a Danish measure)."""
    problems = []
    if not TITLE_LENGTH[0] <= len(english.title) <= TITLE_LENGTH[1]:
        problems.append(
            Problem(
                "title_en", "title_en: 3-120 characters", "Skriv en engelsk titel på 3-120 tegn."
            )
        )
    answer = " ".join(english.answer.split())
    if not ANSWER_LENGTH[0] <= len(answer) <= ANSWER_LENGTH[1]:
        problems.append(
            Problem(
                "answer_en",
                "answer_en: 20-1500 characters",
                "Skriv et engelsk svar på 20-1.500 tegn.",
            )
        )
    elif Counter(DIGITS.findall(answer)) != Counter(DIGITS.findall(danish_answer)):
        problems.append(
            Problem(
                "answer_en",
                "answer_en: not the same numbers as the Danish answer",
                "Det engelske svar har ikke de samme tal (datoer, beløb, timer) som det danske. "
                "Tjek, at de to svar siger det samme.",
                blocking=False,
            )
        )
    if contains_pii(english.answer) or contains_pii(english.title):
        problems.append(
            Problem(
                "answer_en",
                "answer_en or title_en: no CPR or phone numbers",
                "Det engelske svar og titlen må ikke indeholde CPR-numre eller telefonnumre.",
            )
        )
    return problems + _example_problems(english.examples, "examples_en")


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]
