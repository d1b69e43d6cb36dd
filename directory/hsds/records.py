"""What an incoming HSDS service means in our terms: plain frozen data, checked and normalised.

parse.py builds these from JSON; importer.py writes them. Each record can say its `state`,
the tuple of everything we store about it, so "unchanged" is a comparison, not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from ..models import Day, ServiceStatus, Taxonomy

# Monday 0 .. Sunday 6 (Day.weekday, without building a list on every call).
DAY_ORDER = {day: n for n, day in enumerate(Day)}


@dataclass(frozen=True)
class Problem:
    """Why a record (or part of one) could not be used: which record, which field, why."""

    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.record}: {self.field}" if self.field else self.record
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Unreadable:
    """A service a feed named but could not give (e.g. its API answered 404)."""

    id: str
    reason: str


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    name: str | None  # None: only a reference to an organisation we already hold
    description: str = ""
    email: str | None = None
    phone: str | None = None
    website: str | None = None

    @property
    def state(self) -> tuple[object, ...]:
        return (self.name, self.description, self.email, self.phone, self.website)


@dataclass(frozen=True)
class LocationRecord:
    id: str
    name: str | None  # None: only a reference to a venue we already hold
    address_1: str = ""
    address_2: str = ""
    town: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    access: tuple[str, ...] = ()  # venue access codes (VENUE_ACCESS), sorted
    access_notes: str = ""

    @property
    def state(self) -> tuple[object, ...]:
        return (self.name, self.address_1, self.address_2, self.town, self.postcode,
                self.latitude, self.longitude, self.access, self.access_notes)


@dataclass(frozen=True)
class TaxonomyRecord:
    id: str
    name: str
    description: str = ""
    uri: str | None = None
    version: str | None = None

    @property
    def state(self) -> tuple[object, ...]:
        return (self.name, self.description, self.uri, self.version)


@dataclass(frozen=True)
class ExternalTermRecord:
    """A term of a taxonomy other than ours."""

    id: str
    name: str | None  # None: only a reference by id to a term we already hold
    description: str = ""
    code: str | None = None
    term_uri: str | None = None
    parent_id: str | None = None
    taxonomy: TaxonomyRecord | None = None

    @property
    def state(self) -> tuple[object, ...]:
        return (self.name, self.description, self.code, self.term_uri, self.parent_id,
                self.taxonomy.id if self.taxonomy else None)


@dataclass(frozen=True)
class SessionRecord:
    day: Day
    starts_at: time
    ends_at: time
    location_id: str | None = None

    @property
    def key(self) -> tuple[int, time, time, str]:
        return (DAY_ORDER[self.day], self.starts_at, self.ends_at, self.location_id or "")


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    name: str
    status: ServiceStatus
    organization: OrganizationRecord
    description: str = ""
    min_age: int | None = None
    max_age: int | None = None
    cost: str = ""
    is_free: bool = False
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    by_appointment: bool = False
    first_visit: str = ""
    last_verified: date | None = None
    last_modified: datetime | None = None
    terms: tuple[tuple[Taxonomy, str], ...] = ()  # sorted
    external_terms: tuple[ExternalTermRecord, ...] = ()
    locations: tuple[LocationRecord, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    languages: tuple[str, ...] = ()  # sorted
    coverage: tuple[str, ...] = ()  # sorted
    details: str = ""  # canonical JSON of the feed's words we keep and show (Service.details)
    # Our terms the feed marks as suggested (an export of ours): kept apart from `terms`, and
    # not part of `state`, as our own suggestions never are.
    suggested: tuple[tuple[Taxonomy, str], ...] = ()

    @property
    def state(self) -> tuple[object, ...]:
        """What the service row and its own children hold (see importer.service_state).

        Not where it came from: the same data from a newly named file is unchanged.
        """
        return (
            self.name, self.description, self.status, self.min_age, self.max_age, self.cost,
            self.is_free, self.phone, self.email, self.website, self.by_appointment,
            self.first_visit, self.last_verified, self.organization.id, self.terms,
            tuple(sorted(t.id for t in self.external_terms)),
            tuple(sorted(loc.id for loc in self.locations)),
            tuple(sorted(s.key for s in self.sessions)),
            self.languages, self.coverage, self.details,
        )
