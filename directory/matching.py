"""The only place database rows become matcher.Candidate objects, and where a match is run.

Candidate generation happens in SQL: active services with a venue inside a bounding box
around the person (a little wider than their distance, so near misses can be explained),
plus every active remote service. Rows are read with a handful of set-based queries, not
ORM objects, so a match stays fast on a large catalogue.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import matcher
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from . import search
from .models import (
    CoverageArea,
    Location,
    Organization,
    Service,
    ServiceLanguage,
    ServiceStatus,
    Taxonomy,
    Term,
    WeeklySession,
    location_terms,
    service_locations,
    service_terms,
)
from .search.documents import REMOTE

KM_PER_DEGREE_LAT = 111.2


def margin_km(max_distance_km: float) -> float:
    """How far past the person's limit to look, so 'why not' can name near misses."""
    return max(2.0, 0.5 * max_distance_km)


def candidate_ids(session: Session, profile: matcher.Profile) -> sa.Select[tuple[int]]:
    """SQL for the ids of active services worth considering for this person."""
    active = Service.status == ServiceStatus.ACTIVE
    remote = (
        sa.select(service_terms.c.service_id)
        .join(Term, Term.id == service_terms.c.term_id)
        .where(Term.taxonomy == Taxonomy.ACCESS, Term.code.in_(sorted(REMOTE)))
    )
    if profile.origin is None:
        return sa.select(Service.id).where(active, Service.id.in_(remote))
    reach = profile.max_distance_km + margin_km(profile.max_distance_km)
    dlat = reach / KM_PER_DEGREE_LAT
    dlon = reach / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(profile.origin.lat)), 0.01))
    nearby = (
        sa.select(service_locations.c.service_id)
        .join(Location, Location.id == service_locations.c.location_id)
        .where(
            Location.latitude.between(profile.origin.lat - dlat, profile.origin.lat + dlat),
            Location.longitude.between(profile.origin.lon - dlon, profile.origin.lon + dlon),
        )
    )
    return sa.select(Service.id).where(active, sa.or_(Service.id.in_(nearby), Service.id.in_(remote)))


def load_candidates(session: Session, ids: sa.Select[tuple[int]] | Iterable[int]) -> list[matcher.Candidate]:
    """Read services (by id, or by an id subquery) as matcher candidates."""
    if not isinstance(ids, sa.Select):
        ids = sa.select(sa.literal_column("0")).where(sa.false()) if not ids else _values(ids)
    subquery = ids.scalar_subquery() if isinstance(ids, sa.Select) else ids
    rows = session.execute(
        sa.select(
            Service.id, Service.public_id, Service.name, Service.description, Service.status,
            Service.min_age, Service.max_age, Service.by_appointment, Service.last_verified,
            Organization.name,
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.id.in_(subquery))
    ).all()
    terms: dict[int, dict[Taxonomy, list[str]]] = defaultdict(lambda: defaultdict(list))
    for sid, taxonomy, code in session.execute(
        sa.select(service_terms.c.service_id, Term.taxonomy, Term.code)
        .join(Term, Term.id == service_terms.c.term_id)
        .where(service_terms.c.service_id.in_(subquery))
    ):
        terms[sid][taxonomy].append(code)
    venues: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    location_ids: set[int] = set()
    for sid, lid, lat, lon in session.execute(
        sa.select(service_locations.c.service_id, Location.id, Location.latitude, Location.longitude)
        .join(Location, Location.id == service_locations.c.location_id)
        .where(service_locations.c.service_id.in_(subquery), Location.latitude.is_not(None))
        .order_by(service_locations.c.service_id, Location.id)
    ):
        venues[sid].append((lid, lat, lon))
        location_ids.add(lid)
    venue_access: dict[int, set[str]] = defaultdict(set)
    if location_ids:
        for lid, code in session.execute(
            sa.select(location_terms.c.location_id, Term.code)
            .join(Term, Term.id == location_terms.c.term_id)
            .join(service_locations, service_locations.c.location_id == location_terms.c.location_id)
            .where(service_locations.c.service_id.in_(subquery))
        ):
            venue_access[lid].add(code)
    sessions: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for sid, day, start, end, lid in session.execute(
        sa.select(WeeklySession.service_id, WeeklySession.day, WeeklySession.starts_at,
                  WeeklySession.ends_at, WeeklySession.location_id)
        .where(WeeklySession.service_id.in_(subquery))
        .order_by(WeeklySession.service_id, WeeklySession.sort_key)
    ):
        sessions[sid].append((day, start, end, lid))
    languages: dict[int, list[str]] = defaultdict(list)
    for sid, code in session.execute(
        sa.select(ServiceLanguage.service_id, ServiceLanguage.code)
        .where(ServiceLanguage.service_id.in_(subquery))
    ):
        languages[sid].append(code)
    coverage: dict[int, list[str]] = defaultdict(list)
    for sid, code in session.execute(
        sa.select(CoverageArea.service_id, CoverageArea.outward_code)
        .where(CoverageArea.service_id.in_(subquery))
    ):
        coverage[sid].append(code)

    candidates = []
    for sid, public_id, name, description, status, min_age, max_age, by_appt, verified, org in rows:
        codes = terms[sid]
        places = venues[sid]
        index_of = {lid: n for n, (lid, _lat, _lon) in enumerate(places)}
        intensity = codes[Taxonomy.INTENSITY]
        candidates.append(matcher.Candidate(
            id=public_id,
            name=name,
            organization=org,
            description=description,
            active=status is ServiceStatus.ACTIVE,
            min_age=min_age,
            max_age=max_age,
            access=frozenset(codes[Taxonomy.ACCESS]),
            categories=frozenset(codes[Taxonomy.CATEGORY]),
            activities=frozenset(codes[Taxonomy.ACTIVITY]),
            conditions=frozenset(codes[Taxonomy.CONDITION]),
            intensity=intensity[0] if intensity else None,
            languages=frozenset(languages[sid]) or frozenset({"en"}),
            venues=tuple(
                matcher.Venue(matcher.Point(lat, lon), frozenset(venue_access[lid]))
                for lid, lat, lon in places
            ),
            coverage=frozenset(coverage[sid]),
            sessions=tuple(
                matcher.Session(getattr(day, "value", day), start, end, index_of.get(lid))
                for day, start, end, lid in sessions[sid]
            ),
            by_appointment=by_appt,
            last_verified=verified,
        ))
    candidates.sort(key=lambda c: c.id)
    return candidates


def _values(ids: Iterable[int]) -> sa.Select[tuple[int]]:
    return sa.select(Service.id).where(Service.id.in_(list(ids)))


def text_scores(app: Flask, text: str) -> Mapping[str, float] | None:
    """0..1 relevance of the person's own words from the search index, with synonyms.

    None when there is no text, or when the index cannot be used (the matcher then falls
    back to its own lexical match, so a damaged index never stops a match).
    """
    if not text.strip():
        return None
    try:
        ix = search.open_live(app)
    except search.IndexMissing:
        return None
    from .search.query import build_text_query

    with ix.searcher() as searcher:
        _every, anyword, _words, _fixes = build_text_query(
            searcher, text, search.current_synonyms(app)
        )
        if anyword is None:
            return {}
        results = searcher.search(anyword, limit=None)
        scored = [(hit["id"], hit.score or 0.0) for hit in results]
    top = max((score for _, score in scored), default=0.0) or 1.0
    return {public_id: score / top for public_id, score in scored}


def run_match(app: Flask, session: Session, profile: matcher.Profile, today: date) -> matcher.MatchResult:
    """Generate candidates for this person and let the matcher rank them."""
    candidates = load_candidates(session, candidate_ids(session, profile))
    vocab = app.extensions["vocabulary"].for_matcher
    return matcher.match(profile, candidates, vocab, today, text_scores(app, profile.text))
