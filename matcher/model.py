"""The matcher's plain data: what goes in (Profile, Candidate) and what comes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from matcher.geo import Point

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
READINESS: tuple[str, ...] = ("not-yet", "thinking", "ready", "active")

# Access ids that describe a place rather than a service (what the adapter puts on a Venue).
PHYSICAL_NEEDS = frozenset(
    {"wheelchair-accessible", "step-free", "accessible-toilet", "hearing-loop"}
)
VENUE_FACTS = PHYSICAL_NEEDS | {"near-bus-stop", "parking"}


class Exclusion(StrEnum):
    """Why a service was never suggested: the hard rule it breaks (values are JSON strings)."""

    INACTIVE = "inactive"
    NOT_ELIGIBLE = "not_eligible"
    TOO_FAR = "too_far"
    NEEDS_NOT_MET = "needs_not_met"
    NO_SHARED_LANGUAGE = "no_shared_language"
    NOT_AVAILABLE = "not_available"
    EXCLUDED = "excluded"


class ReasonCode(StrEnum):
    """The kind of evidence behind one line of a suggestion's explanation."""

    GOAL = "goal"
    ACTIVITY = "activity"
    CONDITION = "condition"
    READINESS = "readiness"
    DISTANCE = "distance"
    REMOTE = "remote"
    TEXT = "text"
    FRESH = "fresh"
    AUDIENCE = "audience"


@dataclass(frozen=True, slots=True)
class Venue:
    """A place a service meets, with its physical access facts (step-free, hearing-loop, ...)."""

    point: Point
    access: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Session:
    """A weekly session; venue_index points into Candidate.venues when known."""

    day: str
    start: time
    end: time
    venue_index: int | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A community service as the matcher sees it; ids are vocabulary term ids."""

    id: str
    name: str
    organization: str = ""
    description: str = ""
    active: bool = True
    min_age: int | None = None
    max_age: int | None = None
    access: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    activities: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    intensity: str | None = None
    languages: frozenset[str] = frozenset({"en"})
    venues: tuple[Venue, ...] = ()
    coverage: frozenset[str] = frozenset()
    sessions: tuple[Session, ...] = ()
    by_appointment: bool = False
    last_verified: date | None = None
    # Term ids the directory suggested from the service's own words, not yet confirmed.
    suggested: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Window:
    """A time the person can attend on one day of the week."""

    day: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Profile:
    """One person's situation, as a Link Worker would enter it."""

    # Goals most important first and conditions main one first (spec/match-api.md): a tuple
    # keeps that order; a frozenset (the older form) means no order is known.
    goals: tuple[str, ...] | frozenset[str] = frozenset()
    conditions: tuple[str, ...] | frozenset[str] = frozenset()
    origin: Point | None = None
    # Other points the person may be measured from, e.g. the centre of the postcode district
    # when they gave a postcode. A venue is within reach only if it is within reach of the
    # origin and of each of these, so no reading of "where they are" makes it too far.
    also_from: tuple[Point, ...] = ()
    outward_code: str | None = None
    max_distance_km: float = 8.0
    readiness: str = "ready"
    age: int | None = None
    gender: str | None = None
    availability: tuple[Window, ...] = ()
    needs: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"en"})
    text: str = ""
    exclude: frozenset[str] = frozenset()
    limit: int = 10


@dataclass(frozen=True, slots=True)
class Reason:
    """One plain-English line explaining why a service ranks where it does."""

    code: ReasonCode
    text: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A service worth looking at together, with its score and reasons."""

    service_id: str
    name: str
    organization: str
    score: float
    distance_km: float | None
    next_session: datetime | None
    reasons: tuple[Reason, ...]
    # Every signal's contribution to the score (and the re-ranking's), for `match --explain`.
    contributions: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WhyNot:
    """A notable service that a hard rule kept out, and why in words."""

    service_id: str
    name: str
    exclusion: Exclusion
    text: str
    contributions: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The answer to one match: suggestions best first, and what was ruled out."""

    results: tuple[Suggestion, ...]
    considered: int
    excluded: dict[str, int] = field(default_factory=dict)
    why_not: tuple[WhyNot, ...] = ()
