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
import heapq
import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import Any, NamedTuple

from whoosh.analysis import StemmingAnalyzer
from whoosh.searching import Searcher

from .facts import (
    FAR,
    PARTS,
    Facts,
    distances,
    facts_of,
    haversine_km,
    next_session,
    part_matches,
    postings,
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

    scores: dict[int, float]
    words: list[str]
    corrections: dict[str, str]
    nothing: bool  # text was given but no word of it is known at all
    any_word: bool = False  # no document has every word: these have any of them


def _docs(searcher: Searcher, fieldname: str, text: str) -> set[int]:
    return set(postings(searcher, fieldname, text))


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
            if max(reader.doc_frequency(f, candidate) for f in TEXT_FIELDS) >= CORRECTION_MIN_DOCS:
                return str(candidate)
    return None


def _lay_word(raw: str, synonyms: Synonyms) -> str | None:
    """The one-word lay phrase of the synonym table a typo most looks like ('lonly' ->
    'lonely')."""
    found = difflib.get_close_matches(raw.lower(), synonyms.single_words, n=1,
                                      cutoff=LAY_WORD_LIKENESS)
    return found[0] if found else None


def _clause(searcher: Searcher, terms: Iterable[tuple[str, str, float]], total: int) -> dict[int, float]:
    """docnum -> summed weight (field boost x IDF) of the (field, term, boost) terms it has.

    Summing across fields rewards a walking group (the word in its name, its activity and
    its description) over a bike ride that only meets on a path called "Derwent Walk".
    """
    scores: dict[int, float] = {}
    reader = searcher.reader()
    for fieldname, text, boost in dict.fromkeys(terms):
        df = reader.doc_frequency(fieldname, text)
        if not df:
            continue
        weight = boost * math.log(1 + total / df)
        for docnum in postings(searcher, fieldname, text):
            scores[docnum] = scores.get(docnum, 0.0) + weight
    return scores


class _Word(NamedTuple):
    """What one word of a query comes to on a set of documents."""

    synonyms: Synonyms  # the table it was worked out with
    stem: str | None
    searched: str | None  # the word searched for: its stem, a correction, or none
    corrected: str | None  # the correction, when the word itself is not indexed
    scores: dict[int, float]  # docnum -> weight of the clause (never changed by readers)


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
    scores = _clause(searcher, terms, total) if terms else {}
    return _Word(synonyms, stem, searched, corrected, scores)


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
    found = [(raw, _remembered_word(searcher, raw, synonyms, total, correct)) for raw in meaningful]
    matched = _combine(searcher, text, synonyms, total, found)
    if matched.corrections and (matched.any_word or not matched.scores):
        plain = [(raw, _remembered_word(searcher, raw, synonyms, total, False))
                 for raw in meaningful]
        matched = _combine(searcher, text, synonyms, total, plain)
    return matched


def _combine(searcher: Searcher, text: str, synonyms: Synonyms, total: int,
             found: list[tuple[str, _Word]]) -> TextMatch:
    clauses: list[dict[int, float]] = []
    searched: list[str] = []
    corrections: dict[str, str] = {}
    impossible = False
    for raw, word in found:
        if word.searched is not None:
            searched.append(word.searched)
        if word.corrected is not None:
            corrections[raw] = word.corrected
        if word.scores:
            clauses.append(word.scores)
        elif word.stem:
            impossible = True
    phrase_ids = synonyms.find(text[:MAX_QUERY_CHARS], min_words=2)
    phrase = _clause(searcher, [(f, c, SYNONYM_BOOST) for c in sorted(phrase_ids) for f in VOCAB_FIELDS], total)
    if not clauses and not phrase:
        return TextMatch({}, searched, corrections, nothing=bool(text.strip()))
    every: dict[int, float] = {}
    if clauses and not impossible:
        common = set.intersection(*(set(c) for c in clauses))
        every = {d: sum(c[d] for c in clauses) for d in common}
    for docnum, weight in phrase.items():
        every[docnum] = every.get(docnum, 0.0) + weight
    if every:
        return TextMatch(every, searched, corrections, nothing=False)
    anyword: dict[int, float] = {}
    for scores in clauses:
        for docnum, weight in scores.items():
            anyword[docnum] = anyword.get(docnum, 0.0) + weight
    return TextMatch(anyword, searched, corrections, nothing=False, any_word=len(found) > 1)


def text_scores(searcher: Searcher, text: str, synonyms: Synonyms) -> dict[str, float]:
    """Service id -> 0..1 text relevance, for every live service the text matches."""
    found = match_text(searcher, text, synonyms).scores
    facts = facts_of(searcher)
    live = {d: s for d, s in found.items() if d in facts.ids}
    top = max(live.values(), default=0.0) or 1.0
    return {facts.ids[d]: s / top for d, s in live.items()}


# --- filters and the search itself ----------------------------------------------------------


def _allowed(searcher: Searcher, facts: Facts, filters: Filters, near: dict[int, float] | None) -> set[int] | None:
    """Documents passing every filter, or None when nothing narrows (all live documents)."""
    sets: list[set[int]] = []
    for fieldname, values in (("category", filters.categories), ("activity", filters.activities),
                              ("condition", filters.conditions), ("day", filters.days)):
        if values:
            sets.append(set().union(*(_docs(searcher, fieldname, v) for v in values)))
    sets.extend(_docs(searcher, "access", a) for a in filters.access)
    if filters.organization_id:
        sets.append(_docs(searcher, "organization_id", filters.organization_id))
    if near is not None and filters.within_km is not None:
        code = (filters.outward_code or "").upper()
        visiting = {d for d, areas in facts.coverage.items() if code and code in areas}
        sets.append(set(near) | facts.anywhere | visiting)
    if filters.parts:
        sets.append(part_matches(facts, filters.parts))
    if not sets:
        return None
    sets.sort(key=len)
    result = set(sets[0])
    for other in sets[1:]:
        result &= other
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
    correct=False searches the words exactly as typed (no spelling correction)."""
    facts = facts_of(searcher)
    matched = match_text(searcher, text or "", synonyms, correct) if (text or "").strip() else None
    if matched is not None and not matched.scores:
        return SearchPage([], 0, page, per_page, matched.words, matched.corrections)
    near = distances(facts, filters.origin, filters.within_km) if filters.origin else None
    allowed = _allowed(searcher, facts, filters, near)
    pool = set(matched.scores) if matched is not None else set(facts.live)
    if allowed is not None:
        pool &= allowed
    pool &= facts.live
    if filters.statuses == ("active",):
        pool -= facts.inactive
    else:
        pool = {d for d in pool if facts.status.get(d) in filters.statuses}
    scores = matched.scores if matched is not None else {}
    top = max((scores.get(d, 0.0) for d in pool), default=0.0) or 1.0
    near = near or {}
    now = now or uk_now()

    rank = facts.rank

    def key(docnum: int) -> tuple[Any, ...]:
        relevance = scores.get(docnum, 0.0) / top
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
            # relevance, nudged by nearness: 1.0 at the door, 0.5 at 5 km; remote counts 0.5
            nearness = 1.0 / (1.0 + distance / 5.0) if distance < FAR / 2 else 0.0
            if docnum in facts.remote and docnum not in near:
                nearness = 0.5
            primary = (-(relevance * 0.75 + nearness * 0.25),)
        else:
            primary = (-relevance,)
        return (*primary, rank.get(docnum, 0))

    first = (max(page, 1) - 1) * per_page
    if sort == "relevance" and not scores and filters.origin is None:
        # Nothing to rank by but the name: alphabetical order is precomputed.
        ordered = heapq.nsmallest(first + per_page, pool, key=lambda d: rank.get(d, 0))[first:]
    else:
        ordered = heapq.nsmallest(first + per_page, pool, key=key)[first:]
    hits = []
    for docnum in ordered:
        distance = near.get(docnum)
        if distance is None and filters.origin is not None:
            points = (searcher.stored_fields(docnum).get("extra") or {}).get("points") or []
            if points:
                distance = min(haversine_km(filters.origin, (p[0], p[1])) for p in points)
        hits.append(Hit(
            id=facts.ids[docnum],
            name=searcher.stored_fields(docnum).get("name", ""),
            score=round(scores.get(docnum, 0.0) / top, 4),
            distance_km=None if distance is None else round(distance, 2),
            remote=docnum in facts.remote,
            next_session=next_session(facts.sessions.get(docnum, ()), now),
        ))
    words = matched.words if matched else []
    corrections = matched.corrections if matched else {}
    any_word = bool(matched and matched.any_word and pool)
    return SearchPage(hits, len(pool), page, per_page, words, corrections, any_word)
