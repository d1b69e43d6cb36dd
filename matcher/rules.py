"""The hard rules of the match contract: one small function per rule, never broken."""

from __future__ import annotations

from collections.abc import Callable

from matcher.model import PHYSICAL_NEEDS, VENUE_FACTS, Candidate, Exclusion, Profile
from matcher.reach import attendable_sessions, overlaps, reachable_venues, travel_free, venue_needs

Rule = Callable[[Profile, Candidate], Exclusion | None]


def inactive(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 1: paused, closed or unmoderated services are never suggested."""
    return None if c.active else Exclusion.INACTIVE


def outside_age(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 2: the person's age must be inside the service's age range (a missing bound is open)."""
    if p.age is None:
        return None
    too_young = c.min_age is not None and p.age < c.min_age
    too_old = c.max_age is not None and p.age > c.max_age
    return Exclusion.NOT_ELIGIBLE if too_young or too_old else None


def wrong_gender(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 3: women-only services are not for men, men-only services are not for women."""
    gender = (p.gender or "").strip().lower()
    if (gender == "male" and "women-only" in c.access) or (
        gender == "female" and "men-only" in c.access
    ):
        return Exclusion.NOT_ELIGIBLE
    return None


def too_far(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 4: unless online, by phone or visiting within coverage, some venue must be in reach."""
    # An unknown origin gives no venue in reach: rule 4 may never be broken.
    return None if travel_free(p, c) or reachable_venues(p, c) else Exclusion.TOO_FAR


def needs_not_met(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 5: every need is met; physical ones by remote delivery or one venue in reach."""
    if any(n not in VENUE_FACTS and n not in c.access for n in p.needs):
        return Exclusion.NEEDS_NOT_MET  # "free" only by "free", any other id only by itself
    # Remote means remote for this person: a home visit outside its coverage meets no need.
    at_venue = venue_needs(p, c) - (PHYSICAL_NEEDS if travel_free(p, c) else frozenset())
    if not at_venue or any(at_venue <= c.venues[i].access for _, i in reachable_venues(p, c)):
        return None
    return Exclusion.NEEDS_NOT_MET


def no_shared_language(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 6: the service offers one of the person's languages or can arrange an interpreter."""
    languages = p.languages or frozenset({"en"})
    if "interpreter-available" in c.access or languages & c.languages:
        return None
    return Exclusion.NO_SHARED_LANGUAGE


def not_available(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 7: with availability given, a fixed-time service needs a session in some window."""
    if not p.availability or c.by_appointment or not c.sessions:
        return None
    sessions = attendable_sessions(p, c)
    if any(overlaps(s, w) for s in sessions for w in p.availability):
        return None
    return Exclusion.NOT_AVAILABLE


def excluded(p: Profile, c: Candidate) -> Exclusion | None:
    """Rule 8: services the person has already tried or declined are left out."""
    return Exclusion.EXCLUDED if c.id in p.exclude else None


HARD_RULES: tuple[Rule, ...] = (
    inactive,
    outside_age,
    wrong_gender,
    too_far,
    needs_not_met,
    no_shared_language,
    not_available,
    excluded,
)


def first_broken(p: Profile, c: Candidate) -> Exclusion | None:
    """The first hard rule, in contract order, that keeps c from p; None when c may be suggested."""
    return next((e for rule in HARD_RULES if (e := rule(p, c)) is not None), None)
