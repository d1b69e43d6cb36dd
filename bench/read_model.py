#!/usr/bin/env python3
"""How long the read model (directory/service_facts.py) takes to read services for each of
its consumers, side by side with another checkout's code.

Usage:  .venv/bin/python bench/read_model.py [--size 10000] [--rounds 3] [--root DIR]

On the synthetic instance of bench/search.py (built once, cached under BENCH_DIR), in CPU
time (`time.process_time`), best of the rounds:

- every service read 500 at a time and made into the matcher's candidates, as the
  candidate pre-load and the index build read them (only the candidates are kept);
- 20 results' cards, 200 times (a results page reads one set of 20);
- a service page's read, 200 times (20 different services, 10 times each).

--root runs another checkout's code (its folder) with this project's virtualenv, after
this one, round for round alternated; both must have `directory.browse.service_views`,
`browse.read_active_service`, `service_facts.load_facts` and `matching.to_candidate`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(size: int) -> dict[str, float]:
    import sqlalchemy as sa

    from directory import browse
    from directory.matching import to_candidate
    from directory.models import Service
    from directory.service_facts import load_facts

    sys.path.insert(0, str(HERE))
    from catalogue_db import instance_for

    app, _ = instance_for(size)
    taken: dict[str, float] = {}
    with app.app_context(), app.extensions["db"].sessions() as session:
        ids = list(session.scalars(sa.select(Service.id).order_by(Service.id)))
        pids = list(session.scalars(sa.select(Service.public_id).order_by(Service.id).limit(20)))
        start = time.process_time()
        kept = []
        for first in range(0, len(ids), 500):
            chosen = sa.select(Service.id).where(Service.id.in_(ids[first : first + 500]))
            kept += [to_candidate(f) for f in load_facts(session, chosen)]
        taken["read every service, make its candidate"] = time.process_time() - start
        del kept
        start = time.process_time()
        for _ in range(200):
            browse.service_views(session, pids)
        taken["20 cards, x200"] = time.process_time() - start
        start = time.process_time()
        for public_id in pids * 10:
            browse.read_active_service(session, public_id)
        taken["a service page's read, x200"] = time.process_time() - start
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--root", help="another checkout to measure beside this one")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        for name, seconds in measure(args.size).items():
            print(f"{name}\t{seconds}")
        return
    roots = {"this code": HERE.parent, **({"other": Path(args.root)} if args.root else {})}
    best: dict[str, dict[str, float]] = {label: {} for label in roots}
    for _ in range(args.rounds):
        for label, root in roots.items():
            env = {**os.environ, "PYTHONPATH": str(root)}
            out = subprocess.run(
                [sys.executable, __file__, "--once", "--size", str(args.size)],
                env=env, capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                name, seconds = line.split("\t")
                best[label][name] = min(best[label].get(name, float("inf")), float(seconds))
    load = os.getloadavg()[0]
    print(f"{args.size:,} services, best of {args.rounds}, CPU ms (load {load:.1f})")
    for name in best["this code"]:
        row = "  ".join(f"{label} {best[label][name] * 1000:7.0f}" for label in roots)
        print(f"{name:40} {row}")


if __name__ == "__main__":
    main()
