"""Soft ranking: how well a service that passed the hard rules fits the person.

Every weight lives in WEIGHTS.  Each signal is a number in 0..1 (the structured push-down is
a penalty); a service's score is its weighted sum divided by the most any service could get
for this person, so it reads as 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from matcher.model import Candidate, Profile
from matcher.reach import remote_mode, usable_venues
from matcher.vocabulary import Vocabulary

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


@dataclass(frozen=True, slots=True)
class Signals:
    """Everything the score of one service was built from, kept for the explanation."""

    service_id: str
    goals_served: tuple[str, ...]
    goals_direct: tuple[str, ...]
    activities: tuple[str, ...]
    conditions: tuple[str, ...]
    readiness_features: tuple[str, ...]
    distance_km: float | None
    remote_mode: str | None
    text_terms: tuple[str, ...]
    verified: date | None
    goal_share: float
    contributions: Mapping[str, float]
    score: float

    @property
    def relevant(self) -> bool:
        """Whether anything about the person (goals, conditions, words) points to the service."""
        return any(self.contributions.get(k, 0.0) > 0 for k in ("goal", "condition", "text"))


def score(
    p: Profile,
    c: Candidate,
    vocab: Vocabulary,
    today: date,
    text: float = 0.0,
    text_terms: tuple[str, ...] = (),
) -> Signals:
    """Weigh every soft signal for c; text is the 0..1 relevance of the person's words."""
    served, direct, activities = goal_fit(p, c, vocab)
    conditions = tuple(sorted(p.conditions & c.conditions))
    readiness, features, push = readiness_fit(p, c)
    nearness, distance, remote = nearness_fit(p, c)
    # A service designed only for conditions the person doesn't have serves their goals less.
    others_only = bool(c.conditions) and not conditions
    share = (OTHERS_GOAL_SHARE if others_only else 1.0) / max(len(p.goals & vocab.goal_ids), 1)
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
    best = _best_possible(p, vocab, text_used=bool(p.text.strip()))
    total = min(max(sum(contributions.values()) / best, 0.0), 1.0)
    return Signals(
        service_id=c.id,
        goals_served=served,
        goals_direct=direct,
        activities=activities,
        conditions=conditions,
        readiness_features=features,
        distance_km=distance,
        remote_mode=remote,
        text_terms=text_terms,
        verified=c.last_verified,
        goal_share=OTHERS_GOAL_SHARE if others_only else 1.0,
        contributions=MappingProxyType(contributions),
        score=total,
    )


def goal_fit(
    p: Profile, c: Candidate, vocab: Vocabulary
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(goals served at all, goals served by a named activity, those activities), sorted."""
    served: set[str] = set()
    direct: set[str] = set()
    activities: set[str] = set()
    for goal_id in p.goals:
        goal = vocab.goals.get(goal_id)
        if goal is None:
            continue
        named = goal.activities & c.activities
        if named:
            direct.add(goal_id)
            activities |= named
        if named or goal.serves & c.categories:
            served.add(goal_id)
    return tuple(sorted(served)), tuple(sorted(direct)), tuple(sorted(activities))


def readiness_fit(p: Profile, c: Candidate) -> tuple[float, tuple[str, ...], float]:
    """(fit 0..1, the features that raised it, push-down 0..1) for the person's readiness."""
    table = READINESS_FIT.get(p.readiness)
    if table is None:  # ready and active take any intensity, structured courses included
        return 0.0, (), 0.0
    present = set(c.access)
    if c.intensity:
        present.add(c.intensity)
    if remote_mode(p, c) is not None:  # online, by phone, or a home visit that reaches them
        present.add("remote")
    features = tuple(f for f in table if f in present)
    fit = min(sum(table[f] for f in features), 1.0)
    push = 1.0 if p.readiness == "not-yet" and c.intensity == "structured" else 0.0
    return fit, features, push


def nearness_fit(p: Profile, c: Candidate) -> tuple[float, float | None, str | None]:
    """(nearness 0..1, km to the nearest usable venue, remote mode when that counts more)."""
    usable = usable_venues(p, c)
    distance = usable[0][0] if usable else None
    near = 0.0
    if distance is not None:
        near = 1.0 - distance / p.max_distance_km if p.max_distance_km > 0 else 1.0
    mode = remote_mode(p, c)
    if mode is not None and near < REMOTE_NEARNESS:
        return REMOTE_NEARNESS, distance, mode
    return max(near, 0.0), distance, None


def freshness(verified: date | None, today: date) -> float:
    """1 when verified within FRESH_FULL_DAYS, fading linearly to 0 at FRESH_NONE_DAYS."""
    if verified is None:
        return 0.0
    age = (today - verified).days
    if age <= FRESH_FULL_DAYS:
        return 1.0
    return max(0.0, 1.0 - (age - FRESH_FULL_DAYS) / (FRESH_NONE_DAYS - FRESH_FULL_DAYS))


def _best_possible(p: Profile, vocab: Vocabulary, text_used: bool) -> float:
    """The largest weighted sum any service could reach for this person."""
    best = WEIGHTS["nearness"] + WEIGHTS["fresh"]
    if p.goals & vocab.goal_ids:
        best += WEIGHTS["goal"] + WEIGHTS["activity"]
    if p.conditions:
        best += WEIGHTS["condition"]
    if p.readiness in READINESS_FIT:
        best += WEIGHTS["readiness"]
    if text_used:
        best += WEIGHTS["text"]
    return best
