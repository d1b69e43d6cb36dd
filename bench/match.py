#!/usr/bin/env python3
"""Match latency benchmark: a full match on synthetic catalogues of several sizes.

Usage:  .venv/bin/python bench/match.py [--sizes 1000,10000,100000] [--runs 200]
            [--today 2026-11-30] [--json]

Each run is what POST /api/v1/match does after parsing JSON: profile validation
(marshmallow), geocoding, candidate generation from the search index's facts, text
relevance from the index, reading candidates' facts (or finding them in memory), scoring,
diversification, reasons and serialising the answer. Profiles are seeded random
people in the towns of the synthetic catalogue (bench/synthetic.py), half given by
coordinates and half by a real postcode. Prints p50/p95 per size for a cold pass (each
area new to the process: no candidates, and nothing about any word of the people's
texts, in memory), a warm pass (the same requests again), and a served pass (as a
`directory serve` worker: every active listing read into memory when it starts, timed
apart as "prewarm", then its garbage kept out of collections as the server does), and
JSON. The served pass is also timed in CPU time of the matching thread (`CPU p50/p95`),
which a loaded machine disturbs far less than wall time.

The match's day matters: listings last verified more than twelve months before it are not
candidates. The synthetic catalogue's listings were verified from September 2024 to
November 2026, so on the default day about half have expired; `--today 2025-09-01` matches
with none expired (the most work per match).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalogue_db  # noqa: E402  (also puts the project on sys.path)
from synthetic import TOWNS  # noqa: E402

TODAY = date(2026, 11, 30)
POSTCODES = ["NE4 8XJ", "SW1A 1AA", "M1 1AE", "B33 8TH", "EC1A 1BB", "E1 6AN", "CR2 6XH"]
TEXTS = ["", "", "used to love fishing, gets breathless on hills", "lonely since my wife died",
         "skint and worried about bills", "wants to sing again", "bad knees but likes walking"]


def make_profiles(count: int, goals: list[str], conditions: list[str], seed: int = 5) -> list[dict]:  # type: ignore[type-arg]
    rng = random.Random(seed)
    profiles = []
    for n in range(count):
        town = rng.choice(TOWNS)
        if n % 2:
            location = {"postcode": rng.choice(POSTCODES)}
        else:
            location = {"latitude": town[1] + rng.uniform(-0.03, 0.03),
                        "longitude": town[2] + rng.uniform(-0.05, 0.05)}
        profile = {
            "goals": rng.sample(goals, rng.randint(1, 3)),
            "conditions": rng.sample(conditions, rng.randint(0, 2)),
            "location": location,
            "max_distance_km": rng.choice([3, 5, 8, 10]),
            "readiness": rng.choice(["not-yet", "thinking", "ready", "active"]),
            "age": rng.randint(20, 85),
            "gender": rng.choice(["female", "male", None]),
            "text": rng.choice(TEXTS),
        }
        if rng.random() < 0.4:
            profile["availability"] = [{"day": d, "from": "09:00", "to": "17:00"}
                                       for d in rng.sample(["mon", "tue", "wed", "thu", "fri"], 3)]
        if rng.random() < 0.3:
            profile["needs"] = rng.sample(["step-free", "free", "wheelchair-accessible"], 1)
        profiles.append(profile)
    return profiles


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_size(size: int, runs: int, today: date = TODAY) -> dict:  # type: ignore[type-arg]
    from directory.api.match import match_json
    from directory.search.segment_facts import forget_words

    app, build = catalogue_db.instance_for(size)
    vocab = app.extensions["vocabulary"]
    profiles = make_profiles(runs, sorted(vocab.ids("goals")), sorted(vocab.ids("conditions")))
    passes: list[list[float]] = [[], []]
    considered, returned = [], []
    with app.app_context():
        for profile in profiles[:5]:
            match_json(profile, today)  # load geocoder tables and index facts
        # but start with no candidates, and no word of anyone's text, in memory
        app.extensions.pop("candidate_cache", None)
        forget_words()
        # Pass 1: each person's area is new to this process, so its services' facts are
        # read from the database. Pass 2: the same requests again, as when Link Workers keep
        # matching in the same city (the cache is dropped whenever the catalogue changes).
        for timings in passes:
            for profile in profiles:
                started = time.perf_counter()
                answer = match_json(profile, today)
                timings.append((time.perf_counter() - started) * 1000)
                considered.append(answer["considered"])
                returned.append(len(answer["results"]))
        # Pass 3, as a server worker runs: `directory serve` reads every active listing into
        # memory when the worker starts (timed apart), then takes each person once, with
        # no one's words yet remembered.
        from directory import matching

        app.extensions.pop("candidate_cache", None)
        forget_words()
        app.config["TODAY"] = today  # the server's today: it pre-loads what today's matches use
        started = time.perf_counter()
        preloaded = matching.prewarm(app)
        prewarm_s = time.perf_counter() - started
        # As `directory serve` does once it has warmed up: what is built before serving is
        # kept out of the garbage collector's walks.
        gc.collect()
        gc.freeze()
        served: list[float] = []
        served_cpu: list[float] = []
        for profile in profiles:
            started, cpu = time.perf_counter(), time.thread_time()
            match_json(profile, today)
            served_cpu.append((time.thread_time() - cpu) * 1000)
            served.append((time.perf_counter() - started) * 1000)
        gc.unfreeze()
    app.extensions["db"].engine.dispose()
    timings, warm = passes
    return {
        "served_p50_ms": round(percentile(served, 50), 1),
        "served_p95_ms": round(percentile(served, 95), 1),
        "served_cpu_p50_ms": round(percentile(served_cpu, 50), 1),
        "served_cpu_p95_ms": round(percentile(served_cpu, 95), 1),
        "prewarm_s": round(prewarm_s, 1),
        "prewarmed": preloaded,
        "size": size,
        "today": today.isoformat(),
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "warm_p50_ms": round(percentile(warm, 50), 1),
        "warm_p95_ms": round(percentile(warm, 95), 1),
        "max_ms": round(max(timings), 1),
        "mean_candidates": round(sum(considered) / len(considered)),
        "mean_results": round(sum(returned) / len(returned), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY,
                        help="the day every match is for (YYYY-MM-DD)")
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args(argv)
    results = [run_size(int(s), args.runs, args.today) for s in args.sizes.split(",")]
    report = {"machine": f"{platform.machine()}, Python {platform.python_version()}, "
                         f"{os.cpu_count()} cores", "results": results}
    if not args.json:
        print(f"{'size':>7} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} "
              f"{'served p50':>11} {'served p95':>11} {'CPU p50':>8} {'CPU p95':>8} {'prewarm':>8} "
              f"{'candidates':>11} {'results':>8}")
        for r in results:
            print(f"{r['size']:>7} {r['p50_ms']:9} {r['p95_ms']:9} {r['warm_p50_ms']:9} "
                  f"{r['warm_p95_ms']:9} {r['served_p50_ms']:11} {r['served_p95_ms']:11} "
                  f"{r['served_cpu_p50_ms']:8} {r['served_cpu_p95_ms']:8} "
                  f"{r['prewarm_s']:>7}s {r['mean_candidates']:>11} {r['mean_results']:>8}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
