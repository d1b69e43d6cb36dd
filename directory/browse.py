"""Read queries used by the public pages and the API. Take a Session; never write.

`service_views` is the one reader of services for display: the public pages, the
workspace's cards and the plan all get their plain copies from it."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .models import (
    CoverageArea,
    Day,
    Location,
    Organization,
    Service,
    ServiceLanguage,
    ServiceStatus,
    SuggestionState,
    TagSuggestion,
    Taxonomy,
    Term,
    WeeklySession,
    location_terms,
    service_locations,
    service_terms,
)


def full_service_options() -> list:  # type: ignore[type-arg]
    """Everything a service page, or a fully nested HSDS service, shows, in a few queries."""
    return [
        selectinload(Service.organization),
        selectinload(Service.terms),
        selectinload(Service.locations).selectinload(Location.access_terms),
        selectinload(Service.sessions).selectinload(WeeklySession.location),
        selectinload(Service.language_rows),
        selectinload(Service.coverage_rows),
        selectinload(Service.suggestions),
    ]


def active_services(session: Session, public_ids: Iterable[str]) -> dict[str, Service]:
    """public id -> service, for those of the ids that are active (the index may lag)."""
    ids = list(public_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Service)
        .where(Service.public_id.in_(ids), Service.status == ServiceStatus.ACTIVE)
        .options(*full_service_options())
    )
    return {s.public_id: s for s in rows}


def find_active_service(session: Session, public_id: str) -> Service | None:
    """The active service with this public id, or None (unknown, draft, paused or closed)."""
    if len(public_id) > 36 or "\x00" in public_id:  # no id is longer; PostgreSQL refuses NUL
        return None
    return session.scalar(
        select(Service)
        .where(Service.public_id == public_id, Service.status == ServiceStatus.ACTIVE)
        .options(*full_service_options())
    )


def count_active_services(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Service).where(Service.status == ServiceStatus.ACTIVE)
    ) or 0


def category_counts(session: Session) -> list[tuple[Term, int]]:
    """Every category with how many active services it has, in vocabulary order of label."""
    count = func.count(Service.id)
    rows = session.execute(
        select(Term, count)
        .outerjoin(service_terms, service_terms.c.term_id == Term.id)
        .outerjoin(
            Service,
            (Service.id == service_terms.c.service_id) & (Service.status == ServiceStatus.ACTIVE),
        )
        .where(Term.taxonomy == Taxonomy.CATEGORY)
        .group_by(Term.id)
        .order_by(Term.label)
    ).all()
    return [(term, n) for term, n in rows]


# --- read-only copies for the public pages ----------------------------------------------------
#
# The public pages only read, and reading a service through the ORM (eight queries, and an
# object with its identity-map bookkeeping for every row) cost most of a service page's CPU.
# These plain copies carry the same attribute names as the models, for what the pages use, so
# web.present works on either; they are read with a few set-based Core queries, for the
# public pages (active services) and the plan (published ones, paused or closed since too).


@dataclass(frozen=True)
class NamedView:
    """The one thing the pages show of an organisation or of a session's venue: its name."""

    name: str


@dataclass(frozen=True)
class VenueView:
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


@dataclass(frozen=True)
class SessionView:
    id: int
    day: Day
    starts_at: time
    ends_at: time
    location: NamedView | None


@dataclass
class ServiceView:
    """An active service as the public pages show it (see Service for what each field means)."""

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
    organization: NamedView
    terms: list[tuple[Taxonomy, str]] = field(default_factory=list)  # by taxonomy, then code
    locations: list[VenueView] = field(default_factory=list)  # by name
    sessions: list[SessionView] = field(default_factory=list)  # through the week
    languages: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    # The service page only: what a feed said that we keep (Service.details), and term codes
    # on the service only because the directory suggested them.
    feed_details: dict[str, Any] = field(default_factory=dict)
    suggested: set[str] = field(default_factory=set)

    def codes(self, taxonomy: Taxonomy | str) -> list[str]:
        """As Service.codes: the enum or its value; an unknown name is a ValueError."""
        wanted = Taxonomy(taxonomy)
        return [code for t, code in self.terms if t == wanted]

    @property
    def is_active(self) -> bool:
        return self.status is ServiceStatus.ACTIVE


# Enums are read as their stored values and looked up here (cheaper than the Enum type).
_STATUS = {s.value: s for s in ServiceStatus}
_TAXONOMY = {t.value: t for t in Taxonomy}
_DAY = {d.value: d for d in Day}
# One cached statement for any list of ids.
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_EXTRA_LANGUAGE, _EXTRA_COVERAGE = "language", "coverage"

_SERVICE_ROWS = (
    select(
        Service.id, Service.public_id, Service.name, Service.description, Service.first_visit,
        sa.type_coerce(Service.status, sa.String), Service.min_age, Service.max_age,
        Service.cost, Service.is_free, Service.phone, Service.email, Service.website,
        Service.by_appointment, Service.last_verified, Organization.name,
    )
    .join(Organization, Organization.id == Service.organization_id)
    # By public id alone, the status checked after: asked for `status = 'active'` as well,
    # SQLite walks the status index (every active service) rather than the unique index.
    .where(Service.public_id.in_(_IDS))
)
_TERM_ROWS = (
    select(service_terms.c.service_id, sa.type_coerce(Term.taxonomy, sa.String), Term.code)
    .join(Term, Term.id == service_terms.c.term_id)
    .where(service_terms.c.service_id.in_(_IDS))
    .order_by(service_terms.c.service_id, Term.taxonomy, Term.code)
)
# Languages and coverage areas, only for the service page, in one query.
_EXTRA_ROWS = sa.union_all(
    select(ServiceLanguage.service_id, sa.literal(_EXTRA_LANGUAGE), ServiceLanguage.code)
    .where(ServiceLanguage.service_id.in_(_IDS)),
    select(CoverageArea.service_id, sa.literal(_EXTRA_COVERAGE), CoverageArea.outward_code)
    .where(CoverageArea.service_id.in_(_IDS)),
).order_by(sa.literal_column("3"))
# A venue comes once for each of its access terms (or once with None).
_VENUE_ROWS = (
    select(
        service_locations.c.service_id, Location.id, Location.name, Location.address_1,
        Location.address_2, Location.town, Location.postcode, Location.latitude,
        Location.longitude, Location.access_notes, Term.code,
    )
    .join(Location, Location.id == service_locations.c.location_id)
    .outerjoin(location_terms, location_terms.c.location_id == Location.id)
    .outerjoin(Term, Term.id == location_terms.c.term_id)
    .where(service_locations.c.service_id.in_(_IDS))
    .order_by(service_locations.c.service_id, Location.name, Location.id)
)
_SESSION_ROWS = (
    select(
        WeeklySession.service_id, WeeklySession.id, sa.type_coerce(WeeklySession.day, sa.String),
        WeeklySession.starts_at, WeeklySession.ends_at, Location.name,
    )
    .outerjoin(Location, Location.id == WeeklySession.location_id)
    .where(WeeklySession.service_id.in_(_IDS))
    .order_by(WeeklySession.service_id, WeeklySession.sort_key, WeeklySession.id)
)


def active_service_views(
    session: Session, public_ids: Sequence[str], *, full: bool = False
) -> dict[str, ServiceView]:
    """public id -> a plain copy, for those of the ids that are active (the index may lag)."""
    return service_views(session, public_ids, full=full)


def service_views(
    session: Session, public_ids: Sequence[str], *, full: bool = False,
    statuses: Collection[ServiceStatus] = (ServiceStatus.ACTIVE,),
) -> dict[str, ServiceView]:
    """public id -> a plain copy, for those of the ids whose status is one of `statuses`.

    The one reader of services for display: the public pages, the workspace's cards and the
    plan (which also shows listings paused or closed since) all read through it. A card needs
    the service, its terms, venues and sessions; `full` adds its languages, coverage areas and
    feed details for the service page.
    """
    if not public_ids:
        return {}
    wanted = {s.value for s in statuses}
    conn = session.connection()
    by_id: dict[int, ServiceView] = {}
    for row in conn.execute(_SERVICE_ROWS, {"ids": list(public_ids)}):
        (sid, public_id, name, description, first_visit, status, min_age, max_age, cost,
         is_free, phone, email, website, by_appointment, last_verified, organization) = row
        if status not in wanted:
            continue
        by_id[sid] = ServiceView(
            sid, public_id, name, description, first_visit, _STATUS[status], min_age, max_age,
            cost, is_free, phone, email, website, by_appointment, last_verified,
            NamedView(organization),
        )
    if not by_id:
        return {}
    ids = {"ids": list(by_id)}
    for sid, taxonomy, code in conn.execute(_TERM_ROWS, ids):
        by_id[sid].terms.append((_TAXONOMY[taxonomy], code))
    _read_venues(conn, by_id, ids)
    for sid, wid, day, starts_at, ends_at, venue in conn.execute(_SESSION_ROWS, ids):
        by_id[sid].sessions.append(SessionView(
            wid, _DAY[day], starts_at, ends_at, None if venue is None else NamedView(venue)))
    if full:
        for sid, kind, code in conn.execute(_EXTRA_ROWS, ids):
            view = by_id[sid]
            (view.languages if kind == _EXTRA_LANGUAGE else view.coverage).append(code)
        _read_feed_facts(conn, by_id, ids)
    return {view.public_id: view for view in by_id.values()}


def _read_feed_facts(conn: Any, by_id: dict[int, ServiceView], ids: dict[str, Any]) -> None:
    for sid, details in conn.execute(
        sa.select(Service.id, Service.details).where(Service.id.in_(_IDS)), ids
    ):
        by_id[sid].feed_details = json.loads(details) if details else {}
    for sid, code in conn.execute(
        sa.select(TagSuggestion.service_id, Term.code).join(Term, Term.id == TagSuggestion.term_id)
        .where(TagSuggestion.service_id.in_(_IDS), TagSuggestion.applied,
               TagSuggestion.state == SuggestionState.SUGGESTED), ids
    ):
        by_id[sid].suggested.add(code)


def _read_venues(conn: sa.Connection, by_id: dict[int, ServiceView], ids: dict[str, Any]) -> None:
    rows: dict[tuple[int, int], list[Any]] = {}
    access: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in conn.execute(_VENUE_ROWS, ids):
        key = (row[0], row[1])
        rows.setdefault(key, list(row[1:10]))
        if row[10] is not None:
            access[key].add(row[10])
    for key, values in rows.items():
        by_id[key[0]].locations.append(VenueView(
            *[*values, frozenset(access.get(key, ()))]))


def read_active_service(session: Session, public_id: str) -> ServiceView | None:
    """A plain copy of the active service with this public id, with everything its page shows."""
    if len(public_id) > 36 or "\x00" in public_id:  # no id is longer; PostgreSQL refuses NUL
        return None
    return active_service_views(session, [public_id], full=True).get(public_id)
