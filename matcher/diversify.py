"""Re-rank so the top results cover the person's different goals, not ten walking groups."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from matcher.scoring import Signals
from matcher.weights import WEIGHTS


def diversify(
    ranked: Sequence[Signals], limit: int, moved: dict[str, tuple[float, float]] | None = None
) -> list[Signals]:
    """Pick up to limit services greedily by score, plus a bonus for serving a goal the picks so
    far cover least (round-robin over goals, fading with each round), minus a cost for
    repeating activities already shown.  Deterministic: ties go to the higher score, then id.
    When moved is given, it receives each pick's (coverage bonus, repeat cost) as picked."""
    # Highest score first (a stable sort: equal scores keep their order), so that each round's
    # search can stop once no bonus could lift what is left above the best found.  A score that
    # is not a number orders nothing, so then every round looks at every service.
    by_score = not any(math.isnan(s.score) for s in ranked)
    pool = sorted(ranked, key=lambda s: -s.score) if by_score else list(ranked)
    top_share = max((s.goal_share for s in ranked), default=1.0)
    chosen: list[Signals] = []
    covered: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    goals = sorted({g for s in ranked for g in s.goals_served})
    while pool and len(chosen) < limit:
        level = min((covered[g] for g in goals), default=0)
        most = WEIGHTS["diversity"] * top_share / (1 + level) if by_score else math.inf
        best = _best(pool, covered, shown, level, most)
        pool.remove(best)
        chosen.append(best)
        if moved is not None:
            moved[best.service_id] = _moves(best, covered, shown, level)
        covered.update(best.goals_served)
        shown.update(best.activities)
    return chosen


def _best(
    pool: list[Signals], covered: Counter[str], shown: Counter[str], level: int, most: float
) -> Signals:
    """The first service in pool with the highest adjusted score, then score, then lowest id:
    min(pool, key=...) but stopping early, as pool is highest score first and no adjusted score
    exceeds score + most (repeats only ever cost)."""
    best = pool[0]
    best_key = _key(best, covered, shown, level)
    for s in pool[1:]:
        top = -best_key[0]  # the best adjusted score so far
        if s.score + most < top:
            break  # neither this service nor any after it (scoring no higher) can win
        if s.score < top and not s.goals_direct:
            continue  # no gap to fill, so no bonus: it cannot reach the best
        key = _key(s, covered, shown, level)
        if key < best_key:
            best, best_key = s, key
    return best


def _key(
    s: Signals, covered: Counter[str], shown: Counter[str], level: int
) -> tuple[float, float, str]:
    return -_adjusted(s, covered, shown, level), -s.score, s.service_id


def _adjusted(s: Signals, covered: Counter[str], shown: Counter[str], level: int) -> float:
    bonus, cost = _moves(s, covered, shown, level)
    return s.score + bonus - cost


def _moves(
    s: Signals, covered: Counter[str], shown: Counter[str], level: int
) -> tuple[float, float]:
    """(bonus for covering a goal the picks so far cover least, cost of repeating activities)."""
    # The goals covered fewest times so far are this round's gaps; the bonus halves, then
    # thirds, ... with each round so that deeper in the list the score rules again.
    # Only a named activity fills a gap: a category-only match is too weak to jump the queue,
    # and a service designed for other conditions fills it only as far as it serves the goal.
    fills_gap = any(covered[g] == level for g in s.goals_direct)
    bonus = WEIGHTS["diversity"] * s.goal_share / (1 + level) if fills_gap else 0.0
    repeats = min((shown[a] for a in s.activities), default=0)
    return bonus, WEIGHTS["repeat_activity"] * repeats
