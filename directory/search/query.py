"""Searching the index: lay words, synonyms and typos in; ranked, filtered service ids out.

whoosh stores the index; the query itself works on sets of document numbers read straight
from posting lists (decoded in bulk, so about half a microsecond a posting) rather than
through whoosh's per-document matcher tree, which costs tens of microseconds per match and
was too slow for broad words over 100,000 services. Distance, part of day, status, names
and next sessions come from per-segment tables of stored facts, built once per segment and
reused by every search.

Relevance: each word of the query is a clause that matches when the word (or a word it is
a lay synonym of) appears in a field; a clause scores the sum of the field-boosted IDF
weights it matched. Services matching every clause come first; if none do, any clause.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
from whoosh.analysis import StemmingAnalyzer
from whoosh.searching import Searcher

from .segment_facts import (
    FAR,
    PARTS,
    Facts,
    distances,
    facts_of,
    haversine_km,
    next_session,
    postings,
    top_k,
    uk_now,
)

__all__ = [
    "PARTS",
    "Filters",
    "Hit",
    "SearchPage",
    "Synonyms",
    "distances",
    "facts_of",
    "match_text",
    "next_session",
    "postings",
    "search",
    "text_scores",
    "words_of",
]

# Field -> boost: a word in the name counts most, then the activities, then the rest.
TEXT_FIELDS = {"name": 4.0, "activities": 2.5, "topics": 1.5, "organization": 1.2,
               "description": 1.0, "places": 1.0}
VOCAB_FIELDS = ("activity", "condition", "category", "access")
SYNONYM_BOOST = 2.0
# How many document scores the per-word memo (see _remembered_word) keeps at most.
MEMO_POSTINGS = 400_000
_memo_lock = threading.Lock()
MAX_QUERY_CHARS = 200
MAX_TOKENS = 12
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Words that say nothing about what someone wants from a directory.
FILLER = frozenset({"group", "groups", "club", "clubs", "class", "classes", "session", "sessions",
                    "near", "nearby", "local", "me", "my", "place", "something", "somewhere",
                    "service", "services", "help", "support", "want", "looking", "find", "for",
                    "the", "a", "an", "and", "or", "in", "on", "of", "to", "with"})
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
    outward_code: str | None = None  # the origin's postcode district, for home visits
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
    # No service had every word, so these are services with any of them (the page says so).
    any_word: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# --- synonyms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """Lay words and phrases -> vocabulary ids, from seed_data/synonyms.yaml."""

    phrases: Mapping[str, frozenset[str]]
    broad: frozenset[str] = frozenset()  # category ids: used only when nothing narrower is meant

    @classmethod
    def from_entries(
        cls, entries: Iterable[Mapping[str, Any]], broad: Iterable[str] = ()
    ) -> Synonyms:
        table: dict[str, set[str]] = {}
        for entry in entries:
            for phrase in entry["say"]:
                table.setdefault(" ".join(phrase.lower().split()), set()).update(entry["means"])
        return cls({k: frozenset(v) for k, v in table.items()}, frozenset(broad))

    @cached_property
    def single_words(self) -> list[str]:
        """The table's one-word phrases ("lonely", "choir"), for correcting typos to them."""
        return sorted(p for p in self.phrases if " " not in p and p.isalpha())

    def find(self, text: str, min_words: int = 1) -> set[str]:
        """Vocabulary ids meant by every known phrase of at least min_words words in text.

        "choir" means the choir activity, not every arts group: a category is kept only
        when the phrase names nothing narrower.
        """
        words = re.findall(r"[a-z0-9']+", text.lower())
        ids: set[str] = set()
        for size in range(4, min_words - 1, -1):
            for start in range(len(words) - size + 1):
                meant = self.phrases.get(" ".join(words[start : start + size]), frozenset())
                narrow = meant - self.broad
                ids |= narrow or meant
        return ids


NO_SYNONYMS = Synonyms({})


# --- text ---------------------------------------------------------------------------------


@dataclass
class TextMatch:
    """What free text matched: every-word docs (or any-word when none), scored."""

    docs: np.ndarray  # document numbers, ascending
    values: np.ndarray  # the score of each
    words: list[str]
    corrections: dict[str, str]
    nothing: bool  # text was given but no word of it is known at all
    any_word: bool = False  # no document has every word: these have any of them

    @property
    def scores(self) -> dict[int, float]:
        """docnum -> score."""
        return dict(zip(self.docs.tolist(), self.values.tolist(), strict=True))


_NONE = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


def _docs(searcher: Searcher, fieldname: str, text: str) -> np.ndarray:
    """The live documents holding a filter term, kept with this index generation's facts."""
    return facts_of(searcher).columns.postings(
        (fieldname, text), lambda: postings(searcher, fieldname, text))


def _plain_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9']+", text[:MAX_QUERY_CHARS].lower())
    return list(dict.fromkeys(w.strip("'") for w in words if w.strip("'")))[:MAX_TOKENS]


def words_of(text: str) -> list[str]:
    """Stemmed, stopword-free words of the user's text (no query syntax is honoured)."""
    return list(dict.fromkeys(t.text for t in _analyzer(text[:MAX_QUERY_CHARS])))[:MAX_TOKENS]


def _stem(word: str) -> str | None:
    tokens = [t.text for t in _analyzer(word)]
    return tokens[0] if tokens else None


# A word that no listing uses is corrected only to one that at least this many listings use:
# far more common than the word typed (which none has), not a one-off spelling of someone's.
CORRECTION_MIN_DOCS = 3
# How alike a typed word and a lay word of the synonym table must be (difflib's ratio):
# "lonly" and "lonely" are 0.91, "chior" and "choir" 0.8.
LAY_WORD_LIKENESS = 0.8


def _correct(searcher: Searcher, word: str) -> str | None:
    """The closest indexed word within one or two edits, preferring names and activities,
    when it is in at least CORRECTION_MIN_DOCS listings."""
    reader = searcher.reader()
    for fieldname in ("activities", "name", "topics", "description"):
        found = searcher.corrector(fieldname).suggest(
            word, limit=3, maxdist=2 if len(word) > 5 else 1)
        for candidate in found:
            uses = max(reader.doc_frequency(f, candidate) for f in TEXT_FIELDS)
            if uses >= CORRECTION_MIN_DOCS:
                return str(candidate)
    return None


def _lay_word(raw: str, synonyms: Synonyms) -> str | None:
    """The one-word lay phrase of the synonym table a typo most looks like ('lonly' ->
    'lonely')."""
    found = difflib.get_close_matches(raw.lower(), synonyms.single_words, n=1,
                                      cutoff=LAY_WORD_LIKENESS)
    return found[0] if found else None


def _clause(
    searcher: Searcher, terms: Iterable[tuple[str, str, float]], total: int
) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, summed weight (field boost x IDF) of the (field, term, boost) terms each has).

    Summing across fields rewards a walking group (the word in its name, its activity and
    its description) over a bike ride that only meets on a path called "Derwent Walk".
    Weights are added term by term in the order given, as floating point needs for the
    same sums every time.
    """
    reader = searcher.reader()
    acc: np.ndarray | None = None
    seen: np.ndarray | None = None
    for fieldname, text, boost in dict.fromkeys(terms):
        df = reader.doc_frequency(fieldname, text)
        if not df:
            continue
        weight = boost * math.log(1 + total / df)
        ids = np.array(postings(searcher, fieldname, text), dtype=np.int64)
        if acc is None or seen is None:
            size = max(facts_of(searcher).size, int(ids.max()) + 1 if ids.size else 0)
            acc, seen = np.zeros(size, dtype=np.float64), np.zeros(size, dtype=bool)
        acc[ids] += weight
        seen[ids] = True
    if acc is None or seen is None:
        return _NONE, _NO_SCORES
    docs = np.flatnonzero(seen)
    return docs, acc[docs]


class _Word(NamedTuple):
    """What one word of a query comes to on a set of documents."""

    synonyms: Synonyms  # the table it was worked out with
    stem: str | None
    searched: str | None  # the word searched for: its stem, a correction, or none
    corrected: str | None  # the correction, when the word itself is not indexed
    docs: np.ndarray  # the documents the clause matches, ascending (never changed by readers)
    scores: np.ndarray  # the weight of the clause in each


def _word(searcher: Searcher, raw: str, synonyms: Synonyms, total: int,
          correct: bool = True) -> _Word:
    reader = searcher.reader()
    stem = _stem(raw)
    meant = synonyms.find(raw)
    terms = [(f, code, SYNONYM_BOOST) for code in sorted(meant) for f in VOCAB_FIELDS]
    searched = corrected = None
    if stem and any(reader.doc_frequency(f, stem) for f in TEXT_FIELDS):
        terms += [(f, stem, boost) for f, boost in TEXT_FIELDS.items()]
        searched = stem
    elif correct and stem and not meant and 4 <= len(raw) <= 20:
        lay = _lay_word(raw, synonyms)
        fixed = _correct(searcher, stem) if lay is None else None
        if lay is not None:  # a word people use for a kind of support: what it means
            terms += [(f, code, SYNONYM_BOOST) for code in sorted(synonyms.find(lay))
                      for f in VOCAB_FIELDS]
            lay_stem = _stem(lay)
            if lay_stem and any(reader.doc_frequency(f, lay_stem) for f in TEXT_FIELDS):
                terms += [(f, lay_stem, boost) for f, boost in TEXT_FIELDS.items()]
            searched, corrected = lay_stem or lay, lay
        elif fixed is not None:
            terms += [(f, fixed, boost) for f, boost in TEXT_FIELDS.items()]
            terms += [(f, code, SYNONYM_BOOST) for code in sorted(synonyms.find(fixed))
                      for f in VOCAB_FIELDS]
            searched = corrected = fixed
    docs, scores = _clause(searcher, terms, total) if terms else (_NONE, _NO_SCORES)
    return _Word(synonyms, stem, searched, corrected, docs, scores)


def _remembered_word(searcher: Searcher, raw: str, synonyms: Synonyms, total: int,
                     correct: bool = True) -> _Word:
    """_word(...), or what it gave the last time on the same documents.

    What a word comes to depends only on the indexed documents and the synonyms, and
    people's words repeat ("lonely", "walking", "breathless"), so words are kept with the
    segments' facts (and so dropped when the index changes), up to MEMO_POSTINGS document
    scores in all, the oldest forgotten first.
    """
    memo: dict[Any, Any] = facts_of(searcher).words
    key = (raw, id(synonyms), total, correct)
    found = memo.get(key)
    if found is not None and found.synonyms is synonyms:
        return found  # type: ignore[no-any-return]
    found = _word(searcher, raw, synonyms, total, correct)
    with _memo_lock:
        held = memo.get("held", 0) + len(found.scores)
        while held > MEMO_POSTINGS and len(memo) > 1:
            oldest = next(k for k in memo if k != "held")
            held -= len(memo.pop(oldest).scores)
        if len(found.scores) <= MEMO_POSTINGS:
            memo[key] = found
            memo["held"] = held
    return found


def match_text(searcher: Searcher, text: str, synonyms: Synonyms,
               correct: bool = True) -> TextMatch:
    """Score services against free text: every-word matches, or any-word when there are none.

    A typo is corrected only when the corrected query finds services with every word: a
    correction that leaves some word unmatched ("underwater basket weaving" to "underwater
    based wear") is not made, and the words are searched as typed.
    """
    total = max(searcher.doc_count(), 1)
    words = _plain_words(text)
    meaningful = [w for w in words if w not in FILLER] or words
    found = [(raw, _remembered_word(searcher, raw, synonyms, total, correct))
             for raw in meaningful]
    matched = _combine(searcher, text, synonyms, total, found)
    if matched.corrections and (matched.any_word or not matched.docs.size):
        plain = [(raw, _remembered_word(searcher, raw, synonyms, total, False))
                 for raw in meaningful]
        matched = _combine(searcher, text, synonyms, total, plain)
    return matched


def _combine(searcher: Searcher, text: str, synonyms: Synonyms, total: int,
             found: list[tuple[str, _Word]]) -> TextMatch:
    clauses: list[tuple[np.ndarray, np.ndarray]] = []
    searched: list[str] = []
    corrections: dict[str, str] = {}
    impossible = False
    for raw, word in found:
        if word.searched is not None:
            searched.append(word.searched)
        if word.corrected is not None:
            corrections[raw] = word.corrected
        if word.docs.size:
            clauses.append((word.docs, word.scores))
        elif word.stem:
            impossible = True
    phrase_ids = synonyms.find(text[:MAX_QUERY_CHARS], min_words=2)
    phrase = _clause(searcher, [(f, c, SYNONYM_BOOST) for c in sorted(phrase_ids)
                                for f in VOCAB_FIELDS], total)
    if not clauses and not phrase[0].size:
        return TextMatch(_NONE, _NO_SCORES, searched, corrections, nothing=bool(text.strip()))
    size = max([facts_of(searcher).size] + [int(d[-1]) + 1 for d, _v in (*clauses, phrase)
                                            if d.size])
    # Each document's clause weights added clause by clause: the same sums, in the same
    # order, as adding them up one document at a time.
    summed = np.zeros(size, dtype=np.float64)
    count = np.zeros(size, dtype=np.int32)
    for docs, values in clauses:
        summed[docs] += values
        count[docs] += 1
    every = np.zeros(size, dtype=np.float64)
    member = np.zeros(size, dtype=bool)
    if clauses and not impossible:
        member = count == len(clauses)
        every[member] = summed[member]
    every[phrase[0]] += phrase[1]
    member[phrase[0]] = True
    if member.any():
        docs = np.flatnonzero(member)
        return TextMatch(docs, every[docs], searched, corrections, nothing=False)
    docs = np.flatnonzero(count)
    return TextMatch(docs, summed[docs], searched, corrections, nothing=False,
                     any_word=len(found) > 1)


def text_scores(searcher: Searcher, text: str, synonyms: Synonyms) -> dict[str, float]:
    """Service id -> 0..1 text relevance, for every live service the text matches."""
    found = match_text(searcher, text, synonyms).scores
    facts = facts_of(searcher)
    live = {d: s for d, s in found.items() if d in facts.ids}
    top = max(live.values(), default=0.0) or 1.0
    return {facts.ids[d]: s / top for d, s in live.items()}


# --- filters and the search itself ----------------------------------------------------------


def _allowed(
    searcher: Searcher, facts: Facts, filters: Filters, near: np.ndarray | None
) -> np.ndarray | None:
    """A mask of the documents passing every filter, or None when nothing narrows."""
    columns = facts.columns
    masks: list[np.ndarray] = []
    for fieldname, values in (("category", filters.categories), ("activity", filters.activities),
                              ("condition", filters.conditions), ("day", filters.days)):
        if values:
            mask = np.zeros(columns.size, dtype=bool)
            for value in values:
                mask[_docs(searcher, fieldname, value)] = True
            masks.append(mask)
    masks.extend(columns.mask(_docs(searcher, "access", a)) for a in filters.access)
    if filters.organization_id:
        masks.append(columns.mask(_docs(searcher, "organization_id", filters.organization_id)))
    if near is not None and filters.within_km is not None:
        code = (filters.outward_code or "").upper()
        reach = columns.mask(near) | columns.anywhere
        for docnum, areas in facts.coverage.items():
            if code and code in areas:
                reach[docnum] = True
        masks.append(reach)
    if filters.parts:
        mask = np.zeros(columns.size, dtype=bool)
        for part in filters.parts:
            if part in columns.parts:
                mask |= columns.parts[part]
        masks.append(mask)
    if not masks:
        return None
    result = masks[0]
    for other in masks[1:]:
        result = result & other
    return result


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
    correct: bool = True,
) -> SearchPage:
    """One page of services matching text and filters, best first by the chosen sort;
    correct=False searches the words exactly as typed (no spelling correction).

    The ordering is by the tuple (sort's keys..., alphabetical rank), worked out on whole
    arrays of the matching documents, and only the page's documents are sorted fully.
    """
    facts = facts_of(searcher)
    columns = facts.columns
    matched = (match_text(searcher, text or "", synonyms, correct) if (text or "").strip()
               else None)
    if matched is not None and not matched.docs.size:
        return SearchPage([], 0, page, per_page, matched.words, matched.corrections)
    near_docs, near_km = (columns.near(filters.origin, filters.within_km)
                          if filters.origin else (None, None))
    allowed = _allowed(searcher, facts, filters, near_docs)
    if matched is not None:
        pool, scores = matched.docs, matched.values
        keep = columns.live[pool]
    else:
        pool, scores = np.flatnonzero(columns.live), None
        keep = np.ones(pool.size, dtype=bool)
    if allowed is not None:
        keep &= allowed[pool]
    if filters.statuses == ("active",):
        keep &= columns.active[pool]
    else:
        wanted = [columns.status_names.index(s) for s in filters.statuses
                  if s in columns.status_names]
        keep &= np.isin(columns.status[pool], wanted)
    pool = pool[keep]
    relevance = np.zeros(pool.size, dtype=np.float64)
    top = 1.0
    if scores is not None:
        scores = scores[keep]
        top = float(scores.max()) if scores.size else 0.0
        top = top or 1.0
        relevance = scores / top
    now = now or uk_now()
    first = (max(page, 1) - 1) * per_page
    near: dict[int, float] = {}
    distance = None
    if near_docs is not None and near_km is not None:
        every = np.where(columns.remote, FAR / 2, FAR)
        every[near_docs] = near_km
        distance = every[pool]
    rank = columns.rank[pool]
    if sort == "next":
        ordered = _next_first(facts, pool, distance, first + per_page, now)
    else:
        if distance is None:
            # Remote services come after every venue within reach, before unknown places.
            distance = np.where(columns.remote[pool], FAR / 2, FAR)
        if sort == "distance":
            keys = [distance, -relevance, rank]
        elif filters.origin is not None:
            # relevance, nudged by nearness: 1.0 at the door, 0.5 at 5 km; remote counts 0.5
            nearness = np.where(distance < FAR / 2, 1.0 / (1.0 + distance / 5.0), 0.0)
            if near_docs is not None:
                away = columns.remote[pool] & ~columns.mask(near_docs)[pool]
                nearness[away] = 0.5
            keys = [-(relevance * 0.75 + nearness * 0.25), rank]
        elif scores is not None:
            keys = [-relevance, rank]
        else:  # nothing to rank by but the name: alphabetical order
            keys = [rank]
        ordered = pool[top_k(keys, first + per_page)].tolist()
    ordered = ordered[first:]
    if near_docs is not None and near_km is not None and ordered:
        on_page = np.isin(near_docs, ordered)
        near = dict(zip(near_docs[on_page].tolist(), near_km[on_page].tolist(), strict=True))
    score_of: dict[int, float] = {}
    if scores is not None and ordered:
        at = np.searchsorted(pool, ordered)
        score_of = dict(zip(ordered, scores[at].tolist(), strict=True))
    hits = []
    for docnum in ordered:
        km = near.get(docnum)
        if km is None and filters.origin is not None:
            points = columns.points_of(docnum)
            if points:
                km = min(haversine_km(filters.origin, p) for p in points)
        hits.append(Hit(
            id=facts.ids[docnum],
            name=facts.shown.get(docnum, ""),
            score=round(score_of.get(docnum, 0.0) / top, 4),
            distance_km=None if km is None else round(km, 2),
            remote=docnum in facts.remote,
            next_session=next_session(facts.sessions.get(docnum, ()), now),
        ))
    words = matched.words if matched else []
    corrections = matched.corrections if matched else {}
    any_word = bool(matched and matched.any_word and pool.size)
    return SearchPage(hits, int(pool.size), page, per_page, words, corrections, any_word)


def _next_first(
    facts: Facts, pool: np.ndarray, distance: np.ndarray | None, count: int, now: datetime
) -> list[int]:
    """The count documents with the soonest next session (then the nearest), in order."""
    remote = facts.columns.remote[pool]
    far = np.where(remote, FAR / 2, FAR)
    away = far if distance is None else distance
    upcoming = np.array([
        when.timestamp() if (when := next_session(facts.sessions.get(d, ()), now)) else FAR * 10
        for d in pool.tolist()
    ], dtype=np.float64)
    return pool[top_k([upcoming, away, facts.columns.rank[pool]], count)].tolist()
