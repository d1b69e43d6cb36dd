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
from collections.abc import Iterable
from datetime import time

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh.analysis import STOP_WORDS

from .. import models as m
from ..models import Taxonomy
from ..service_facts import Parts, ServiceFacts, load_facts
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
    ids: list[int]
    any_word = False
    if wanted:
        ids = list(session.scalars(base.where(*(_has_word(w) for w in wanted))))
        if not ids and len(wanted) > 1:  # as the index does: no service has every word
            ids = list(session.scalars(base.where(sa.or_(*(_has_word(w) for w in wanted)))))
            any_word = bool(ids)
    else:  # nothing but filler words ("groups near me"): every service, as the index does
        ids = list(session.scalars(base))
    # What the hits show, and distance needs, from the read model: a place needs each
    # service's venues, access terms and districts; otherwise its name is enough.
    near = filters.origin is not None
    found = load_facts(session, ids, Parts.TERMS | Parts.VENUES | Parts.EXTRAS if near
                       else Parts.TERMS)
    distance: dict[int, float] = {}
    if filters.origin is not None:
        distance = {f.id: km for f in found
                    if (km := _nearest_km(f, filters.origin)) is not None}
        if filters.within_km is not None:
            found = [f for f in found if distance.get(f.id, math.inf) <= filters.within_km
                     or _remote(f) or _visits(f, filters.outward_code)]
    if filters.origin is not None and sort in ("relevance", "distance"):
        found.sort(key=lambda f: (distance.get(f.id, math.inf), f.name.lower(), f.id))
    else:
        found.sort(key=lambda f: (f.name.lower(), f.id))
    first = (max(page, 1) - 1) * per_page
    hits = [
        Hit(id=f.public_id, name=f.name, score=0.0,
            distance_km=round(distance[f.id], 2) if f.id in distance else None,
            remote=_remote(f), next_session=None)
        for f in found[first : first + per_page]
    ]
    return SearchPage(hits, len(found), page, per_page, wanted, {}, any_word and bool(found))


def _filtered(filters: Filters) -> sa.Select[int]:
    query = (
        sa.select(m.Service.id)
        .join(m.Organization, m.Organization.id == m.Service.organization_id)
        .where(m.Service.status.in_(filters.statuses))
    )
    for taxonomy, codes in ((Taxonomy.CATEGORY, filters.categories),
                            (Taxonomy.ACTIVITY, filters.activities),
                            (Taxonomy.CONDITION, filters.conditions)):
        if codes:
            query = query.where(m.Service.id.in_(_services_with(taxonomy, codes)))
    for code in filters.access:  # every one must hold, on the service or one of its venues
        query = query.where(sa.or_(
            m.Service.id.in_(_services_with(Taxonomy.ACCESS, (code,))),
            m.Service.id.in_(_services_at_venues_with(code)),
        ))
    if filters.days:
        query = query.where(m.Service.id.in_(
            sa.select(m.WeeklySession.service_id).where(m.WeeklySession.day.in_(filters.days))))
    if filters.parts:
        query = query.where(m.Service.id.in_(
            sa.select(m.WeeklySession.service_id).where(sa.or_(*map(_part, filters.parts)))))
    if filters.organization_id:
        query = query.where(m.Organization.public_id == filters.organization_id)
    return query


def _has_word(word: str) -> sa.ColumnElement[bool]:
    pattern = f"%{word}%"  # words are letters and digits only: nothing to escape
    return sa.or_(m.Service.name.ilike(pattern), m.Service.description.ilike(pattern),
                  m.Organization.name.ilike(pattern))


def _services_with(taxonomy: Taxonomy, codes: Iterable[str]) -> sa.Select[int]:
    return (sa.select(m.service_terms.c.service_id)
            .join(m.Term, m.Term.id == m.service_terms.c.term_id)
            .where(m.Term.taxonomy == taxonomy, m.Term.code.in_(list(codes))))


def _services_at_venues_with(code: str) -> sa.Select[int]:
    return (sa.select(m.service_locations.c.service_id)
            .join(m.location_terms,
                  m.location_terms.c.location_id == m.service_locations.c.location_id)
            .join(m.Term, m.Term.id == m.location_terms.c.term_id)
            .where(m.Term.taxonomy == Taxonomy.ACCESS, m.Term.code == code))


def _part(part: str) -> sa.ColumnElement[bool]:
    if part == "weekend":
        return m.WeeklySession.day.in_(("sat", "sun"))
    if part == "morning":
        return m.WeeklySession.starts_at < NOON
    if part == "afternoon":
        return sa.and_(m.WeeklySession.starts_at >= NOON, m.WeeklySession.starts_at < FIVE_PM)
    return m.WeeklySession.starts_at >= FIVE_PM  # evening


def _remote(facts: ServiceFacts) -> bool:
    return any(code in REMOTE for code in facts.codes(Taxonomy.ACCESS))


def _visits(facts: ServiceFacts, outward_code: str | None) -> bool:
    """Whether the service makes home visits in this postcode district."""
    return (bool(outward_code) and HOME_VISIT in facts.codes(Taxonomy.ACCESS)
            and (outward_code or "").upper() in facts.coverage)


def _nearest_km(facts: ServiceFacts, origin: tuple[float, float]) -> float | None:
    """km from origin to the service's nearest venue with a position, or None."""
    return min((_haversine_km(origin, (v.latitude, v.longitude))  # type: ignore[arg-type]
                for v in facts.locations if v.has_coordinates), default=None)


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
