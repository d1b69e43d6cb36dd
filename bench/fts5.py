#!/usr/bin/env python3
"""Search side by side with SQLite FTS5: the same documents, query rules and filters.

Usage:  .venv/bin/python bench/fts5.py [--sizes 10000,100000] [--queries 300] [--json]

For each size, the synthetic instance of bench/search.py (built once, cached under
BENCH_DIR) is copied into an SQLite FTS5 database beside it (also built once): the same
search documents (directory.search.documents), text columns weighted as the project
weights its fields (bm25 with name 4, activities 2.5, topics 1.5, organisation 1.2,
description and places 1), porter stemming, each query word also matching the vocabulary
ids its lay synonyms mean, every word required (any word when none matches all), the
filters as indexed tables (an R*Tree for venues, the same flat-earth distance within
reach). The benchmark's queries (bench/search.py) then run through both, interleaved
query by query, each timed in CPU time (process_time: SQLite's C code runs in this
process too) and wall time. Prints p50/p95 per query kind for both and their ratio
(project / FTS5: below 1 the project is faster), and how often both found the same
number of services.

Not the same ranking: FTS5 orders by its bm25 (then name); the project by its field-
boosted IDF sums and nearness. The matched sets differ where the two stemmers do.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalogue_db  # noqa: E402  (also puts the project on sys.path)
from search import KINDS, make_queries, percentile  # noqa: E402

TEXT = ("name", "activities", "topics", "organization", "description", "places")
WEIGHTS = (4.0, 2.5, 1.5, 1.2, 1.0, 1.0, 2.0)  # the last: the vocabulary column (synonyms)
KM_PER_DEGREE = math.pi * 6371.0088 / 180
PARTS = {"morning": (0, 719), "afternoon": (720, 1019), "evening": (1020, 1440)}


def _token(field: str, code: str) -> str:
    return field + re.sub(r"[^a-z0-9]", "", code.lower())


def build(app: Any, path: Path) -> float:
    """Write every search document into an FTS5 database at path; returns seconds (CPU)."""
    from directory import search

    started = time.process_time()
    temp = path.with_suffix(".tmp")
    temp.unlink(missing_ok=True)
    db = sqlite3.connect(temp)
    db.executescript(f"""
        CREATE VIRTUAL TABLE doc USING fts5({", ".join(TEXT)}, vocab,
                                             tokenize = 'porter unicode61');
        CREATE TABLE meta (id INTEGER PRIMARY KEY, public_id TEXT, status TEXT,
                           sort_name TEXT, anywhere INTEGER);
        CREATE TABLE facet (value TEXT, doc INTEGER, PRIMARY KEY (value, doc)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE venue USING rtree(id, min_lat, max_lat, min_lon, max_lon);
        CREATE TABLE venue_doc (id INTEGER PRIMARY KEY, doc INTEGER, lat REAL, lon REAL);
    """)
    venue = 0
    with app.app_context(), app.extensions["db"].sessions() as session:
        for n, d in enumerate(search._documents(app, session), start=1):
            vocab = " ".join(_token(f, c) for f in ("category", "activity", "condition", "access")
                             for c in d[f].split(",") if c)
            db.execute("INSERT INTO doc (rowid, name, activities, topics, organization, "
                       "description, places, vocab) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (n, *(d[f] for f in TEXT), vocab))
            extra = d["extra"]
            db.execute("INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                       (n, d["id"], d["status"], f"{d['name'].lower()}\x00{d['id']}",
                        int(bool(extra.get("anywhere")))))
            values = {f"{f}:{c}" for f in ("category", "activity", "condition", "access", "day")
                      for c in d[f].split(",") if c}
            for day, start, _end in extra.get("sessions", ()):
                values.update(f"part:{p}" for p, (a, b) in PARTS.items() if a <= start <= b)
                if day >= 5:
                    values.add("part:weekend")
            db.executemany("INSERT INTO facet VALUES (?, ?)", [(v, n) for v in values])
            for lat, lon in extra.get("points", ()):
                venue += 1
                db.execute("INSERT INTO venue VALUES (?, ?, ?, ?, ?)", (venue, lat, lat, lon, lon))
                db.execute("INSERT INTO venue_doc VALUES (?, ?, ?, ?)", (venue, n, lat, lon))
    db.execute("INSERT INTO doc (doc) VALUES ('optimize')")
    db.commit()
    db.close()
    temp.rename(path)
    return time.process_time() - started


class Fts5:
    def __init__(self, path: Path, synonyms: Any) -> None:
        self.db = sqlite3.connect(path)
        self.synonyms = synonyms

    def _clauses(self, text: str) -> list[str]:
        from directory.search.query import FILLER, _plain_words, _stem

        words = _plain_words(text)
        meaningful = [w for w in words if w not in FILLER] or words
        clauses = []
        for raw in meaningful:
            options = [f'"{raw}"'] if _stem(raw) else []
            meant = sorted(self.synonyms.find(raw))
            options += [f"vocab : {_token(f, c.split(':')[-1])}" for c in meant
                        for f in ("category", "activity", "condition", "access")]
            if options:
                clauses.append("(" + " OR ".join(options) + ")")
        return clauses

    def search(self, text: str, filters: dict[str, Any]) -> tuple[list[str], int]:
        where: list[str] = ["m.status = 'active'"]
        params: list[Any] = []
        for field, values in (("category", filters.get("categories", ())),
                              ("activity", filters.get("activities", ())),
                              ("condition", filters.get("conditions", ())),
                              ("day", filters.get("days", ())), ("part", filters.get("parts", ()))):
            if values:
                where.append(f"m.id IN (SELECT doc FROM facet WHERE value IN "
                             f"({', '.join('?' * len(values))}))")
                params += [f"{field}:{v}" for v in values]
        for value in filters.get("access", ()):
            where.append("m.id IN (SELECT doc FROM facet WHERE value = ?)")
            params.append(f"access:{value}")
        if filters.get("origin") and filters.get("within_km"):
            (lat, lon), km = filters["origin"], filters["within_km"]
            kx = KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)
            dlat, dlon = km / KM_PER_DEGREE, km / kx
            where.append(
                "(m.anywhere OR m.id IN (SELECT d.doc FROM venue v JOIN venue_doc d ON d.id = v.id"
                " WHERE v.min_lat >= ? AND v.max_lat <= ? AND v.min_lon >= ? AND v.max_lon <= ?"
                " AND ((d.lat - ?) * ?) * ((d.lat - ?) * ?) + ((d.lon - ?) * ?) * ((d.lon - ?) * ?)"
                " <= ?))")
            params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon,
                       lat, KM_PER_DEGREE, lat, KM_PER_DEGREE, lon, kx, lon, kx, km * km]
        clauses = self._clauses(text) if text.strip() else []
        if not clauses:
            sql = f"FROM meta m WHERE {' AND '.join(where)}"
            total = self.db.execute(f"SELECT count(*) {sql}", params).fetchone()[0]
            rows = self.db.execute(f"SELECT m.public_id {sql} ORDER BY m.sort_name LIMIT 20",
                                   params).fetchall()
            return [r[0] for r in rows], total
        weights = ", ".join(str(w) for w in WEIGHTS)
        for joiner in (" AND ", " OR "):  # every word; any word when nothing has them all
            sql = (f"FROM doc JOIN meta m ON m.id = doc.rowid WHERE doc MATCH ? AND "
                   f"{' AND '.join(where)}")
            args = [joiner.join(clauses), *params]
            total = self.db.execute(f"SELECT count(*) {sql}", args).fetchone()[0]
            if total or joiner == " OR ":
                rows = self.db.execute(
                    f"SELECT m.public_id {sql} ORDER BY bm25(doc, {weights}), m.sort_name "
                    f"LIMIT 20", args).fetchall()
                return [r[0] for r in rows], total
        return [], 0


def run_size(size: int, count: int) -> dict[str, Any]:
    from directory import search
    from directory.search.query import Filters

    app, _build = catalogue_db.instance_for(size)
    path = catalogue_db.BENCH_DIR / f"size-{size}-seed-7" / "fts5.db"
    built = None if path.exists() else round(build(app, path), 1)
    fts = Fts5(path, search.current_synonyms(app))
    ours: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    theirs: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    same_total = {k: 0 for k in KINDS}
    with app.app_context():
        search.run_search("warm up", Filters(origin=(54.97, -1.61), within_km=5))
        fts.search("warm up", {"origin": (54.97, -1.61), "within_km": 5.0})
        for n, (kind, text, filters) in enumerate(make_queries(count)):
            runs = [("project", lambda t=text, f=filters: search.run_search(t, Filters(**f)).total),
                    ("fts5", lambda t=text, f=filters: fts.search(t, f)[1])]
            if n % 2:
                runs.reverse()  # neither always goes first
            totals = {}
            for name, run in runs:
                cpu, wall = time.process_time(), time.perf_counter()
                totals[name] = run()
                taken = ((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000)
                (ours if name == "project" else theirs)[kind].append(taken)
            same_total[kind] += totals["project"] == totals["fts5"]
    app.extensions["db"].engine.dispose()

    def summary(values: list[tuple[float, float]], which: int) -> list[float]:
        return [round(percentile([v[which] for v in values], p), 2) for p in (50, 95)]

    return {"size": size, "fts5_build_cpu_s": built, "kinds": {
        kind: {"project_cpu": summary(ours[kind], 0), "fts5_cpu": summary(theirs[kind], 0),
               "project_wall": summary(ours[kind], 1), "fts5_wall": summary(theirs[kind], 1),
               "same_total": f"{same_total[kind]}/{len(ours[kind])}"}
        for kind in KINDS}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args(argv)
    results = [run_size(int(s), args.queries) for s in args.sizes.split(",")]
    if not args.json:
        print(f"{'size':>7}  {'query kind':18} {'project CPU p50/p95':>20} {'FTS5 CPU p50/p95':>18}"
              f" {'ratio p50/p95':>14} {'same total':>10}")
        for r in results:
            for kind, k in r["kinds"].items():
                ratio = [round(a / b, 2) if b else math.inf
                         for a, b in zip(k["project_cpu"], k["fts5_cpu"], strict=True)]
                ours, theirs = k["project_cpu"], k["fts5_cpu"]
                print(f"{r['size']:>7}  {kind:18} {ours[0]:>9} / {ours[1]:<8}"
                      f" {theirs[0]:>7} / {theirs[1]:<8} {ratio[0]:>6} / {ratio[1]:<6}"
                      f" {k['same_total']:>10}")
    print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
