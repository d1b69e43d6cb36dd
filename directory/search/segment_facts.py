"""Stored facts of every indexed service, per whoosh segment, and reading posting lists fast.

Distance, part of day, status, names, remote reach and vocabulary terms of every document
are read from stored fields once per segment (segments never change, except for
deletions) and reused by every search and match, so filtering on them costs set
operations rather than a pass over stored documents.

`Facts.columns` holds the same facts as numpy arrays indexed by document number (masks for
live, active, remote; alphabetical rank; venues in a grid of cells), with the filters'
posting lists kept beside them, so a search works on whole arrays rather than looping in
Python over every matching document. They belong to one set of segments (one index
generation): a write gives new Facts, and so new columns.
"""

from __future__ import annotations

import bisect
import math
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from whoosh.searching import Searcher

from ..sharing import Shared

EARTH_KM = 6371.0088
PARTS = {
    # part of day -> (first start minute, last start minute); weekend is by day instead
    "morning": (0, 12 * 60 - 1),
    "afternoon": (12 * 60, 17 * 60 - 1),
    "evening": (17 * 60, 24 * 60),
}
FAR = 1e9
LONDON = ZoneInfo("Europe/London")
KM_PER_DEGREE = math.pi * EARTH_KM / 180
CELL_DEGREES = 0.1  # height of a row of the venue grid (about 11 km)
# Filter posting lists kept per index generation, at most this many document numbers in all.
KEPT_POSTINGS = 2_000_000
_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_DOCS.setflags(write=False)


@dataclass
class Facts:
    """Stored facts of every live document, addressed by global document number."""

    size: int  # one more than the largest document number
    live: set[int]
    ids: dict[int, str]
    inactive: set[int]
    status: dict[int, str]
    remote: set[int]  # online, by phone or home visits: labelled remote in results
    anywhere: set[int]  # online or by phone: never too far
    coverage: dict[int, frozenset[str]]  # home-visit docnum -> outward codes it covers
    terms: dict[int, frozenset[str]]  # docnum -> "category:x", "activity:y", "condition:z"
    by_lat: list[float]  # venue latitudes, sorted
    points: list[tuple[float, float, int]]  # (lat, lon, docnum) in the same order
    sessions: dict[int, tuple[tuple[int, int, int], ...]]  # docnum -> (day, start, end) minutes
    _by_part: dict[str, set[int]] | None = None
    _docnum_of: dict[str, int] | None = None
    _docnums: dict[frozenset[str], frozenset[int]] = field(default_factory=dict)
    _columns: Columns | None = None
    # What searches worked out about single words (query.py), kept while these documents are.
    words: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # Names as written, for results and alphabetical order.
    shown: dict[int, str] = field(default_factory=dict)

    @property
    def columns(self) -> Columns:
        """These facts as arrays, built once (see Columns)."""
        if self._columns is None:
            with _lock:
                if self._columns is None:
                    self._columns = Columns(self)
        return self._columns

    @property
    def docnum_of(self) -> dict[str, int]:
        """public id -> document number, computed once."""
        if self._docnum_of is None:
            self._docnum_of = {v: d for d, v in self.ids.items()}
        return self._docnum_of

    def docnums(self, public_ids: frozenset[str]) -> frozenset[int]:
        """The documents of these public ids (remembered for the last few sets of ids)."""
        found = self._docnums.get(public_ids)
        if found is None:
            docnum = self.docnum_of
            found = frozenset(d for i in public_ids if (d := docnum.get(i)) is not None)
            if len(self._docnums) >= 4:
                self._docnums.clear()
            self._docnums[public_ids] = found
        return found

    @property
    def by_part(self) -> dict[str, set[int]]:
        """morning / afternoon / evening / weekend -> documents with a session then."""
        if self._by_part is None:
            table: dict[str, set[int]] = {p: set() for p in (*PARTS, "weekend")}
            for docnum, sessions in self.sessions.items():
                for day, start, _end in sessions:
                    if day >= 5:
                        table["weekend"].add(docnum)
                    for part, (first, last) in PARTS.items():
                        if first <= start <= last:
                            table[part].add(docnum)
            self._by_part = table
        return self._by_part

    def alphabetical(self) -> list[int]:
        """Live documents in alphabetical order of name, case aside (then id): worked out
        once, for the columns (where it is kept as an array, not here as a dictionary)."""
        return sorted(self.live, key=lambda d: (self.shown.get(d, "").lower(), self.ids.get(d, "")))


# Facts of single segments not (yet) part of merged facts, by (segment id, deletions).
_segment_cache: dict[tuple[str, int], Facts] = {}
# Facts of a set of segments, by ((segment id, deletions, offset), ...); only the newest few
# are kept, since every write makes a new set and a worker needs just the current one.
_global_cache: OrderedDict[tuple[tuple[str, int, int], ...], Facts] = OrderedDict()
KEPT_SETS = 4
# segment id -> (merged facts, offset, size, deletions) of the newest set holding it: its
# facts are cut out of those again when the set of segments changes, rather than kept twice.
_parts: dict[str, tuple[weakref.ref[Facts], int, int, int]] = {}
_lock = threading.Lock()


def _segments(searcher: Searcher) -> list[tuple[Any, int]]:
    reader = searcher.reader()
    if hasattr(reader, "readers"):
        return list(zip(reader.readers, reader.doc_offsets, strict=True))
    return [(reader, 0)]


def _key(reader: Any) -> tuple[str, int]:
    segment = reader.segment()
    return segment.segment_id(), segment.deleted_count()


def _empty() -> Facts:
    return Facts(0, set(), {}, set(), {}, set(), set(), {}, {}, [], [], {})


def _segment_facts(reader: Any) -> Facts:
    key = _key(reader)
    with _lock:
        found = _segment_cache.get(key)
    if found is not None:
        return found
    facts = _empty()
    _fill(facts, reader, 0)
    _sort_points(facts)
    with _lock:
        if len(_segment_cache) > 512:
            _segment_cache.clear()
        _segment_cache[key] = facts
    return facts


def facts_of(searcher: Searcher) -> Facts:
    """The facts of every live document of this searcher (cached per set of segments)."""
    segments = _segments(searcher)
    if len(segments) == 1 and segments[0][1] == 0:
        return _segment_facts(segments[0][0])
    key = tuple((*_key(reader), offset) for reader, offset in segments)
    with _lock:
        found = _global_cache.get(key)
        if found is not None:
            _global_cache.move_to_end(key)
            return found
    # Each segment's facts go straight into the merged set (never a copy per segment
    # beside it), from a segment's own cached facts, from the last merged set that held
    # it, or from its stored fields.
    merged = _empty()
    for reader, offset in segments:
        _fill(merged, reader, offset)
    _sort_points(merged)
    with _lock:
        _global_cache[key] = merged
        while len(_global_cache) > KEPT_SETS:
            _global_cache.popitem(last=False)
        for (segment_id, deleted, offset), (reader, _offset) in zip(key, segments, strict=True):
            _segment_cache.pop((segment_id, deleted), None)
            _parts[segment_id] = (weakref.ref(merged), offset, reader.doc_count_all(), deleted)
        for segment_id in [i for i, (ref, *_rest) in _parts.items() if ref() is None]:
            del _parts[segment_id]
    return merged


def _fill(into: Facts, reader: Any, offset: int) -> None:
    """Add one segment's live documents to into, numbered from offset."""
    key = _key(reader)
    with _lock:
        cached = _segment_cache.get(key)
        part = _parts.get(key[0])
    held = part[0]() if part is not None else None
    if cached is not None:
        _copy(into, cached, 0, cached.size, offset, None)
    elif part is not None and held is not None and part[3] <= key[1]:
        # Documents are never undeleted: at most more of them have gone since.
        _copy(into, held, part[1], part[2], offset, reader if part[3] < key[1] else None)
    else:
        _read(into, reader, offset)
    into.size = max(into.size, offset + reader.doc_count_all())


def _copy(into: Facts, source: Facts, start: int, size: int, offset: int, reader: Any) -> None:
    """Add the documents of one segment, held by source as start to start + size, numbered
    from offset, without those the segment's reader (if given) has deleted since."""
    keep = {d for d in source.live if start <= d < start + size
            and (reader is None or not reader.is_deleted(d - start))}
    shift = offset - start
    for d in keep:
        n = d + shift
        into.live.add(n)
        into.ids[n] = source.ids[d]
        into.shown[n] = source.shown[d]
        into.status[n] = source.status[d]
        into.terms[n] = source.terms[d]
        if d in source.inactive:
            into.inactive.add(n)
        if d in source.remote:
            into.remote.add(n)
        if d in source.anywhere:
            into.anywhere.add(n)
        if d in source.coverage:
            into.coverage[n] = source.coverage[d]
        if d in source.sessions:
            into.sessions[n] = source.sessions[d]
    into.points.extend((lat, lon, d + shift) for lat, lon, d in source.points if d in keep)


def _read(into: Facts, reader: Any, offset: int) -> None:
    """Add one segment's live documents, read from its stored fields, numbered from offset.

    Values many documents share (a status, a set of terms, a session time, a list of
    sessions) are held once (sharing.Shared): read from stored fields, each document's
    would be its own copy, and at 100,000 documents the copies were about 60 MB of every
    worker.
    """
    one = Shared()
    for docnum in range(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        n = offset + docnum
        into.live.add(n)
        into.ids[n] = stored["id"]
        into.shown[n] = str(stored.get("name", ""))
        into.status[n] = sys.intern(str(stored.get("status", "")))
        if into.status[n] != "active":
            into.inactive.add(n)
        extra = stored.get("extra") or {}
        if extra.get("remote"):
            into.remote.add(n)
        if extra.get("anywhere"):
            into.anywhere.add(n)
        if extra.get("coverage"):
            into.coverage[n] = one(frozenset(extra["coverage"]))
        into.terms[n] = one(frozenset(
            sys.intern(f"{fieldname}:{code}")
            for fieldname in ("category", "activity", "condition")
            for code in (stored.get(fieldname) or "").split(",") if code
        ))
        into.points.extend((lat, lon, n) for lat, lon in extra.get("points", ()))
        if extra.get("sessions"):
            into.sessions[n] = one(tuple(
                one((d, s, e)) for d, s, e in extra["sessions"]))


def _sort_points(facts: Facts) -> None:
    facts.points.sort()
    facts.by_lat = [p[0] for p in facts.points]


def forget_words() -> None:
    """Forget what searches worked out about single words (for benchmarks of a cold start)."""
    with _lock:
        for facts in (*_segment_cache.values(), *_global_cache.values()):
            facts.words.clear()
            if facts._columns is not None:
                facts._columns.said.clear()


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def distances(facts: Facts, origin: tuple[float, float],
              limit_km: float | None) -> dict[int, float]:
    """docnum -> km to the nearest venue, for venues within limit_km (all when None).

    Within a town's reach the earth is flat enough: an equirectangular distance differs from
    the great circle by well under 0.1% at 50 km, and costs no trigonometry per venue.
    """
    docs, km = facts.columns.near(origin, limit_km)
    return dict(zip(docs.tolist(), km.tolist(), strict=True))


def distances_by_scan(
    facts: Facts, origin: tuple[float, float], limit_km: float | None
) -> dict[int, float]:
    """What distances() gives, worked out venue by venue over a strip of latitude (the way
    it was done before the grid; kept for a wide or unlimited reach, and for tests)."""
    near: dict[int, float] = {}
    lat0, lon0 = origin
    ky = math.pi * EARTH_KM / 180
    kx = ky * max(math.cos(math.radians(lat0)), 0.01)
    limit2 = (limit_km * limit_km) if limit_km is not None else math.inf
    band = (limit_km if limit_km is not None else 20000.0) / 111.0
    lo = bisect.bisect_left(facts.by_lat, origin[0] - band)
    hi = bisect.bisect_right(facts.by_lat, origin[0] + band)
    for lat, lon, docnum in facts.points[lo:hi]:
        dx = (lon - lon0) * kx
        dy = (lat - lat0) * ky
        d2 = dx * dx + dy * dy
        if d2 <= limit2:
            flat = limit_km is not None and limit_km <= 100
            km = math.sqrt(d2) if flat else haversine_km(origin, (lat, lon))
            if km < near.get(docnum, FAR):
                near[docnum] = km
    return near


def part_matches(facts: Facts, parts: Sequence[str]) -> set[int]:
    """Documents with a session in any of the parts of the day (or at the weekend)."""
    return set().union(*(facts.by_part.get(p, set()) for p in parts))


def uk_now() -> datetime:
    """The wall-clock time in the UK (sessions are listed in UK time), without a zone."""
    return datetime.now(LONDON).replace(tzinfo=None)


def next_session(sessions: Sequence[Sequence[int]], now: datetime) -> datetime | None:
    """The next start on or after now of weekly sessions given as (day, start, end) minutes."""
    best: datetime | None = None
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for day, start, _end in sessions:
        when = today + timedelta(days=(day - now.weekday()) % 7, minutes=start)
        if when < now:
            when += timedelta(days=7)
        if best is None or when < best:
            best = when
    return best


def postings(searcher: Searcher, fieldname: str, text: str) -> list[int]:
    """Global document numbers holding a term, read a whole block at a time.

    whoosh's own all_ids() costs two Python calls per posting; reading each block's id
    array at once is several times faster. Deleted documents may be included: callers
    intersect with the live set.
    """
    found: list[int] = []
    for reader, offset in _segments(searcher):
        if (fieldname, text) not in reader:
            continue
        matcher = reader.postings(fieldname, text)
        block_ids = getattr(matcher, "_read_ids", None)
        if block_ids is None:  # another codec: take the slow, public road
            found.extend(offset + d for d in matcher.all_ids())
            continue
        while matcher.is_active():
            if matcher._ids is None:
                block_ids()
            ids = matcher._ids[matcher._i :]
            found.extend(ids if offset == 0 else (offset + d for d in ids))
            matcher._next_block()
    return found


class Columns:
    """One index generation's facts as numpy arrays indexed by document number.

    Built once per set of segments (in a server, before the worker takes traffic: see
    server.py) and only read afterwards, except for the bounded caches: filter posting
    lists (whole-array masks are made from them per query) and, for the matcher, what
    people's words came to.
    """

    def __init__(self, facts: Facts) -> None:
        size = self.size = facts.size
        self.live = _mask(size, facts.live)
        self.active = self.live & ~_mask(size, facts.inactive)
        self.remote = _mask(size, facts.remote)
        self.anywhere = _mask(size, facts.anywhere)
        self.rank = np.zeros(size, dtype=np.int64)
        for position, docnum in enumerate(facts.alphabetical()):
            self.rank[docnum] = position
        # Position in the order of public ids (the matcher's ties go to the larger id).
        self.id_rank = np.zeros(size, dtype=np.int64)
        for position, docnum in enumerate(sorted(facts.ids, key=facts.ids.__getitem__)):
            self.id_rank[docnum] = position
        names = sorted({*facts.status.values()})
        self.status_names = names
        self.status = np.full(size, -1, dtype=np.int16)
        for docnum, status in facts.status.items():
            self.status[docnum] = names.index(status)
        self.parts = {part: _mask(size, docs) for part, docs in facts.by_part.items()}
        self.facts = facts
        # The venue grid: rows CELL_DEGREES of latitude high, each row's venues by longitude.
        lat = np.array([p[0] for p in facts.points], dtype=np.float64)
        lon = np.array([p[1] for p in facts.points], dtype=np.float64)
        doc = np.array([p[2] for p in facts.points], dtype=np.int64)
        row = np.floor(lat / CELL_DEGREES).astype(np.int64)
        order = np.lexsort((lon, row))
        self.lat, self.lon, self.doc, row = lat[order], lon[order], doc[order], row[order]
        self.rows = row
        self.first_row = int(row[0]) if row.size else 0
        self.row_starts = np.searchsorted(row, np.arange(self.first_row, int(row[-1]) + 2)) \
            if row.size else np.zeros(1, dtype=np.int64)
        self._postings: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._held = 0
        self.lock = threading.Lock()
        self._terms: dict[str, np.ndarray] | None = None
        self.said: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._by_doc: tuple[np.ndarray, np.ndarray] | None = None

    def points_of(self, docnum: int) -> list[tuple[float, float]]:
        """The (latitude, longitude) of each of a document's venues.

        From the grid's arrays (the stored fields' own numbers), so a results page never
        reads a document's stored fields: the first read of them makes whoosh copy the
        whole stored-fields file of the segment into this process (about 50 MB at 100,000).
        """
        if self._by_doc is None:
            order = np.argsort(self.doc, kind="stable")
            self._by_doc = (self.doc[order], order)
        docs, order = self._by_doc
        lo, hi = np.searchsorted(docs, (docnum, docnum + 1))
        at = order[lo:hi]
        return list(zip(self.lat[at].tolist(), self.lon[at].tolist(), strict=True))

    def postings(self, key: tuple[str, str], read: Callable[[], list[int]]) -> np.ndarray:
        """The live documents of a filter term (field, value), read once per generation."""
        with self.lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        ids = np.array(read(), dtype=np.int64)
        found = ids[self.live[ids]] if ids.size else ids
        with self.lock:
            self._postings[key] = found
            self._held += found.size
            while self._held > KEPT_POSTINGS and len(self._postings) > 1:
                self._held -= self._postings.popitem(last=False)[1].size
        return found

    def mask(self, docs: np.ndarray) -> np.ndarray:
        """A boolean mask over every document, true at docs."""
        result = np.zeros(self.size, dtype=bool)
        result[docs] = True
        return result

    def term(self, term: str) -> np.ndarray:
        """Documents with a "category:x" / "activity:y" / "condition:z" term (stored facts),
        ascending. Every term's are worked out together the first time one is asked for,
        as arrays (a set of document numbers per term took about 27 MB at 100,000)."""
        terms = self._terms
        if terms is None:
            with self.lock:
                if self._terms is None:
                    found: dict[str, list[int]] = {}
                    for docnum in sorted(self.facts.terms):
                        for name in self.facts.terms[docnum]:
                            found.setdefault(name, []).append(docnum)
                    self._terms = {name: np.array(docs, dtype=np.int64)
                                   for name, docs in found.items()}
                terms = self._terms
        return terms.get(term, _NO_DOCS)

    def near(
        self, origin: tuple[float, float], limit_km: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, km to each one's nearest venue) within limit_km, as distances() defines.

        Only the grid's cells that a box around the reach touches are looked at; the same
        arithmetic as before then decides, so the answer is the same to the last bit.
        """
        if limit_km is None or limit_km > 100:  # great-circle distances, rarely asked for
            found = distances_by_scan(self.facts, origin, limit_km)
            return (np.fromiter(found, dtype=np.int64, count=len(found)),
                    np.fromiter(found.values(), dtype=np.float64, count=len(found)))
        lat0, lon0 = origin
        kx = KM_PER_DEGREE * max(math.cos(math.radians(lat0)), 0.01)
        # A little wider than the reach, so rounding can never leave a venue out.
        dlat = limit_km / KM_PER_DEGREE * 1.001 + 1e-9
        dlon = limit_km / kx * 1.001 + 1e-9
        first = max(int(math.floor((lat0 - dlat) / CELL_DEGREES)), self.first_row)
        last = min(int(math.floor((lat0 + dlat) / CELL_DEGREES)),
                   self.first_row + len(self.row_starts) - 2)
        pieces = []
        for row in range(first - self.first_row, last - self.first_row + 1):
            lo, hi = self.row_starts[row], self.row_starts[row + 1]
            if lo == hi:
                continue
            lons = self.lon[lo:hi]
            a = lo + np.searchsorted(lons, lon0 - dlon, "left")
            b = lo + np.searchsorted(lons, lon0 + dlon, "right")
            if a < b:
                pieces.append(np.arange(a, b))
        if not pieces:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        at = np.concatenate(pieces)
        dx = (self.lon[at] - lon0) * kx
        dy = (self.lat[at] - lat0) * KM_PER_DEGREE
        d2 = dx * dx + dy * dy
        keep = d2 <= limit_km * limit_km
        docs, km = self.doc[at[keep]], np.sqrt(d2[keep])
        if docs.size > 1:  # each document's nearest venue
            order = np.lexsort((km, docs))
            docs, km = docs[order], km[order]
            first_of = np.ones(docs.size, dtype=bool)
            first_of[1:] = docs[1:] != docs[:-1]
            docs, km = docs[first_of], km[first_of]
        return docs, km


def _mask(size: int, docs: Any) -> np.ndarray:
    result = np.zeros(size, dtype=bool)
    if docs:
        result[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    return result


def top_k(keys: Sequence[np.ndarray], count: int) -> np.ndarray:
    """Positions of the count smallest by keys (the first key first, then the next, ...),
    in order: the same as sorting every position by the tuple of its keys and taking the
    first count, without sorting them all. The last key must break every tie."""
    size = len(keys[0])
    if count <= 0 or size == 0:
        return np.zeros(0, dtype=np.int64)
    if size > count:
        # Everything that can be among the first count: at most the count-th smallest first key.
        bound = np.partition(keys[0], count - 1)[count - 1]
        chosen = np.flatnonzero(keys[0] <= bound)
    else:
        chosen = np.arange(size)
    order = np.lexsort(tuple(k[chosen] for k in reversed(keys)))
    return chosen[order[:count]]
