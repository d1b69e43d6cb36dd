#!/usr/bin/env python3
"""Is the first request of a new server worker as fast as the hundredth, and how big is it?

Usage:  .venv/bin/python bench/first_request.py [--size 10000] [--rounds 6]
            [--requests 1000] [--root DIR]

Each round starts `directory serve --workers 1` afresh on the synthetic instance of
bench/search.py (built once, cached under BENCH_DIR), waits until it answers /about, then
sends --requests requests one after another over loopback, a mixed load: searches near a
town (two in five), service pages (two in five) and matches (one in five), with seeded
words, places, services and people from bench/search.py and bench/match.py. It keeps how
long the first and the hundredth request of each kind took (the last, with fewer; both new
to the worker, see one_round), and prints p50/p95 of those over the rounds, the seconds
from start to the first answer, and the worker's memory at the end: RSS (every page it maps, the master's shared ones too),
and PSS and USS (its share of those, and its own alone) from /proc/PID/smaps_rollup, and
how much of the RSS is files mapped in (the index's segments, libraries) rather than memory.
--root runs another checkout's code (its folder, for a side-by-side with older code)
with this project's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalogue_db  # noqa: E402
from load import free_port, stop_server  # noqa: E402
from match import make_profiles  # noqa: E402
from search import WORDS, percentile  # noqa: E402
from synthetic import TOWNS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def start(folder: Path, port: int, root: Path, log: Path) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, "DIRECTORY_INSTANCE": str(folder), "DIRECTORY_SECRET_KEY": "bench",
           "PYTHONPATH": str(root)}
    started = time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "directory", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", "1"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    while time.perf_counter() - started < 300:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/about", timeout=5).read()
            return server, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"the server did not answer: see {log}")


def memory_mb(server: subprocess.Popen[bytes]) -> dict[str, float]:
    """RSS, PSS and USS of the server's worker (the newest child of gunicorn's master)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    pid = children[-1] if children else str(server.pid)
    found = {"Rss": 0, "Pss": 0, "Private_Clean": 0, "Private_Dirty": 0, "Anonymous": 0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        if key in found:
            found[key] = int(rest.split()[0])
    return {"rss_mb": found["Rss"] / 1024, "pss_mb": found["Pss"] / 1024,
            "uss_mb": (found["Private_Clean"] + found["Private_Dirty"]) / 1024,
            "rss_files_mb": (found["Rss"] - found["Anonymous"]) / 1024}


PROBE_AT = 100  # the first request of each kind is compared with the 100th of that kind


def one_round(folder: Path, root: Path, profiles: list[dict], services: list[str],  # type: ignore[type-arg]
              seed: int, requests: int) -> dict[str, float]:
    """One fresh worker and its requests. The first and the hundredth request of each kind
    are alike in being new to the worker: a word no other search of the round uses, a
    service no other page shows, a person whose words no other match has, so the hundredth
    is not faster merely for having been asked before (what a word or a text comes to is
    kept, and the bench's words repeat)."""
    # Rounds go in pairs with the same two probes of each kind, swapped: each probe is the
    # first request in one round and the hundredth in the other, so the two are alike but
    # for the worker's age (probes differ in cost: one word matches ten times what another does).
    pick = random.Random(seed // 2)
    probe_words = pick.sample(WORDS, 2)
    probe_pages = pick.sample(services, 2)
    first_person = pick.choice(profiles)
    second_person = pick.choice([p for p in profiles if p["text"] != first_person["text"]])
    probe_people = [first_person, second_person]
    probes = {"search": probe_words, "page": probe_pages, "match": probe_people}
    if seed % 2:
        probes = {kind: both[::-1] for kind, both in probes.items()}
    words = [w for w in WORDS if w not in probe_words]
    people = [p for p in profiles if p["text"] not in {q["text"] for q in probe_people}]
    rng = random.Random(seed)
    port = free_port()
    server, ready_s = start(folder, port, root, folder / "first-request.log")
    timings: dict[str, list[float]] = {"search": [], "page": [], "match": []}
    try:
        for n in range(requests):
            kind = ("search", "page", "search", "page", "match")[n % 5]
            sent = len(timings[kind])
            probe = probes[kind][0 if sent == 0 else 1] if sent in (0, PROBE_AT - 1) else None
            if kind == "search":
                town = rng.choice(TOWNS)
                query = urllib.parse.urlencode({"q": probe or rng.choice(words), "place": town[0],
                                                "distance": rng.choice((3, 5, 10))})
                request = urllib.request.Request(f"http://127.0.0.1:{port}/search?{query}")
            elif kind == "page":
                page = probe or rng.choice(services)
                request = urllib.request.Request(f"http://127.0.0.1:{port}/services/{page}")
            else:
                body = json.dumps(probe or rng.choice(people)).encode()
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/match", data=body,
                    headers={"Content-Type": "application/json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as answer:
                answer.read()
            timings[kind].append((time.perf_counter() - started) * 1000)
        memory = memory_mb(server)
    finally:
        stop_server(server)
    found: dict[str, float] = {"ready_s": ready_s}
    for kind, taken in timings.items():
        found[f"first_{kind}"] = taken[0]
        found[f"hundredth_{kind}"] = taken[min(PROBE_AT - 1, len(taken) - 1)]
    return {**found, **memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=6, help="fresh workers (best even: "
                        "the probes go in swapped pairs)")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args(argv)
    app, _build = catalogue_db.instance_for(args.size)
    with app.app_context(), app.extensions["db"].sessions() as session:
        from directory.models import Service, ServiceStatus

        services = sorted(session.scalars(sa.select(Service.public_id).where(
            Service.status == ServiceStatus.ACTIVE)))
    app.extensions["db"].engine.dispose()
    folder = Path(app.instance_path)
    vocab = app.extensions["vocabulary"]
    profiles = make_profiles(200, sorted(vocab.ids("goals")), sorted(vocab.ids("conditions")))
    rounds = [one_round(folder, args.root.resolve(), profiles, services, seed, args.requests)
              for seed in range(args.rounds)]
    report = {key: [round(percentile([r[key] for r in rounds], p), 1) for p in (50, 95)]
              for key in rounds[0]}
    print(f"size {args.size}, {args.rounds} fresh workers, {args.requests} requests each, "
          f"code from {args.root}, load average {os.getloadavg()[0]:.2f}")
    for key, (p50, p95) in report.items():
        print(f"  {key:16} p50 {p50:>8}   p95 {p95:>8}")
    for kind in ("search", "page", "match"):
        first, hundredth = report[f"first_{kind}"][1], report[f"hundredth_{kind}"][1]
        print(f"  first {kind} / hundredth, p95: {first / max(hundredth, 0.1):.2f}")
    print(json.dumps({"size": args.size, "root": str(args.root), **report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
