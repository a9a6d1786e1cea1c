"""Does an intent that is not a catalogue answer fit the message? (issue 13, out of scope)

A catalogue answer (tier 1) must be sure, fit what the question asks for and have both rankers
agree (docs/answer_tiers.md). The other intents (own case, forms, opening hours, handover, small
talk) used to pass with any confidence above the fallback threshold, so an out-of-scope message
that shares a word or two with an intent's examples was sent to it with confidence: "hvad er
klokken" to the next meeting (0.87), "write me a poem" to the message-to-your-caseworker form
(0.81), "how do i make lasagna" to the absence form. Two checks, each from a gap in what the
ranking sees:

- **Words nobody knows.** BM25's coverage (and so the calibrated confidence) counts only the
  message's words that some document contains: "poem" and "lasagna" are in no document, so
  "write me a poem" looks fully covered by "write to my caseworker". When at least half of the
  message's content words are words no document of the index contains (``unknown_share``), the
  message is mostly about something the assistant has no words for.
- **Closer to out of scope.** The same agreement-between-rankers check the catalogue path uses
  (bot/nlu/ranker_agreement.py), against the general out-of-scope document: the words put the
  intent first and that document second, and e5 does not find the intent clearly closer
  (``dense_margin`` below the allowed margin; only when e5 ran).

Either way the message is not given to the intent as sure: it goes on to tier 2 or 3 (the honest
"don't know", where the intent is still offered as "Mente du »...«?"), with the check as
``kk_answer.reason``. Intents whose answer already says the assistant cannot help (out of scope,
refusals) are not checked. Measured in docs/answer_tiers.md ("Intents that are not answers").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from bot.nlu.ranker_agreement import rankers_disagree
from kkshared.normalize import fold

# Words as the typo correction sees them (kkshared/vocabulary.py): letters only, folded.
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Shorter words are left out of the unknown ones: abbreviations and short typos ("syk", "pr",
# "d") are not topics, and the typo correction does not touch them either.
MIN_UNKNOWN_LENGTH = 4

# Question words ask, they name no topic: "when will my parcel arrive" is about a parcel, and
# "when" (which the English analyser keeps as a term) must not make it look half known.
QUESTION_WORDS = frozenset(
    "hvad hvem hvor hvornaar hvordan hvorfor hvilken hvilket hvilke "
    "what who where when how why which whose".split()
)

UNKNOWN_WORDS = "unknown words"
CLOSER_TO_OUT_OF_SCOPE = "closer to out of scope"


def unknown_share(
    text: str, analyse: Callable[[str], Sequence[str]], known: Callable[[str], bool]
) -> float:
    """The share of ``text``'s content words (words the analyser keeps a term of: no stop words,
    no question words) that no document knows: ``known`` says no to every one of the word's
    terms (a compound's parts included). Words shorter than ``MIN_UNKNOWN_LENGTH`` count as
    content, never as unknown. 0 for a message without content words."""
    content = unknown = 0
    for word in _WORD.findall(fold(text)):
        if word in QUESTION_WORDS:
            continue
        terms = [t for t in analyse(word) if not t.startswith("ref:")]
        if not terms:
            continue
        content += 1
        if len(word) >= MIN_UNKNOWN_LENGTH and not any(known(t) for t in terms):
            unknown += 1
    return unknown / content if content else 0.0


def closer_to_out_of_scope(
    candidates: Sequence[str],
    features: Mapping[str, float],
    out_of_scope_intent: str | None,
    min_dense_margin: float | None,
) -> bool:
    """True when the runner-up of the ranking (document ids, best first) is the general
    out-of-scope document and e5 does not find the chosen one closer by at least
    ``min_dense_margin``. Not when e5 did not run (BM25 alone was sure: ``dense`` is 0) or the
    check is off (``None``)."""
    if min_dense_margin is None or out_of_scope_intent is None or len(candidates) < 2:
        return False
    if candidates[1] != out_of_scope_intent or float(features.get("dense", 0.0)) <= 0.0:
        return False
    return rankers_disagree(features, min_dense_margin)
