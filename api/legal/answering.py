"""From a ranking to an answer a caseworker can rely on: answered, clarify or refused.

- ``answered``: the calibrated confidence reaches ``ANSWER_AT`` and no runner-up is close;
- ``clarify``: a plausible answer, but confidence is middling or a second note is nearly as good:
  the best answer is given with its citations and the other is offered;
- ``refused``: below ``REFUSE_BELOW`` the assistant says it does not know and offers to send the
  question to the lawyers. It never answers from a note it does not trust.
Thresholds are chosen on the development split (see ``calibration``), never on the evaluation set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from kkshared.retrieval.calibration import Calibrator, development_examples
from kkshared.retrieval.index import Encoder, SearchIndex, Document

# Chosen with bench/legal/tune_thresholds.py on the development split: REFUSE_BELOW maximises the
# mean of "answered right" and "absent note refused"; above ANSWER_AT about 2% of dev answers were wrong.
ANSWER_AT = 0.6
REFUSE_BELOW = 0.35
CLOSE_RUNNER_UP = 0.1  # fused-score margin below which the runner-up is offered too


@dataclass
class Advice:
    status: str  # "answered" | "clarify" | "refused"
    note_id: str | None
    confidence: float
    alternative_id: str | None = None
    ranked: tuple[str, ...] = ()  # note ids, best first


class LegalAdvisor:
    def __init__(self, notes: Sequence[Document], encoder: Encoder | None = None, calibrate: bool = True) -> None:
        self.index = SearchIndex(notes, encoder)
        self.calibrator = Calibrator.fit(development_examples(notes, encoder)) if calibrate else Calibrator()

    def advise(self, question: str) -> Advice:
        ranking = self.index.rank(question)
        ranked = tuple(c.note_id for c in ranking.candidates)
        if ranking.best is None:
            return Advice("refused", None, 0.0)
        confidence = self.calibrator.confidence(ranking.features)
        if confidence < REFUSE_BELOW:
            return Advice("refused", None, confidence, ranked=ranked)
        runner_up = ranking.candidates[1] if len(ranking.candidates) > 1 else None
        close = runner_up is not None and ranking.best.score - runner_up.score < CLOSE_RUNNER_UP
        alternative = runner_up.note_id if close else None
        status = "answered" if confidence >= ANSWER_AT and not close else "clarify"
        return Advice(status, ranking.best.note_id, confidence, alternative, ranked)
