"""A profile as one match reads it: what every candidate is checked against, worked out once
per match rather than once per candidate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time

from matcher.geo import Point
from matcher.model import VENUE_FACTS, Profile, Session
from matcher.vocabulary import Goal, Vocabulary


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
    goals: tuple[Goal, ...]  # the person's goals the vocabulary knows, by id
    goal_activities: tuple[str, ...]  # every activity those goals name, sorted
    has_text: bool  # whether the person said anything in their own words

    def can_attend(self, s: Session) -> bool:
        """Whether the session overlaps one of the person's windows: same day, starting before
        the window ends and ending after it starts."""
        return any(s.start < end and s.end > start for start, end in self.windows.get(s.day, ()))


def to_person(p: Profile, vocab: Vocabulary) -> Person:
    """Work out once what every candidate in a match is checked against."""
    # By the ids the vocabulary files them under (from_dict makes those each goal's own id).
    goals = tuple(_filed(vocab.goals[g], g) for g in sorted(p.goals) if g in vocab.goals)
    return Person(
        profile=p,
        origins=() if p.origin is None else (p.origin, *p.also_from),
        home=outward(p.outward_code),
        gender=(p.gender or "").strip().lower(),
        languages=p.languages or frozenset({"en"}),
        windows=_by_day(p),
        service_needs=frozenset(n for n in p.needs if n not in VENUE_FACTS),
        place_needs=p.needs & VENUE_FACTS,
        goals=goals,
        goal_activities=tuple(sorted({a for g in goals for a in g.activities})),
        has_text=bool(p.text.strip()),
    )


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
