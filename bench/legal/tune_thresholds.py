"""Choose the refusal threshold on the development split (never on the evaluation set).

    .venvs/api/bin/python -m bench.legal.tune_thresholds

The development split is leave-one-out over the notes' own questions (see kkshared.retrieval.calibration):
each note question asked of an index lacking that question (answerable) or lacking the whole note
(unanswerable). Confidence comes from a calibrator fitted on the other half of the notes (two-fold),
so the threshold is not chosen on the examples the calibrator was fitted on.
"""

from __future__ import annotations

import numpy as np

from kkshared.retrieval.calibration import Calibrator, development_examples
from bench.legal.run_eval import note_docs
from kkshared.knowledge import load_legal_notes


def main() -> None:
    docs = note_docs(load_legal_notes())
    examples = development_examples(docs, None)
    notes_in_fold = {d.id: i % 2 for i, d in enumerate(docs)}
    scored = []
    for fold in (0, 1):
        train = [e for e in examples if notes_in_fold.get(e.expected or e.predicted or "", 0) != fold]
        test = [e for e in examples if notes_in_fold.get(e.expected or e.predicted or "", 0) == fold]
        calibrator = Calibrator.fit(train)
        scored += [(calibrator.confidence(e.features), e) for e in test]
    answerable = [s for s in scored if s[1].expected is not None]
    absent = [s for s in scored if s[1].expected is None]
    print(f"dev examples: {len(answerable)} answerable, {len(absent)} with the note absent")
    print("threshold  answered-right  answered-wrong  absent-refused")
    for threshold in np.arange(0.1, 0.75, 0.05):
        right = sum(c >= threshold and e.correct for c, e in answerable) / len(answerable)
        wrong = sum(c >= threshold and not e.correct for c, e in answerable) / len(answerable)
        refused = sum(c < threshold for c, e in absent) / len(absent)
        print(f"{threshold:9.2f}  {right:14.1%}  {wrong:14.1%}  {refused:14.1%}")


if __name__ == "__main__":
    main()
