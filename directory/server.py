"""Run the app under gunicorn from Python, so `directory serve` needs no extra config file."""

from __future__ import annotations

import gc
import logging
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(_server: Any, worker: Any) -> None:
    # Connections opened before the fork must not be shared between workers.
    worker.app.application.extensions["db"].engine.dispose(close=False)


def warm(app: Flask) -> dict[str, float]:
    """Build, once in the master before the workers fork, what first requests would build:
    the search index's facts and columns, the gazetteer's tables, every active listing's
    matcher facts, and (through one search page and one match, not counted in the
    insights) the templates, schemas and compiled queries they use. The workers share these
    pages; returns seconds taken by each part."""
    from . import matching, search

    taken: dict[str, float] = {}
    for name, step in (
        ("search tables", lambda: search.prepare(app)),
        ("gazetteer", lambda: _gazetteer(app)),
        ("matcher candidates", lambda: matching.prewarm(app)),
        ("first requests", lambda: _first_requests(app)),
    ):
        started = time.perf_counter()
        try:
            with app.app_context():
                step()
        except Exception:  # a cold table is slower, never wrong: the first request builds it
            log.exception("could not build the %s before serving", name)
            continue
        taken[name] = round(time.perf_counter() - started, 2)
    log.info("built before serving: %s", ", ".join(f"{k} {v} s" for k, v in taken.items()))
    return taken


def _gazetteer(app: Flask) -> None:
    from . import geocoding

    geocoder = app.extensions["geocoder"]
    geocoder.gazetteer.centroids()
    geocoder.gazetteer.places("")  # the place-name index
    geocoding.distance_km(geocoder.home, geocoder.home)  # imports geopy (a place name needs it)
    # Full postcodes are read one postcode area at a time (tens of milliseconds each, then
    # kept in about 0.3 MB): the home area's now, and those of the catalogue's venues, where
    # people looking for its services mostly are.
    home = geocoder.nearest_outward(*geocoder.home)
    if home:
        geocoder.postcodes.lookup(f"{home} 1AA")
    for area in _venue_areas(app):
        geocoder.postcodes.load(area)


def _venue_areas(app: Flask) -> list[str]:
    """The postcode areas (NE, DH, SR, ...) of the catalogue's venues."""
    import sqlalchemy as sa

    from .geocoding import postcode_area
    from .models import Location

    with app.extensions["db"].sessions() as session:
        postcodes = session.scalars(sa.select(Location.postcode).distinct())
        return sorted({area for code in postcodes if code and (area := postcode_area(code))})


def _first_requests(app: Flask, forget: bool = True) -> None:
    """One search page near home, one service's page and one match, as a visitor would send
    them, uncounted; then, in the master (forget), its searcher is closed."""
    import sqlalchemy as sa

    from . import search
    from .models import Service, ServiceStatus

    home = {"latitude": float(app.config["HOME_LATITUDE"]),
            "longitude": float(app.config["HOME_LONGITUDE"])}
    goals = sorted(app.extensions["vocabulary"].ids("goals"))[:1]
    with app.extensions["db"].sessions() as session:
        first = session.scalar(sa.select(Service.public_id).where(
            Service.status == ServiceStatus.ACTIVE).order_by(Service.id).limit(1))
    counting = app.config.get("INSIGHTS_COUNTING", True)
    app.config["INSIGHTS_COUNTING"] = False
    try:
        client = app.test_client()
        answers = [
            client.get("/search", query_string={"q": "walking", "place": "Newcastle",
                                                 "distance": "5"}),
            client.post("/api/v1/match", json={"goals": goals, "location": home,
                                               "max_distance_km": 5, "text": "walking"}),
            *([client.get(f"/services/{first}")] if first else []),
        ]
        for answer in answers:
            if answer.status_code != 200:
                log.warning("warm-up request answered %s", answer.status_code)
    finally:
        app.config["INSIGHTS_COUNTING"] = counting
        if forget:
            search.forget_searchers()  # each worker opens its own (open files are not shared)


def warm_worker(app: Flask) -> None:
    """In a new worker, before it takes traffic: open its own searcher, then send the first
    requests once more (uncounted). What the master built is shared with the worker until
    the worker first touches it (CPython writes reference counts, so each page it touches
    is copied then), which made a worker's first search and match several times slower
    than its hundredth; this pays for the pages those requests touch before anyone waits."""
    from . import search

    try:
        with app.app_context():
            search.run_search("walking", search.Filters(within_km=5.0, origin=(54.97, -1.61)))
    except Exception:  # no index yet, or another trouble the first real search will report
        log.warning("could not warm the search up in the new worker", exc_info=True)
        return
    try:
        with app.app_context():
            _first_requests(app, forget=False)
    except Exception:  # slower first requests, never a failed worker
        log.warning("could not warm the first requests up in the new worker", exc_info=True)


def _post_worker_init(worker: Any) -> None:
    from .matching import candidate_cache, prewarm

    app = worker.app.application
    warm_worker(app)
    if not candidate_cache(app).by_id:
        # The master could not pre-load the matcher's candidates: read them in the
        # background so the worker answers at once (the first matches read what they need).
        threading.Thread(target=_prewarm, args=(app, prewarm), name="prewarm",
                         daemon=True).start()


def _prewarm(app: Flask, prewarm: Any) -> None:
    try:
        with app.app_context():
            prewarm(app)
    except Exception:  # a cold cache is slower, never wrong
        log.exception("could not pre-load the matcher's candidates")


def serve(app: Flask, host: str, port: int, workers: int,
          control_socket: Path | None = None) -> None:
    """Run gunicorn; its control socket (gunicornc) goes in the instance folder, or is off."""
    # Sync workers (gunicorn's default): the work is CPU-bound, and an idle worker takes the
    # next connection from the one shared queue, so no worker has a backlog while another
    # waits (with keep-alive, each connection would stay with the worker that took it).
    server = _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "accesslog": "-",
            "post_fork": _post_fork,
            "post_worker_init": _post_worker_init,
            "timeout": 60,
            # gunicorn 23+ opens a control socket, by default under ~/.gunicorn/: keep it with
            # the rest of the instance (owner-only), or off when no folder is given.
            **({"control_socket": str(control_socket), "control_socket_mode": 0o600}
               if control_socket is not None else {"control_socket_disable": True}),
        },
    )
    warm(app)
    # The app, its vocabulary and gazetteer are built before the workers fork and live as
    # long as they do: keep them out of the workers' garbage collections (which then walk
    # half as many objects) and their memory pages shared between the workers.
    gc.collect()
    gc.freeze()
    server.run()
