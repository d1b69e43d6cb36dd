"""Re-rank so the top results cover the person's different goals, not ten walking groups."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from matcher.scoring import Signals
from matcher.weights import WEIGHTS

# How close a service left unweighed may come to a pick before it is weighed after all: far
# above the rounding of a sum of a dozen weights, far below any difference a ranking shows.
CLOSE = 1e-9


class Unweighed(NamedTuple):
    """A service that passed the hard rules but whose score was not worked out in full: the
    most it can be (scoring.bound), and what its coverage bonus and repeat cost are read from."""

    most: float
    goals_direct: tuple[str, ...]
    activities: tuple[str, ...]
    goal_share: float


def diversify(
    ranked: Sequence[Signals],
    limit: int,
    moved: dict[str, tuple[float, float]] | None = None,
    among: tuple[float, Sequence[str]] | None = None,
) -> list[Signals]:
    """Pick up to limit services greedily by score, plus a bonus for serving a goal the picks so
    far cover least (round-robin over goals, fading with each round), minus a cost for
    repeating activities already shown.  Deterministic: ties go to the higher score, then id.
    When moved is given, it receives each pick's (coverage bonus, repeat cost) as picked.
    among is (the largest goal share, every goal served) of a wider set of services that
    ranked is part of, when the rounds are to be those of that set (see could_change)."""
    # Highest score first (a stable sort: equal scores keep their order), so that each round's
    # search can stop once no bonus could lift what is left above the best found.  A score that
    # is not a number orders nothing, so then every round looks at every service.
    by_score = not any(math.isnan(s.score) for s in ranked)
    pool = sorted(ranked, key=lambda s: -s.score) if by_score else list(ranked)
    top_share, goals = among or _among(ranked)
    chosen: list[Signals] = []
    covered: Counter[str] = Counter()
    shown: Counter[str] = Counter()
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


def _among(ranked: Sequence[Signals]) -> tuple[float, list[str]]:
    top_share = max((s.goal_share for s in ranked), default=1.0)
    return top_share, sorted({g for s in ranked for g in s.goals_served})


def could_change(
    picked: Sequence[Signals], limit: int, rest: Sequence[Unweighed], goals: Sequence[str]
) -> bool:
    """Whether adding rest (most first) to the services that gave picked could change the
    picks, whatever their scores up to their bounds: replays the rounds and asks whether any
    of rest could come within CLOSE of each round's pick. False means diversify over both
    (with goals, and rest's goal shares, in among) picks exactly these.

    Each round picks the lowest (-adjusted score, -score, id); one of rest whose adjusted score
    stays below the pick's cannot be chosen, so the next round starts from the same picks.
    """
    if not rest:
        return False
    if len(picked) < limit:
        return True  # the pool ran out: one of rest would have been picked next
    covered: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    top = rest[0].most
    for best in picked:
        level = min((covered[g] for g in goals), default=0)
        bonus, cost = _moves(best, covered, shown, level)
        floor = best.score + bonus - cost - CLOSE  # what one of rest must stay below
        most_bonus = WEIGHTS["diversity"] / (1 + level)  # goal shares are at most 1
        if top + most_bonus >= floor:
            for u in rest:
                if u.most + most_bonus < floor:
                    break  # and every one after it, whose bound is no higher
                gain, loss = _bonus_and_cost(
                    u.goals_direct, u.goal_share, u.activities, covered, shown, level
                )
                if u.most + gain - loss >= floor:
                    return True
        covered.update(best.goals_served)
        shown.update(best.activities)
    return False


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
    return _bonus_and_cost(s.goals_direct, s.goal_share, s.activities, covered, shown, level)


def _bonus_and_cost(
    direct: tuple[str, ...],
    goal_share: float,
    activities: tuple[str, ...],
    covered: Counter[str],
    shown: Counter[str],
    level: int,
) -> tuple[float, float]:
    fills_gap = any(covered[g] == level for g in direct)
    bonus = WEIGHTS["diversity"] * goal_share / (1 + level) if fills_gap else 0.0
    repeats = min((shown[a] for a in activities), default=0)
    return bonus, WEIGHTS["repeat_activity"] * repeats
