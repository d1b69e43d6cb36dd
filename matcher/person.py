"""A profile as one match reads it: what every candidate is checked against, worked out once
per match rather than once per candidate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from functools import lru_cache

from matcher.geo import Point
from matcher.lexical import split_wanted, terms
from matcher.model import VENUE_FACTS, Profile, Session
from matcher.vocabulary import Goal, Vocabulary
from matcher.weights import READINESS_FIT, WEIGHTS

# Categories of services about health itself: a goal serving one of them (manage a
# condition, feel less low, lose weight, stop smoking) is a goal about the person's main
# condition. Someone whose goals are all about money, work or company has every condition
# in passing.
HEALTH_CATEGORIES = frozenset({"ltc-management", "mental-health", "nhs-service", "healthy-eating"})


@dataclass(frozen=True, slots=True)
class Person:
    """One person's profile plus the facts derived from it that every candidate needs."""

    profile: Profile
    # The origin first, then its alternatives (`Profile.also_from`); empty when unknown.
    origins: tuple[Point, ...]
    home: str  # outward code without spaces, upper case; "" when unknown
    gender: str  # trimmed, lower case; "" when not given
    languages: frozenset[str]  # the languages they can take part in; none given means English
    windows: Mapping[str, tuple[tuple[time, time], ...]]  # day -> (from, to) windows
    service_needs: frozenset[str]  # needs only the service itself can meet (free, drop-in ...)
    place_needs: frozenset[str]  # needs a venue can meet (step-free, parking ...)
    goals: tuple[Goal, ...]  # the person's goals the vocabulary knows, most important first
    goal_activities: tuple[str, ...]  # every activity those goals name, sorted
    has_text: bool  # whether the person said, in their own words, anything they want
    wanted: str  # their words without what they said they don't want (lexical.split_wanted)
    unwanted: str  # what they said they don't want ("not ready for groups": "for groups")
    # goal id -> its share of the goal signals (summing to 1): the first goal weighs most when
    # the order is known (WEIGHTS["goal_order"]), all alike when it is not.
    goal_weight: Mapping[str, float]
    conditions: frozenset[str]  # every condition the person has
    # The one their goals are about (all, when no order is known; none, when no goal is about
    # health)
    main_conditions: frozenset[str]
    own_languages: frozenset[str]  # the languages they speak besides English
    ranked: bool  # whether the goals came in order of importance
    named: frozenset[str]  # activities the person's words name ("does tai chi": tai-chi-yoga)
    most: float  # the largest weighted sum any service could reach for them (best_possible)

    @property
    def first_goal(self) -> str | None:
        """The goal that matters most, when the order is known and there is more than one."""
        return self.goals[0].id if self.ranked and len(self.goals) > 1 else None

    def can_attend(self, s: Session) -> bool:
        """Whether the session overlaps one of the person's windows: same day, starting before
        the window ends and ending after it starts."""
        return any(s.start < end and s.end > start for start, end in self.windows.get(s.day, ()))


def to_person(p: Profile, vocab: Vocabulary) -> Person:
    """Work out once what every candidate in a match is checked against."""
    goal_order = WEIGHTS["goal_order"]  # how much less each goal counts than the one before
    ranked = not isinstance(p.goals, frozenset)
    ids = list(dict.fromkeys(p.goals)) if ranked else sorted(p.goals)
    # By the ids the vocabulary files them under (from_dict makes those each goal's own id).
    goals = tuple(_filed(vocab.goals[g], g) for g in ids if g in vocab.goals)
    raw = [(1.0 - goal_order) ** n if ranked else 1.0 for n in range(len(goals))]
    conditions = frozenset(p.conditions)
    if goals and not any(g.serves & HEALTH_CATEGORIES for g in goals):
        main: frozenset[str] = frozenset()  # they came for other things: every one is in passing
    elif isinstance(p.conditions, frozenset) or not p.conditions:
        main = conditions
    else:
        main = frozenset(p.conditions[:1])
    languages = p.languages or frozenset({"en"})
    wanted, unwanted = split_wanted(p.text)
    named = named_activities(wanted, vocab)
    return Person(
        profile=p,
        origins=() if p.origin is None else (p.origin, *p.also_from),
        home=outward(p.outward_code),
        gender=(p.gender or "").strip().lower(),
        languages=languages,
        windows=_by_day(p),
        service_needs=frozenset(n for n in p.needs if n not in VENUE_FACTS),
        place_needs=p.needs & VENUE_FACTS,
        goals=goals,
        goal_activities=tuple(sorted({a for g in goals for a in g.activities})),
        has_text=bool(wanted.strip()),
        wanted=wanted,
        unwanted=unwanted,
        goal_weight={g.id: w / sum(raw) for g, w in zip(goals, raw, strict=True)},
        conditions=conditions,
        main_conditions=main,
        own_languages=frozenset(languages) - {"en"},
        ranked=ranked,
        named=named,
        most=_most(p, bool(goals), main, conditions, bool(wanted.strip()), languages, named),
    )


def _most(
    p: Profile,
    goals: bool,
    main: frozenset[str],
    conditions: frozenset[str],
    has_text: bool,
    languages: frozenset[str],
    named: frozenset[str],
) -> float:
    """Every signal that could count for this person, each at its most."""
    best = WEIGHTS["nearness"] + WEIGHTS["fresh"]
    if goals:
        best += WEIGHTS["goal"] + WEIGHTS["activity"]
    if main:
        best += WEIGHTS["condition"]
    elif conditions:
        best += WEIGHTS["condition_in_passing"]
    if p.readiness in READINESS_FIT:
        best += WEIGHTS["readiness"]
    if has_text:
        best += WEIGHTS["text"]
    if languages - {"en"}:
        best += WEIGHTS["audience"]
    if named:
        best += WEIGHTS["named_activity"]
    return best


# Words of activity labels too general to say which activity someone means ("group",
# "support"), or that people use for something else: "someone to talk to" is not therapy,
# "after work" not a return to work, "eating away at her" not eating, "writing" not a CV.
_GENERAL = frozenset(terms(
    "group support course club class health healthy living home role skills advice management "
    "education coaching community referral therapy talking based chair one lung job search "
    "work eating writing"
))


def named_activities(words: str, vocab: Vocabulary) -> frozenset[str]:
    """The activities whose label's distinctive words the person's words use: "does tai chi
    every morning" names tai chi, "would like to talk to other carers" carers support."""
    said = set(terms(words))
    if not said:
        return frozenset()
    return frozenset(
        a for a, label in vocab.activities.items() if not said.isdisjoint(_distinctive(label))
    )


@lru_cache(maxsize=4096)
def _distinctive(label: str) -> frozenset[str]:
    return frozenset(terms(label)) - _GENERAL


def outward(code: str | None) -> str:
    """An outward code as coverage lists compare it: no spaces, upper case."""
    return "".join((code or "").split()).upper()


def _filed(goal: Goal, goal_id: str) -> Goal:
    return goal if goal.id == goal_id else replace(goal, id=goal_id)


def _by_day(p: Profile) -> dict[str, tuple[tuple[time, time], ...]]:
    windows: dict[str, list[tuple[time, time]]] = {}
    for w in p.availability:
        windows.setdefault(w.day, []).append((w.start, w.end))
    return {day: tuple(spans) for day, spans in windows.items()}
