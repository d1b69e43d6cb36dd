"""The only place database rows become matcher.Candidate objects, and where a match is run.

Candidate generation happens in SQL: active services with a venue inside a bounding box
around the person (a little wider than their distance, so near misses can be explained),
plus every active remote service. Rows are read with a handful of set-based queries, not
ORM objects, so a match stays fast on a large catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
import matcher
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from . import search
from .facts import IdSource, ServiceFacts, load_facts
from .models import (
    Location,
    Service,
    ServiceStatus,
    Taxonomy,
    Term,
    service_locations,
    service_terms,
)
from .search import query
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


def to_candidate(facts: ServiceFacts) -> matcher.Candidate:
    """One service's facts as the matcher sees them."""
    venues = [v for v in facts.venues if v.latitude is not None and v.longitude is not None]
    index_of = {v.id: n for n, v in enumerate(venues)}
    intensity = facts.codes(Taxonomy.INTENSITY)
    return matcher.Candidate(
        id=facts.public_id,
        name=facts.name,
        organization=facts.organization,
        description=facts.description,
        active=facts.status is ServiceStatus.ACTIVE,
        min_age=facts.min_age,
        max_age=facts.max_age,
        access=frozenset(facts.codes(Taxonomy.ACCESS)),
        categories=frozenset(facts.codes(Taxonomy.CATEGORY)),
        activities=frozenset(facts.codes(Taxonomy.ACTIVITY)),
        conditions=frozenset(facts.codes(Taxonomy.CONDITION)),
        intensity=intensity[0] if intensity else None,
        languages=frozenset(facts.languages) or frozenset({"en"}),
        venues=tuple(
            matcher.Venue(matcher.Point(v.latitude, v.longitude), v.access)  # type: ignore[arg-type]
            for v in venues
        ),
        coverage=frozenset(facts.coverage),
        sessions=tuple(
            matcher.Session(s.day, s.start, s.end, index_of.get(s.location_id))  # type: ignore[arg-type]
            for s in facts.sessions
        ),
        by_appointment=facts.by_appointment,
        last_verified=facts.last_verified,
    )


def load_candidates(session: Session, ids: IdSource) -> list[matcher.Candidate]:
    """Read services (by id, or by an id subquery) as matcher candidates, ordered by id."""
    return sorted((to_candidate(f) for f in load_facts(session, ids)), key=lambda c: c.id)


def text_scores(app: Flask, text: str, candidates: list[matcher.Candidate]) -> Mapping[str, float] | None:
    """0..1 relevance of the person's own words from the search index, with synonyms.

    None when there is no text, or when the index cannot be used (the matcher then falls
    back to its own lexical match, so a damaged index never stops a match).
    """
    if not text.strip():
        return None
    try:
        searcher = search.live_searcher(app)
    except search.IndexMissing:
        return None
    return query.text_scores(searcher, text, search.current_synonyms(app), (c.id for c in candidates))


def run_match(app: Flask, session: Session, profile: matcher.Profile, today: date) -> matcher.MatchResult:
    """Generate candidates for this person and let the matcher rank them."""
    candidates = load_candidates(session, candidate_ids(session, profile))
    vocab = app.extensions["vocabulary"].for_matcher
    scores = text_scores(app, profile.text, candidates)
    return matcher.match(profile, candidates, vocab, today, scores)
