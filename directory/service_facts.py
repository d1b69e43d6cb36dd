"""The read model: a set of services as plain, immutable facts, read with a few set-based
queries, and the only reader of services for display.

Every view of a service that is shown or searched is derived from these facts: the public
pages, the workspace's cards and the plan show them (`web.present` works on them as on the
ORM's models, so they carry the models' attribute names), the search document
(`search.documents.to_document`), the matcher's candidate (`matching.to_candidate`) and the
search used while the index is rebuilt (`search.fallback`). Reading them costs a handful of
queries for any number of services, where walking ORM relationships costs several a service
(what made reading 100,000 services slow) and keeps identity-map bookkeeping for every row.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import models as m
from .models import Day, ServiceStatus, Taxonomy


@dataclass(frozen=True, slots=True)
class OrganizationFacts:
    name: str
    public_id: str


@dataclass(frozen=True, slots=True)
class VenueFacts:
    id: int
    name: str
    address_1: str
    address_2: str
    town: str
    postcode: str
    latitude: float | None
    longitude: float | None
    access_notes: str
    access_codes: frozenset[str]

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class SessionFacts:
    id: int
    day: Day
    starts_at: time
    ends_at: time
    location_id: int | None
    location: VenueFacts | None  # where it meets, when the listing says


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """One service as it is read for display (see models.Service for what each field means)."""

    id: int
    public_id: str
    name: str
    description: str
    first_visit: str
    status: ServiceStatus
    min_age: int | None
    max_age: int | None
    cost: str
    is_free: bool
    phone: str | None
    email: str | None
    website: str | None
    by_appointment: bool
    last_verified: date | None
    organization: OrganizationFacts
    terms: tuple[tuple[Taxonomy, str], ...] = ()  # by taxonomy, then code
    locations: tuple[VenueFacts, ...] = ()  # by name
    sessions: tuple[SessionFacts, ...] = ()  # through the week
    languages: tuple[str, ...] = ()
    coverage: tuple[str, ...] = ()
    # Term codes on the service only because a confident suggestion was applied (undecided).
    suggested: frozenset[str] = frozenset()
    # What a feed said that the directory keeps (Service.details), for the service page.
    feed_details: Mapping[str, Any] = field(default_factory=dict)

    def codes(self, taxonomy: Taxonomy | str) -> list[str]:
        """As Service.codes: the enum or its value; an unknown name is a ValueError."""
        wanted = Taxonomy(taxonomy)
        return [code for t, code in self.terms if t == wanted]

    @property
    def is_active(self) -> bool:
        return self.status is ServiceStatus.ACTIVE


class Parts(enum.Flag):
    """What to read beyond the service's own row."""

    NONE = 0
    TERMS = enum.auto()
    VENUES = enum.auto()  # with each venue's access terms
    SESSIONS = enum.auto()
    EXTRAS = enum.auto()  # languages, coverage areas and undecided suggestions
    DETAILS = enum.auto()  # the feed's details: the service page only
    CARD = TERMS | VENUES | SESSIONS  # a result, a workspace card, the plan
    INDEX = CARD | EXTRAS  # the search document and the matcher's candidate
    PAGE = INDEX | DETAILS  # the service page


# Which services: the ids a select gives, or a list of ids.
IdSource = sa.Select[int] | Iterable[int]

CHUNK = 2000  # ids in one statement
# Enums are read as their stored values and looked up here: converting each of thousands of
# term rows through the column's Enum type cost more than reading them.
_STATUS = {s.value: s for s in ServiceStatus}
_TAXONOMY = {t.value: t for t in Taxonomy}
_DAY = {d.value: d for d in Day}
# One cached statement for any list of ids.
_IDS: sa.BindParameter[list[Any]] = sa.bindparam("ids", expanding=True)

_SERVICE = sa.select(
    m.Service.id, m.Service.public_id, m.Service.name, m.Service.description,
    m.Service.first_visit, sa.type_coerce(m.Service.status, sa.String), m.Service.min_age,
    m.Service.max_age, m.Service.cost, m.Service.is_free, m.Service.phone, m.Service.email,
    m.Service.website, m.Service.by_appointment, m.Service.last_verified,
    m.Organization.name, m.Organization.public_id,
).join(m.Organization, m.Organization.id == m.Service.organization_id)
_TERMS = (
    sa.select(m.service_terms.c.service_id, sa.type_coerce(m.Term.taxonomy, sa.String),
              m.Term.code)
    .join(m.Term, m.Term.id == m.service_terms.c.term_id)
    .where(m.service_terms.c.service_id.in_(_IDS))
)
_VENUE_COLUMNS = (m.Location.id, m.Location.name, m.Location.address_1, m.Location.address_2,
                  m.Location.town, m.Location.postcode, m.Location.latitude,
                  m.Location.longitude, m.Location.access_notes)
# A venue comes once for each of its access terms (or once with None).
_VENUES = (
    sa.select(m.service_locations.c.service_id, *_VENUE_COLUMNS, m.Term.code)
    .join(m.Location, m.Location.id == m.service_locations.c.location_id)
    .outerjoin(m.location_terms, m.location_terms.c.location_id == m.Location.id)
    .outerjoin(m.Term, m.Term.id == m.location_terms.c.term_id)
    .where(m.service_locations.c.service_id.in_(_IDS))
    .order_by(m.service_locations.c.service_id, m.Location.name, m.Location.id)
)
_SESSIONS = (
    sa.select(m.WeeklySession.service_id, m.WeeklySession.id,
              sa.type_coerce(m.WeeklySession.day, sa.String), m.WeeklySession.starts_at,
              m.WeeklySession.ends_at, *_VENUE_COLUMNS)
    .outerjoin(m.Location, m.Location.id == m.WeeklySession.location_id)
    .where(m.WeeklySession.service_id.in_(_IDS))
    .order_by(m.WeeklySession.service_id, m.WeeklySession.sort_key, m.WeeklySession.id)
)
_LANGUAGE, _COVERAGE = "language", "coverage"
_EXTRAS = sa.union_all(
    sa.select(m.ServiceLanguage.service_id, sa.literal(_LANGUAGE), m.ServiceLanguage.code)
    .where(m.ServiceLanguage.service_id.in_(_IDS)),
    sa.select(m.CoverageArea.service_id, sa.literal(_COVERAGE), m.CoverageArea.outward_code)
    .where(m.CoverageArea.service_id.in_(_IDS)),
).order_by(sa.literal_column("3"))
_SUGGESTED = (
    sa.select(m.TagSuggestion.service_id, m.Term.code)
    .join(m.Term, m.Term.id == m.TagSuggestion.term_id)
    .where(m.TagSuggestion.service_id.in_(_IDS), m.TagSuggestion.applied,
           m.TagSuggestion.state == m.SuggestionState.SUGGESTED)
)
_DETAILS = sa.select(m.Service.id, m.Service.details).where(m.Service.id.in_(_IDS))
_BY_ID = _SERVICE.where(m.Service.id.in_(_IDS))
_BY_PUBLIC_ID = _SERVICE.where(m.Service.public_id.in_(_IDS))


def load_facts(session: Session, ids: IdSource, parts: Parts = Parts.INDEX) -> list[ServiceFacts]:
    """Facts for the services whose ids the select (or list) gives, ordered by id."""
    if isinstance(ids, sa.Select):
        rows = list(session.connection().execute(
            _SERVICE.where(m.Service.id.in_(ids.scalar_subquery()))))
    else:
        rows = _chunked(session, _BY_ID, sorted(set(ids)))
    return _facts(session, sorted(rows, key=lambda row: row[0]), parts)


def read_services(
    session: Session, public_ids: Sequence[str], *, parts: Parts = Parts.CARD,
    statuses: Collection[ServiceStatus] = (ServiceStatus.ACTIVE,),
) -> dict[str, ServiceFacts]:
    """public id -> facts, for those of the ids whose status is one of `statuses`."""
    wanted = {s.value for s in statuses}
    # By public id alone, the status checked after: asked for `status = 'active'` as well,
    # SQLite walks the status index (every active service) rather than the unique index.
    rows = [row for row in _chunked(session, _BY_PUBLIC_ID, list(dict.fromkeys(public_ids)))
            if row[5] in wanted]
    return {f.public_id: f for f in _facts(session, rows, parts)}


def _chunked(session: Session, statement: Any, values: list[Any]) -> list[Any]:
    """The rows of a statement on _IDS, for the values CHUNK at a time."""
    conn = session.connection()
    return [row for start in range(0, len(values), CHUNK)
            for row in conn.execute(statement, {"ids": values[start : start + CHUNK]})]


class _Gathered:
    """What the part queries find for one service, before it is frozen into its facts."""

    __slots__ = ("terms", "venues", "sessions", "languages", "coverage", "suggested", "details")

    def __init__(self) -> None:
        self.terms: list[tuple[Taxonomy, str]] = []
        self.venues: dict[int, VenueFacts] = {}
        self.sessions: list[SessionFacts] = []
        self.languages: list[str] = []
        self.coverage: list[str] = []
        self.suggested: set[str] = set()
        self.details: dict[str, Any] = {}


def _facts(session: Session, rows: list[Any], parts: Parts) -> list[ServiceFacts]:
    """The rows of _SERVICE, in order, with the parts asked for, frozen into facts."""
    if not rows:
        return []
    conn = session.connection()
    found: dict[int, _Gathered] = {row[0]: _Gathered() for row in rows}
    ids = list(found)
    for start in range(0, len(ids), CHUNK):
        chunk = {"ids": ids[start : start + CHUNK]}
        if Parts.TERMS in parts:
            for sid, taxonomy, code in conn.execute(_TERMS, chunk):
                found[sid].terms.append((_TAXONOMY[taxonomy], code))
        if Parts.VENUES in parts:
            _read_venues(conn, found, chunk)
        if Parts.SESSIONS in parts:
            _read_sessions(conn, found, chunk)
        if Parts.EXTRAS in parts:
            for sid, kind, code in conn.execute(_EXTRAS, chunk):
                gathered = found[sid]
                (gathered.languages if kind == _LANGUAGE else gathered.coverage).append(code)
            for sid, code in conn.execute(_SUGGESTED, chunk):
                found[sid].suggested.add(code)
        if Parts.DETAILS in parts:
            for sid, details in conn.execute(_DETAILS, chunk):
                found[sid].details = json.loads(details) if details else {}
    facts = []
    for row in rows:
        (sid, public_id, name, description, first_visit, status, min_age, max_age, cost,
         is_free, phone, email, website, by_appointment, last_verified, org_name,
         org_id) = row
        g = found[sid]
        facts.append(ServiceFacts(
            sid, public_id, name, description, first_visit, _STATUS[status], min_age, max_age,
            cost, is_free, phone, email, website, by_appointment, last_verified,
            OrganizationFacts(org_name, org_id),
            terms=tuple(sorted(g.terms)),  # Taxonomy is a StrEnum: by its value, then code
            locations=tuple(g.venues.values()), sessions=tuple(g.sessions),
            languages=tuple(g.languages), coverage=tuple(g.coverage),
            suggested=frozenset(g.suggested), feed_details=g.details,
        ))
    return facts


def _read_venues(conn: sa.Connection, found: dict[int, _Gathered], chunk: dict[str, Any]) -> None:
    columns: dict[tuple[int, int], tuple[Any, ...]] = {}
    access: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in conn.execute(_VENUES, chunk):
        key = (row[0], row[1])
        columns.setdefault(key, tuple(row[1:10]))
        if row[10] is not None:
            access[key].add(row[10])
    for (sid, lid), values in columns.items():
        found[sid].venues[lid] = _venue(values, frozenset(access.get((sid, lid), ())))


def _read_sessions(conn: sa.Connection, found: dict[int, _Gathered],
                   chunk: dict[str, Any]) -> None:
    for sid, wid, day, starts_at, ends_at, *venue in conn.execute(_SESSIONS, chunk):
        gathered, lid = found[sid], venue[0]
        # The service's own venue (with its access terms) where it is one; a session may
        # name a venue the listing does not, and then only its address is known.
        place = None if lid is None else gathered.venues.get(lid) or _venue(venue, frozenset())
        gathered.sessions.append(SessionFacts(wid, _DAY[day], starts_at, ends_at, lid, place))


def _venue(columns: Sequence[Any], access: frozenset[str]) -> VenueFacts:
    """A venue from the values of _VENUE_COLUMNS, in their order."""
    lid, name, address_1, address_2, town, postcode, latitude, longitude, notes = columns
    return VenueFacts(lid, name, address_1, address_2, town, postcode, latitude, longitude,
                      notes, access)
