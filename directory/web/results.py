"""One results page from parsed parameters: place, filters, search, active services, hints.

Used by /search and /categories/<id>, for HTML and for the JSON twin alike.
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer

from .. import browse, freshness, search
from ..geocoding import Geocoder, GeocodingError, Place
from ..models import Service, Taxonomy
from ..search import fallback
from ..service_facts import ServiceFacts
from ..vocabulary import Vocabulary
from . import present
from .params import DAYS, TIMES, WHEN, SearchParams, format_number

log = logging.getLogger(__name__)
PER_PAGE = 10
LOG_EVERY_S = 60.0  # a missing index is logged once a minute per process, not per request
WIDER_KM = (1, 2, 5, 10, 20, 50, 100, 200)
_STEMMER = StemmingAnalyzer()  # the index's analyzer, to turn corrected stems back into words


@dataclass
class ResultsPage:
    params: SearchParams
    category: str | None
    place: Place | None
    results: list[Result]
    total: int
    page: int
    pages: int
    searched_for: str | None = None  # the query after typo corrections, when it changed
    corrections: dict[str, str] = field(default_factory=dict)
    # No service had every word: the words, for "No service mentions all of: ..."
    any_word_of: str | None = None
    active: list[tuple[str, str]] = field(default_factory=list)  # (label, query without it)
    suggestions: list[tuple[str, str]] = field(default_factory=list)  # (link text, query)
    # Set when the index could not be used and the results come from fallback.search.
    search_notice: str | None = None

    @property
    def within_km(self) -> float | None:
        return self.params.distance if self.place is not None else None

    def as_json(self) -> dict[str, Any]:
        p = self.params
        return {
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "per_page": PER_PAGE,
            "query": {
                "q": p.q, "place": p.place, "distance_km": self.within_km,
                "category": [self.category] if self.category else list(p.categories),
                "activity": list(p.activities), "condition": list(p.conditions),
                "access": list(p.access), "day": list(p.days), "time": list(p.times),
                "sort": p.sort,
            },
            "place": None if self.place is None else {
                "label": self.place.label, "latitude": self.place.latitude,
                "longitude": self.place.longitude,
            },
            "searched_for": self.searched_for,
            "corrections": self.corrections,
            "any_word_of": self.any_word_of,
            "errors": p.errors,
            "messages": p.notes,
            "search_notice": self.search_notice,
            "results": [r.as_json() for r in self.results],
        }


@dataclass(frozen=True)
class Result:
    """One search result: what a results page and its JSON twin show."""

    id: str
    name: str
    organization: str
    distance_km: float | None
    remote: bool
    remote_modes: list[str]
    next_session: datetime | None
    cost: str
    access: list[str]
    key_access: list[str]  # labels, most useful first
    venue: str | None = None  # "Benwell Grange Community Centre, Benwell (and 1 more place)"
    last_checked: date | None = None
    stale: bool = False  # not confirmed for six months: "may be out of date"
    # Its first venue with a position, for the map: (name, latitude, longitude).
    point: tuple[str, float, float] | None = None

    @property
    def remote_text(self) -> str:
        """'Online / by phone / home visits', or the ones that apply."""
        words = [m if i == 0 else m.lower() for i, m in enumerate(self.remote_modes)]
        return " / ".join(words) or "Online / by phone / home visits"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "organization": self.organization,
            "distance_km": self.distance_km,
            "remote": self.remote,
            "remote_modes": self.remote_modes,
            "next_session": self.next_session.isoformat() if self.next_session else None,
            "cost": self.cost,
            "access": self.access,
            "venue": self.venue,
            "last_checked": self.last_checked.isoformat() if self.last_checked else None,
            "may_be_out_of_date": self.stale,
        }


def result(service: ServiceFacts, hit: search.Hit, vocab: Vocabulary, now: datetime) -> Result:
    codes = present.access_codes(service)
    return Result(
        id=service.public_id,
        name=service.name,
        organization=service.organization.name,
        distance_km=hit.distance_km,
        remote=bool(hit.remote),
        remote_modes=present.remote_modes(codes),
        # From the rows on a UK clock: the index's next session uses the server's clock.
        next_session=present.next_start(service.sessions, now),
        cost=present.cost_text(service),
        access=codes,
        key_access=[vocab.label("access", c) for c in present.KEY_ACCESS if c in codes][:5],
        venue=venue_text(service),
        last_checked=service.last_verified,
        stale=freshness.is_stale(service.last_verified, freshness.today()),
        point=next(((loc.name, loc.latitude, loc.longitude) for loc in service.locations
                    if loc.latitude is not None and loc.longitude is not None), None),
    )


def saved_result(service: ServiceFacts, vocab: Vocabulary, now: datetime) -> Result:
    """A card for a service on someone's saved list (no search behind it)."""
    hit = search.Hit(id=service.public_id, name=service.name, score=0.0, distance_km=None,
                     remote=bool(present.REMOTE & set(service.codes(Taxonomy.ACCESS))),
                     next_session=None)
    return result(service, hit, vocab, now)


def venue_text(service: ServiceFacts | Service) -> str | None:
    if not service.locations:
        return None
    first = service.locations[0]
    town = first.town if first.town and first.town not in first.name else ""
    text = ", ".join(filter(None, [first.name, town]))
    more = len(service.locations) - 1
    return text + (f" (and {more} more {'place' if more == 1 else 'places'})" if more else "")


def run(session: Session, params: SearchParams, vocab: Vocabulary, geocoder: Geocoder,
        category: str | None = None) -> ResultsPage:
    """Search with params; without a usable index, a simpler search in SQL says so."""
    p = params
    place = _resolve(p, geocoder)
    p.errors = {k: p.errors[k] for k in ("q", "place", "distance") if k in p.errors}  # form order
    if p.sort == "distance" and place is None:
        p.notes.append("To sort by distance, enter a postcode or town.")
        p.sort = "relevance"
    text = p.q
    if text and not _has_words(text):
        p.notes.append(f"We could not find any words to search for in ‘{_short(text)}’, "
                       "so we are showing every service.")
        text = ""
    filters = search.Filters(
        categories=(category,) if category else p.categories,
        activities=p.activities,
        conditions=p.conditions,
        access=p.access,
        days=_days(p),
        parts=p.times,
        origin=(place.latitude, place.longitude) if place else None,
        outward_code=geocoder.outward_of(place) if place else None,
        within_km=p.distance if place else None,
    )
    found, notice = _search(session, text, filters, p)
    if found.total and p.page > found.pages:
        there = "is only 1 page" if found.pages == 1 else f"are only {found.pages} pages"
        p.notes.append(f"There {there} of results, so we are showing the last one.")
        p.page = found.pages
        found, notice = _search(session, text, filters, p)
    rows = _active_rows(session, [hit.id for hit in found.hits])
    now = present.local_now()
    results = [result(rows[h.id], h, vocab, now) for h in found.hits if h.id in rows]
    page = ResultsPage(p, category, place, results, found.total, p.page, found.pages,
                       corrections=dict(found.corrections), search_notice=notice)
    if found.corrections:
        page.searched_for = _corrected(text, found.corrections, vocab)
    if found.any_word:
        page.any_word_of = page.searched_for or text
    page.active = _active_filters(p, place, vocab, category)
    if not found.total:
        page.suggestions = _suggestions(p, place, vocab, category)
    return page


def _active_rows(session: Session, public_ids: list[str]) -> dict[str, ServiceFacts]:
    """public id -> service, for those ids still active, with what a result card shows."""
    return browse.active_service_views(session, public_ids)


def _search(session: Session, text: str, filters: search.Filters,
            p: SearchParams) -> tuple[search.SearchPage, str | None]:
    """The index's answer, or, when the index is missing or damaged, the fallback's and why."""
    try:
        return search.run_search(text, filters, sort=p.sort, page=p.page, per_page=PER_PAGE,
                                 correct=not p.exact), None
    except search.IndexMissing as err:
        _log_index_missing(err)
    found = fallback.search(session, text, filters, sort=p.sort, page=p.page, per_page=PER_PAGE)
    return found, fallback.MESSAGE


_last_logged = 0.0


def _log_index_missing(err: search.IndexMissing) -> None:
    global _last_logged
    if time.monotonic() - _last_logged >= LOG_EVERY_S or not _last_logged:
        _last_logged = time.monotonic()
        log.error("search index unusable, searching the database instead until "
                  "`directory reindex` rebuilds it: %s", err)


# The days of the week in the index's order (Monday first), for "open today" and "this week".
WEEK = tuple(DAYS)


def _days(p: SearchParams) -> tuple[str, ...]:
    """The day filter: the days chosen, narrowed to today or the rest of this week (to Sunday,
    on the app's clock, freshness.today()) when "open today" or "this week" is chosen."""
    if not p.when:
        return p.days
    weekday = freshness.today().weekday()
    wanted = WEEK[weekday:weekday + 1] if p.when == "today" else WEEK[weekday:]
    if not p.days:
        return wanted
    both = tuple(d for d in p.days if d in wanted)
    if not both:
        chosen = ", ".join(DAYS[d] for d in p.days)
        p.notes.append(f"{WHEN[p.when]} does not include {chosen}, so we left the day "
                       f"{'filter' if len(p.days) == 1 else 'filters'} out.")
        return wanted
    return both


def _resolve(p: SearchParams, geocoder: Geocoder) -> Place | None:
    if p.near is not None:  # "near me": the browser's position, used for this search only
        if p.place:
            p.notes.append(f"We searched near your location rather than {p.place}.")
        return Place(p.near[0], p.near[1], "your location", "device")
    if not p.place or "place" in p.errors:
        if p.distance is not None and not p.place:
            p.notes.append("To search within a distance, enter a postcode or town.")
        return None
    try:
        return geocoder.resolve(p.place)
    except GeocodingError as err:
        p.errors["place"] = str(err)
        p.notes.append("We have searched everywhere instead, without a distance.")
        return None


def _has_words(text: str) -> bool:
    """Whether the text has any word worth searching for (not only '"*(' or 'AND')."""
    return any(w not in STOP_WORDS for w in re.findall(r"[a-z0-9]+", text.lower()))


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[:size] + "…"


def _corrected(text: str, corrections: dict[str, str], vocab: Vocabulary) -> str:
    """The text with each typo replaced by a word people would recognise."""
    for typo, stem in corrections.items():
        word = _surface_word(typo, stem, vocab)
        text = re.sub(rf"(?<![\w']){re.escape(typo)}(?![\w'])", word, text, flags=re.I)
    return text


def _surface_word(typo: str, stem: str, vocab: Vocabulary) -> str:
    """The search corrects to index stems ('monei'); show the word it stands for ('money')."""
    words = _words_by_stem(vocab).get(stem)
    if not words:
        return stem
    return difflib.get_close_matches(typo.lower(), sorted(words), n=1, cutoff=0)[0]


def _words_by_stem(vocab: Vocabulary) -> dict[str, set[str]]:
    """stem -> words, from the vocabulary's labels and the synonym table; built once per app."""
    cached = current_app.extensions.get("public.words_by_stem")
    if cached is None:
        text = " ".join(label for section in vocab.labels.values() for label in section.values())
        text += " " + " ".join(getattr(search.current_synonyms(), "phrases", {}))
        cached = {}
        for word in set(re.findall(r"[a-z]+", text.lower())):
            for token in _STEMMER(word):
                cached.setdefault(token.text, set()).add(word)
        current_app.extensions["public.words_by_stem"] = cached
    return cached  # type: ignore[no-any-return]


def _active_filters(p: SearchParams, place: Place | None, vocab: Vocabulary,
                    category: str | None) -> list[tuple[str, str]]:
    active: list[tuple[str, str]] = []
    if place is not None:
        active.append((f"Near {place.label}", p.without("lat" if p.near else "place")))
        if p.distance is not None:
            active.append((f"Within {format_number(p.distance)} km", p.without("distance")))
    if not category:
        active += [(vocab.label("categories", c), p.without("category", c)) for c in p.categories]
    active += [(vocab.label("activities", c), p.without("activity", c)) for c in p.activities]
    active += [(vocab.label("conditions", c), p.without("condition", c)) for c in p.conditions]
    active += [(vocab.label("access", c), p.without("access", c)) for c in p.access]
    active += [(DAYS[d], p.without("day", d)) for d in p.days]
    active += [(TIMES[t], p.without("time", t)) for t in p.times]
    if p.when:
        active.append((WHEN[p.when], p.without("when")))
    return active


def _suggestions(p: SearchParams, place: Place | None, vocab: Vocabulary,
                 category: str | None) -> list[tuple[str, str]]:
    hints: list[tuple[str, str]] = []
    if place is not None and p.distance is not None:
        wider = next((km for km in WIDER_KM if km > p.distance * 1.5), None)
        if wider is not None:
            hints.append((f"Search within {wider} km of {place.label}",
                          p.changed(distance=float(wider), page=1).query_string()))
        hints.append(("Search at any distance", p.without("distance")))
    for label, query in _active_filters(p, place, vocab, category):
        if not label.startswith(("Near ", "Within ")):
            hints.append((f"Remove the filter ‘{label}’", query))
    if p.q:
        hints.append((f"Show every service without the words ‘{_short(p.q)}’", p.without("q")))
    return hints
