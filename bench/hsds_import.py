#!/usr/bin/env python3
"""Time `directory import-hsds` on a large feed: N synthetic services (default 10,000).

Usage:  .venv/bin/python bench/hsds_import.py [N] [--seed 7] [--batch-size 1000] [--json]

The services come from bench/synthetic.py's make_catalogue(N), all made active, loaded into
a scratch instance and written out by the HSDS export (the same mapping as the API), so the
feed is what another instance of this directory would publish. The feed is then imported
into a fresh instance through the importer the command uses, with the search index
following every batch, and imported again (nothing changes the second time). The issue's
target: 10,000 services in under a minute. Exits 1 if the first import misses it.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_S = 60.0


def _instance(folder: str) -> Any:
    from directory import create_app, migrate, vocabulary

    app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "TESTING": True})
    migrate.upgrade(app.extensions["db"].engine)
    with app.extensions["db"].sessions() as session:
        vocabulary.sync_terms(session, app.extensions["vocabulary"])
        session.commit()
    return app


def run(n: int, seed: int, batch_size: int) -> dict[str, Any]:
    from synthetic import make_catalogue

    from directory import hsds
    from directory import seed as seeding

    numbers: dict[str, Any] = {"services": n, "batch_size": batch_size}
    with tempfile.TemporaryDirectory() as source_dir, tempfile.TemporaryDirectory() as target_dir:
        started = time.perf_counter()
        raw = make_catalogue(n, seed)
        for service in raw["services"]:
            service["status"] = "active"  # every one is published, so the feed has n
        source = _instance(source_dir)
        with source.extensions["db"].sessions() as session:
            catalogue = seeding.Catalogue(raw["organizations"], raw["locations"], raw["services"])
            seeding.load_catalogue(session, catalogue, source="bench")
            session.commit()
        numbers["prepare_s"] = round(time.perf_counter() - started, 2)

        started = time.perf_counter()
        out = io.StringIO()
        with source.app_context(), source.extensions["db"].sessions() as session:
            exported = hsds.write_export(session, source, out)
        numbers["export_s"] = round(time.perf_counter() - started, 2)
        numbers["feed_mb"] = round(len(out.getvalue().encode()) / 1e6, 1)
        feed_file = Path(target_dir) / "feed.json"
        feed_file.write_text(out.getvalue(), encoding="utf-8")
        del out
        assert exported == n, f"exported {exported} of {n}"

        target = _instance(str(Path(target_dir) / "instance"))
        for label in ("import", "reimport"):
            started, cpu = time.perf_counter(), time.process_time()
            with target.app_context(), target.extensions["db"].sessions() as session:
                feed = hsds.open_source(str(feed_file))
                importer = hsds.Importer(
                    session, target.extensions["vocabulary"], hsds.source_label(str(feed_file)),
                    locate=hsds.postcode_locator(target.extensions["geocoder"]),
                    batch_size=batch_size,
                )
                report = importer.run(feed.items)
            elapsed = time.perf_counter() - started
            numbers[f"{label}_s"] = round(elapsed, 2)
            # CPU time of this process: what the import costs whatever else the machine runs.
            numbers[f"{label}_cpu_s"] = round(time.process_time() - cpu, 2)
            numbers[f"{label}_per_s"] = round(n / elapsed)
            numbers[f"{label}_report"] = report.summary()

        from directory import search

        numbers["index_in_step"] = search.check(target).clean
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    numbers = run(args.n, args.seed, args.batch_size)
    if args.json:
        print(json.dumps(numbers, indent=2))
    else:
        for key, value in numbers.items():
            print(f"{key:>18}: {value}")
    within = numbers["import_s"] <= TARGET_S * args.n / 10_000
    print(f"{'target':>18}: {'met' if within else 'MISSED'} ({TARGET_S:.0f} s per 10,000)")
    return 0 if within and numbers["index_in_step"] else 1


if __name__ == "__main__":
    sys.exit(main())
