"""Soft ranking: how well a service that passed the hard rules fits the person.

Every weight lives in WEIGHTS.  Each signal is a number in 0..1 (the structured push-down is
a penalty); a service's score is its weighted sum divided by the most any service could get
for this person, so it reads as 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from matcher.person import Person
from matcher.reach import Reach

WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "goal": 0.26,  # share of the person's goals it serves at all, by category or activity
        "activity": 0.22,  # share it serves directly, with an activity the goal names
        "condition": 0.18,  # designed for one of the person's conditions
        "other_condition": 0.12,  # subtracted: designed only for conditions the person doesn't have
        "readiness": 0.14,  # intensity and support fit the readiness (not-yet and thinking only)
        "structured_push": 0.14,  # subtracted: a structured commitment for someone not yet ready
        "nearness": 0.08,  # 1 at the door, 0 at the person's max distance
        "text": 0.08,  # the person's own words match the service's text
        "fresh": 0.04,  # details verified recently
        "diversity": 0.3,  # diversify: bonus for a goal the picks so far cover least
        "repeat_activity": 0.05,  # diversify: cost of repeating an activity already shown
    }
)

OTHERS_GOAL_SHARE = 0.5  # goal fit kept by a service designed for other conditions only
REMOTE_NEARNESS = 0.5  # online, telephone or a home visit: no travel, but not face to face nearby
FRESH_FULL_DAYS = 90  # verified within this many days counts fully ...
FRESH_NONE_DAYS = 450  # ... fading to nothing by this age

# Readiness: what each support fact or intensity is worth, per readiness level (sums cap at 1).
READINESS_FIT: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "not-yet": {
            "light": 0.4,
            "moderate": 0.1,
            "drop-in": 0.2,
            "accompanied-first-visit": 0.2,
            "miss-sessions-ok": 0.2,
            "remote": 0.4,
        },
        "thinking": {
            "light": 0.4,
            "moderate": 0.3,
            "beginners-welcome": 0.4,
            "accompanied-first-visit": 0.1,
            "drop-in": 0.1,
        },
    }
)


class Signals(NamedTuple):
    """Everything the score of one service was built from, kept for the explanation.

    A NamedTuple, like Reach, because one is built for every candidate that passes the hard
    rules.
    """

    service_id: str
    goals_served: tuple[str, ...]
    goals_direct: tuple[str, ...]
    activities: tuple[str, ...]
    conditions: tuple[str, ...]
    readiness_features: tuple[str, ...]
    distance_km: float | None
    remote_mode: str | None
    verified: date | None
    goal_share: float
    contributions: Mapping[str, float]
    score: float

    @property
    def relevant(self) -> bool:
        """Whether anything about the person (goals, conditions, words) points to the service."""
        get = self.contributions.get
        return get("goal", 0.0) > 0 or get("condition", 0.0) > 0 or get("text", 0.0) > 0


def score(r: Reach, today: date, text: float = 0.0) -> Signals:
    """Weigh every soft signal for the service; text is the 0..1 relevance of the person's words."""
    p, c = r.person, r.service
    served, direct, activities = goal_fit(r)
    conditions = _shared_conditions(r)
    readiness, features, push = readiness_fit(r)
    nearness, distance, remote = nearness_fit(r)
    # A service designed only for conditions the person doesn't have serves their goals less.
    others_only = bool(c.conditions) and not conditions
    goal_share = OTHERS_GOAL_SHARE if others_only else 1.0
    share = goal_share / max(len(p.goals), 1)
    contributions = {
        "goal": WEIGHTS["goal"] * len(served) * share,
        "activity": WEIGHTS["activity"] * len(direct) * share,
        "condition": WEIGHTS["condition"] * (1.0 if conditions else 0.0),
        "other_condition": -WEIGHTS["other_condition"] * (1.0 if others_only else 0.0),
        "readiness": WEIGHTS["readiness"] * readiness,
        "structured_push": -WEIGHTS["structured_push"] * push,
        "nearness": WEIGHTS["nearness"] * nearness,
        "text": WEIGHTS["text"] * min(max(text, 0.0), 1.0),
        "fresh": WEIGHTS["fresh"] * freshness(c.last_verified, today),
    }
    total = min(max(sum(contributions.values()) / best_possible(p), 0.0), 1.0)
    # Positional, in field order: this runs for nearly every candidate of every match.
    return Signals(
        c.id,  # service_id
        served,  # goals_served
        direct,  # goals_direct
        activities,
        conditions,
        features,  # readiness_features
        distance,  # distance_km
        remote,  # remote_mode
        c.last_verified,  # verified
        goal_share,
        MappingProxyType(contributions),
        total,  # score
    )


def ceiling(r: Reach, text: float = 0.0) -> float | None:
    """The most score(r, today, text).score can be on any day, or None when nothing the person
    wants (goals, conditions, words) points to the service.

    Those wants are weighed as score() weighs them and every other signal is taken at its
    best, which is cheap: a match weighs in full only the exclusions that could make its
    why-not list.
    """
    p, c = r.person, r.service
    served, direct, _ = goal_fit(r)
    conditions = _shared_conditions(r)
    others_only = bool(c.conditions) and not conditions
    share = (OTHERS_GOAL_SHARE if others_only else 1.0) / max(len(p.goals), 1)
    goal = WEIGHTS["goal"] * len(served) * share
    condition = WEIGHTS["condition"] * (1.0 if conditions else 0.0)
    said = WEIGHTS["text"] * min(max(text, 0.0), 1.0)
    if not (goal > 0 or condition > 0 or said > 0):  # as Signals.relevant
        return None
    most = (
        goal
        + WEIGHTS["activity"] * len(direct) * share
        + condition
        - WEIGHTS["other_condition"] * (1.0 if others_only else 0.0)
        + (WEIGHTS["readiness"] if p.profile.readiness in READINESS_FIT else 0.0)
        + WEIGHTS["nearness"]  # nearness, readiness and freshness are at most 1 ...
        + said
        + WEIGHTS["fresh"]  # ... and the structured push-down only ever subtracts
    )
    return min(max(most / best_possible(p), 0.0), 1.0)


def goal_fit(r: Reach) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(goals served at all, goals served by a named activity, those activities), sorted."""
    p, offered, categories = r.person, r.service.activities, r.service.categories
    served: list[str] = []
    direct: list[str] = []
    for goal in p.goals:  # sorted by id, so both lists come out sorted
        if not goal.activities.isdisjoint(offered):
            direct.append(goal.id)
            served.append(goal.id)
        elif not goal.serves.isdisjoint(categories):
            served.append(goal.id)
    if not direct:
        return tuple(served), (), ()
    return tuple(served), tuple(direct), tuple([a for a in p.goal_activities if a in offered])


def _shared_conditions(r: Reach) -> tuple[str, ...]:
    """The person's conditions the service is designed for, sorted."""
    mine, its = r.person.profile.conditions, r.service.conditions
    return tuple(sorted(mine & its)) if its and not mine.isdisjoint(its) else ()


def readiness_fit(r: Reach) -> tuple[float, tuple[str, ...], float]:
    """(fit 0..1, the features that raised it, push-down 0..1) for the person's readiness."""
    readiness = r.person.profile.readiness
    table = READINESS_FIT.get(readiness)
    if table is None:  # ready and active take any intensity, structured courses included
        return 0.0, (), 0.0
    access, intensity = r.service.access, r.service.intensity
    # A remote service (online, by phone, or a home visit that reaches them) counts as "remote".
    remote = r.remote is not None
    present = [f for f in table if f in access or f == intensity or (remote and f == "remote")]
    fit = min(sum([table[f] for f in present]), 1.0)
    push = 1.0 if readiness == "not-yet" and intensity == "structured" else 0.0
    return fit, tuple(present), push


def nearness_fit(r: Reach) -> tuple[float, float | None, str | None]:
    """(nearness 0..1, km to the nearest usable venue, remote mode when that counts more)."""
    distance = r.usable[0][0] if r.usable else None
    near = 0.0
    if distance is not None:
        most = r.person.profile.max_distance_km
        near = 1.0 - distance / most if most > 0 else 1.0
    if r.remote is not None and near < REMOTE_NEARNESS:
        return REMOTE_NEARNESS, distance, r.remote
    return max(near, 0.0), distance, None


def freshness(verified: date | None, today: date) -> float:
    """1 when verified within FRESH_FULL_DAYS, fading linearly to 0 at FRESH_NONE_DAYS."""
    if verified is None:
        return 0.0
    age = (today - verified).days
    if age <= FRESH_FULL_DAYS:
        return 1.0
    return max(0.0, 1.0 - (age - FRESH_FULL_DAYS) / (FRESH_NONE_DAYS - FRESH_FULL_DAYS))


def best_possible(p: Person) -> float:
    """The largest weighted sum any service could reach for this person."""
    best = WEIGHTS["nearness"] + WEIGHTS["fresh"]
    if p.goals:
        best += WEIGHTS["goal"] + WEIGHTS["activity"]
    if p.profile.conditions:
        best += WEIGHTS["condition"]
    if p.profile.readiness in READINESS_FIT:
        best += WEIGHTS["readiness"]
    if p.has_text:
        best += WEIGHTS["text"]
    return best
