"""Do the two rankers agree on the catalogue's best answer? (issue 13, neighbour confusion)

The citizen classifier fuses BM25 (words) with e5 (meaning). When the fused ranking puts an entry
first but e5 alone finds the runner-up clearly closer to the question, the two rankers disagree
about which of two neighbouring entries answers it. On the Danish citizen development sets
(docs/answer_tiers.md, "Rankers that disagree") such answers were mostly wrong, so they are not
given as a sure tier-1 answer: the question goes on to tier 2 or 3.

``dense_margin`` is the ranking's feature: e5 similarity of the best document minus that of the
runner-up (0 when BM25 alone ranked the message, which it does only when it is sure).
"""

from __future__ import annotations

from collections.abc import Mapping


def rankers_disagree(features: Mapping[str, float], min_dense_margin: float | None) -> bool:
    """True when e5 puts the runner-up ahead of the chosen document by more than the allowed
    margin (``dense_margin < min_dense_margin``); ``None`` turns the check off."""
    if min_dense_margin is None:
        return False
    return float(features.get("dense_margin", 0.0)) < min_dense_margin
