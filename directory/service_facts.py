"""Everything about a set of services, read with a handful of set-based queries.

Both derived views of a service, the search document and the matcher's Candidate, are
built from these plain facts, so neither has to walk ORM relationships row by row (which
is what made reading 100,000 services slow).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import (
    CoverageArea,
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

DAY_INDEX = {d: n for n, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


@dataclass(frozen=True)
class VenueFacts:
    id: int
    name: str
    town: str
    latitude: float | None
    longitude: float | None
    access: frozenset[str]


@dataclass(frozen=True)
class SessionFacts:
    day: str
    start: time
    end: time
    location_id: int | None


@dataclass
class ServiceFacts:
    id: int
    public_id: str
    name: str
    description: str
    first_visit: str
    status: ServiceStatus
    min_age: int | None
    max_age: int | None
    by_appointment: bool
    last_verified: date | None
    organization: str
    organization_id: str
    terms: dict[Taxonomy, list[str]] = field(default_factory=lambda: defaultdict(list))
    venues: list[VenueFacts] = field(default_factory=list)
    sessions: list[SessionFacts] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    # Term codes on the service only because a confident suggestion was applied (undecided).
    suggested: set[str] = field(default_factory=set)

    def codes(self, taxonomy: Taxonomy) -> list[str]:
        return sorted(self.terms.get(taxonomy, []))


IdSource = sa.Select[int] | Iterable[int]


CHUNK = 2000


def load_facts(session: Session, ids: IdSource) -> list[ServiceFacts]:
    """Facts for the services whose ids the select (or list) gives, ordered by id."""
    if isinstance(ids, sa.Select):
        return _load(session, ids.scalar_subquery(), {})
    wanted = sorted(set(ids))
    chosen: Any = sa.bindparam("ids", expanding=True)  # one cached statement for any list of ids
    return [f for start in range(0, len(wanted), CHUNK)
            for f in _load(session, chosen, {"ids": wanted[start : start + CHUNK]})]


# Enums are read as their stored values and looked up here: converting each of thousands
# of term rows through the column's Enum type cost more than reading them.
_STATUS = {s.value: s for s in ServiceStatus}
_TAXONOMY = {t.value: t for t in Taxonomy}


def _load(session: Session, subquery: Any, params: dict[str, Any]) -> list[ServiceFacts]:
    # Core rows through the session's connection: no ORM row processing is needed here.
    conn = session.connection()
    by_id: dict[int, ServiceFacts] = {}
    for row in conn.execute(
        sa.select(
            Service.id, Service.public_id, Service.name, Service.description, Service.first_visit,
            sa.type_coerce(Service.status, sa.String), Service.min_age, Service.max_age,
            Service.by_appointment, Service.last_verified, Organization.name,
            Organization.public_id,
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.id.in_(subquery))
        .order_by(Service.id),
        params,
    ).all():
        (sid, public_id, name, description, first_visit, status, min_age, max_age,
         by_appointment, last_verified, organization, organization_id) = row
        by_id[sid] = ServiceFacts(
            sid, public_id, name, description, first_visit, _STATUS[status], min_age, max_age,
            by_appointment, last_verified, organization, organization_id,
        )
    if not by_id:
        return []
    for sid, taxonomy, code in conn.execute(
        sa.select(service_terms.c.service_id, sa.type_coerce(Term.taxonomy, sa.String), Term.code)
        .join(Term, Term.id == service_terms.c.term_id)
        .where(service_terms.c.service_id.in_(subquery)),
        params,
    ).all():
        by_id[sid].terms[_TAXONOMY[taxonomy]].append(code)
    venue_rows = conn.execute(
        sa.select(service_locations.c.service_id, Location.id, Location.name, Location.town,
                  Location.latitude, Location.longitude)
        .join(Location, Location.id == service_locations.c.location_id)
        .where(service_locations.c.service_id.in_(subquery))
        .order_by(service_locations.c.service_id, Location.name, Location.id),
        params,
    ).all()
    access: dict[int, set[str]] = defaultdict(set)
    if venue_rows:
        for lid, code in conn.execute(
            sa.select(location_terms.c.location_id, Term.code)
            .join(Term, Term.id == location_terms.c.term_id)
            .where(location_terms.c.location_id.in_(
                sa.select(service_locations.c.location_id)
                .where(service_locations.c.service_id.in_(subquery))
            )),
            params,
        ).all():
            access[lid].add(code)
    for sid, lid, name, town, lat, lon in venue_rows:
        by_id[sid].venues.append(VenueFacts(lid, name, town, lat, lon, frozenset(access[lid])))
    for sid, day, start, end, lid in conn.execute(
        sa.select(WeeklySession.service_id, sa.type_coerce(WeeklySession.day, sa.String),
                  WeeklySession.starts_at, WeeklySession.ends_at, WeeklySession.location_id)
        .where(WeeklySession.service_id.in_(subquery))
        .order_by(WeeklySession.service_id, WeeklySession.sort_key, WeeklySession.id),
        params,
    ).all():
        by_id[sid].sessions.append(SessionFacts(day, start, end, lid))
    for sid, code in conn.execute(
        sa.select(ServiceLanguage.service_id, ServiceLanguage.code)
        .where(ServiceLanguage.service_id.in_(subquery)).order_by(ServiceLanguage.code),
        params,
    ).all():
        by_id[sid].languages.append(code)
    for sid, code in conn.execute(
        sa.select(CoverageArea.service_id, CoverageArea.outward_code)
        .where(CoverageArea.service_id.in_(subquery)).order_by(CoverageArea.outward_code),
        params,
    ).all():
        by_id[sid].coverage.append(code)
    for sid, code in conn.execute(
        sa.select(TagSuggestion.service_id, Term.code)
        .join(Term, Term.id == TagSuggestion.term_id)
        .where(TagSuggestion.service_id.in_(subquery), TagSuggestion.applied,
               TagSuggestion.state == SuggestionState.SUGGESTED),
        params,
    ).all():
        by_id[sid].suggested.add(code)
    return list(by_id.values())
