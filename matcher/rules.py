"""The hard rules of the match contract: one small function per rule, never broken.

Each rule reads a Reach (the person, the service, and where the person could take part),
worked out once per candidate by `matcher.reach.to_reach`.
"""

from __future__ import annotations

from collections.abc import Callable

from matcher.model import PHYSICAL_NEEDS, Exclusion
from matcher.reach import Reach

Rule = Callable[[Reach], Exclusion | None]


def inactive(r: Reach) -> Exclusion | None:
    """Rule 1: paused, closed or unmoderated services are never suggested."""
    return None if r.service.active else Exclusion.INACTIVE


def outside_age(r: Reach) -> Exclusion | None:
    """Rule 2: the person's age must be inside the service's age range (a missing bound is open)."""
    age, c = r.person.profile.age, r.service
    if age is None:
        return None
    too_young = c.min_age is not None and age < c.min_age
    too_old = c.max_age is not None and age > c.max_age
    return Exclusion.NOT_ELIGIBLE if too_young or too_old else None


def wrong_gender(r: Reach) -> Exclusion | None:
    """Rule 3: women-only services are not for men, men-only services are not for women."""
    gender, access = r.person.gender, r.service.access
    if (gender == "male" and "women-only" in access) or (
        gender == "female" and "men-only" in access
    ):
        return Exclusion.NOT_ELIGIBLE
    return None


def too_far(r: Reach) -> Exclusion | None:
    """Rule 4: unless online, by phone or visiting within coverage, some venue must be in reach."""
    # An unknown origin gives no venue in reach: rule 4 may never be broken.
    return None if r.travel_free or r.in_reach else Exclusion.TOO_FAR


def needs_not_met(r: Reach) -> Exclusion | None:
    """Rule 5: every need is met; physical ones by remote delivery or one venue in reach."""
    if not r.person.service_needs <= r.service.access:
        return Exclusion.NEEDS_NOT_MET  # "free" only by "free", any other id only by itself
    # Remote means remote for this person: a home visit outside its coverage meets no need.
    at_venue = r.venue_needs - PHYSICAL_NEEDS if r.travel_free else r.venue_needs
    venues = r.service.venues
    if not at_venue or any(at_venue <= venues[i].access for _, i in r.in_reach):
        return None
    return Exclusion.NEEDS_NOT_MET


def no_shared_language(r: Reach) -> Exclusion | None:
    """Rule 6: the service offers one of the person's languages or can arrange an interpreter."""
    c = r.service
    if "interpreter-available" in c.access or not r.person.languages.isdisjoint(c.languages):
        return None
    return Exclusion.NO_SHARED_LANGUAGE


def not_available(r: Reach) -> Exclusion | None:
    """Rule 7: with availability given, a fixed-time service needs a session in some window."""
    c = r.service
    if not r.person.windows or c.by_appointment or not c.sessions:
        return None
    if any(r.person.can_attend(s) for s in r.attendable_sessions()):
        return None
    return Exclusion.NOT_AVAILABLE


def excluded(r: Reach) -> Exclusion | None:
    """Rule 8: services the person has already tried or declined are left out."""
    return Exclusion.EXCLUDED if r.service.id in r.person.profile.exclude else None


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


def first_broken(r: Reach) -> Exclusion | None:
    """The first hard rule, in contract order, that keeps the service from the person; None
    when it may be suggested."""
    for rule in HARD_RULES:
        broken = rule(r)
        if broken is not None:
            return broken
    return None
