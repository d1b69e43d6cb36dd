"""Searching the index: lay words, synonyms and typos in; ranked, filtered service ids out.

Text, vocabulary filters and days run as whoosh queries. Distance and part of day are
decided from per-segment tables of stored facts (venue points, sessions), built once per
index segment and reused by every search, so a distance filter costs a bisect, not a
rebuilt numeric range.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from whoosh import query as Q
from whoosh.analysis import StemmingAnalyzer
from whoosh.searching import Searcher

TEXT_FIELDS = ("name", "activities", "topics", "organization", "description", "places")
MAX_QUERY_CHARS = 200
MAX_TOKENS = 12
EARTH_KM = 6371.0088
PARTS = {
    # part of day -> (first start minute, last start minute); weekend is by day instead
    "morning": (0, 12 * 60 - 1),
    "afternoon": (12 * 60, 17 * 60 - 1),
    "evening": (17 * 60, 24 * 60),
}
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_analyzer = StemmingAnalyzer()


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    access: tuple[str, ...] = ()  # every one must hold
    days: tuple[str, ...] = ()  # any of
    parts: tuple[str, ...] = ()  # any of: morning, afternoon, evening, weekend
    origin: tuple[float, float] | None = None
    within_km: float | None = None
    statuses: tuple[str, ...] = ("active",)
    organization_id: str | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    name: str
    score: float
    distance_km: float | None
    remote: bool
    next_session: datetime | None


@dataclass
class SearchPage:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    words: list[str] = field(default_factory=list)  # the query words actually searched
    corrections: dict[str, str] = field(default_factory=dict)  # typo -> word searched instead

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# --- synonyms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """Lay words and phrases -> vocabulary ids, from seed_data/synonyms.yaml."""

    phrases: Mapping[str, frozenset[str]]

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any]]) -> Synonyms:
        table: dict[str, set[str]] = {}
        for entry in entries:
            for phrase in entry["say"]:
                table.setdefault(" ".join(phrase.lower().split()), set()).update(entry["means"])
        return cls({k: frozenset(v) for k, v in table.items()})

    def find(self, text: str) -> tuple[set[str], set[str]]:
        """(vocabulary ids meant, words covered) for every known phrase in text."""
        words = re.findall(r"[a-z0-9']+", text.lower())
        ids: set[str] = set()
        covered: set[str] = set()
        for size in (4, 3, 2, 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if phrase in self.phrases:
                    ids |= self.phrases[phrase]
                    covered.update(words[start : start + size])
        return ids, covered


NO_SYNONYMS = Synonyms({})


# --- per-segment facts ----------------------------------------------------------------------


@dataclass
class _SegmentFacts:
    remote: set[int]  # local docnums of remote services
    by_lat: list[float]  # venue latitudes, sorted
    entries: list[tuple[float, float, int]]  # (lat, lon, local docnum) in the same order
    sessions: dict[int, list[tuple[int, int, int]]]  # local docnum -> (day, start, end)
    names: dict[int, str]  # local docnum -> lowercased name, for stable alphabetical ties


_facts_cache: dict[str, _SegmentFacts] = {}
_facts_lock = threading.Lock()


def _segment_readers(searcher: Searcher) -> list[tuple[Any, int]]:
    reader = searcher.reader()
    if hasattr(reader, "readers"):
        return list(zip(reader.readers, reader.doc_offsets, strict=True))
    return [(reader, 0)]


def _facts(reader: Any) -> _SegmentFacts:
    key = reader.segment().segment_id()
    with _facts_lock:
        found = _facts_cache.get(key)
    if found is not None:
        return found
    remote: set[int] = set()
    points: list[tuple[float, float, int]] = []
    sessions: dict[int, list[tuple[int, int, int]]] = {}
    names: dict[int, str] = {}
    for docnum in range(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        names[docnum] = str(stored.get("name", "")).lower()
        extra = stored.get("extra") or {}
        if extra.get("remote"):
            remote.add(docnum)
        for lat, lon in extra.get("points", ()):
            points.append((lat, lon, docnum))
        if extra.get("sessions"):
            sessions[docnum] = [tuple(s) for s in extra["sessions"]]  # type: ignore[misc]
    points.sort()
    facts = _SegmentFacts(remote, [p[0] for p in points], points, sessions, names)
    with _facts_lock:
        if len(_facts_cache) > 256:
            _facts_cache.clear()
        _facts_cache[key] = facts
    return facts


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def _distances(searcher: Searcher, origin: tuple[float, float], limit_km: float | None) -> tuple[dict[int, float], set[int]]:
    """(global docnum -> nearest venue km within limit, remote global docnums)."""
    near: dict[int, float] = {}
    remote: set[int] = set()
    band = (limit_km if limit_km is not None else 20000.0) / 111.0
    for reader, offset in _segment_readers(searcher):
        facts = _facts(reader)
        remote.update(offset + d for d in facts.remote)
        lo = bisect.bisect_left(facts.by_lat, origin[0] - band)
        hi = bisect.bisect_right(facts.by_lat, origin[0] + band)
        for lat, lon, docnum in facts.entries[lo:hi]:
            km = haversine_km(origin, (lat, lon))
            if limit_km is None or km <= limit_km:
                key = offset + docnum
                if key not in near or km < near[key]:
                    near[key] = km
    return near, remote


def _part_matches(searcher: Searcher, parts: Sequence[str]) -> set[int]:
    wanted: set[int] = set()
    for reader, offset in _segment_readers(searcher):
        for docnum, sessions in _facts(reader).sessions.items():
            for day, start, _end in sessions:
                if ("weekend" in parts and day >= 5) or any(
                    p in PARTS and PARTS[p][0] <= start <= PARTS[p][1] for p in parts
                ):
                    wanted.add(offset + docnum)
                    break
    return wanted


def next_session(sessions: Sequence[Sequence[int]], now: datetime) -> datetime | None:
    """The next start on or after now of weekly sessions given as (day, start, end) minutes."""
    best: datetime | None = None
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for day, start, _end in sessions:
        ahead = (day - now.weekday()) % 7
        when = today + timedelta(days=ahead, minutes=start)
        if when < now:
            when += timedelta(days=7)
        if best is None or when < best:
            best = when
    return best


# --- the query ------------------------------------------------------------------------------


def words_of(text: str) -> list[str]:
    """Stemmed, stopword-free words of the user's text (no query syntax is honoured)."""
    text = text[:MAX_QUERY_CHARS]
    return list(dict.fromkeys(t.text for t in _analyzer(text)))[:MAX_TOKENS]


def build_text_query(
    searcher: Searcher, text: str, synonyms: Synonyms
) -> tuple[Q.Query | None, Q.Query | None, list[str], dict[str, str]]:
    """(all-words query, any-word query) for free text, typo-tolerant, with synonym terms.

    Each word matches in any text field, or through a synonym it belongs to; a phrase such
    as "on my own" adds its vocabulary terms as a boosted alternative.
    """
    reader = searcher.reader()
    searched: list[str] = []
    corrections: dict[str, str] = {}
    clauses: list[Q.Query] = []
    for raw in _plain_words(text):
        meant, _ = synonyms.find(raw)
        options: list[Q.Query] = [_vocab_terms(meant)] if meant else []
        word = _stem(raw)
        if word and any(reader.frequency(f, word) for f in TEXT_FIELDS):
            options.append(Q.Or([Q.Term(f, word) for f in TEXT_FIELDS]))
            searched.append(word)
        elif word and not meant and 4 <= len(raw) <= 20:
            suggestion = _correct(searcher, word)
            if suggestion is not None:
                corrections[raw] = suggestion
                options.append(Q.Or([Q.Term(f, suggestion) for f in TEXT_FIELDS]))
                searched.append(suggestion)
        if options:
            clauses.append(Q.Or(options))
        elif word and raw not in FILLER:
            clauses.append(Q.NullQuery)  # an unknown word: nothing can match all words
    phrase_meant, _ = synonyms.find(text[:MAX_QUERY_CHARS])
    phrase = _vocab_terms(phrase_meant) if phrase_meant else None
    real = [c for c in clauses if c is not Q.NullQuery]
    if not real and phrase is None:
        return None, None, searched, corrections
    every = Q.And(clauses) if clauses and len(real) == len(clauses) else None
    if every is not None and phrase is not None:
        every = Q.Or([every, phrase])
    elif every is None and phrase is not None and not real:
        every = phrase
    anyword = Q.Or(real + ([phrase] if phrase is not None else []))
    return every, anyword, searched, corrections


# Words that say nothing about what someone wants from a directory.
FILLER = frozenset({"group", "groups", "club", "clubs", "class", "classes", "session", "sessions",
                    "near", "nearby", "local", "me", "my", "place", "something", "somewhere",
                    "service", "services", "help", "support", "want", "looking", "find", "free"})


def _plain_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9']+", text[:MAX_QUERY_CHARS].lower())
    return list(dict.fromkeys(w.strip("'") for w in words if w.strip("'")))[:MAX_TOKENS]


def _stem(word: str) -> str | None:
    tokens = [t.text for t in _analyzer(word)]
    return tokens[0] if tokens else None


def _vocab_terms(codes: Iterable[str]) -> Q.Query:
    return Q.Or(
        [Q.Term(f, code) for code in sorted(codes) for f in ("activity", "condition", "category", "access")],
        boost=2.0,
    )


def _correct(searcher: Searcher, word: str) -> str | None:
    """The closest indexed word within one or two edits, preferring names and activities."""
    for fieldname in ("activities", "name", "description", "topics"):
        found = searcher.corrector(fieldname).suggest(word, limit=1, maxdist=2 if len(word) > 5 else 1)
        if found:
            return str(found[0])
    return None


def _filter_query(filters: Filters) -> Q.Query:
    parts: list[Q.Query] = [Q.Or([Q.Term("status", s) for s in filters.statuses])]
    for fieldname, values in (("category", filters.categories), ("activity", filters.activities),
                              ("condition", filters.conditions)):
        if values:
            parts.append(Q.Or([Q.Term(fieldname, v) for v in values]))
    parts.extend(Q.Term("access", a) for a in filters.access)
    if filters.days:
        parts.append(Q.Or([Q.Term("day", d) for d in filters.days]))
    if filters.organization_id:
        parts.append(Q.Term("organization_id", filters.organization_id))
    return Q.And(parts)


def search(
    searcher: Searcher,
    text: str,
    filters: Filters,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    synonyms: Synonyms = NO_SYNONYMS,
    now: datetime | None = None,
) -> SearchPage:
    """One page of services matching text and filters, best first by the chosen sort.

    Only the page's own documents are read from storage; sorting uses scores and the
    per-segment facts tables.
    """
    every, anyword, searched, corrections = build_text_query(searcher, text or "", synonyms)
    if text.strip() and anyword is None:
        return SearchPage([], 0, page, per_page, searched, corrections)
    restrict = _filter_query(filters)
    allowed: set[int] | None = None
    near: dict[int, float] = {}
    if filters.origin is not None:
        near, remote = _distances(searcher, filters.origin, filters.within_km)
        if filters.within_km is not None:
            allowed = set(near) | remote
    if filters.parts:
        by_part = _part_matches(searcher, filters.parts)
        allowed = by_part if allowed is None else allowed & by_part
    scores: dict[int, float] = {}
    for text_query in (every, anyword) if anyword is not None else (None,):
        if text_query is None and anyword is not None:
            continue  # some word matched nothing on its own: only the any-word query can
        query = Q.And([text_query, restrict]) if text_query is not None else restrict
        results = searcher.search(query, limit=None, filter=allowed, scored=text_query is not None)
        scores = {docnum: score or 0.0 for docnum, score in results.items()}
        if scores:
            break  # the all-words query found something; the any-word fallback is not needed
    top = max(scores.values(), default=0.0) or 1.0
    facts = _global_facts(searcher)
    now = now or datetime.now()

    def key(docnum: int) -> tuple[Any, ...]:
        relevance = scores[docnum] / top
        distance = near.get(docnum)
        if distance is None:
            # Remote services come after every venue within reach, before unknown places.
            distance = FAR / 2 if docnum in facts.remote else FAR
        if sort == "distance":
            primary: tuple[float, ...] = (distance, -relevance)
        elif sort == "next":
            upcoming = next_session(facts.sessions.get(docnum, ()), now)
            primary = (upcoming.timestamp() if upcoming else FAR * 10, distance)
        elif filters.origin is not None:
            # relevance, nudged by nearness: 1.0 at the door, 0.5 at 5 km
            nearness = 1.0 / (1.0 + distance / 5.0) if distance < FAR / 2 else 0.0
            if docnum in facts.remote and docnum not in near:
                nearness = 0.5
            primary = (-(relevance * 0.75 + nearness * 0.25),)
        else:
            primary = (-relevance,)
        return (*primary, facts.names.get(docnum, ""), docnum)

    ordered = sorted(scores, key=key)
    first = (max(page, 1) - 1) * per_page
    hits = []
    for docnum in ordered[first : first + per_page]:
        stored = searcher.stored_fields(docnum)
        distance = near.get(docnum)
        if distance is None and filters.origin is not None:
            points = (stored.get("extra") or {}).get("points") or []
            if points:
                distance = min(haversine_km(filters.origin, (p[0], p[1])) for p in points)
        hits.append(Hit(
            id=stored["id"],
            name=stored.get("name", ""),
            score=round(scores[docnum] / top, 4),
            distance_km=None if distance is None else round(distance, 2),
            remote=docnum in facts.remote,
            next_session=next_session(facts.sessions.get(docnum, ()), now),
        ))
    return SearchPage(hits, len(ordered), page, per_page, searched, corrections)


FAR = 1e9


@dataclass
class _GlobalFacts:
    remote: set[int]
    names: dict[int, str]
    sessions: dict[int, list[tuple[int, int, int]]]


def _global_facts(searcher: Searcher) -> _GlobalFacts:
    """The per-segment facts of this searcher, addressed by global document number."""
    remote: set[int] = set()
    names: dict[int, str] = {}
    sessions: dict[int, list[tuple[int, int, int]]] = {}
    readers = _segment_readers(searcher)
    if len(readers) == 1:
        f = _facts(readers[0][0])
        return _GlobalFacts(f.remote, f.names, f.sessions)
    for reader, offset in readers:
        f = _facts(reader)
        remote.update(offset + d for d in f.remote)
        names.update((offset + d, n) for d, n in f.names.items())
        sessions.update((offset + d, v) for d, v in f.sessions.items())
    return _GlobalFacts(remote, names, sessions)
