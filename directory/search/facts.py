"""Stored facts of every indexed service, per whoosh segment, and reading posting lists fast.

Distance, part of day, status, names, remote reach and vocabulary terms of every document
are read from stored fields once per segment (segments never change, except for
deletions) and reused by every search and match, so filtering on them costs set
operations rather than a pass over stored documents.
"""

from __future__ import annotations

import bisect
import math
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from whoosh.searching import Searcher

EARTH_KM = 6371.0088
PARTS = {
    # part of day -> (first start minute, last start minute); weekend is by day instead
    "morning": (0, 12 * 60 - 1),
    "afternoon": (12 * 60, 17 * 60 - 1),
    "evening": (17 * 60, 24 * 60),
}
FAR = 1e9
LONDON = ZoneInfo("Europe/London")


@dataclass
class Facts:
    """Stored facts of every live document, addressed by global document number."""

    size: int  # one more than the largest document number
    live: set[int]
    ids: dict[int, str]
    names: dict[int, str]  # lowercased, for alphabetical order
    inactive: set[int]
    status: dict[int, str]
    remote: set[int]  # online, by phone or home visits: labelled remote in results
    anywhere: set[int]  # online or by phone: never too far
    coverage: dict[int, set[str]]  # home-visit docnum -> outward codes it covers
    terms: dict[int, frozenset[str]]  # docnum -> "category:x", "activity:y", "condition:z"
    by_lat: list[float]  # venue latitudes, sorted
    points: list[tuple[float, float, int]]  # (lat, lon, docnum) in the same order
    sessions: dict[int, list[tuple[int, int, int]]]  # docnum -> (day, start, end) minutes
    _rank: dict[int, int] | None = None
    _by_part: dict[str, set[int]] | None = None
    _docnum_of: dict[str, int] | None = None
    _docnums: dict[frozenset[str], frozenset[int]] = field(default_factory=dict)
    _by_term: dict[str, set[int]] | None = None
    # What searches worked out about single words (query.py), kept while these documents are.
    words: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @property
    def docnum_of(self) -> dict[str, int]:
        """public id -> document number, computed once."""
        if self._docnum_of is None:
            self._docnum_of = {v: d for d, v in self.ids.items()}
        return self._docnum_of

    @property
    def by_term(self) -> dict[str, set[int]]:
        """"category:x" / "activity:y" / "condition:z" -> the documents with it, computed once."""
        if self._by_term is None:
            table: dict[str, set[int]] = {}
            for docnum, terms in self.terms.items():
                for term in terms:
                    table.setdefault(term, set()).add(docnum)
            self._by_term = table
        return self._by_term

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

    @property
    def rank(self) -> dict[int, int]:
        """docnum -> position in alphabetical order of name (then id), computed once."""
        if self._rank is None:
            ordered = sorted(self.live, key=lambda d: (self.names.get(d, ""), self.ids.get(d, "")))
            self._rank = {d: n for n, d in enumerate(ordered)}
        return self._rank


_segment_cache: dict[tuple[str, int], Facts] = {}
_global_cache: dict[tuple[Any, ...], Facts] = {}
_lock = threading.Lock()


def _segments(searcher: Searcher) -> list[tuple[Any, int]]:
    reader = searcher.reader()
    if hasattr(reader, "readers"):
        return list(zip(reader.readers, reader.doc_offsets, strict=True))
    return [(reader, 0)]


def _segment_facts(reader: Any) -> Facts:
    segment = reader.segment()
    key = (segment.segment_id(), segment.deleted_count())
    with _lock:
        found = _segment_cache.get(key)
    if found is not None:
        return found
    facts = Facts(reader.doc_count_all(), set(), {}, {}, set(), {}, set(), set(), {}, {}, [], [],
                  {})
    points: list[tuple[float, float, int]] = []
    for docnum in range(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            continue
        stored = reader.stored_fields(docnum)
        facts.live.add(docnum)
        facts.ids[docnum] = stored["id"]
        facts.names[docnum] = str(stored.get("name", "")).lower()
        facts.status[docnum] = stored.get("status", "")
        if facts.status[docnum] != "active":
            facts.inactive.add(docnum)
        extra = stored.get("extra") or {}
        if extra.get("remote"):
            facts.remote.add(docnum)
        if extra.get("anywhere"):
            facts.anywhere.add(docnum)
        if extra.get("coverage"):
            facts.coverage[docnum] = set(extra["coverage"])
        facts.terms[docnum] = frozenset(
            sys.intern(f"{fieldname}:{code}")
            for fieldname in ("category", "activity", "condition")
            for code in (stored.get(fieldname) or "").split(",") if code
        )
        points.extend((lat, lon, docnum) for lat, lon in extra.get("points", ()))
        if extra.get("sessions"):
            facts.sessions[docnum] = [(d, s, e) for d, s, e in extra["sessions"]]
    points.sort()
    facts.points, facts.by_lat = points, [p[0] for p in points]
    with _lock:
        if len(_segment_cache) > 512:
            _segment_cache.clear()
        _segment_cache[key] = facts
    return facts


def facts_of(searcher: Searcher) -> Facts:
    """The facts of every live document of this searcher (cached per set of segments)."""
    parts = [(_segment_facts(reader), offset) for reader, offset in _segments(searcher)]
    if len(parts) == 1 and parts[0][1] == 0:
        return parts[0][0]
    key = tuple((id(f), offset) for f, offset in parts)
    with _lock:
        found = _global_cache.get(key)
    if found is not None:
        return found
    merged = Facts(0, set(), {}, {}, set(), {}, set(), set(), {}, {}, [], [], {})
    for f, offset in parts:
        merged.size = max(merged.size, offset + f.size)
        merged.live.update(offset + d for d in f.live)
        merged.ids.update((offset + d, v) for d, v in f.ids.items())
        merged.names.update((offset + d, v) for d, v in f.names.items())
        merged.status.update((offset + d, v) for d, v in f.status.items())
        merged.inactive.update(offset + d for d in f.inactive)
        merged.remote.update(offset + d for d in f.remote)
        merged.anywhere.update(offset + d for d in f.anywhere)
        merged.coverage.update((offset + d, v) for d, v in f.coverage.items())
        merged.terms.update((offset + d, v) for d, v in f.terms.items())
        merged.points.extend((lat, lon, offset + d) for lat, lon, d in f.points)
        merged.sessions.update((offset + d, v) for d, v in f.sessions.items())
    merged.points.sort()
    merged.by_lat = [p[0] for p in merged.points]
    with _lock:
        if len(_global_cache) > 64:
            _global_cache.clear()
        _global_cache[key] = merged
    return merged


def forget_words() -> None:
    """Forget what searches worked out about single words (for benchmarks of a cold start)."""
    with _lock:
        for facts in (*_segment_cache.values(), *_global_cache.values()):
            facts.words.clear()


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
