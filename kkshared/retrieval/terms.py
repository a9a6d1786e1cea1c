"""Danish retrieval terms for questions, legal notes and FAQ entries.

A question like "Kan en sygedagpengemodtager der udeblev fra samtalen sanktioneres jf. LAB § 16a?"
becomes lemma terms with ae/oe/aa restored and folded, domain synonyms unified (udeblev →
udeblivelse), compounds split (sygedagpengemodtager → sygedagpenge + modtager), stop words
dropped, and legal references as tokens at three levels of precision (ref:§16a, ref:LAB §16a,
ref:LAB §16a stk5). Character n-grams (3-5, per folded word) absorb the remaining typos.
"""

from __future__ import annotations

from functools import lru_cache

from kkshared.legal_refs import LegalRef, extract_references
from kkshared.lexicon import folded_lemma, lemma
from kkshared.normalize import fold, restore_danish
from kkshared.retrieval.synonyms import PHRASE_SYNONYMS, WORD_SYNONYMS
from kkshared.tokenize import word_tokens

_MIN_PART = 3
_LINKING = ("s", "e")
_LAW_WORDS = frozenset({"lab", "las", "bab", "lbl", "sdl", "fvl", "rsl", "inl", "loa"})
_NOISE = frozenset({"jf.", "stk.", "nr.", "ca.", "bl.a.", "f.eks.", "evt.", "iht.", "pba."})


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.da.stop_words import STOP_WORDS

    extra = {
        "borger",
        "borgeren",
        "jobcenter",
        "jobcentret",
        "kommune",
        "kan",
        "skal",
        "maa",
        "maatte",
        "hvad",
        "hvordan",
    }
    return frozenset(fold(word) for word in STOP_WORDS) | frozenset(extra)


@lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[str, ...]:
    """Lemmas of the two known parts of a folded compound ("sygedagpengemodtager"), else ()."""
    if len(word) < 2 * _MIN_PART + 2 or not word.isalpha():
        return ()
    for split in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
        head, tail = word[:split], word[split:]
        tail_lemma = folded_lemma(tail)
        if tail_lemma is None:
            continue
        heads = [head] + [head[: -len(link)] for link in _LINKING if head.endswith(link)]
        for candidate in heads:
            head_lemma = folded_lemma(candidate) if len(candidate) >= _MIN_PART else None
            if head_lemma is not None:
                return (head_lemma, tail_lemma)
    return ()


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[tuple[str, ...], str]]:
    """Phrase synonyms in lemma space, longest first."""
    phrases = [
        (tuple(folded_lemmas(text)), canonical) for text, canonical in PHRASE_SYNONYMS.items()
    ]
    return sorted(phrases, key=lambda item: -len(item[0]))


def _reference_terms(refs: list[LegalRef]) -> list[str]:
    terms: list[str] = []
    for ref in refs:
        if ref.kind == "ruling":
            terms.append(f"ref:{ref.key}")
            continue
        head = f"kap{ref.number}" if ref.kind == "chapter" else f"§{ref.number}"
        terms.append(f"ref:{head}")
        if ref.law:
            terms.append(f"ref:{ref.law} {head}")
        if ref.stk:
            terms.append(f"ref:{head} stk{ref.stk}")
    return terms


def _surface_and_lemmas(text: str) -> list[tuple[str, str]]:
    """(folded word, folded lemma) for the words of ``text`` after restoring ae/oe/aa spellings."""
    words: list[str] = []
    for word in word_tokens(restore_danish(text)):
        if word == "§" or word in _NOISE:
            continue
        if "-" in word[1:-1]:
            words.extend(part for part in word.split("-") if part)
        else:
            words.append(word)
    return [(fold(word), fold(lemma(word))) for word in words]


def folded_lemmas(text: str) -> list[str]:
    """Folded lemmas of the words of ``text`` after restoring ae/oe/aa spellings."""
    return [lem for _, lem in _surface_and_lemmas(text)]


def word_terms(text: str) -> list[str]:
    """Retrieval terms: lemmas, synonyms, compound parts and reference tokens."""
    pairs = _surface_and_lemmas(text)
    lemmas = [lem for _, lem in pairs]
    stop = _stop_words()
    terms: list[str] = []
    position = 0
    while position < len(lemmas):
        for phrase, canonical in _phrases():
            if tuple(lemmas[position : position + len(phrase)]) == phrase:
                terms.append(canonical)
                position += len(phrase)
                break
        else:
            surface, word = pairs[position]
            position += 1
            if surface in stop or word in stop or word in _LAW_WORDS or not word[:1].isalpha():
                continue
            word = WORD_SYNONYMS.get(word, word)
            terms.append(word)
            terms.extend(WORD_SYNONYMS.get(part, part) for part in compound_parts(word))
    terms.extend(_reference_terms(extract_references(text)))
    return terms


def char_ngrams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams of each folded word, padded with spaces at the word's edges."""
    grams: list[str] = []
    for word in word_tokens(fold(text)):
        padded = f" {word} "
        for size in range(low, high + 1):
            grams.extend(padded[i : i + size] for i in range(0, max(1, len(padded) - size + 1)))
    return grams


def reference_terms(text: str) -> set[str]:
    return set(_reference_terms(extract_references(text)))
