"""Checks the English citizen catalogue (knowledge/citizen_en/) against the Danish one (issue 20).

The English entries carry id, title, answer and examples; source and date are inherited from the
Danish entry with the same id (the quote check runs on the Danish source). This file checks:

- every Danish entry has exactly one English version, in the file with the same topic name, and
  there is no English entry without a Danish one;
- no empty fields, only the four known keys;
- every English answer has the same numbers as the Danish answer (digit groups, so amounts,
  dates, times, percentages and phone numbers; separators like "4.000" / "4,000" are ignored);
- the English answer without its glosses is not much longer or shorter than the Danish one
  (nothing added or dropped is only checked roughly: 0.8 to 1.5 times the Danish word count);
- 6-14 example questions per entry, no example used twice (across all entries), none copied from
  the Danish training examples in nlu_data/faq/;
- readability: average sentence length at most 20 words in every answer and no sentence over 30
  words (words are whitespace-separated tokens with a letter or digit; sentences end with . ! or ?
  followed by a space and a capital letter or a quote);
- glosses: every "(...)" in an answer without a digit is a gloss from the glossary table in
  knowledge/citizen_en/README.md, placed right after its Danish term; every glossary term is glossed
  the first time it is used in an answer (and only then); a glossary term used in the Danish answer
  is kept in the English answer; every glossary row is used at least once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DANISH_DIR = ROOT / "knowledge" / "citizen"
ENGLISH_DIR = ROOT / "knowledge" / "citizen_en"
FAQ_DIR = ROOT / "nlu_data" / "faq"
GLOSSARY_FILE = ENGLISH_DIR / "README.md"

KEYS = {"id", "title", "answer", "examples"}
MIN_EXAMPLES, MAX_EXAMPLES = 6, 14
MAX_AVERAGE_SENTENCE_WORDS = 20.0
MAX_SENTENCE_WORDS = 30
MIN_LENGTH_RATIO, MAX_LENGTH_RATIO = 0.8, 1.5

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ\"“'])")
WORD = re.compile(r"\S*[^\W_]\S*")
DIGITS = re.compile(r"\d+")
PARENTHESIS = re.compile(r"\(([^()]*)\)")
# A term ends at a word boundary; "Jobnet" inside "jobnet.dk" or "dagpenge" inside
# "sygedagpenge" is not the term.
TERM_BEFORE = r"(?<![\w-])"
TERM_AFTER = r"(?![\w-]|\.\w)"


@dataclass(frozen=True)
class Entry:
    topic: str
    id: str
    title: str
    answer: str
    examples: tuple[str, ...]


def _load_list(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{path.name}: expected a YAML list"
    for item in data:
        assert isinstance(item, dict), f"{path.name}: every entry must be a mapping"
    return data


def _clean(text: Any) -> str:
    return " ".join(str(text).split()) if isinstance(text, str) else ""


def _danish() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted(DANISH_DIR.glob("*.yml")):
        for item in _load_list(path):
            entry = Entry(path.stem, item["id"], item["title"], _clean(item["answer"]), ())
            entries[entry.id] = entry
    return entries


def _english_raw() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.stem, item) for path in sorted(ENGLISH_DIR.glob("*.yml")) for item in _load_list(path)
    ]


def _english() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for topic, item in _english_raw():
        examples = item.get("examples") or []
        entry = Entry(
            topic,
            str(item.get("id", "")),
            _clean(item.get("title")),
            _clean(item.get("answer")),
            tuple(_clean(example) for example in examples),
        )
        entries[entry.id] = entry
    return entries


def _glossary() -> dict[str, str]:
    """Danish term -> English gloss, from the table under '## Glossary' in the README."""
    lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Glossary")
    terms: dict[str, str] = {}
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-", " "}:
            continue
        if cells[0].lower() == "danish term":
            continue
        assert cells[0] not in terms, f"glossary term listed twice: {cells[0]}"
        terms[cells[0]] = cells[1]
    return terms


DANISH = _danish()
ENGLISH = _english()
GLOSSARY = _glossary()
ENTRY_IDS = sorted(DANISH)


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split()).strip(" ?.!")


def _numbers(text: str) -> Counter[str]:
    return Counter(DIGITS.findall(unicodedata.normalize("NFKC", text)))


def _without_glosses(text: str) -> str:
    glosses = set(GLOSSARY.values())
    return PARENTHESIS.sub(lambda m: "" if m.group(1) in glosses else m.group(0), text)


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(TERM_BEFORE + re.escape(term) + TERM_AFTER, re.IGNORECASE)


def _term_occurrences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, term) of every glossary term outside parentheses, longest terms first."""
    masked = PARENTHESIS.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, int, str]] = []
    for term in sorted(GLOSSARY, key=len, reverse=True):
        for match in _term_pattern(term).finditer(masked):
            if any(start < match.end() and match.start() < end for start, end, _ in found):
                continue
            found.append((match.start(), match.end(), term))
            masked = (
                masked[: match.start()]
                + " " * (match.end() - match.start())
                + masked[match.end() :]
            )
    return sorted(found)


def test_english_files_match_danish_topics() -> None:
    danish_topics = {path.stem for path in DANISH_DIR.glob("*.yml")}
    english_topics = {path.stem for path in ENGLISH_DIR.glob("*.yml")}
    assert english_topics == danish_topics


def test_every_entry_has_exactly_one_english_version() -> None:
    counts = Counter(str(item.get("id")) for _, item in _english_raw())
    twice = sorted(entry_id for entry_id, count in counts.items() if count > 1)
    missing = sorted(set(DANISH) - set(counts))
    unknown = sorted(set(counts) - set(DANISH))
    assert not twice, f"English entries listed more than once: {twice}"
    assert not missing, f"Danish entries without an English version: {missing}"
    assert not unknown, f"English entries without a Danish entry: {unknown}"


def test_entries_are_in_the_file_of_their_danish_topic() -> None:
    wrong = [
        f"{entry.id}: in {entry.topic}.yml, Danish in {DANISH[entry.id].topic}.yml"
        for entry in ENGLISH.values()
        if entry.id in DANISH and entry.topic != DANISH[entry.id].topic
    ]
    assert not wrong, wrong


def test_entries_have_the_known_keys_and_no_empty_fields() -> None:
    problems: list[str] = []
    for topic, item in _english_raw():
        name = f"{topic}/{item.get('id')}"
        if set(item) != KEYS:
            problems.append(f"{name}: keys {sorted(item)}, expected {sorted(KEYS)}")
        for key in ("id", "title", "answer"):
            if not _clean(item.get(key)):
                problems.append(f"{name}: empty or not text: {key}")
        examples = item.get("examples")
        if not isinstance(examples, list) or not all(_clean(e) for e in examples):
            problems.append(f"{name}: examples must be a list of non-empty texts")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_answer_keeps_the_danish_numbers(entry_id: str) -> None:
    english = ENGLISH.get(entry_id)
    if english is None:
        pytest.skip("no English version (reported by the id test)")
    danish_numbers = _numbers(DANISH[entry_id].answer)
    english_numbers = _numbers(_without_glosses(english.answer))
    assert english_numbers == danish_numbers, (
        f"only Danish: {sorted((danish_numbers - english_numbers).elements())}, "
        f"only English: {sorted((english_numbers - danish_numbers).elements())}"
    )


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_answer_length_is_close_to_the_danish(entry_id: str) -> None:
    english = ENGLISH.get(entry_id)
    if english is None:
        pytest.skip("no English version (reported by the id test)")
    ratio = len(_words(_without_glosses(english.answer))) / len(_words(DANISH[entry_id].answer))
    assert MIN_LENGTH_RATIO <= ratio <= MAX_LENGTH_RATIO, f"word ratio {ratio:.2f}"


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_answer_is_readable(entry_id: str) -> None:
    english = ENGLISH.get(entry_id)
    if english is None:
        pytest.skip("no English version (reported by the id test)")
    lengths = [len(_words(sentence)) for sentence in _sentences(english.answer)]
    average = sum(lengths) / len(lengths)
    assert average <= MAX_AVERAGE_SENTENCE_WORDS, f"average sentence length {average:.1f} words"
    assert max(lengths) <= MAX_SENTENCE_WORDS, f"a sentence of {max(lengths)} words"


def test_example_counts() -> None:
    wrong = [
        f"{entry.id}: {len(entry.examples)}"
        for entry in ENGLISH.values()
        if not MIN_EXAMPLES <= len(entry.examples) <= MAX_EXAMPLES
    ]
    assert not wrong, f"entries without {MIN_EXAMPLES}-{MAX_EXAMPLES} examples: {wrong}"


def test_no_example_is_used_twice() -> None:
    seen: dict[str, str] = {}
    twice: list[str] = []
    for entry in ENGLISH.values():
        for example in entry.examples:
            key = _normalise(example)
            if key in seen:
                twice.append(f"{example!r}: {seen[key]} and {entry.id}")
            seen[key] = entry.id
    assert not twice, "\n".join(twice)


def test_no_example_is_copied_from_the_danish_training_data() -> None:
    danish_examples: set[str] = set()
    for path in FAQ_DIR.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for intent in data.get("nlu", []):
            for line in str(intent.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    danish_examples.add(_normalise(line.strip()[2:]))
    copied = [
        f"{entry.id}: {example!r}"
        for entry in ENGLISH.values()
        for example in entry.examples
        if _normalise(example) in danish_examples
    ]
    assert not copied, "\n".join(copied)


def test_glossary_has_terms_and_glosses() -> None:
    assert len(GLOSSARY) >= 20
    assert all(term and gloss for term, gloss in GLOSSARY.items())


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_parentheses_are_glossary_glosses(entry_id: str) -> None:
    english = ENGLISH.get(entry_id)
    if english is None:
        pytest.skip("no English version (reported by the id test)")
    text = english.answer
    problems: list[str] = []
    for match in PARENTHESIS.finditer(text):
        content = match.group(1)
        before = text[: match.start()].rstrip().rstrip('"”')
        terms = [
            t for t, g in GLOSSARY.items() if g == content and before.lower().endswith(t.lower())
        ]
        if not terms and not re.search(r"\d", content):
            problems.append(f"({content}) is not a glossary gloss right after its Danish term")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_glossary_terms_are_glossed_the_first_time(entry_id: str) -> None:
    english = ENGLISH.get(entry_id)
    if english is None:
        pytest.skip("no English version (reported by the id test)")
    text = english.answer
    problems: list[str] = []
    seen: set[str] = set()
    for _, end, term in _term_occurrences(text):
        glossed = re.match(rf"[\"”]? \({re.escape(GLOSSARY[term])}\)", text[end:]) is not None
        if term not in seen and not glossed:
            problems.append(f"first {term!r} has no gloss ({GLOSSARY[term]})")
        if term in seen and glossed:
            problems.append(f"{term!r} is glossed more than once")
        seen.add(term)
    assert not problems, "\n".join(problems)


# Where a glossary term in the Danish answer means something else than the glossary says.
NOT_THE_GLOSSARY_SENSE = {
    # "en jobsamtale ude på en virksomhed" is a job interview at a company.
    "meeting_job_interview_with_duty": {"jobsamtale"},
}


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_danish_names_are_kept(entry_id: str) -> None:
    english = ENGLISH.get(entry_id)
    if english is None:
        pytest.skip("no English version (reported by the id test)")
    danish = DANISH[entry_id].answer.lower()
    exempt = NOT_THE_GLOSSARY_SENSE.get(entry_id, set())
    missing = [
        term
        for term in GLOSSARY
        if term.lower() in danish
        and term not in exempt
        and term.lower() not in english.answer.lower()
    ]
    assert not missing, f"Danish terms in the Danish answer but not in the English: {missing}"


def test_every_glossary_term_is_used() -> None:
    used = {term for entry in ENGLISH.values() for _, _, term in _term_occurrences(entry.answer)}
    unused = sorted(set(GLOSSARY) - used)
    assert not unused, f"glossary terms no answer uses: {unused}"
