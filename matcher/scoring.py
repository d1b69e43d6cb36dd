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

from matcher.audience import audience
from matcher.person import Person
from matcher.reach import Reach
from matcher.weights import READINESS_FIT, WEIGHTS

__all__ = ["READINESS_FIT", "WEIGHTS", "Bound", "Signals", "bound", "ceiling", "score"]

OTHERS_GOAL_SHARE = 0.5  # goal fit kept by a service designed for other conditions only
REMOTE_NEARNESS = 0.5  # online, telephone or a home visit: no travel, but not face to face nearby
FRESH_FULL_DAYS = 90  # verified within this many days counts fully ...
FRESH_NONE_DAYS = 450  # ... fading to nothing by this age

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
    # The community languages it is run in or for that the person shares (audience fit), or
    # that they don't (another community's group); and the first goal, when it serves it.
    audience: tuple[str, ...] = ()
    other_audience: tuple[str, ...] = ()
    first_goal: str | None = None
    central: bool = True  # designed for the person's main condition, not one in passing

    @property
    def relevant(self) -> bool:
        """Whether anything about the person (goals, conditions, words) points to the service."""
        get = self.contributions.get
        return get("goal", 0.0) > 0 or get("condition", 0.0) > 0 or get("text", 0.0) > 0


GoalFit = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def score(
    r: Reach, today: date, text: float = 0.0, unwanted: float = 0.0, goals: GoalFit | None = None
) -> Signals:
    """Weigh every soft signal for the service; text is the 0..1 relevance of what the person
    wants in their own words, unwanted the 0..1 match of what they said they don't want; goals
    is goal_fit(r) when already worked out."""
    p, c = r.person, r.service
    served, direct, activities = goal_fit(r) if goals is None else goals
    conditions, central = _shared_conditions(r)
    readiness, features, push = readiness_fit(r)
    nearness, distance, remote = nearness_fit(r)
    # A service designed only for conditions the person doesn't have serves their goals less.
    others_only = bool(c.conditions) and not conditions
    goal_share = OTHERS_GOAL_SHARE if others_only else 1.0
    goal, activity, order = _goal_parts(p, served, direct, goal_share)
    fit, foreign = audience_fit(r)
    # An activity the person named counts where the service serves one of their goals.
    named = bool(served) and not p.named.isdisjoint(c.activities)
    contributions = {
        "goal": goal,
        "activity": activity,
        "goal_order": order,
        "condition": _condition(conditions, central),
        "other_condition": -WEIGHTS["other_condition"] * (1.0 if others_only else 0.0),
        "audience": WEIGHTS["audience"] * (1.0 if fit else 0.0),
        "other_audience": -WEIGHTS["other_audience"] * (1.0 if foreign else 0.0),
        "readiness": WEIGHTS["readiness"] * readiness,
        "structured_push": -WEIGHTS["structured_push"] * push,
        "nearness": WEIGHTS["nearness"] * nearness,
        "text": WEIGHTS["text"] * min(max(text, 0.0), 1.0),
        "named_activity": WEIGHTS["named_activity"] * (1.0 if named else 0.0),
        "unwanted": -WEIGHTS["unwanted"] * min(max(unwanted, 0.0), 1.0),
        "fresh": WEIGHTS["fresh"] * freshness(c.last_verified, today),
    }
    total = min(max(sum(contributions.values()) / best_possible(p), 0.0), 1.0)
    first = p.first_goal
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
        fit,  # audience
        foreign,  # other_audience
        first if first is not None and first in served else None,  # first_goal
        central,
    )


def _goal_parts(
    p: Person, served: tuple[str, ...], direct: tuple[str, ...], goal_share: float
) -> tuple[float, float, float]:
    """(goal, activity, goal order): the goal signals with every goal alike, and how much the
    order of importance moves them (up for the first goal, down for later ones)."""
    if not served:
        return 0.0, 0.0, 0.0
    alike = goal_share / max(len(p.goals), 1)
    goal = WEIGHTS["goal"] * len(served) * alike
    activity = WEIGHTS["activity"] * len(direct) * alike
    if not p.ranked:
        return goal, activity, 0.0
    weight = p.goal_weight.__getitem__
    ordered = goal_share * (
        WEIGHTS["goal"] * sum(map(weight, served)) + WEIGHTS["activity"] * sum(map(weight, direct))
    )
    return goal, activity, ordered - goal - activity


def _condition(conditions: tuple[str, ...], central: bool) -> float:
    if not conditions:
        return 0.0
    return WEIGHTS["condition"] if central else WEIGHTS["condition_in_passing"]


def audience_fit(r: Reach) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(community languages the person shares, those of a community they are not part of).

    Only soft: a community's group never breaks or passes a hard rule by being one."""
    c = r.service
    heard = audience(c.name, c.description, c.languages)
    if not heard.languages:
        return (), ()
    shared = heard.languages & r.person.own_languages
    if shared:
        return tuple(sorted(shared)), ()
    return (), tuple(sorted(heard.languages)) if heard.exclusive else ()


def ceiling(r: Reach, text: float = 0.0) -> float | None:
    """The most score(r, today, text, unwanted).score can be on any day, or None when nothing
    the person wants (goals, conditions, words) points to the service.

    Those wants are weighed as score() weighs them and every other signal is taken at its
    best, which is cheap: a match weighs in full only the exclusions that could make its
    why-not list.
    """
    most = _most(r, text, nearness=1.0, fresh=1.0)  # nearness and freshness at most 1
    return most.most if most.relevant else None


class Bound(NamedTuple):
    """What a service that passed the hard rules can come to, known before weighing it in
    full: enough for diversify to tell whether it could ever be picked."""

    most: float  # score(...).score is never above this
    relevant: bool  # as Signals.relevant
    goal_share: float  # as Signals.goal_share
    fit: GoalFit  # goal_fit(r): goals served, served directly, the activities that do


def bound(r: Reach, today: date, text: float = 0.0) -> Bound:
    """The most score(r, today, text, unwanted).score can be, whatever unwanted is.

    The goal, condition, nearness, text, named-activity and freshness parts are weighed as
    score() weighs them; audience and readiness are taken at their best and the push-downs
    left out, which skips the costly parts (reading the service's text for its community,
    the readiness table, building the explanation's signals).
    """
    return _most(r, text, nearness=nearness_fit(r)[0],
                 fresh=freshness(r.service.last_verified, today))


def _most(r: Reach, text: float, *, nearness: float, fresh: float) -> Bound:
    """The wants weighed as score() weighs them, nearness and freshness as given, audience
    and readiness at their best, the push-downs (which only ever subtract) left out."""
    p, c = r.person, r.service
    fit = served, direct, _ = goal_fit(r)
    conditions, central = _shared_conditions(r)
    others_only = bool(c.conditions) and not conditions
    share = OTHERS_GOAL_SHARE if others_only else 1.0
    goal, activity, order = _goal_parts(p, served, direct, share)
    condition = _condition(conditions, central)
    said = WEIGHTS["text"] * min(max(text, 0.0), 1.0)
    most = (
        goal
        + activity
        + order
        + condition
        - WEIGHTS["other_condition"] * (1.0 if others_only else 0.0)
        + (WEIGHTS["audience"] if p.own_languages else 0.0)  # at most the audience bonus
        + (WEIGHTS["readiness"] if p.profile.readiness in READINESS_FIT else 0.0)
        + WEIGHTS["nearness"] * nearness
        + said
        + (WEIGHTS["named_activity"] if served and not p.named.isdisjoint(c.activities) else 0.0)
        + WEIGHTS["fresh"] * fresh
    )
    relevant = goal > 0 or condition > 0 or said > 0  # as Signals.relevant
    return Bound(min(max(most / best_possible(p), 0.0), 1.0), relevant, share, fit)


def goal_fit(r: Reach) -> GoalFit:
    """(goals served at all, goals served by a named activity, those activities), sorted."""
    p, offered, categories = r.person, r.service.activities, r.service.categories
    served: list[str] = []
    direct: list[str] = []
    for goal in p.goals:  # most important first (by id when no order is known)
        if not goal.activities.isdisjoint(offered):
            direct.append(goal.id)
            served.append(goal.id)
        elif not goal.serves.isdisjoint(categories):
            served.append(goal.id)
    if not direct:
        return tuple(served), (), ()
    return tuple(served), tuple(direct), tuple([a for a in p.goal_activities if a in offered])


def _shared_conditions(r: Reach) -> tuple[tuple[str, ...], bool]:
    """(the person's conditions the service is designed for, sorted; whether one of them is
    their main condition rather than one they have in passing)."""
    mine, its = r.person.conditions, r.service.conditions
    if not its or mine.isdisjoint(its):
        return (), False
    return tuple(sorted(mine & its)), not r.person.main_conditions.isdisjoint(its)


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
    """The largest weighted sum any service could reach for this person (worked out once, in
    person.to_person)."""
    return p.most
