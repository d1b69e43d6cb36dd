"""Ranking metrics for judged collections (graded qrels): nDCG, precision and recall at k.

Pure standard library, so the app's evaluation script and throwaway tuning scripts share one
definition.  ``grades`` maps a service id to its judged grade (2 excellent, 1 worth
mentioning); unjudged ids count as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first k gains (gain / log2(rank + 1))."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains[:k]))


def ndcg_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """nDCG@k with the grade as gain (linear); 0.0 when nothing is judged relevant."""
    ideal = dcg_at_k(sorted((float(g) for g in grades.values() if g > 0), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k([float(grades.get(i, 0)) for i in ranked_ids], k) / ideal


def precision_at_k(
    ranked_ids: Sequence[str], grades: Mapping[str, int], k: int, grade: int = 2
) -> float:
    """Share of the first k positions (k, not fewer) holding a service graded at least grade."""
    if k <= 0:
        return 0.0
    return sum(1 for i in ranked_ids[:k] if grades.get(i, 0) >= grade) / k


def recall_at_k(
    ranked_ids: Sequence[str], grades: Mapping[str, int], k: int, grade: int = 2
) -> float:
    """Share of the services graded at least grade that appear in the first k; 1.0 if none exist."""
    wanted = {i for i, g in grades.items() if g >= grade}
    if not wanted:
        return 1.0
    return len(wanted & set(ranked_ids[:k])) / len(wanted)
