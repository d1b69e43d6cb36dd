"""The only place database rows become matcher.Candidate objects, and where a match is run.

Candidates are active services with a venue inside a bounding box around the person (a
little wider than their distance, so near misses can be explained), plus every active
remote service, chosen from the search index in memory (or in SQL when there is no index).
Listings last verified more than twelve months before the match's day are never candidates
(directory.freshness). Rows are read with a handful of set-based queries, not ORM objects,
and kept in memory until the catalogue changes, so a match stays fast on a large catalogue.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from whoosh.searching import Searcher

import matcher

from . import freshness, insights, search
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
from .search import query
from .search import segment_facts as indexed
from .service_facts import IdSource, ServiceFacts, load_facts
from .sharing import Shared

KM_PER_DEGREE_LAT = 111.2
# On a very large catalogue, how many candidates of each kind the matcher scores at most.
LOCAL_CAP = 400
REMOTE_CAP = 150
TEXT_CAP = 200
PREWARM_BATCH = 2000  # services read at a time when a worker pre-loads candidates
SAID_KEPT = 256  # people's texts whose relevance is kept per index generation


def margin_km(max_distance_km: float) -> float:
    """How far past the person's limit to look, so 'why not' can name near misses."""
    return max(2.0, 0.5 * max_distance_km)


def relevant_terms(session: Session, profile: matcher.Profile,
                   vocab: matcher.Vocabulary) -> list[int]:
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
    session: Session,
    profile: matcher.Profile,
    vocab: matcher.Vocabulary,
    text_ids: Sequence[str] = (),
    verified_since: date | None = None,
) -> list[int]:
    """Ids of the active services worth handing to the matcher for this person.

    In-person services with a venue in a box a little wider than the person's distance, and
    remote services (online, by phone, or home visits covering their district), that serve
    one of their goals or conditions or match their words. On a very large catalogue only
    the best LOCAL_CAP and REMOTE_CAP of these by goal fit (then nearness) are scored.
    With verified_since, a listing last verified before that day is left out (one never
    verified is kept).
    """
    active = Service.status == ServiceStatus.ACTIVE
    if verified_since is not None:
        active = sa.and_(active, sa.or_(Service.last_verified.is_(None),
                                        Service.last_verified >= verified_since))
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


def _remote_ids(outward: str | None) -> sa.Select[int] | sa.CompoundSelect[int]:
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


def _unshared(value: Any) -> Any:
    return value


def to_candidate(facts: ServiceFacts,
                 shared: Callable[[Any], Any] = _unshared) -> matcher.Candidate:
    """One service's facts as the matcher sees them; with shared (a sharing.Shared), the
    parts many services have alike (sets of terms, languages and access codes, session
    times, venues, organisation names) are held once."""
    venues = [v for v in facts.locations if v.has_coordinates]
    index_of = {v.id: n for n, v in enumerate(venues)}
    intensity = facts.codes(Taxonomy.INTENSITY)
    return matcher.Candidate(
        id=facts.public_id,
        name=facts.name,
        organization=shared(facts.organization.name),
        description=facts.description,
        active=facts.status is ServiceStatus.ACTIVE,
        min_age=facts.min_age,
        max_age=facts.max_age,
        access=shared(frozenset(facts.codes(Taxonomy.ACCESS))),
        categories=shared(frozenset(facts.codes(Taxonomy.CATEGORY))),
        activities=shared(frozenset(facts.codes(Taxonomy.ACTIVITY))),
        conditions=shared(frozenset(facts.codes(Taxonomy.CONDITION))),
        intensity=shared(intensity[0]) if intensity else None,
        languages=shared(frozenset(facts.languages) or frozenset({"en"})),
        venues=shared(tuple(
            shared(matcher.Venue(matcher.Point(v.latitude, v.longitude),  # type: ignore[arg-type]
                                 shared(v.access_codes)))
            for v in venues
        )),
        coverage=shared(frozenset(facts.coverage)),
        sessions=shared(tuple(
            shared(matcher.Session(shared(s.day.value), shared(s.starts_at), shared(s.ends_at),
                                   index_of.get(s.location_id)))  # type: ignore[arg-type]
            for s in facts.sessions
        )),
        by_appointment=facts.by_appointment,
        last_verified=facts.last_verified,
        suggested=shared(frozenset(facts.suggested)),
    )


def load_candidates(session: Session, ids: IdSource) -> list[matcher.Candidate]:
    """Read services (by id, or by an id subquery) as matcher candidates, ordered by id."""
    return sorted((to_candidate(f) for f in load_facts(session, ids)), key=lambda c: c.id)


class CandidateCache:
    """Candidates kept in memory between matches, the changed ones dropped as the catalogue moves.

    Reading a service's facts costs far more than scoring it. Every committed change moves
    the catalogue version on and logs the services it touched (see models.version), in
    whichever process or machine made it; a match first reads that number (sync) and, when
    it has moved, drops just the services the log names (everything, if the log was pruned
    past where this cache stands). `prewarm` fills the cache when a worker starts, so the
    first match in an area does not pay for reading its services.
    Candidates are kept by public id, the id the search index gives, so a warm match asks
    the database nothing else. Which listings have expired is kept per cut-off day, so a
    match for another day (tomorrow, or a test's fixed day) is never answered from another
    day's list.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.version: int | None = None
        self.by_id: dict[str, matcher.Candidate] = {}
        self.shared = Shared()
        self.expired_by_day: dict[date, frozenset[str]] = {}
        self.lock = threading.Lock()

    def sync(self, session: Session) -> int:
        """Read the catalogue version; when it has moved on, forget what changed since."""
        connection = session.connection()
        now, pruned_through = version.state(connection)
        with self.lock:
            before = self.version
        if now == before:
            return now
        changed = (version.changed_between(connection, before, now)
                   if before is not None and pruned_through <= before < now else None)
        with self.lock:
            if self.version != before:
                return now  # another thread got here first
            if changed is None:
                self.by_id, self.shared = {}, Shared()
            else:
                self.by_id = {i: c for i, c in self.by_id.items() if i not in changed}
                if len(self.shared) > 2 * len(self.by_id) + 10_000:
                    self.shared = Shared()  # mostly copies of what changed: start afresh
            self.expired_by_day, self.version = {}, now
        return now

    def prewarm(self, session: Session, verified_since: date | None = None) -> int:
        """Read every active service's facts (up to the limit) into the cache; returns how many.

        With verified_since, listings last verified before that day are left out: no match
        for that day or later can suggest them (a match for an earlier day reads them when
        it needs them).
        """
        now = self.sync(session)
        chosen = Service.status == ServiceStatus.ACTIVE
        if verified_since is not None:
            chosen = sa.and_(chosen, sa.or_(Service.last_verified.is_(None),
                                            Service.last_verified >= verified_since))
        ids = list(session.scalars(
            sa.select(Service.id).where(chosen).order_by(Service.id).limit(self.limit)))
        fresh: dict[str, matcher.Candidate] = {}
        # A few thousand at a time: each batch's rows and facts are garbage before the next
        # is read, so the memory they took is reused rather than left behind the candidates.
        for start in range(0, len(ids), PREWARM_BATCH):
            fresh.update((f.public_id, to_candidate(f, self.shared))
                         for f in load_facts(session, ids[start : start + PREWARM_BATCH]))
        with self.lock:
            if self.version == now:
                self.by_id.update(fresh)
        return len(fresh)

    def _keep_to_limit(self) -> None:
        """Forget the longest-kept candidates past the limit (called holding the lock).

        Rather than everything: emptying the cache whenever a catalogue larger than the limit
        pushed it over meant that every match after the first read nearly all its candidates
        from the database again, pre-loaded ones included.
        """
        excess = len(self.by_id) - self.limit
        if excess > 0:
            for public_id in list(itertools.islice(self.by_id, excess)):
                del self.by_id[public_id]

    def expired(self, session: Session, now: int, verified_since: date) -> frozenset[str]:
        """Public ids of the services last verified before verified_since."""
        with self.lock:
            found = self.expired_by_day.get(verified_since)
        if found is not None:
            return found
        found = frozenset(session.scalars(
            sa.select(Service.public_id).where(Service.last_verified < verified_since)
        ))
        with self.lock:
            if self.version == now:
                if len(self.expired_by_day) > 8:
                    self.expired_by_day.clear()
                self.expired_by_day[verified_since] = found
        return found

    def get(self, session: Session, now: int, public_ids: Sequence[str]) -> list[matcher.Candidate]:
        """The candidates for these public ids (unknown ones left out), ordered by id."""
        by_id = self.by_id
        # Read the ones kept before any are forgotten (here or in another thread).
        kept = {i: c for i in public_ids if (c := by_id.get(i)) is not None}
        missing = [i for i in public_ids if i not in kept]
        fresh: dict[str, matcher.Candidate] = {}
        if missing:
            chosen: IdSource = sa.select(Service.id).where(  # type: ignore[assignment]
                Service.public_id.in_(missing))
            fresh = {f.public_id: to_candidate(f, self.shared) for f in load_facts(session, chosen)}
            with self.lock:
                if self.version == now:
                    self.by_id.update(fresh)
                    self._keep_to_limit()
        found = [kept.get(i) or fresh.get(i) for i in sorted(set(public_ids))]
        return [c for c in found if c is not None]


# Where one thing the person said ends and the next begins.
_CLAUSE = re.compile(r"[;:,.!?()\n]+")
CLAUSE_WORDS = 8  # a longer clause is read a few words at a time (search reads at most 12)


def said_scores(
    searcher: Searcher, text: str, synonyms: query.Synonyms
) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, relevance of the person's words), each clause read as search reads a query
    (stemming, the lay synonyms, spelling), scaled so its best match scores 1, and the
    clauses added up: each thing they said counts alike, however many words it took.

    The words are a note of a conversation, not a search: everything they said counts (not
    only the first dozen words), and a clause no service matches in full is read word by
    word (search's any-word fallback) rather than silenced by a phrase another clause found.
    What a text comes to is kept with the index generation's facts (the last SAID_KEPT
    texts), since Link Workers match the same person again as they adjust a profile.
    """
    columns = indexed.facts_of(searcher).columns
    key = (text, id(synonyms))
    with columns.lock:
        found = columns.said.get(key)
        if found is not None:
            columns.said.move_to_end(key)
            return found
    total = np.zeros(columns.size, dtype=np.float64)
    seen = np.zeros(columns.size, dtype=bool)
    for clause in _CLAUSE.split(text):
        words = clause.split()
        for at in range(0, len(words), CLAUSE_WORDS):
            part = " ".join(words[at : at + CLAUSE_WORDS])
            matched = query.match_text(searcher, part, synonyms)
            top = float(matched.values.max()) if matched.values.size else 0.0
            if top > 0:
                total[matched.docs] += matched.values / top
                seen[matched.docs] = True
    docs = np.flatnonzero(seen)
    found = (docs, total[docs])
    with columns.lock:
        columns.said[key] = found
        while len(columns.said) > SAID_KEPT:
            columns.said.popitem(last=False)
    return found


class TextScores:
    """0..1 relevance of the person's own words for every live service that matches them.

    From the search index, with the lay-language synonyms; scores stay keyed by document
    number, and only the services a match reads are turned into public ids.
    """

    def __init__(self, searcher: Searcher, text: str, synonyms: query.Synonyms) -> None:
        self.facts = indexed.facts_of(searcher)
        columns = self.facts.columns
        docs, values = said_scores(searcher, text, synonyms)
        live = columns.live[docs]
        self.docs, self.values = docs[live], values[live]
        self.top = (float(self.values.max()) if self.values.size else 0.0) or 1.0

    def best(self, count: int, leave_out: frozenset[str] = frozenset()) -> list[str]:
        """Public ids of the count best-scoring services (ties to the larger id)."""
        columns, ids = self.facts.columns, self.facts.ids
        docs, values = self.docs, self.values / self.top
        if leave_out:
            kept = ~left_out_mask(self.facts, leave_out)[docs]
            docs, values = docs[kept], values[kept]
        chosen = indexed.top_k([-values, -columns.id_rank[docs]], count)
        return [ids[d] for d in docs[chosen].tolist()]

    def for_ids(self, public_ids: Iterable[str]) -> dict[str, float]:
        """public id -> 0..1 relevance (0.0 for services the words do not match)."""
        docnum = self.facts.docnum_of
        wanted = list(public_ids)
        # Only the documents asked about are looked up (docs is in document order), rather
        # than every document the words match being turned into a dictionary.
        asked = np.array([docnum.get(i, -1) for i in wanted], dtype=np.int64)
        at = np.searchsorted(self.docs, asked)
        inside = at < self.docs.size
        hit = np.zeros(asked.size, dtype=bool)
        hit[inside] = self.docs[at[inside]] == asked[inside]
        found = iter(self.values[at[hit]].tolist())
        top = self.top
        return {i: next(found) / top if h else 0.0
                for i, h in zip(wanted, hit.tolist(), strict=True)}


def indexed_candidates(
    searcher: Searcher,
    profile: matcher.Profile,
    vocab: matcher.Vocabulary,
    text_ids: Sequence[str],
    leave_out: frozenset[str] = frozenset(),
) -> list[str]:
    """The same choice as candidate_ids, made from the search index in memory (public ids).

    Goal and condition terms come from the index's stored facts (as arrays), venues within
    reach from its grid of venues, remote reach from its facts. The index follows the
    database within moments of a commit; every rule is then checked on facts read from the
    database, so a moment's lag can cost a suggestion but never break a rule. Services in
    leave_out (public ids: expired listings) are never chosen.
    """
    facts = indexed.facts_of(searcher)
    columns = facts.columns
    goals = [vocab.goals[g] for g in sorted(profile.goals) if g in vocab.goals]
    wanted = frozenset(
        [f"category:{c}" for g in goals for c in g.serves]
        + [f"activity:{a}" for g in goals for a in g.activities]
        + [f"condition:{c}" for c in profile.conditions]
    )
    if not wanted:
        return sorted(set(text_ids))
    ids = facts.ids
    # How many of the wanted terms each document has; none for inactive or left-out ones.
    fit = np.zeros(columns.size, dtype=np.int32)
    for term in sorted(wanted):
        fit[columns.term(term)] += 1
    fit[~columns.active] = 0
    if leave_out:
        fit[left_out_mask(facts, leave_out)] = 0
    chosen: list[int] = []
    if profile.origin is not None:
        reach = profile.max_distance_km + margin_km(profile.max_distance_km)
        docs, km = columns.near((profile.origin.lat, profile.origin.lon), reach)
        has = fit[docs] > 0
        docs, km = docs[has], km[has]
        near = dict(zip(docs.tolist(), km.tolist(), strict=True))
        local = dict(zip(docs.tolist(), fit[docs].tolist(), strict=True))
        chosen += _best_fit(local, LOCAL_CAP, lambda d: (near[d], ids[d]))
    remote_mask = _remote_mask(facts, (profile.outward_code or "").upper())
    remote_docs = np.flatnonzero(remote_mask & (fit > 0))
    remote = dict(zip(remote_docs.tolist(), fit[remote_docs].tolist(), strict=True))
    chosen += _best_fit(remote, REMOTE_CAP, lambda d: ids[d])
    return sorted({ids[d] for d in chosen} | set(text_ids))


# Masks over one index generation's documents, worked out once rather than per match: the
# listings left out (expired ones, a set kept per day by CandidateCache) and the remote
# services reaching a postcode district. Entries hold the objects they were made from, so an
# id is never mistaken for a later object's.
_MASKS: OrderedDict[tuple[int, int, str], tuple[Any, Any, np.ndarray]] = OrderedDict()
_MASKS_KEPT = 64
_masks_lock = threading.Lock()


def _kept_mask(facts: indexed.Facts, of: Any, name: str,
               make: Callable[[], np.ndarray]) -> np.ndarray:
    key = (id(facts), id(of), name)
    with _masks_lock:
        found = _MASKS.get(key)
        if found is not None and found[0] is facts and found[1] is of:
            _MASKS.move_to_end(key)
            return found[2]
    mask = make()
    with _masks_lock:
        _MASKS[key] = (facts, of, mask)
        while len(_MASKS) > _MASKS_KEPT:
            _MASKS.popitem(last=False)
    return mask


def left_out_mask(facts: indexed.Facts, leave_out: frozenset[str]) -> np.ndarray:
    """A mask over facts' documents, true at the services in leave_out (public ids)."""
    def make() -> np.ndarray:
        gone = facts.docnums(leave_out)
        return facts.columns.mask(np.fromiter(gone, dtype=np.int64, count=len(gone)))
    return _kept_mask(facts, leave_out, "", make)


def _remote_mask(facts: indexed.Facts, outward: str) -> np.ndarray:
    """Services taking part without travel: online or by phone, or visiting outward at home."""
    def make() -> np.ndarray:
        covering = [d for d, areas in facts.coverage.items() if outward and outward in areas]
        return facts.columns.anywhere | facts.columns.mask(np.array(covering, dtype=np.int64))
    return _kept_mask(facts, None, outward, make)


def _best_fit(fit: dict[int, int], cap: int, then: Callable[[int], Any]) -> list[int]:
    """The cap documents with the highest fit, ties going to the smallest then(docnum); the
    same ones as heapq.nsmallest(cap, fit, key=(-fit, then)), in no particular order."""
    if len(fit) <= cap:
        return list(fit)
    by_fit: dict[int, list[int]] = {}
    for d, n in fit.items():
        by_fit.setdefault(n, []).append(d)
    chosen: list[int] = []
    for n in sorted(by_fit, reverse=True):
        group = by_fit[n]
        if len(chosen) + len(group) > cap:
            return chosen + heapq.nsmallest(cap - len(chosen), group, key=then)
        chosen += group
    return chosen


def candidate_cache(app: Flask) -> CandidateCache:
    found = app.extensions.get("candidate_cache")
    if found is None:
        kept = int(app.config.get("MATCH_CANDIDATES_KEPT", 200_000))
        found = app.extensions.setdefault("candidate_cache", CandidateCache(kept))
    return found  # type: ignore[no-any-return]


def prewarm(app: Flask) -> int:
    """Fill this process's candidate cache with the listings today's matches can use (the
    server does this before its workers start)."""
    with app.app_context():  # today is the app's (its TODAY setting, if any)
        since = freshness.expired_before(freshness.today())
    with app.extensions["db"].sessions() as session:
        return candidate_cache(app).prewarm(session, since)


def run_match(app: Flask, session: Session, profile: matcher.Profile,
              today: date) -> matcher.MatchResult:
    """Generate candidates for this person and let the matcher rank them.

    A listing last verified more than twelve months before today is not a candidate
    (directory.freshness), whichever way candidates are found.
    """
    vocab = app.extensions["vocabulary"].for_matcher
    cache = candidate_cache(app)
    now = cache.sync(session)
    since = freshness.expired_before(today)
    try:
        searcher = search.live_searcher(app)
    except search.IndexMissing:  # no index: the same choice in SQL, slower on big catalogues
        searcher = None
    if searcher is not None:
        expired = cache.expired(session, now, since)
        # What the person said they don't want is not searched for (the matcher weighs it).
        wanted = matcher.wanted_words(profile.text)
        words = TextScores(searcher, wanted, search.current_synonyms(app)) \
            if wanted.strip() else None
        best_words = words.best(TEXT_CAP, expired) if words is not None else []
        public_ids = indexed_candidates(searcher, profile, vocab, best_words, expired)
    else:
        words = None
        ids = candidate_ids(session, profile, vocab, (), since)
        public_ids = list(session.scalars(sa.select(Service.public_id).where(Service.id.in_(ids))))
    # The index may lag the database by a moment: the facts just read decide.
    # As freshness.is_expired, with the cut-off day worked out once.
    candidates = [c for c in cache.get(session, now, public_ids)
                  if c.last_verified is None or c.last_verified >= since]
    scores = None if words is None else words.for_ids(c.id for c in candidates)
    result = matcher.match(profile, candidates, vocab, today, scores)
    insights.record_match(app, profile, result, candidates, today)  # anonymous counts; never raises
    return result
