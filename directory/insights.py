"""What the directory learns: anonymous counts of demand, and the gaps in what it can offer.

Two moments write: every match (directory.matching.run_match calls record_match) and every
public search that found nothing (record_search). Each adds one to a few counters and keeps
nothing else: the month, the postcode district (the outward code, never the full
postcode), the goal or condition asked for and the readiness; for searches, the words,
lower-cased, with digits, email addresses and postcodes taken out first. Counters are
added to in one upsert per moment, in a transaction of their own, so two requests at once
both count and a failure to count is logged and never fails the match or the search.

The report side (figures_for) reads the counters back for the insights page and its CSV
export. A count from 1 to 4 is shown as "fewer than 5" wherever it appears (suppress), and a
search word used fewer than 5 times is never shown at all.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import logging
import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import matcher
from matcher.model import PHYSICAL_NEEDS

from . import freshness
from .geocoding import FULL_POSTCODE, OUTWARD_CODE, compact
from .models import (
    DemandCount,
    Location,
    NeedKind,
    SearchMiss,
    Service,
    ServiceStatus,
    service_locations,
)

log = logging.getLogger(__name__)

FEW_OPTIONS = 3  # fewer suitable suggestions than this for a need is a gap
SMALLEST_SHOWN = 5  # counts below this are shown as "fewer than 5"
SUPPRESSED = f"fewer than {SMALLEST_SHOWN}"

# The rules that rule near misses out, as the counters name them, and in words.
RULES = {
    "too_far": "ruled out by distance",
    "not_free": "ruled out because it is not free",
    "not_at_times": "ruled out by the times they can make",
    "not_step_free": "ruled out by step-free access",
    "not_in_language": "ruled out by language",
    "other_rule": "ruled out for another reason",
}
COUNTERS = ("matches", "few_options", *RULES)
COST_NEEDS = frozenset({"free", "low-cost"})


def _table(model: type[Any]) -> sa.Table:
    """A model's table, typed as a Table (the declarative `__table__` is only a FromClause)."""
    return model.metadata.tables[model.__tablename__]


def month_of(day: date) -> date:
    return day.replace(day=1)


def district_of(outward_code: str | None) -> str:
    """The outward code, upper case, when it is one; "" otherwise (never more than that)."""
    code = re.sub(r"\s+", "", outward_code or "").upper()
    return code if OUTWARD_CODE.match(code) else ""


# --- counting at match time ---------------------------------------------------------------


def record_match(app: Flask, profile: matcher.Profile, result: matcher.MatchResult,
                 candidates: Sequence[matcher.Candidate], today: date) -> None:
    """Count this match; never raises (a failure is logged)."""
    if not app.config.get("INSIGHTS_COUNTING", True):
        return
    try:
        vocab = app.extensions["vocabulary"].for_matcher
        rows = match_counts(profile, result, candidates, vocab, today)
        pending(app).add(_table(DemandCount), DEMAND_KEY, rows)
        _flush_soon(app)
    except Exception:  # counting must never cost a person their match
        log.exception("could not count a match for the insights page")


def match_counts(profile: matcher.Profile, result: matcher.MatchResult,
                 candidates: Sequence[matcher.Candidate], vocab: matcher.Vocabulary,
                 today: date) -> list[dict[str, Any]]:
    """The counter rows one match adds to: one for the match as a whole, one per goal and
    condition. Pure; only ids from the vocabulary and the outward code go in."""
    by_id = {c.id: c for c in candidates}
    suggested = [by_id[s.service_id] for s in result.results if s.service_id in by_id]
    missed = [(by_id[w.service_id], w.exclusion) for w in result.why_not if w.service_id in by_id]
    needs: list[tuple[NeedKind, str, Any]] = [(NeedKind.ALL, "", lambda c: True)]
    needs += [(NeedKind.GOAL, g, _serves(vocab.goals[g])) for g in sorted(profile.goals)
              if g in vocab.goals]
    needs += [(NeedKind.CONDITION, c, _has_condition(c)) for c in sorted(profile.conditions)
              if c in vocab.conditions]
    key = {"month": month_of(today), "district": district_of(profile.outward_code),
           "readiness": profile.readiness if profile.readiness in matcher.READINESS else ""}
    rows = []
    for kind, code, fits in needs:
        row = dict.fromkeys(COUNTERS, 0) | key | {"kind": kind, "code": code, "matches": 1}
        if sum(1 for c in suggested if fits(c)) < FEW_OPTIONS:
            row["few_options"] = 1
            for rule in {rule_of(profile, c, e) for c, e in missed if fits(c)}:
                row[rule] = 1
        rows.append(row)
    return rows


def _serves(goal: matcher.Goal) -> Any:
    return lambda c: bool(c.categories & goal.serves or c.activities & goal.activities)


def _has_condition(code: str) -> Any:
    return lambda c: code in c.conditions


def rule_of(profile: matcher.Profile, candidate: matcher.Candidate,
            exclusion: matcher.Exclusion) -> str:
    """Which counted rule kept a near miss out."""
    if exclusion is matcher.Exclusion.TOO_FAR:
        return "too_far"
    if exclusion is matcher.Exclusion.NOT_AVAILABLE:
        return "not_at_times"
    if exclusion is matcher.Exclusion.NO_SHARED_LANGUAGE:
        return "not_in_language"
    if exclusion is matcher.Exclusion.NEEDS_NOT_MET:
        unmet = profile.needs - candidate.access - frozenset(
            n for v in candidate.venues for n in v.access)
        if unmet & COST_NEEDS:
            return "not_free"
        if unmet & PHYSICAL_NEEDS:
            return "not_step_free"
    return "other_rule"


# --- counting at search time --------------------------------------------------------------

EMAIL = re.compile(r"\S+@\S+")
POSTCODE = re.compile(
    r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b|\b[A-Z]{1,2}[0-9][A-Z0-9]?\b", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MAX_WORDS = 8
WORD_LENGTH = range(2, 41)


def search_words(text: str) -> list[str]:
    """The words of a search worth counting: emails, postcodes (whole or outward) and
    anything with a digit taken out, lower-cased, each once, at most MAX_WORDS."""
    text = EMAIL.sub(" ", text)
    text = POSTCODE.sub(" ", text)
    text = " ".join(t for t in text.split() if not any(ch.isdigit() for ch in t))
    words: list[str] = []
    for w in WORD.findall(text.lower()):
        if len(w) in WORD_LENGTH and w not in words:
            words.append(w)
    return words[:MAX_WORDS]


def record_search(app: Flask, text: str, total: int, today: date) -> None:
    """Count the words of a search that found nothing; never raises (a failure is logged)."""
    if total or not text.strip() or not app.config.get("INSIGHTS_COUNTING", True):
        return
    try:
        month, secret = month_of(today), str(app.config["SECRET_KEY"]).encode()
        hashes = {_word_hash(secret, w): w for w in search_words(text)}
        rows = [{"month": month, "word_hash": h, "searches": 1} for h in hashes]
        words = {(month, h): w for h, w in hashes.items()}
        pending(app).add(_table(SearchMiss), SEARCH_KEY, rows, words)
        _flush_soon(app)
    except Exception:  # counting must never cost anyone their search page
        log.exception("could not count a search for the insights page")


def _word_hash(secret: bytes, word: str) -> str:
    return hmac.new(secret, word.encode(), hashlib.sha256).hexdigest()


DEMAND_KEY = ("month", "district", "kind", "code", "readiness")
SEARCH_KEY = ("month", "word_hash")


class Pending:
    """Counts made in this process and not yet written, summed by row.

    A commit costs tens of milliseconds on a slow disk, so matches do not wait for one: the
    counts are written together, INSIGHTS_FLUSH_SECONDS after the first of them (at once
    when that is 0), and when the process exits.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[tuple[str, tuple[Any, ...]], Counter[str]] = {}
        self.keys: dict[str, tuple[sa.Table, Sequence[str]]] = {}
        self.words: dict[tuple[date, str], str] = {}
        self.timer: threading.Timer | None = None

    def add(self, table: sa.Table, key: Sequence[str], rows: list[dict[str, Any]],
            words: dict[tuple[date, str], str] | None = None) -> None:
        with self.lock:
            self.keys[table.name] = (table, key)
            for row in rows:
                counts = self.rows.setdefault((table.name, tuple(row[k] for k in key)), Counter())
                counts.update({c: n for c, n in row.items() if c not in key})
            self.words.update(words or {})

    def take(self) -> tuple[dict[str, Any], dict[tuple[str, tuple[Any, ...]], Counter[str]],
                            dict[tuple[date, str], str]]:
        """What is pending (tables, summed rows, words), leaving nothing pending."""
        with self.lock:
            taken = self.keys, self.rows, self.words
            self.rows, self.words, self.timer = {}, {}, None
            return taken


def pending(app: Flask) -> Pending:
    app = getattr(app, "_get_current_object", lambda: app)()  # current_app: the app itself
    found = app.extensions.get("insights.pending")
    if found is None:
        mine = Pending()
        found = app.extensions.setdefault("insights.pending", mine)
        if found is mine:  # the first to ask: what is still pending at exit is written then
            atexit.register(_flush_ref, weakref.ref(app))
    return found  # type: ignore[no-any-return]


def flush(app: Flask) -> None:
    """Write this process's pending counts (raises if the database refuses them)."""
    keys, rows, words = pending(app).take()
    for name, (table, key) in keys.items():
        full = [dict(zip(key, k, strict=True)) | dict(counts)
                for (t, k), counts in rows.items() if t == name]
        add_counts(app, table, full, key, reveal=words if table is _table(SearchMiss) else None)


def _flush_soon(app: Flask) -> None:
    seconds = float(app.config.get("INSIGHTS_FLUSH_SECONDS", 0) or 0)
    if seconds <= 0:
        flush(app)
        return
    waiting = pending(app)
    app = getattr(app, "_get_current_object", lambda: app)()
    with waiting.lock:
        if waiting.timer is None:
            waiting.timer = threading.Timer(seconds, _flush_ref, (weakref.ref(app),))
            waiting.timer.daemon = True
            waiting.timer.start()


def _flush_ref(app_ref: weakref.ref[Flask]) -> None:
    """Flush an app's counts if it is still alive (a timer or atexit holds it weakly)."""
    app = app_ref()
    if app is not None:
        try:
            flush(app)
        except Exception:
            log.exception("could not write counts for the insights page")


def add_counts(app: Flask, table: sa.Table, rows: list[dict[str, Any]], key: Sequence[str],
               reveal: dict[tuple[date, str], str] | None = None) -> None:
    """Add rows' counters to the stored ones (inserting rows not there yet), in one statement
    of its own transaction: safe when two requests count the same row at once."""
    if not rows:
        return
    rows = sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))  # one lock order for all
    engine = app.extensions["db"].engine
    inserts: dict[str, Callable[[sa.Table], postgresql.Insert | sqlite.Insert]] = {
        "postgresql": postgresql.insert, "sqlite": sqlite.insert}
    statement = inserts[engine.dialect.name](table).values(rows)
    counters = [c for c in rows[0] if c not in key]
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={c: table.c[c] + getattr(statement.excluded, c) for c in counters},
    )
    with engine.begin() as connection:
        connection.execute(statement)
        if reveal:  # a word is written out once enough searches have used it
            misses = _table(SearchMiss)
            for (month, word_hash), word in sorted(reveal.items()):
                connection.execute(
                    sa.update(misses).values(word=word)
                    .where(misses.c.month == month, misses.c.word_hash == word_hash,
                           misses.c.word.is_(None), misses.c.searches >= SMALLEST_SHOWN))


# --- reading the figures back -------------------------------------------------------------


def suppress(n: int) -> str:
    """A count as shown anywhere: 1 to 4 become "fewer than 5"."""
    return SUPPRESSED if 0 < n < SMALLEST_SHOWN else str(n)


def is_shown(n: int) -> bool:
    return n == 0 or n >= SMALLEST_SHOWN


@dataclass
class Gap:
    kind: str
    code: str
    label: str
    district: str
    matches: int
    few_options: int
    rule: str | None  # the rule that most often ruled near misses out
    ruled_out: int

    @property
    def sentence(self) -> str:
        area = self.district or "area unknown"
        words = (f"{self.label}, {area}: {suppress(self.few_options)} of "
                 f"{suppress(self.matches)} matches with fewer than {FEW_OPTIONS} options")
        if self.rule:
            words += f"; {suppress(self.ruled_out)} {RULES[self.rule]}"
        return words


@dataclass
class Figures:
    start: date
    end: date  # the first day of the last month counted
    goal: str | None
    goals: list[tuple[str, str]]  # (id, label) with any matches in the period
    gaps: list[Gap]
    districts: list[dict[str, Any]]  # for the chosen goal (or every match)
    trend: list[dict[str, Any]]
    stale: list[dict[str, Any]]
    searches: list[dict[str, Any]]
    searches_hidden: int = 0  # words searched fewer than SMALLEST_SHOWN times
    notes: list[str] = field(default_factory=list)


def figures_for(session: Session, vocab: Any, today: date, months: int = 3,
                goal: str | None = None, trend_months: int = 12) -> Figures:
    """Everything the insights page and its export show, for the months up to today's."""
    end = month_of(today)
    start = freshness.add_months(end, -(months - 1))
    rows = session.execute(_summed(start, end)).all()

    def label(kind: str, code: str) -> str:
        section = {"goal": "goals", "condition": "conditions"}.get(kind)
        return vocab.label(section, code) if section else "any goal"

    goals = sorted({(r.code, label(r.kind, r.code)) for r in rows if r.kind == NeedKind.GOAL},
                   key=lambda g: g[1])
    if goal not in {g for g, _ in goals}:
        goal = None
    gaps = [Gap(r.kind, r.code, label(r.kind, r.code), r.district, r.matches, r.few_options,
                *_top_rule(r))
            for r in rows if r.kind != NeedKind.ALL and r.few_options]
    gaps.sort(key=lambda g: (-g.few_options, -g.matches, g.label, g.district))
    wanted = (NeedKind.GOAL, goal) if goal else (NeedKind.ALL, "")
    districts = [{"district": r.district or "unknown", "matches": r.matches,
                  "few_options": r.few_options,
                  "share": (round(100 * r.few_options / r.matches)
                            if r.matches >= SMALLEST_SHOWN else None)}
                 for r in rows if (r.kind, r.code) == wanted]
    districts.sort(key=lambda d: d["district"])
    return Figures(start, end, goal, goals, gaps[:10], districts,
                   _trend(session, freshness.add_months(end, -(trend_months - 1)), end),
                   stale_by_area(session, today), *_search_misses(session, start, end))


def _summed(start: date, end: date) -> sa.Select[Any]:
    d = DemandCount
    return (sa.select(d.kind, d.code, d.district,
                      *[sa.func.sum(getattr(d, c)).label(c) for c in COUNTERS])
            .where(d.month.between(start, end))
            .group_by(d.kind, d.code, d.district))


def _top_rule(row: Any) -> tuple[str | None, int]:
    counts = [(getattr(row, r), r) for r in RULES if getattr(row, r)]
    if not counts:
        return None, 0
    n, rule = max(counts, key=lambda t: (t[0], -list(RULES).index(t[1])))
    return rule, n


def _trend(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    d = DemandCount
    found = {r.month: r for r in session.execute(
        sa.select(d.month, sa.func.sum(d.matches).label("matches"),
                  sa.func.sum(d.few_options).label("few_options"))
        .where(d.kind == NeedKind.ALL, d.month.between(start, end)).group_by(d.month))}
    months, month = [], start
    while month <= end:
        r = found.get(month)
        months.append({"month": month, "matches": r.matches if r else 0,
                       "few_options": r.few_options if r else 0})
        month = freshness.add_months(month, 1)
    return months


def _search_misses(session: Session, start: date, end: date) -> tuple[list[dict[str, Any]], int]:
    total = sa.func.sum(SearchMiss.searches)
    found = session.execute(
        sa.select(SearchMiss.word_hash, sa.func.max(SearchMiss.word).label("word"),
                  total.label("searches"))
        .where(SearchMiss.month.between(start, end))
        .group_by(SearchMiss.word_hash).order_by(total.desc(), SearchMiss.word_hash)).all()
    # A word never searched SMALLEST_SHOWN times in one month stays a hash, whatever its total.
    shown = [{"word": r.word, "searches": r.searches} for r in found
             if r.word is not None and r.searches >= SMALLEST_SHOWN]
    shown.sort(key=lambda w: (-w["searches"], w["word"]))
    return shown[:20], len(found) - len(shown)


def stale_by_area(session: Session, today: date) -> list[dict[str, Any]]:
    """Active listings by the district of their venues: how many, and how many are going
    stale (last checked over six months ago, or never) or have expired (over twelve), by
    the rules of directory.freshness."""
    pairs = session.execute(
        sa.select(Location.postcode, Service.id, Service.last_verified)
        .join(service_locations, service_locations.c.location_id == Location.id)
        .join(Service, Service.id == service_locations.c.service_id)
        .where(Service.status == ServiceStatus.ACTIVE)).all()
    seen: set[tuple[str, int]] = set()
    areas: dict[str, Counter[str]] = {}
    for postcode, service_id, verified in pairs:
        full = FULL_POSTCODE.match(compact(postcode or ""))
        area = full.group(1) if full else "unknown"
        if (area, service_id) in seen:
            continue
        seen.add((area, service_id))
        counts = areas.setdefault(area, Counter())
        counts["listings"] += 1
        if freshness.is_expired(verified, today):
            counts["expired"] += 1
        elif freshness.is_stale(verified, today):
            counts["stale"] += 1
    return [{"district": a, "listings": c["listings"], "stale": c["stale"], "expired": c["expired"]}
            for a, c in sorted(areas.items(),
                               key=lambda t: (-(t[1]["stale"] + t[1]["expired"]), t[0]))]


# --- CSV export ---------------------------------------------------------------------------

EXPORTS = ("gaps", "districts", "trend", "stale", "searches")


def export_rows(figures: Figures, name: str) -> Iterable[list[str]]:
    """The rows of one export, header first, with the same suppression as the page."""
    if name == "gaps":
        yield ["need", "kind", "district", "matches", f"fewer_than_{FEW_OPTIONS}_options",
               "most_common_rule", "ruled_out_by_it"]
        for g in figures.gaps:
            yield [g.label, g.kind, g.district, suppress(g.matches), suppress(g.few_options),
                   (g.rule or ""), suppress(g.ruled_out) if g.rule else ""]
    elif name == "districts":
        yield ["district", "matches", f"fewer_than_{FEW_OPTIONS}_options", "percent_unmet"]
        for d in figures.districts:
            yield [d["district"], suppress(d["matches"]), suppress(d["few_options"]),
                   "" if d["share"] is None else str(d["share"])]
    elif name == "trend":
        yield ["month", "matches", f"fewer_than_{FEW_OPTIONS}_options"]
        for m in figures.trend:
            yield [m["month"].strftime("%Y-%m"), suppress(m["matches"]), suppress(m["few_options"])]
    elif name == "stale":
        yield ["district", "active_listings", "going_stale", "expired"]
        for s in figures.stale:
            yield [s["district"], str(s["listings"]), str(s["stale"]), str(s["expired"])]
    elif name == "searches":
        yield ["word", "searches_with_no_results"]
        for w in figures.searches:
            yield [w["word"], suppress(w["searches"])]
        if figures.searches_hidden:
            yield [f"({figures.searches_hidden} other words, each fewer than {SMALLEST_SHOWN})", ""]
    else:
        raise KeyError(name)
