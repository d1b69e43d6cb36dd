"""Builders for matcher tests: one valid service and one person, changed with replace()."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, time
from typing import Any

from matcher import Candidate, Point, Profile, Session, Venue, Vocabulary, Window
from matcher.geo import EARTH_RADIUS_KM
from matcher.person import to_person
from matcher.reach import Reach, to_reach

TODAY = date(2026, 11, 30)  # a Monday
NEWCASTLE = Point(54.97, -1.61)

VOCAB = Vocabulary.from_dict(
    {
        "version": 1,
        "categories": [
            {"id": i, "label": label}
            for i, label in [
                ("physical-activity", "Physical activity"),
                ("community", "Community and social activities"),
                ("arts", "Arts and creativity"),
                ("welfare-rights", "Money, benefits and housing advice"),
                ("ltc-management", "Long-term condition support"),
                ("mental-health", "Mental health and wellbeing"),
            ]
        ],
        "activities": [
            {"id": "walking-group", "label": "Walking group", "category": "physical-activity"},
            {"id": "gentle-exercise", "label": "Gentle exercise", "category": "physical-activity"},
            {"id": "social-group", "label": "Social group", "category": "community"},
            {"id": "choir-singing", "label": "Choir or singing", "category": "arts"},
            {"id": "art-group", "label": "Art group", "category": "arts"},
            {"id": "benefits-advice", "label": "Benefits advice", "category": "welfare-rights"},
            {"id": "breathing-support", "label": "Breathing group", "category": "ltc-management"},
            {"id": "peer-support", "label": "Peer support group", "category": "mental-health"},
        ],
        "conditions": [
            {"id": "copd", "label": "COPD"},
            {"id": "epilepsy", "label": "Epilepsy"},
            {"id": "depression", "label": "Depression"},
        ],
        "goals": [
            {
                "id": "get-more-active",
                "label": "Get more active",
                "serves": ["physical-activity"],
                "activities": ["walking-group", "gentle-exercise"],
            },
            {
                "id": "meet-people",
                "label": "Meet people",
                "serves": ["community", "arts"],
                "activities": ["social-group", "choir-singing", "walking-group", "peer-support"],
            },
            {
                "id": "sort-money",
                "label": "Sort out money",
                "serves": ["welfare-rights"],
                "activities": ["benefits-advice"],
            },
            {
                "id": "be-creative",
                "label": "Do something creative",
                "serves": ["arts"],
                "activities": ["choir-singing", "art-group"],
            },
            {
                "id": "manage-condition",
                "label": "Manage my condition",
                "serves": ["ltc-management"],
                "activities": ["breathing-support"],
            },
        ],
        "access": [
            {"id": i, "label": i.replace("-", " ").capitalize()}
            for i in [
                "free",
                "low-cost",
                "drop-in",
                "booking-required",
                "accompanied-first-visit",
                "beginners-welcome",
                "miss-sessions-ok",
                "wheelchair-accessible",
                "step-free",
                "accessible-toilet",
                "hearing-loop",
                "near-bus-stop",
                "parking",
                "interpreter-available",
                "women-only",
                "men-only",
                "online",
                "telephone",
                "home-visit",
            ]
        ],
        "intensity": [{"id": i, "label": i} for i in ("light", "moderate", "structured")],
        "readiness": [{"id": i, "label": i} for i in ("not-yet", "thinking", "ready", "active")],
        "languages": ["en", "ro", "pl"],
    }
)

_SERVICE = Candidate(
    id="svc-1",
    name="Walking group",
    organization="Walk Tyneside",
    description="A gentle walk round the park.",
    activities=frozenset({"walking-group"}),
    categories=frozenset({"physical-activity"}),
    intensity="moderate",
    venues=(Venue(NEWCASTLE),),
    last_verified=date(2026, 11, 1),
)
_PERSON = Profile(goals=frozenset({"get-more-active"}), origin=NEWCASTLE, max_distance_km=5)


def candidate(**changes: Any) -> Candidate:
    """A valid, active, nearby walking group, with changes."""
    return replace(_SERVICE, **changes)


def person(**changes: Any) -> Profile:
    """A person in Newcastle who wants to get more active within 5 km, with changes."""
    return replace(_PERSON, **changes)


def reach_for(p: Profile, c: Candidate) -> Reach:
    """What the rules, the score and the reasons read about p taking part in c."""
    return to_reach(to_person(p, VOCAB), c)


def north_of(origin: Point, km: float) -> Point:
    """The point km due north of origin (along a meridian the distance is exact)."""
    return Point(origin.lat + math.degrees(km / EARTH_RADIUS_KM), origin.lon)


def venue_at(km: float, *access: str) -> Venue:
    """A venue km north of Newcastle with the given physical access ids."""
    return Venue(north_of(NEWCASTLE, km), frozenset(access))


def at(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def session(day: str, start: str, end: str, venue_index: int | None = None) -> Session:
    return Session(day, at(start), at(end), venue_index)


def window(day: str, start: str, end: str) -> Window:
    return Window(day, at(start), at(end))
