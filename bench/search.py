#!/usr/bin/env python3
"""Search benchmark: index build time and query latency on synthetic catalogues.

Usage:  .venv/bin/python bench/search.py [--sizes 1000,10000,100000] [--queries 300] [--json]
        (--sizes 1000000 works too: the catalogue is built once and cached, which takes hours)

For each size, builds (or reuses, see BENCH_DIR in catalogue_db.py) an instance holding a
seeded synthetic catalogue spread over England, times a full index rebuild, then runs a
fixed, seeded mix of queries in four kinds (keyword only; keyword + 2 filters; keyword +
distance; filters only) through the same search function as the public pages, and prints
p50/p95/p99 latency per kind as a table and as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalogue_db  # noqa: E402  (also puts the project on sys.path)
from synthetic import TOWNS  # noqa: E402

WORDS = [
    "walking group", "breathless", "money worries", "choir", "knitting", "diabetes", "lonely",
    "cooking", "yoga", "debt advice", "swimming", "art class", "volunteering", "bereavement",
    "job club", "computer", "gardening", "men's shed", "lunch club", "chair exercise", "anxiety",
    "benefits", "stop smoking", "dementia cafe", "carers", "fishing", "tai chi", "housing",
    "walkng", "singing", "weight", "heart", "pain", "english classes", "befriending",
]
FILTERS = [
    ("categories", "physical-activity"), ("categories", "community"), ("categories", "arts"),
    ("categories", "welfare-rights"), ("categories", "mental-health"), ("access", "free"),
    ("access", "drop-in"), ("access", "wheelchair-accessible"), ("access", "step-free"),
    ("access", "beginners-welcome"), ("days", "mon"), ("days", "wed"), ("days", "sat"),
    ("parts", "morning"), ("parts", "evening"), ("parts", "weekend"),
    ("conditions", "copd"), ("conditions", "depression"),
]
KINDS = ("keyword", "keyword+2 filters", "keyword+distance", "filters only")


def make_queries(count: int, seed: int = 11) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    """A fixed mix: (kind, text, filter keyword arguments)."""
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        text = rng.choice(WORDS) if kind != "filters only" else ""
        chosen: dict[str, list[str]] = {}
        picks = 2 if kind == "keyword+2 filters" else (rng.randint(1, 3) if kind == "filters only" else 0)
        for key, value in rng.sample(FILTERS, picks):
            chosen.setdefault(key, []).append(value)
        filters: dict = {k: tuple(v) for k, v in chosen.items()}  # type: ignore[type-arg]
        if kind == "keyword+distance":
            town = rng.choice(TOWNS)
            filters["origin"] = (town[1] + rng.uniform(-0.02, 0.02), town[2] + rng.uniform(-0.03, 0.03))
            filters["within_km"] = float(rng.choice((2, 3, 5, 8, 10)))
        queries.append((kind, text, filters))
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_size(size: int, count: int, rebuild: bool) -> dict:  # type: ignore[type-arg]
    from directory import search
    from directory.search.query import Filters

    app, build = catalogue_db.instance_for(size)
    if rebuild:
        started = time.perf_counter()
        search.rebuild_all(app)
        build["index_s"] = round(time.perf_counter() - started, 2)
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with app.app_context():
        search.run_search("warm up", Filters(origin=(54.97, -1.61), within_km=5))  # load tables once
        for kind, text, filters in make_queries(count):
            started, used = time.perf_counter(), time.process_time()
            search.run_search(text, Filters(**filters))
            latencies[kind].append((time.perf_counter() - started) * 1000)
            cpu[kind].append((time.process_time() - used) * 1000)
    app.extensions["db"].engine.dispose()
    return {
        "size": size,
        "index_build_s": build.get("index_s", "-"),
        "latency_ms": {
            kind: {p: round(percentile(v, float(p[1:])), 1) for p in ("p50", "p95", "p99")}
            for kind, v in latencies.items()
        },
        # CPU time of this process per query: steadier than wall time on a shared machine.
        "cpu_ms": {
            kind: {p: round(percentile(v, float(p[1:])), 1) for p in ("p50", "p95")}
            for kind, v in cpu.items()
        },
        "load_average": round(__import__("os").getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-rebuild", action="store_true", help="reuse a cached index")
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args(argv)
    results = [run_size(int(s), args.queries, not args.no_rebuild) for s in args.sizes.split(",")]
    report = {"machine": f"{platform.machine()}, {platform.python_version()}, "
                         f"{__import__('os').cpu_count()} cores", "results": results}
    if not args.json:
        print(f"{'size':>7}  {'index build':>11}  {'query kind':18} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'CPU p50':>8} {'CPU p95':>8}")
        for r in results:
            for n, (kind, lat) in enumerate(r["latency_ms"].items()):
                build = f"{r['index_build_s']}s" if n == 0 and r["index_build_s"] != "-" else ""
                size = f"{r['size']:>7}" if n == 0 else ""
                used = r["cpu_ms"][kind]
                print(f"{size:>7}  {build:>11}  {kind:18} {lat['p50']:7} {lat['p95']:7} "
                      f"{lat['p99']:7} {used['p50']:8} {used['p95']:8}")
            print(f"{'':>7}  load average {r['load_average']}")
    print(json.dumps(report, indent=None if not args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
