"""Read queries behind the HSDS API and the export. Take a Session; never write.

Only active services are published: drafts, listings awaiting moderation, paused and closed
services are never returned, whichever way they are asked for.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, selectinload

from matcher.geo import Point, haversine_km

from .. import search
from ..models import (
    CoverageArea,
    ExternalTaxonomy,
    ExternalTerm,
    Location,
    Organization,
    Service,
    ServiceExternalTerm,
    ServiceStatus,
    Taxonomy,
    Term,
    WeeklySession,
    location_terms,
    service_locations,
    service_terms,
)
from .ids import TAXONOMY_IDS, service_at_location_id

PUBLISHED = Service.status == ServiceStatus.ACTIVE
MAX_SEARCH_HITS = 10_000
BATCH = 500


def load_options() -> list:  # type: ignore[type-arg]
    """Everything a fully nested HSDS service needs, in a few queries."""
    return [
        selectinload(Service.organization),
        selectinload(Service.terms),
        selectinload(Service.locations).selectinload(Location.access_terms),
        selectinload(Service.sessions).selectinload(WeeklySession.location),
        selectinload(Service.language_rows),
        selectinload(Service.coverage_rows),
        selectinload(Service.suggestions),
    ]


def find_service(session: Session, public_id: str) -> Service | None:
    """The published service with this HSDS id, or None."""
    if len(public_id) > 36:  # no id is longer
        return None
    return session.scalar(
        sa.select(Service).where(Service.public_id == public_id, PUBLISHED)
        .options(*load_options()))


def load_services(session: Session, ids: Sequence[int]) -> list[Service]:
    """These services (internal ids), loaded for serialising, in the order given."""
    if not ids:
        return []
    found = {s.id: s for s in session.scalars(
        sa.select(Service).where(Service.id.in_(list(ids))).options(*load_options())
    )}
    return [found[i] for i in ids if i in found]


def external_terms(session: Session, service_ids: Sequence[int]) -> dict[int, list[ExternalTerm]]:
    """service id -> the terms of other taxonomies it carries."""
    found: dict[int, list[ExternalTerm]] = defaultdict(list)
    for start in range(0, len(service_ids), BATCH):
        rows = session.execute(
            sa.select(ServiceExternalTerm.service_id, ExternalTerm)
            .join(ExternalTerm, ExternalTerm.id == ServiceExternalTerm.external_term_id)
            .where(ServiceExternalTerm.service_id.in_(list(service_ids[start : start + BATCH])))
            .options(selectinload(ExternalTerm.taxonomy))
        )
        for service_id, term in rows:
            found[service_id].append(term)
    return found


def published_batches(session: Session, size: int = BATCH) -> Iterator[list[Service]]:
    """Every published service in HSDS id order, a batch at a time (for the export)."""
    last = ""
    while True:
        batch = list(session.scalars(
            sa.select(Service).where(PUBLISHED, Service.public_id > last)
            .order_by(Service.public_id).limit(size).options(*load_options())
        ))
        if not batch:
            return
        yield batch
        last = batch[-1].public_id


# --- filtering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Near:
    """A postcode's position and district, and how far from it (None: any distance)."""

    latitude: float
    longitude: float
    outward: str | None
    within_km: float | None = None


@dataclass(frozen=True)
class ServiceFilter:
    """The HSDS list parameters, combined with AND."""

    search: str = ""
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    near: Near | None = None


def search_hits(app: Flask, text: str) -> list[str]:
    """HSDS ids of published services matching free text, best first (the search index)."""
    try:
        page = search.run_search(text, search.Filters(), per_page=MAX_SEARCH_HITS, app=app)
    except search.IndexMissing:
        return _search_without_index(app, text)
    return [hit.id for hit in page.hits]


def _search_without_index(app: Flask, text: str) -> list[str]:
    words = [w for w in text.lower().split() if w][:12]
    with app.extensions["db"].sessions() as session:
        query = sa.select(Service.public_id).where(PUBLISHED)
        for word in words:
            like = f"%{word}%"
            query = query.where(sa.or_(Service.name.ilike(like), Service.description.ilike(like)))
        return list(session.scalars(query.order_by(Service.name)))


def _has_term(term_id: str) -> sa.ColumnElement[bool]:
    """The service, one of its venues, or one of its other-taxonomy terms carries the term."""
    ours = sa.select(Term.id).where(Term.public_id == term_id).scalar_subquery()
    return sa.or_(
        Service.id.in_(
            sa.select(service_terms.c.service_id).where(service_terms.c.term_id == ours)),
        Service.id.in_(
            sa.select(service_locations.c.service_id)
            .join(location_terms, location_terms.c.location_id == service_locations.c.location_id)
            .where(location_terms.c.term_id == ours)
        ),
        Service.id.in_(
            sa.select(ServiceExternalTerm.service_id)
            .join(ExternalTerm, ExternalTerm.id == ServiceExternalTerm.external_term_id)
            .where(ExternalTerm.public_id == term_id)
        ),
    )


def _in_taxonomy(taxonomy_id: str) -> sa.ColumnElement[bool]:
    ours = TAXONOMY_IDS.get(taxonomy_id)
    if ours is not None:
        clauses = [Service.id.in_(
            sa.select(service_terms.c.service_id)
            .join(Term, Term.id == service_terms.c.term_id).where(Term.taxonomy == ours)
        )]
        if ours is Taxonomy.ACCESS:
            clauses.append(Service.id.in_(
                sa.select(service_locations.c.service_id).join(
                    location_terms, location_terms.c.location_id == service_locations.c.location_id)
            ))
        return sa.or_(*clauses)
    return Service.id.in_(
        sa.select(ServiceExternalTerm.service_id)
        .join(ExternalTerm, ExternalTerm.id == ServiceExternalTerm.external_term_id)
        .join(ExternalTaxonomy, ExternalTaxonomy.id == ExternalTerm.taxonomy_id)
        .where(ExternalTaxonomy.public_id == taxonomy_id)
    )


def service_ids(session: Session, f: ServiceFilter, hits: Sequence[str] | None = None) -> list[int]:
    """Internal ids of the published services that pass every filter, in answer order.

    The order is the search's when there is search text (`hits`), else nearest first when a
    postcode is given, else by name.
    """
    query = sa.select(Service.id, Service.public_id).where(PUBLISHED)
    if f.organization_id:
        query = query.join(Organization, Organization.id == Service.organization_id).where(
            Organization.public_id == f.organization_id
        )
    if f.modified_after is not None:
        query = query.where(Service.updated_at >= f.modified_after)
    if f.taxonomy_term_id:
        query = query.where(_has_term(f.taxonomy_term_id))
    if f.taxonomy_id:
        query = query.where(_in_taxonomy(f.taxonomy_id))
    rows = session.execute(query.order_by(Service.name, Service.public_id)).all()
    if hits is not None:
        rank = {public_id: n for n, public_id in enumerate(hits)}
        rows = sorted((r for r in rows if r.public_id in rank), key=lambda r: rank[r.public_id])
    ids = [r.id for r in rows]
    if f.near is not None:
        ids = _near(session, ids, f.near, reorder=hits is None)
    return ids


def _near(session: Session, ids: list[int], near: Near, reorder: bool) -> list[int]:
    """Keep services the postcode can reach; nearest first unless another order rules.

    A service with service areas (home-visit districts) must cover the postcode's district.
    With a distance, a service must also have a venue that close or cover the district.
    """
    wanted = set(ids)
    areas: dict[int, set[str]] = defaultdict(set)
    for sid, code in session.execute(sa.select(CoverageArea.service_id, CoverageArea.outward_code)):
        if sid in wanted:
            areas[sid].add(code)
    nearest = _nearest(session, ids, near)
    kept = []
    for sid in ids:
        covers = near.outward in areas.get(sid, ())
        if areas.get(sid) and not covers:
            continue
        close = nearest.get(sid, math.inf) <= (near.within_km or 0)
        if near.within_km is not None and not (covers or close):
            continue
        kept.append(sid)
    if reorder:
        kept.sort(key=lambda sid: nearest.get(sid, math.inf))  # stable: ties stay by name
    return kept


def _nearest(session: Session, ids: Sequence[int], near: Near) -> dict[int, float]:
    best: dict[int, float] = {}
    for sid, _lid, km in venue_distances(session, ids, near):
        if km < best.get(sid, math.inf):
            best[sid] = km
    return best


def venue_distances(
    session: Session, ids: Sequence[int], near: Near
) -> list[tuple[int, int, float]]:
    """(service id, location id, km from the postcode) for every positioned venue of ids."""
    origin = Point(near.latitude, near.longitude)
    wanted = set(ids)
    rows = session.execute(
        sa.select(service_locations.c.service_id, Location.id, Location.latitude,
                  Location.longitude)
        .join(Location, Location.id == service_locations.c.location_id)
        .where(Location.latitude.is_not(None))
    )
    return [(sid, lid, haversine_km(origin, Point(lat, lon)))
            for sid, lid, lat, lon in rows if sid in wanted]


def service_location_pairs(
    session: Session, ids: Sequence[int], near: Near | None
) -> list[tuple[int, int]]:
    """(service id, location id) for each venue of these services, in answer order.

    With a postcode the pairs are nearest first; with a distance too, only venues that close.
    """
    order = {sid: n for n, sid in enumerate(ids)}
    rows = session.execute(
        sa.select(service_locations.c.service_id, Location.id)
        .join(Location, Location.id == service_locations.c.location_id)
        .order_by(Location.name, Location.public_id)
    ).all()
    pairs = sorted(((sid, lid) for sid, lid in rows if sid in order), key=lambda p: order[p[0]])
    if near is None:
        return pairs
    km = {(sid, lid): d for sid, lid, d in venue_distances(session, ids, near)}
    if near.within_km is not None:
        pairs = [p for p in pairs if km.get(p, math.inf) <= near.within_km]
    return sorted(pairs, key=lambda p: km.get(p, math.inf))


def find_service_at_location(session: Session, sal_id: str) -> tuple[Service, Location] | None:
    """The published service and venue behind a service_at_location id, or None."""
    rows = session.execute(
        sa.select(Service.id, Service.public_id, Location.id, Location.public_id)
        .join(service_locations, service_locations.c.service_id == Service.id)
        .join(Location, Location.id == service_locations.c.location_id)
        .where(PUBLISHED)
    )
    for sid, service_public, lid, location_public in rows:
        if service_at_location_id(service_public, location_public) == sal_id:
            service = load_services(session, [sid])[0]
            return service, next(loc for loc in service.locations if loc.id == lid)
    return None


def organization_ids(session: Session, text: str = "") -> list[int]:
    """Organisations with at least one published service, by name."""
    query = (
        sa.select(Organization.id)
        .where(Organization.id.in_(sa.select(Service.organization_id).where(PUBLISHED)))
        .order_by(Organization.name, Organization.public_id)
    )
    for word in text.split()[:12]:
        query = query.where(Organization.name.ilike(f"%{word}%"))
    return list(session.scalars(query))


def find_organization(session: Session, public_id: str) -> Organization | None:
    return session.scalar(
        sa.select(Organization).where(
            Organization.public_id == public_id,
            Organization.id.in_(sa.select(Service.organization_id).where(PUBLISHED)),
        )
    )


def published_service_ids_of(
    session: Session, organization_ids: Sequence[int]
) -> dict[int, list[int]]:
    """organisation id -> its published services' ids, by name."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        sa.select(Service.organization_id, Service.id)
        .where(PUBLISHED, Service.organization_id.in_(list(organization_ids)))
        .order_by(Service.name, Service.public_id)
    )
    for org_id, sid in rows:
        found[org_id].append(sid)
    return found
