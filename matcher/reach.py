"""Where a person can take part: venues within reach, remote delivery, sessions they can attend."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from matcher.geo import Point, haversine_km
from matcher.model import DAYS, PHYSICAL_NEEDS, VENUE_FACTS, Candidate, Profile, Session, Window


def remote_mode(p: Profile, c: Candidate) -> str | None:
    """How the person can take part without travelling: a covered home visit, online, or phone."""
    home = _outward(p.outward_code)
    if home and "home-visit" in c.access and home in {_outward(x) for x in c.coverage}:
        return "home-visit"
    return next((m for m in ("online", "telephone") if m in c.access), None)


def travel_free(p: Profile, c: Candidate) -> bool:
    """Whether distance does not matter: online, by phone, or a home visit covering the person."""
    return remote_mode(p, c) is not None


def travel_km(p: Profile, point: Point) -> float | None:
    """How far the person would travel to point, read cautiously: the furthest of their origin
    and its alternatives (`Profile.also_from`); None when no origin is known."""
    if p.origin is None:
        return None
    return max(haversine_km(o, point) for o in (p.origin, *p.also_from))


def reachable_venues(p: Profile, c: Candidate) -> list[tuple[float, int]]:
    """(km from the origin, index) of each venue within the person's max distance, nearest first."""
    if p.origin is None:
        return []  # an unknown distance is never within reach
    origin = p.origin
    return sorted(
        (haversine_km(origin, v.point), i)
        for i, v in enumerate(c.venues)
        if (travel_km(p, v.point) or 0.0) <= p.max_distance_km
    )


def venue_needs(p: Profile, c: Candidate) -> frozenset[str]:
    """The person's needs that the place itself must meet when they go in person."""
    # Parking or a bus stop may also be stated for the whole service.
    return frozenset(n for n in p.needs & VENUE_FACTS if n in PHYSICAL_NEEDS or n not in c.access)


def usable_venues(p: Profile, c: Candidate) -> list[tuple[float, int]]:
    """(km, index) of venues within reach that meet every in-person need, nearest first."""
    needed = venue_needs(p, c)
    return [(d, i) for d, i in reachable_venues(p, c) if needed <= c.venues[i].access]


def attendable_sessions(p: Profile, c: Candidate) -> tuple[Session, ...]:
    """Sessions the person could get to: remote ones, ones at usable venues, or venue unknown."""
    if travel_free(p, c):
        return c.sessions
    usable = {i for _, i in usable_venues(p, c)}
    return tuple(s for s in c.sessions if _venue_unknown(s, c) or s.venue_index in usable)


def _venue_unknown(s: Session, c: Candidate) -> bool:
    return s.venue_index is None or not 0 <= s.venue_index < len(c.venues)


def overlaps(s: Session, w: Window) -> bool:
    """Same day, and the session starts before the window ends and ends after it starts."""
    return s.day == w.day and s.start < w.end and s.end > w.start


def next_start(sessions: tuple[Session, ...], today: date) -> datetime | None:
    """The earliest start of any of the weekly sessions on or after the start of today."""
    starts = []
    for s in sessions:
        if s.day in DAYS:
            ahead = (DAYS.index(s.day) - today.weekday()) % 7
            starts.append(datetime.combine(today + timedelta(days=ahead), s.start))
    return min(starts, default=None)


def _outward(code: str | None) -> str:
    return "".join((code or "").split()).upper()
