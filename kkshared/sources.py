"""The source documents (``../shared/seeds``) as people see them, and as passages to answer from.

- ``SOURCE_DOCUMENTS``: each seed file's title and date, so that answers name their source as a
  document ("BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017"), never as
  a file name. ``source_label`` is the one place that turns a ``{file, date}`` into that text.
- ``read_passages``: the seeds split into short passages (one or two sentences of one block of
  the PDF text), which the citizen classifier ranks when no catalogue entry answers a question
  (the second answer tier, bot/nlu/retrieval_classifier.py). Extractive: the passage is shown as
  written in the source, with its title and date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kkshared.normalize import collapse_whitespace, fold

GENERAL_SOURCE = "general"
GENERAL_LABEL = "Generel vejledning fra Jobcenter København"
# Notes made from the lawyers' answers to the legal mailbox name their ticket as the source file.
POSTKASSE_SOURCE_PREFIX = "juridisk-postkasse/"
POSTKASSE_LABEL = "Svar fra juristerne i centralforvaltningen (sag {ticket})"


@dataclass(frozen=True)
class SourceDocument:
    file: str
    title: str
    date: str  # when its facts held, as shown to people


SOURCE_DOCUMENTS: dict[str, SourceDocument] = {
    doc.file: doc
    for doc in (
        SourceDocument(
            "000_0be9af2cecd9aa10.txt",
            "BIF: Bidrag til Københavns Kommunes evaluering af indsatsen under corona-nedlukningen",
            "2020",
        ),
        SourceDocument(
            "001_345a0f75cdfd7ed1.txt",
            "KL: Erfaringsopsamling – Kommunedanmark under forårets coronakrise",
            "2020",
        ),
        SourceDocument(
            "002_5e6f3c0d831500e7.txt",
            "BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen",
            "2017",
        ),
        SourceDocument(
            "003_fdb3bbd829f81f33.txt",
            "Københavns Kommune: Beskæftigelsesplan 2022",
            "2022",
        ),
        SourceDocument(
            "004_758e007eb605485c.txt",
            "BIF: Udkast til katalog over effektiviseringsforslag (udateret)",
            "ca. 2010",
        ),
    )
}


def source_label(file: str, date: str | None = None) -> str:
    """ "<document title>, <date>" for a source file (or the general guidance); unknown files keep
    their name, so nothing is ever shown without a source."""
    if file == GENERAL_SOURCE:
        title = GENERAL_LABEL
    elif file.startswith(POSTKASSE_SOURCE_PREFIX):
        title = POSTKASSE_LABEL.format(ticket=file.removeprefix(POSTKASSE_SOURCE_PREFIX))
    else:
        document = SOURCE_DOCUMENTS.get(file)
        title = document.title if document else file
        date = date or (document.date if document else None)
    return f"{title}, {date}" if date else title


# Two texts state the same words when they share a run of this many words (a quote and the
# passage it was copied from; the coverage report's "quoted"; an evaluation item and a training
# text, tests/knowledge/test_eval_leakage.py).
QUOTE_RUN = 6


# Cached: the chat compares an entry's quote with a source passage on every answer it supports.
@lru_cache(maxsize=8192)
def word_runs(
    text: str, size: int = QUOTE_RUN, whole_if_shorter: bool = False
) -> frozenset[tuple[str, ...]]:
    """Every run of ``size`` consecutive words of ``text`` (folded: case, æ/ø/å and accents; no
    punctuation). A text of fewer words has none, or, with ``whole_if_shorter``, the one run of
    all its words (a short quote still anchors the passage it was copied from)."""
    words = re.findall(r"\w+", fold(text))
    if whole_if_shorter:
        size = min(size, len(words))
    if size == 0:
        return frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class Passage:
    id: str  # "<file>#<number>"
    file: str
    text: str

    @property
    def document(self) -> SourceDocument | None:
        return SOURCE_DOCUMENTS.get(self.file)


# A hyphen at a line end joins the word ("ledi-\nge" -> "ledige"); "fag-\nforeninger" too.
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"”»(]?[A-ZÆØÅ0-9])")
# Abbreviations whose full stop does not end the sentence: "inden kl. 10 næste dag",
# "jf. LAB § 13, stk. 2", "d. 1. juli" (the seeds cite rules this way).
_ABBREVIATIONS = frozenset(
    {"bl.a.", "ca.", "d.", "f.eks.", "hhv.", "inkl.", "jf.", "jfr.", "jvf.", "kap.", "kl."}
    | {"mht.", "nr.", "pkt.", "pr.", "stk.", "vedr."}
)
# Table-of-contents lines, page numbers and dot leaders carry no answer.
_NOISE = re.compile(r"\.{4,}|\t\d+\s*$")
MIN_WORDS = 7
MAX_WORDS = 70
SENTENCES_PER_PASSAGE = 2


def _blocks(raw: str) -> list[str]:
    text = unicodedata.normalize("NFKC", raw).replace("\u00ad", "")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return [collapse_whitespace(b) for b in _BLOCK_BREAK.split(text)]


def _is_prose(sentence: str) -> bool:
    words = sentence.split()
    if len(words) < MIN_WORDS or _NOISE.search(sentence):
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    upper = sum(ch.isupper() for ch in sentence)
    # Headings in capitals and tables of numbers are not sentences.
    return letters >= 0.6 * len(sentence.replace(" ", "")) and upper < 0.5 * letters


def _sentences(block: str) -> list[str]:
    """The block's sentences; a full stop after an abbreviation ends none."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(block):
        if sentences and sentences[-1].split()[-1].lower().lstrip("(") in _ABBREVIATIONS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def document_passages(file: str, raw: str) -> list[Passage]:
    """Passages of one document: each sentence with the next one of the same block, capped at
    ``MAX_WORDS`` (a single longer sentence stays whole: cutting it would change its meaning)."""
    passages: list[Passage] = []
    for block in _blocks(raw):
        sentences = [s for s in _sentences(block) if _is_prose(s)]
        for i, sentence in enumerate(sentences):
            text = sentence
            for following in sentences[i + 1 : i + SENTENCES_PER_PASSAGE]:
                if len((text + " " + following).split()) > MAX_WORDS:
                    break
                text = f"{text} {following}"
            passages.append(Passage(f"{file}#{len(passages)}", file, text))
    return passages


def read_passages(seeds_dir: Path) -> list[Passage]:
    """Passages of every known source document found in ``seeds_dir``."""
    passages: list[Passage] = []
    for file in sorted(SOURCE_DOCUMENTS):
        path = Path(seeds_dir) / file
        if path.exists():
            passages.extend(document_passages(file, path.read_text(encoding="utf-8")))
    return passages
