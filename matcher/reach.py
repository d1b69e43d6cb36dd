"""Where a person can take part: venues within reach, remote delivery, sessions they can attend.

`to_reach` works this out once per candidate; the hard rules, the score and the explanation
all read the same Reach, so no distance is measured twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from matcher.geo import Point, haversine_km
from matcher.model import DAYS, PHYSICAL_NEEDS, Candidate, Session
from matcher.person import Person, outward

# (km from the person's origin, index into Candidate.venues)
Place = tuple[float, int]


class Reach(NamedTuple):
    """How one person could take part in one service.

    A NamedTuple rather than a frozen dataclass: one is built for every candidate of every
    match, and a tuple is as immutable and several times cheaper to build.
    """

    person: Person
    service: Candidate
    remote: str | None  # "home-visit" (covering the person), "online", "telephone", or None
    in_reach: tuple[Place, ...]  # venues within the person's max distance, nearest first
    venue_needs: frozenset[str]  # the person's needs the place itself must meet in person
    usable: tuple[Place, ...]  # of those venues, the ones that meet every venue need

    @property
    def travel_free(self) -> bool:
        """Whether distance does not matter: online, by phone, or a home visit covering them."""
        return self.remote is not None

    def attendable_sessions(self) -> tuple[Session, ...]:
        """Sessions the person could get to: remote ones, at usable venues, or venue unknown."""
        c = self.service
        if self.remote is not None:
            return c.sessions
        usable = {i for _, i in self.usable}
        return tuple(s for s in c.sessions if _venue_unknown(s, c) or s.venue_index in usable)


def to_reach(person: Person, c: Candidate) -> Reach:
    """Work out once how the person could take part in c: remotely, or at which venues."""
    in_reach = _venues_in_reach(person, c) if c.venues else ()
    needs = _venue_needs(person, c) if person.place_needs else frozenset()
    usable = tuple(v for v in in_reach if needs <= c.venues[v[1]].access) if needs else in_reach
    return Reach(person, c, _remote_mode(person, c), in_reach, needs, usable)


def travel_km(person: Person, point: Point) -> float | None:
    """How far the person would travel to point, read cautiously: the furthest of their origin
    and its alternatives (`Profile.also_from`); None when no origin is known."""
    if not person.origins:
        return None
    return max(haversine_km(o, point) for o in person.origins)


def _remote_mode(person: Person, c: Candidate) -> str | None:
    """How the person can take part without travelling: a covered home visit, online, or phone."""
    access = c.access
    if person.home and "home-visit" in access and person.home in {outward(x) for x in c.coverage}:
        return "home-visit"
    if "online" in access:
        return "online"
    return "telephone" if "telephone" in access else None


def _venues_in_reach(person: Person, c: Candidate) -> tuple[Place, ...]:
    """(km from the origin, index) of each venue within the person's max distance, nearest
    first; an unknown origin has no venue in reach."""
    origin, others = person.profile.origin, person.profile.also_from
    if origin is None:
        return ()
    limit = person.profile.max_distance_km
    found = []
    for i, v in enumerate(c.venues):
        km = haversine_km(origin, v.point)
        if not km <= limit:
            continue  # out of reach from the origin already: no need to measure from the others
        # Within reach of the origin and of every alternative reading of where they are.
        if not others or max([km, *(haversine_km(o, v.point) for o in others)]) <= limit:
            found.append((km, i))
    found.sort()
    return tuple(found)


def _venue_needs(person: Person, c: Candidate) -> frozenset[str]:
    """The person's needs that the place itself must meet when they go in person."""
    # Parking or a bus stop may also be stated for the whole service.
    needs = person.place_needs
    if not needs.isdisjoint(c.access):
        return frozenset(n for n in needs if n in PHYSICAL_NEEDS or n not in c.access)
    return needs


def _venue_unknown(s: Session, c: Candidate) -> bool:
    return s.venue_index is None or not 0 <= s.venue_index < len(c.venues)


def next_start(sessions: tuple[Session, ...], today: date) -> datetime | None:
    """The earliest start of any of the weekly sessions on or after the start of today."""
    starts = []
    for s in sessions:
        if s.day in DAYS:
            ahead = (DAYS.index(s.day) - today.weekday()) % 7
            starts.append(datetime.combine(today + timedelta(days=ahead), s.start))
    return min(starts, default=None)
