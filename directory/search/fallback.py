"""A plain search in SQL, for when the whoosh index is missing or damaged.

The results pages use it until `directory reindex` has rebuilt the index, so people still
find services: every word must appear (as typed, or a simple stem of it) in the service's
name, description or organisation; the vocabulary filters, days, parts of the day and
distance work as in the real search. What it cannot do: typo correction, lay synonyms
("bad chest"), relevance ranking (results are in name order, or by distance from a place)
and the "next session" sort. It is slower than the index on large catalogues (a scan of
every active service) and meant only to tide a directory over.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import time

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh.analysis import STOP_WORDS

from ..models import (
    CoverageArea,
    Location,
    Organization,
    Service,
    Taxonomy,
    Term,
    WeeklySession,
    location_terms,
    service_locations,
    service_terms,
)
from .query import FILLER, MAX_QUERY_CHARS, MAX_TOKENS, Filters, Hit, SearchPage

MESSAGE = ("Search is being rebuilt, so these results come from a simpler search: it needs "
           "your words spelled as the services spell them, and does not rank by relevance.")
REMOTE = ("online", "telephone")  # never excluded by distance
HOME_VISIT = "home-visit"  # only where it covers the person's postcode district
NOON, FIVE_PM = time(12, 0), time(17, 0)


def words(text: str) -> list[str]:
    """The words worth looking for, each cut to a simple stem ('walking' -> 'walk')."""
    found = re.findall(r"[a-z0-9]+", text[:MAX_QUERY_CHARS].lower())
    kept = [_stem(w) for w in found if w not in STOP_WORDS and w not in FILLER]
    return list(dict.fromkeys(w for w in kept if len(w) > 1))[:MAX_TOKENS]


def _stem(word: str) -> str:
    for ending in ("ing", "ers", "er", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def search(
    session: Session,
    text: str,
    filters: Filters,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """One page of services matching text and filters, from the database alone."""
    wanted = words(text or "")
    base = _filtered(filters)
    rows: Sequence[sa.Row[int, str, str]]
    any_word = False
    if wanted:
        rows = session.execute(base.where(*(_has_word(w) for w in wanted))).all()
        if not rows and len(wanted) > 1:  # as the index does: no service has every word
            rows = session.execute(base.where(sa.or_(*(_has_word(w) for w in wanted)))).all()
            any_word = bool(rows)
    else:  # nothing but filler words ("groups near me"): every service, as the index does
        rows = session.execute(base).all()
    ids = [row.id for row in rows]
    remote = _with_terms(session, ids, REMOTE)
    distance: dict[int, float] = {}
    if filters.origin is not None:
        distance = _distances(session, ids, filters.origin)
        if filters.within_km is not None:
            visiting = _visiting(session, ids, filters.outward_code)
            rows = [r for r in rows if distance.get(r.id, math.inf) <= filters.within_km
                    or r.id in remote or r.id in visiting]
    if filters.origin is not None and sort in ("relevance", "distance"):
        rows = sorted(rows, key=lambda r: (distance.get(r.id, math.inf), r.name.lower(), r.id))
    else:
        rows = sorted(rows, key=lambda r: (r.name.lower(), r.id))
    first = (max(page, 1) - 1) * per_page
    hits = [
        Hit(id=r.public_id, name=r.name, score=0.0,
            distance_km=round(distance[r.id], 2) if r.id in distance else None,
            remote=r.id in remote, next_session=None)
        for r in rows[first : first + per_page]
    ]
    return SearchPage(hits, len(rows), page, per_page, wanted, {}, any_word and bool(rows))


def _filtered(filters: Filters) -> sa.Select[int, str, str]:
    query = (
        sa.select(Service.id, Service.public_id, Service.name)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.status.in_(filters.statuses))
    )
    for taxonomy, codes in ((Taxonomy.CATEGORY, filters.categories),
                            (Taxonomy.ACTIVITY, filters.activities),
                            (Taxonomy.CONDITION, filters.conditions)):
        if codes:
            query = query.where(Service.id.in_(_services_with(taxonomy, codes)))
    for code in filters.access:  # every one must hold, on the service or one of its venues
        query = query.where(sa.or_(
            Service.id.in_(_services_with(Taxonomy.ACCESS, (code,))),
            Service.id.in_(_services_at_venues_with(code)),
        ))
    if filters.days:
        query = query.where(Service.id.in_(
            sa.select(WeeklySession.service_id).where(WeeklySession.day.in_(filters.days))))
    if filters.parts:
        query = query.where(Service.id.in_(
            sa.select(WeeklySession.service_id).where(sa.or_(*map(_part, filters.parts)))))
    if filters.organization_id:
        query = query.where(Organization.public_id == filters.organization_id)
    return query


def _has_word(word: str) -> sa.ColumnElement[bool]:
    pattern = f"%{word}%"  # words are letters and digits only: nothing to escape
    return sa.or_(Service.name.ilike(pattern), Service.description.ilike(pattern),
                  Organization.name.ilike(pattern))


def _services_with(taxonomy: Taxonomy, codes: Iterable[str]) -> sa.Select[int]:
    return (sa.select(service_terms.c.service_id)
            .join(Term, Term.id == service_terms.c.term_id)
            .where(Term.taxonomy == taxonomy, Term.code.in_(list(codes))))


def _services_at_venues_with(code: str) -> sa.Select[int]:
    return (sa.select(service_locations.c.service_id)
            .join(location_terms, location_terms.c.location_id == service_locations.c.location_id)
            .join(Term, Term.id == location_terms.c.term_id)
            .where(Term.taxonomy == Taxonomy.ACCESS, Term.code == code))


def _part(part: str) -> sa.ColumnElement[bool]:
    if part == "weekend":
        return WeeklySession.day.in_(("sat", "sun"))
    if part == "morning":
        return WeeklySession.starts_at < NOON
    if part == "afternoon":
        return sa.and_(WeeklySession.starts_at >= NOON, WeeklySession.starts_at < FIVE_PM)
    return WeeklySession.starts_at >= FIVE_PM  # evening


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _with_terms(session: Session, ids: list[int], codes: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(session.scalars(
            _services_with(Taxonomy.ACCESS, codes).where(service_terms.c.service_id.in_(chunk))))
    return found


def _visiting(session: Session, ids: list[int], outward_code: str | None) -> set[int]:
    """Services that make home visits in this postcode district."""
    if not outward_code:
        return set()
    covering = sa.select(CoverageArea.service_id).where(
        CoverageArea.outward_code == outward_code.upper())
    return _with_terms(session, ids, (HOME_VISIT,)) & set(session.scalars(covering))


def _distances(session: Session, ids: list[int], origin: tuple[float, float]) -> dict[int, float]:
    """Service id -> km from origin to its nearest venue with a position."""
    nearest: dict[int, float] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            sa.select(service_locations.c.service_id, Location.latitude, Location.longitude)
            .join(Location, Location.id == service_locations.c.location_id)
            .where(service_locations.c.service_id.in_(chunk),
                   Location.latitude.is_not(None), Location.longitude.is_not(None)))
        for service_id, lat, lon in rows:
            km = _haversine_km(origin, (lat, lon))
            if km < nearest.get(service_id, math.inf):
                nearest[service_id] = km
    return nearest


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
