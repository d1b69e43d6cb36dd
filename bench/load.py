#!/usr/bin/env python3
"""Load test: gunicorn with 2 workers, the demo catalogue plus 10,000 synthetic services.

Usage:  .venv/bin/python bench/load.py [--users 20] [--seconds 60] [--size 10000] [--think 0]

Needs the `bench` extra (`.venv/bin/pip install -e '.[bench]'`, which brings locust). Builds
(or reuses, under $BENCH_DIR) an instance holding the synthetic catalogue of
bench/synthetic.py and the demo catalogue, starts `directory serve --workers 2` on a free
loopback port, warms each worker up, and runs locust headless in a subprocess: `--users`
simulated people (FastHttpUser), each doing one request after another with `--think`
seconds between them, for `--seconds`. The mix is public searches (words, words + place,
filters, category pages, the JSON twin) 45%, service pages 45%, `POST /api/v1/match` 10%.

Prints requests per second, p50/p95/p99 latency and errors, overall and per kind of request,
then one JSON line; exits 1 if any request failed and 3 if a target was missed (at least
100 requests a second, p95 under 300 ms).

This same file is the locustfile: locust imports it (as a module, not as __main__) and finds
the user class defined at the bottom.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
TARGET_RPS = 100.0
TARGET_P95_MS = 300.0

# What people type into the search box, and places they search near.
WORDS = ["walking", "bad chest", "skint", "choir", "knitting", "money advice", "lonely",
         "gardening", "walkng group", "a brew and a natter", "yoga", "dementia", "football",
         "art", "men's shed", "swimming", "cooking", "debt", "singing", "carers"]
PLACES = ["NE4 8XJ", "Fenham", "NE6", "Benwell", "M1 1AE", "Leeds", "Whitley Bay", "B33 8TH"]
CATEGORIES = ["arts", "physical-activity", "welfare-rights", "community", "mental-health"]


# --- the instance -------------------------------------------------------------------------


def build_instance(size: int, seed: int = 7) -> Path:
    """An instance folder with `size` synthetic services plus the demo catalogue (cached)."""
    sys.path.insert(0, str(HERE))
    import catalogue_db  # also puts the project on sys.path

    from directory import create_app, migrate, search, seed as demo, vocabulary
    from synthetic import make_catalogue

    folder = catalogue_db.BENCH_DIR / f"load-demo-plus-{size}-seed-{seed}"
    if (folder / "READY").exists():
        app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"})
        migrate.upgrade(app.extensions["db"].engine)  # built by an older version, perhaps
        app.extensions["db"].engine.dispose()
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"})
    database = app.extensions["db"]
    started = time.perf_counter()
    migrate.upgrade(database.engine)
    with database.sessions() as session:
        vocabulary.sync_terms(session, app.extensions["vocabulary"])
        session.commit()
    # Synthetic rows first: bulk_load numbers them from 1, and the demo rows, loaded through
    # the ORM like `directory seed`, then take the ids after them.
    catalogue_db.bulk_load(database.engine, make_catalogue(size, seed))
    with database.sessions() as session:
        demo.load_catalogue(session, demo.read_catalogue(ROOT / "seed_data" / "demo"))
        session.commit()
    count = search.rebuild_all(app)
    database.engine.dispose()
    (folder / "READY").write_text("ok\n")
    print(f"Built {folder} with {count} services in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    return folder


def write_plan(folder: Path, count: int = 400) -> Path:
    """The requests users make: active service ids and match profiles, seeded, as JSON."""
    import sqlalchemy as sa
    import yaml

    engine = sa.create_engine(f"sqlite:///{folder / 'directory.db'}")
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.text(
            "SELECT public_id FROM services WHERE status = 'active' ORDER BY id"))]
    engine.dispose()
    vocab = yaml.safe_load((ROOT / "seed_data" / "vocabulary.yaml").read_text(encoding="utf-8"))
    goals = sorted(item["id"] for item in vocab["goals"])
    conditions = sorted(item["id"] for item in vocab["conditions"])
    sys.path.insert(0, str(HERE))
    from match import make_profiles

    rng = random.Random(11)
    plan = {"services": rng.sample(ids, min(count, len(ids))),
            "profiles": make_profiles(count, goals, conditions, seed=11)}
    path = folder / "load-plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DIRECTORY_INSTANCE": str(folder), "DIRECTORY_SECRET_KEY": "bench"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "directory"), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/about", timeout=2).read()
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"the server did not answer within 60 s: see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: gunicorn and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def server_cpu_s(server: subprocess.Popen[bytes]) -> float:
    """CPU seconds used so far by gunicorn's workers (psutil comes with locust)."""
    import psutil

    total = 0.0
    for proc in psutil.Process(server.pid).children(recursive=True):
        times = proc.cpu_times()
        total += times.user + times.system
    return total


def warm_up(base: str, plan: dict[str, Any], rounds: int = 12) -> None:
    """Every kind of request a few times, so each worker has loaded its tables and caches."""
    for n in range(rounds):
        for path in (f"/search?q={WORDS[n % len(WORDS)]}", f"/search?place=NE4+8XJ&distance=5",
                     f"/categories/{CATEGORIES[n % len(CATEGORIES)]}",
                     f"/services/{plan['services'][n]}"):
            urllib.request.urlopen(base + path.replace(" ", "+"), timeout=60).read()
        body = json.dumps(plan["profiles"][n]).encode()
        request = urllib.request.Request(base + "/api/v1/match", body,
                                         {"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=60).read()


# --- running locust and reading its numbers -----------------------------------------------


def run_locust(base: str, plan_path: Path, users: int, seconds: int, think: float,
               out: Path) -> None:
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_THINK": str(think)}
    command = [str(BIN / "locust"), "-f", str(Path(__file__).resolve()), "--headless",
               "--host", base, "--users", str(users), "--spawn-rate", str(users),
               "--run-time", f"{seconds}s", "--stop-timeout", "10", "--csv", str(out / "load"),
               "--only-summary", "--loglevel", "WARNING"]
    done = subprocess.run(command, env=env, cwd=out, capture_output=True, text=True)
    (out / "locust.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if not (out / "load_stats.csv").exists():
        raise SystemExit(f"locust did not run (exit {done.returncode}):\n{done.stderr[-2000:]}")


def total_requests(out: Path) -> int:
    return next(r["requests"] for r in read_stats(out) if r["name"] == "all")


def read_stats(out: Path) -> list[dict[str, Any]]:
    rows = []
    with (out / "load_stats.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append({
                "name": row["Name"] if row["Name"] != "Aggregated" else "all",
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
            })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", type=int, default=10_000, help="synthetic services")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each user waits between requests (default: none)")
    args = parser.parse_args(argv)
    if not (BIN / "locust").exists():
        raise SystemExit("locust is not installed: .venv/bin/pip install -e '.[bench]'")

    folder = build_instance(args.size)
    plan_path = write_plan(folder)
    out = Path(tempfile.mkdtemp(prefix="directory-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(folder, port, args.workers, out / "server.log")
    try:
        warm_up(base, json.loads(plan_path.read_text(encoding="utf-8")))
        load_before, cpu_before = os.getloadavg(), server_cpu_s(server)
        run_locust(base, plan_path, args.users, args.seconds, args.think, out)
        load_after, cpu_after = os.getloadavg(), server_cpu_s(server)
    finally:
        stop_server(server)

    rows = read_stats(out)
    total = next(r for r in rows if r["name"] == "all")
    print(f"{args.users} users, {args.seconds} s, think {args.think:g} s, gunicorn "
          f"{args.workers} workers, {args.size:,} synthetic + demo services "
          f"({platform.python_version()}, {os.cpu_count()} cores)")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    # CPU the workers spent per request: what the machine's cores must supply, whatever
    # else is running (the load generator and anyone else's work compete for them).
    cpu_ms = (cpu_after - cpu_before) * 1000 / max(1, total_requests(out))
    cores = os.cpu_count() or 1
    print(f"server CPU {cpu_ms:.1f} ms a request: at most {1000 * cores / cpu_ms:.0f} "
          f"requests a second on {cores} otherwise idle cores")
    print(f"{'request':<28} {'count':>7} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7}")
    for r in rows:
        print(f"{r['name'][:28]:<28} {r['requests']:>7} {r['errors']:>6} {r['rps']:>7} "
              f"{r['p50_ms']:>7.0f} {r['p95_ms']:>7.0f} {r['p99_ms']:>7.0f}")
    print(json.dumps({"users": args.users, "seconds": args.seconds, "think_s": args.think,
                      "server_cpu_ms_per_request": round(cpu_ms, 2),
                      "workers": args.workers, "size": args.size,
                      "loadavg": [round(load_before[0], 2), round(load_after[0], 2)],
                      "results": rows, "output": str(out)}))
    if total["errors"]:
        print(f"FAILED: {total['errors']} requests failed (see {out})", file=sys.stderr)
        return 1
    if total["rps"] < TARGET_RPS or total["p95_ms"] >= TARGET_P95_MS:
        print(f"Target missed: want at least {TARGET_RPS:g} req/s and p95 under "
              f"{TARGET_P95_MS:g} ms", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
elif "locust" in sys.modules:  # imported by locust as its locustfile
    from locust import FastHttpUser, constant, task

    _PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))

    class Visitor(FastHttpUser):
        """Someone using the directory: mostly searching and reading services, some matches."""

        wait_time = constant(float(os.environ.get("LOAD_THINK", "0")))

        def on_start(self) -> None:
            self.rng = random.Random()

        @task(4)
        def search_words(self) -> None:
            self.client.get("/search", params={"q": self.rng.choice(WORDS)},
                            name="/search?q=")

        @task(2)
        def search_near(self) -> None:
            self.client.get("/search", params={"q": self.rng.choice(WORDS),
                                               "place": self.rng.choice(PLACES),
                                               "distance": self.rng.choice(["3", "5", "10"])},
                            name="/search?q=&place=")

        @task(1)
        def search_filters(self) -> None:
            self.client.get("/search", params={"activity": "walking-group", "day": "tue",
                                               "access": "free", "format": "json"},
                            name="/search?filters&format=json")

        @task(2)
        def category(self) -> None:
            self.client.get(f"/categories/{self.rng.choice(CATEGORIES)}",
                            name="/categories/<id>")

        @task(9)
        def service_page(self) -> None:
            self.client.get(f"/services/{self.rng.choice(_PLAN['services'])}",
                            name="/services/<id>")

        @task(2)
        def match(self) -> None:
            self.client.post("/api/v1/match", json=self.rng.choice(_PLAN["profiles"]),
                             name="POST /api/v1/match")
