"""The only place database rows become matcher.Candidate objects, and where a match is run.

Candidate generation happens in SQL: active services with a venue inside a bounding box
around the person (a little wider than their distance, so near misses can be explained),
plus every active remote service. Rows are read with a handful of set-based queries, not
ORM objects, so a match stays fast on a large catalogue.
"""

from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from whoosh.searching import Searcher

import matcher

from . import search
from .facts import IdSource, ServiceFacts, load_facts
from .models import (
    CoverageArea,
    Location,
    Service,
    ServiceStatus,
    Taxonomy,
    Term,
    service_locations,
    service_terms,
    version,
)
from .search import facts as indexed
from .search import query

KM_PER_DEGREE_LAT = 111.2
# On a very large catalogue, how many candidates of each kind the matcher scores at most.
LOCAL_CAP = 400
REMOTE_CAP = 150
TEXT_CAP = 200


def margin_km(max_distance_km: float) -> float:
    """How far past the person's limit to look, so 'why not' can name near misses."""
    return max(2.0, 0.5 * max_distance_km)


def relevant_terms(session: Session, profile: matcher.Profile, vocab: matcher.Vocabulary) -> list[int]:
    """Ids of the terms that make a service relevant: what the goals serve, the conditions."""
    categories = {c for g in profile.goals if g in vocab.goals for c in vocab.goals[g].serves}
    activities = {a for g in profile.goals if g in vocab.goals for a in vocab.goals[g].activities}
    wanted = [
        sa.and_(Term.taxonomy == taxonomy, Term.code.in_(sorted(codes)))
        for taxonomy, codes in ((Taxonomy.CATEGORY, categories), (Taxonomy.ACTIVITY, activities),
                                (Taxonomy.CONDITION, profile.conditions))
        if codes
    ]
    return list(session.scalars(sa.select(Term.id).where(sa.or_(*wanted)))) if wanted else []


def candidate_ids(
    session: Session, profile: matcher.Profile, vocab: matcher.Vocabulary, text_ids: Sequence[str] = ()
) -> list[int]:
    """Ids of the active services worth handing to the matcher for this person.

    In-person services with a venue in a box a little wider than the person's distance, and
    remote services (online, by phone, or home visits covering their district), that serve
    one of their goals or conditions or match their words. On a very large catalogue only
    the best LOCAL_CAP and REMOTE_CAP of these by goal fit (then nearness) are scored.
    """
    active = Service.status == ServiceStatus.ACTIVE
    terms = relevant_terms(session, profile, vocab)
    fit = sa.func.count(sa.distinct(service_terms.c.term_id))
    chosen: list[int] = []
    if profile.origin is not None and terms:
        lat, lon = profile.origin.lat, profile.origin.lon
        squeeze = max(math.cos(math.radians(lat)), 0.01)
        reach = profile.max_distance_km + margin_km(profile.max_distance_km)
        dlat, dlon = reach / KM_PER_DEGREE_LAT, reach / (KM_PER_DEGREE_LAT * squeeze)
        d2 = (Location.latitude - lat) * (Location.latitude - lat) + (
            (Location.longitude - lon) * squeeze) * ((Location.longitude - lon) * squeeze)
        chosen += session.scalars(
            sa.select(Service.id)
            .select_from(Location)
            .join(service_locations, service_locations.c.location_id == Location.id)
            .join(Service, Service.id == service_locations.c.service_id)
            .join(service_terms, sa.and_(service_terms.c.service_id == Service.id,
                                         service_terms.c.term_id.in_(terms)))
            .where(active, Location.latitude.between(lat - dlat, lat + dlat),
                   Location.longitude.between(lon - dlon, lon + dlon))
            .group_by(Service.id)
            .order_by(fit.desc(), sa.func.min(d2), Service.id)
            .limit(LOCAL_CAP)
        )
    if terms:
        chosen += session.scalars(
            sa.select(Service.id)
            .join(service_terms, sa.and_(service_terms.c.service_id == Service.id,
                                         service_terms.c.term_id.in_(terms)))
            .where(active, Service.id.in_(_remote_ids(profile.outward_code)))
            .group_by(Service.id)
            .order_by(fit.desc(), Service.id)
            .limit(REMOTE_CAP)
        )
    if text_ids:
        chosen += session.scalars(
            sa.select(Service.id).where(active, Service.public_id.in_(list(text_ids)))
        )
    return sorted(set(chosen))


def _remote_ids(outward: str | None) -> sa.Select[tuple[int]]:
    """Services people take part in without travelling: online, by phone, or a home visit here."""
    anywhere = (
        sa.select(service_terms.c.service_id)
        .join(Term, Term.id == service_terms.c.term_id)
        .where(Term.taxonomy == Taxonomy.ACCESS, Term.code.in_(("online", "telephone")))
    )
    if not outward:
        return anywhere
    visits = sa.select(CoverageArea.service_id).where(CoverageArea.outward_code == outward.upper())
    return anywhere.union(visits)


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


class CandidateCache:
    """Candidates kept in memory between matches, dropped whenever the catalogue changes.

    Reading a service's facts costs far more than scoring it. Every committed change moves
    the catalogue version on (see models.version), in whichever process or machine made
    it; a match first reads that one number and starts afresh when it has moved.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.version: int | None = None
        self.by_id: dict[int, matcher.Candidate] = {}
        self.lock = threading.Lock()

    def get(self, session: Session, ids: list[int]) -> list[matcher.Candidate]:
        now = version.current(session.connection())
        with self.lock:
            if now != self.version or len(self.by_id) > self.limit:
                self.by_id, self.version = {}, now
            missing = [i for i in ids if i not in self.by_id]
        fresh = {f.id: to_candidate(f) for f in load_facts(session, missing)} if missing else {}
        with self.lock:
            if self.version == now:
                self.by_id.update(fresh)
        found = [self.by_id.get(i) or fresh.get(i) for i in ids]
        return sorted((c for c in found if c is not None), key=lambda c: c.id)


def text_scores(app: Flask, text: str) -> dict[str, float] | None:
    """0..1 relevance of the person's own words for every service that matches them.

    From the search index, with the lay-language synonyms. None when there is no text or
    the index cannot be used (the matcher then falls back to its own lexical match, so a
    damaged index never stops a match).
    """
    if not text.strip():
        return None
    try:
        searcher = search.live_searcher(app)
    except search.IndexMissing:
        return None
    return query.text_scores(searcher, text, search.current_synonyms(app))


def indexed_candidates(
    searcher: Searcher, profile: matcher.Profile, vocab: matcher.Vocabulary, text_ids: Sequence[str]
) -> list[str]:
    """The same choice as candidate_ids, made from the search index in memory (public ids).

    Goal and condition terms come from posting lists, venues within reach from the index's
    sorted venue table, remote reach from its facts. The index follows the database within
    moments of a commit; every rule is then checked on facts read from the database, so a
    moment's lag can cost a suggestion but never break a rule.
    """
    facts = indexed.facts_of(searcher)
    goals = [vocab.goals[g] for g in sorted(profile.goals) if g in vocab.goals]
    wanted = frozenset(
        [f"category:{c}" for g in goals for c in g.serves]
        + [f"activity:{a}" for g in goals for a in g.activities]
        + [f"condition:{c}" for c in profile.conditions]
    )
    inactive, terms = facts.inactive, facts.terms

    def fit(docnum: int) -> int:
        return 0 if docnum in inactive else len(terms.get(docnum, frozenset()) & wanted)

    chosen: list[int] = []
    if profile.origin is not None and wanted:
        reach = profile.max_distance_km + margin_km(profile.max_distance_km)
        near = indexed.distances(facts, (profile.origin.lat, profile.origin.lon), reach)
        local = {d: f for d in near if (f := fit(d))}
        chosen += heapq.nsmallest(LOCAL_CAP, local, key=lambda d: (-local[d], near[d], facts.ids[d]))
    if wanted:
        outward = (profile.outward_code or "").upper()
        visiting = [d for d, areas in facts.coverage.items() if outward and outward in areas]
        remote = {d: f for d in (*facts.anywhere, *visiting) if (f := fit(d))}
        chosen += heapq.nsmallest(REMOTE_CAP, remote, key=lambda d: (-remote[d], facts.ids[d]))
    return sorted({facts.ids[d] for d in chosen} | set(text_ids))


def run_match(app: Flask, session: Session, profile: matcher.Profile, today: date) -> matcher.MatchResult:
    """Generate candidates for this person and let the matcher rank them."""
    vocab = app.extensions["vocabulary"].for_matcher
    words = text_scores(app, profile.text)
    best_words = heapq.nlargest(TEXT_CAP, words, key=lambda i: (words[i], i)) if words else []
    cache: CandidateCache = app.extensions.setdefault("candidate_cache", CandidateCache())
    try:
        public_ids = indexed_candidates(search.live_searcher(app), profile, vocab, best_words)
        ids = list(session.scalars(sa.select(Service.id).where(Service.public_id.in_(public_ids))))
    except search.IndexMissing:  # no index: the same choice in SQL, slower on big catalogues
        ids = candidate_ids(session, profile, vocab, best_words)
    candidates = cache.get(session, ids)
    scores = None if words is None else {c.id: words.get(c.id, 0.0) for c in candidates}
    return matcher.match(profile, candidates, vocab, today, scores)
