#!/usr/bin/env python3
"""Is the first search and match of a new server worker as fast as the hundredth?

Usage:  .venv/bin/python bench/first_request.py [--size 10000] [--rounds 6] [--root DIR]

Each round starts `directory serve --workers 1` afresh on the synthetic instance of
bench/search.py (built once, cached under BENCH_DIR), waits until it answers /about, then
sends 100 requests one after another over loopback, searches and matches alternating
(seeded words, places and people from bench/search.py and bench/match.py), and keeps how
long the first and the hundredth search and match took. Prints p50/p95 over the rounds,
the seconds from start to the first answer, and the worker's memory (RSS) at the end.
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


def rss_mb(server: subprocess.Popen[bytes]) -> float:
    """Resident memory of the server's worker (the newest child of gunicorn's master)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    pid = children[-1] if children else str(server.pid)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_round(folder: Path, root: Path, profiles: list[dict], seed: int) -> dict[str, float]:  # type: ignore[type-arg]
    port = free_port()
    server, ready_s = start(folder, port, root, folder / "first-request.log")
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {"search": [], "match": []}
    try:
        for n in range(100):
            if n % 2 == 0:
                town = rng.choice(TOWNS)
                query = urllib.parse.urlencode({"q": rng.choice(WORDS), "place": town[0],
                                                "distance": rng.choice((3, 5, 10))})
                request = urllib.request.Request(f"http://127.0.0.1:{port}/search?{query}")
                kind = "search"
            else:
                body = json.dumps(profiles[(seed * 50 + n) % len(profiles)]).encode()
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/match", data=body,
                    headers={"Content-Type": "application/json"})
                kind = "match"
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as answer:
                answer.read()
            timings[kind].append((time.perf_counter() - started) * 1000)
        memory = rss_mb(server)
    finally:
        stop_server(server)
    return {"ready_s": ready_s, "first_search": timings["search"][0],
            "last_search": timings["search"][-1], "first_match": timings["match"][0],
            "last_match": timings["match"][-1], "rss_mb": memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    app, _build = catalogue_db.instance_for(args.size)
    app.extensions["db"].engine.dispose()
    folder = Path(app.instance_path)
    vocab = app.extensions["vocabulary"]
    profiles = make_profiles(200, sorted(vocab.ids("goals")), sorted(vocab.ids("conditions")))
    rounds = [one_round(folder, args.root.resolve(), profiles, seed) for seed in range(args.rounds)]
    report = {key: [round(percentile([r[key] for r in rounds], p), 1) for p in (50, 95)]
              for key in rounds[0]}
    print(f"size {args.size}, {args.rounds} fresh workers, code from {args.root}")
    for key, (p50, p95) in report.items():
        print(f"  {key:13} p50 {p50:>8}   p95 {p95:>8}")
    print(json.dumps({"size": args.size, "root": str(args.root), **report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
