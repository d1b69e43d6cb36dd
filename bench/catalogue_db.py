"""Build a directory instance holding a synthetic catalogue, fast, for the benchmarks.

Rows go in with bulk Core inserts (the benchmarks measure reading, not loading); the search
index is then rebuilt through the app's own code. Instances are cached by size under
BENCH_DIR (default: a folder in the system temp dir), so repeated runs start at once.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, datetime, time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

BENCH_DIR = Path(os.environ.get("BENCH_DIR", Path(tempfile.gettempdir()) / "directory-bench"))
CHUNK = 5000


def instance_for(
    size: int, seed: int = 7, database_url: str | None = None
) -> tuple[Flask, dict[str, Any]]:
    """An app over a cached instance with `size` synthetic services (built on first use);
    its database is SQLite inside the instance unless database_url names another (which
    must then be empty of services: the tests give a fresh one)."""
    from directory import create_app
    from synthetic import make_catalogue

    folder = BENCH_DIR / f"size-{size}-seed-{seed}"
    done = folder / "READY"
    config: dict[str, Any] = {"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench",
                              "TESTING": True}
    # Never DIRECTORY_DATABASE_URL from the environment: a benchmark builds its own catalogue.
    config["DATABASE_URL"] = database_url or f"sqlite:///{folder / 'directory.db'}"
    app = create_app(config)
    timings: dict[str, Any] = {"size": size, "cached": done.exists()}
    from directory import migrate, search, vocabulary

    database = app.extensions["db"]
    migrate.upgrade(database.engine)  # a cached instance may predate the newest migration
    if not done.exists():
        with database.sessions() as session:
            vocabulary.sync_terms(session, app.extensions["vocabulary"])
            session.commit()
        started = time.perf_counter()
        catalogue = make_catalogue(size, seed)
        timings["generate_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        bulk_load(database.engine, catalogue)
        timings["load_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        search.rebuild_all(app)
        timings["index_s"] = round(time.perf_counter() - started, 2)
        done.write_text("ok\n")
    return app, timings


def bulk_load(engine: sa.Engine, catalogue: dict[str, list[dict[str, Any]]]) -> None:
    """Insert organisations, venues and services with their terms, sessions and languages."""
    from directory.models import (
        CoverageArea,
        Location,
        Organization,
        Service,
        ServiceLanguage,
        Taxonomy,
        Term,
        WeeklySession,
        location_terms,
        service_locations,
        service_terms,
    )

    now = datetime.now()
    with engine.begin() as conn:
        terms = {(Taxonomy(t), c): i for i, t, c in conn.execute(sa.select(Term.id, Term.taxonomy, Term.code))}
        org_ids = {o["id"]: n for n, o in enumerate(catalogue["organizations"], start=1)}
        loc_ids = {v["id"]: n for n, v in enumerate(catalogue["locations"], start=1)}
        _insert(conn, Organization.__table__, [
            {"id": org_ids[o["id"]], "public_id": o["id"], "name": o["name"],
             "description": o.get("description", ""), "email": o.get("email"), "phone": o.get("phone"),
             "website": o.get("website"), "trusted": False, "created_at": now, "updated_at": now}
            for o in catalogue["organizations"]])
        _insert(conn, Location.__table__, [
            {"id": loc_ids[v["id"]], "public_id": v["id"], "name": v["name"],
             "address_1": v.get("address_1", ""), "address_2": v.get("address_2", ""),
             "town": v.get("town", ""), "postcode": v.get("postcode", ""),
             "latitude": v["latitude"], "longitude": v["longitude"],
             "access_notes": v.get("access_notes", ""), "created_at": now, "updated_at": now}
            for v in catalogue["locations"]])
        _insert(conn, location_terms, [
            {"location_id": loc_ids[v["id"]], "term_id": terms[(Taxonomy.ACCESS, a)]}
            for v in catalogue["locations"] for a in dict.fromkeys(v.get("access", []))])
        services, links, places, sessions, languages, coverage = [], [], [], [], [], []
        for n, s in enumerate(catalogue["services"], start=1):
            services.append({
                "id": n, "public_id": s["id"], "organization_id": org_ids[s["organization_id"]],
                "name": s["name"], "description": s.get("description", ""), "status": s["status"],
                "min_age": s.get("min_age"), "max_age": s.get("max_age"), "cost": s.get("cost", ""),
                "is_free": bool(s.get("free")), "phone": s.get("phone"), "email": s.get("email"),
                "website": s.get("website"), "by_appointment": bool(s.get("by_appointment")),
                "first_visit": s.get("first_visit", ""),
                "last_verified": date.fromisoformat(s["last_verified"]) if s.get("last_verified") else None,
                "source": "synthetic", "created_at": now, "updated_at": now,
            })
            chosen = {(Taxonomy.CATEGORY, c) for c in s.get("categories", [])}
            chosen |= {(Taxonomy.ACTIVITY, c) for c in s.get("activities", [])}
            chosen |= {(Taxonomy.CONDITION, c) for c in s.get("conditions", [])}
            chosen |= {(Taxonomy.ACCESS, c) for c in s.get("access", [])}
            if s.get("intensity"):
                chosen.add((Taxonomy.INTENSITY, s["intensity"]))
            links.extend({"service_id": n, "term_id": terms[key]} for key in chosen)
            places.extend({"service_id": n, "location_id": loc_ids[v]} for v in dict.fromkeys(s.get("location_ids", [])))
            for sess in s.get("schedule", []):
                start = clock.fromisoformat(sess["start"])
                day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(sess["day"])
                sessions.append({"service_id": n, "day": sess["day"], "starts_at": start,
                                 "ends_at": clock.fromisoformat(sess["end"]),
                                 "sort_key": day * 1440 + start.hour * 60 + start.minute,
                                 "location_id": loc_ids.get(sess.get("location_id") or "")})
            languages.extend({"service_id": n, "code": c} for c in dict.fromkeys(s.get("languages") or ["en"]))
            coverage.extend({"service_id": n, "outward_code": c} for c in dict.fromkeys(s.get("coverage_outward_codes", [])))
        _insert(conn, Service.__table__, services)
        _insert(conn, service_terms, links)
        _insert(conn, service_locations, places)
        _insert(conn, WeeklySession.__table__, sessions)
        _insert(conn, ServiceLanguage.__table__, languages)
        _insert(conn, CoverageArea.__table__, coverage)


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(sa.insert(table), rows[start : start + CHUNK])
