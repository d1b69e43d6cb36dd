"""Re-rank so the top results cover the person's different goals, not ten walking groups."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from matcher.scoring import WEIGHTS, Signals


def diversify(ranked: Sequence[Signals], limit: int) -> list[Signals]:
    """Pick up to limit services greedily by score, plus a bonus for serving a goal the picks so
    far cover least (round-robin over goals, fading with each round), minus a cost for
    repeating activities already shown.  Deterministic: ties go to the higher score, then id."""
    pool = list(ranked)
    chosen: list[Signals] = []
    covered: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    goals = sorted({g for s in ranked for g in s.goals_served})
    while pool and len(chosen) < limit:
        level = min((covered[g] for g in goals), default=0)
        best = min(
            pool, key=lambda s: (-_adjusted(s, covered, shown, level), -s.score, s.service_id)
        )
        pool.remove(best)
        chosen.append(best)
        covered.update(best.goals_served)
        shown.update(best.activities)
    return chosen


def _adjusted(s: Signals, covered: Counter[str], shown: Counter[str], level: int) -> float:
    # The goals covered fewest times so far are this round's gaps; the bonus halves, then
    # thirds, ... with each round so that deeper in the list the score rules again.
    # Only a named activity fills a gap: a category-only match is too weak to jump the queue,
    # and a service designed for other conditions fills it only as far as it serves the goal.
    fills_gap = any(covered[g] == level for g in s.goals_direct)
    bonus = WEIGHTS["diversity"] * s.goal_share / (1 + level) if fills_gap else 0.0
    repeats = min((shown[a] for a in s.activities), default=0)
    return s.score + bonus - WEIGHTS["repeat_activity"] * repeats
