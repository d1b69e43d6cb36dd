"""`directory serve` builds what the first requests need before its workers fork."""

from __future__ import annotations

import logging
import shutil

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from directory import matching, search, server
from directory.models import DemandCount, ServiceStatus
from directory.search import segment_facts as indexed

from .factories import make_location, make_service


def test_warm_builds_the_search_tables_the_gazetteer_and_the_candidates(
    app: Flask, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    one = make_service(db, "Breathe Easy Fenham")
    make_service(db, "Closed Club", status=ServiceStatus.CLOSED)
    make_location(db, "Durham Town Hall", postcode="dh1 3nj", latitude=54.7765, longitude=-1.5757)
    with caplog.at_level(logging.WARNING):
        taken = server.warm(app)
    assert "warm-up request answered" not in caplog.text and "could not" not in caplog.text
    assert set(taken) == {"search tables", "gazetteer", "matcher candidates", "first requests"}
    assert set(matching.candidate_cache(app).by_id) == {one.public_id}
    # The postcode areas of the catalogue's venues are read (the home area's, NE, as well).
    assert {"NE", "DH"} <= set(app.extensions["geocoder"].postcodes._areas)
    # The pages a first visitor opens are compiled: a search's results, a service's page.
    compiled = {key[1] for key in app.jinja_env.cache}
    assert {"public/results.html", "public/service.html"} <= compiled
    # A worker's own searcher finds the tables already built, columns and all.
    with search.open_live(app).searcher() as searcher:
        facts = indexed.facts_of(searcher)
        assert facts._columns is not None
        assert facts.ids[facts.docnum_of[one.public_id]] == one.public_id
    with app.app_context():
        assert search.run_search("breathe", search.Filters()).hits[0].id == one.public_id
    # A new worker sends the same requests itself before it takes traffic, also uncounted,
    # and keeps the searcher it opened.
    server.warm_worker(app)
    with app.app_context():
        assert search.live_searcher(app) is search.live_searcher(app)
    # The warm-up's own requests are not counted as people's searches or matches.
    with app.extensions["db"].sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(DemandCount)) == 0
    assert app.config.get("INSIGHTS_COUNTING", True) is True


def test_warm_without_an_index_still_serves(
    app: Flask, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    make_service(db, "Breathe Easy Fenham")
    shutil.rmtree(search.index_root(app))
    with caplog.at_level(logging.WARNING):
        taken = server.warm(app)
        server.warm_worker(app)  # no index: a warning, never a failed worker
    assert taken["search tables"] >= 0 and "matcher candidates" in taken
    assert "could not warm the search up" in caplog.text
