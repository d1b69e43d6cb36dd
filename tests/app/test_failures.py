"""What happens when things break: the database goes away, the search index is lost or
damaged, an import crashes part way. Each gives a clear answer and recovers."""

from __future__ import annotations

import copy
import gc
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.cli import ScriptInfo
from sqlalchemy import select

from directory import search
from directory.cli import cli
from directory.hsds import importer
from directory.models import Organization, Service
from directory.web import results

from .conftest import sqlite_only
from .factories import make_location, make_org, make_service

ROOT = Path(__file__).resolve().parents[2]
EVAL_HSDS = ROOT / "tests" / "data" / "eval-dev" / "catalog.hsds.json"


@pytest.fixture
def run(app):
    def invoke(*args: str):
        return app.test_cli_runner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))

    return invoke


# --- the database goes away ---------------------------------------------------------------


def lose_database_after(monkeypatch, engine: sa.Engine, statements: int,
                        error: Exception | None = None) -> None:
    """Let `statements` statements through, then fail every one as a dead database would."""
    dialect = engine.dialect
    seen = {"n": 0}

    def dying(real):
        def execute(cursor, statement, *args):
            seen["n"] += 1
            if seen["n"] > statements:
                raise error or dialect.loaded_dbapi.OperationalError("disk I/O error")
            return real(cursor, statement, *args)
        return execute

    monkeypatch.setattr(dialect, "do_execute", dying(dialect.do_execute))
    monkeypatch.setattr(dialect, "do_execute_no_params", dying(dialect.do_execute_no_params))


def assert_clear_503(response, api: bool = False) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "OperationalError", "SELECT", "sqlite"):
        assert leak not in body
    if api:
        message = "Sorry, the service is unavailable"
        assert response.get_json() == {"errors": {"_request": [message]}}
    else:
        assert response.mimetype == "text/html"
        assert "Sorry, the service is unavailable" in body and "Try again in a few minutes" in body


def test_the_database_lost_mid_request_gives_a_503_page_and_the_next_request_works(
        app, client, db, monkeypatch, caplog):
    service = make_service(db, "Elswick Community Choir")
    page = f"/services/{service.public_id}"
    engine = app.extensions["db"].engine
    lose_database_after(monkeypatch, engine, statements=2)  # the service is read, then it dies
    with caplog.at_level(logging.ERROR, logger="directory.web.errors"):
        assert_clear_503(client.get(page))
    logged = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is None  # one line, no stack
    assert f"GET {page}: OperationalError: disk I/O error" in logged[0].getMessage()

    monkeypatch.undo()  # the database is back
    response = client.get(page)
    assert response.status_code == 200
    assert "Elswick Community Choir" in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path, api", [
    ("get", "/", False),
    ("get", "/search?q=choir", False),
    ("get", "/categories/ltc-management", False),
    ("get", "/api/v1/services", True),
    ("post", "/api/v1/match", True),
])
def test_every_kind_of_page_says_503_while_the_database_is_down(app, client, db, monkeypatch,
                                                               method, path, api):
    make_service(db, "Elswick Community Choir")
    lose_database_after(monkeypatch, app.extensions["db"].engine, statements=0)
    body = {"goals": ["meet-people"], "location": {"postcode": "NE4 8XJ"}}
    response = client.post(path, json=body) if method == "post" else client.get(path)
    assert_clear_503(response, api=api)
    monkeypatch.undo()
    response = client.post(path, json=body) if method == "post" else client.get(path)
    assert response.status_code == 200


@sqlite_only  # the PostgreSQL suite loses its database through the other tests here
def test_a_database_file_that_disappears_and_comes_back(make_app, template_db, tmp_path):
    """The real thing on SQLite: the database's folder goes away (a lost mount) and returns."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(template_db, folder / "directory.db")
    app = make_app(DATABASE_URL=f"sqlite:///{folder / 'directory.db'}")
    with app.extensions["db"].sessions() as session:
        service = make_service(session, "Fenham Walkers")
    client = app.test_client()
    page = f"/services/{service.public_id}"
    assert client.get(page).status_code == 200

    folder.rename(tmp_path / "elsewhere")
    app.extensions["db"].engine.dispose()  # connections already open would still work
    assert_clear_503(client.get(page))
    assert_clear_503(client.get("/api/v1/services"), api=True)

    (tmp_path / "elsewhere").rename(folder)
    response = client.get(page)  # no restart: the pool opens a fresh connection
    assert response.status_code == 200 and "Fenham Walkers" in response.get_data(as_text=True)


@pytest.mark.parametrize("error", [
    sa.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    sa.exc.DisconnectionError("server closed the connection unexpectedly"),
    sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
    sa.exc.DBAPIError("SELECT 1", {}, Exception("terminating connection"),
                      connection_invalidated=True),
], ids=["interface", "disconnection", "pool-timeout", "invalidated"])
def test_other_ways_of_losing_the_database_are_503s_too(app, client, monkeypatch, error):
    def refuse() -> Any:
        raise error

    monkeypatch.setattr(app.extensions["db"].engine, "raw_connection", refuse)
    assert_clear_503(client.get("/"))
    assert_clear_503(client.get("/api/v1/services"), api=True)


def test_a_database_error_that_is_a_bug_is_not_dressed_up_as_an_outage(app, client, monkeypatch):
    def refuse() -> Any:
        raise sa.exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(app.extensions["db"].engine, "raw_connection", refuse)
    with pytest.raises(sa.exc.IntegrityError):  # TESTING propagates it; live, it is a 500
        client.get("/")


# --- the search index is lost or damaged --------------------------------------------------


@pytest.fixture
def catalogue(db):
    org = make_org(db, "Elswick Voices")
    fenham = make_location(db)  # NE4, a few hundred metres from NE4 8XJ
    london = make_location(db, "Camden Centre", town="London", postcode="NW1 2BB",
                           latitude=51.5390, longitude=-0.1426)
    make_service(db, "Elswick Community Choir", org=org, locations=(fenham,),
                 activities=("choir-singing",), categories=("arts",))
    make_service(db, "Fenham Walking Group", org=org, locations=(fenham,),
                 activities=("walking-group",), categories=("physical-activity",))
    make_service(db, "Camden Walking Group", org=org, locations=(london,),
                 activities=("walking-group",), categories=("physical-activity",))
    return org


def names(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return sorted(r["name"] for r in response.get_json()["results"])


def test_a_deleted_index_falls_back_to_searching_the_database_until_reindexed(
        app, client, catalogue, run, caplog, monkeypatch):
    monkeypatch.setattr(results, "_last_logged", 0.0)  # logged once a minute: not yet
    assert client.get("/search?q=walking&format=json").get_json()["search_notice"] is None
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])

    with caplog.at_level(logging.ERROR, logger="directory.web.results"):
        page = client.get("/search?q=walking")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Search is being rebuilt" in body and "simpler search" in body
    assert "Fenham Walking Group" in body and "Camden Walking Group" in body
    assert "Elswick Community Choir" not in body
    assert any("directory reindex" in r.getMessage() for r in caplog.records)

    data = client.get("/search?q=walking&format=json").get_json()
    assert data["search_notice"].startswith("Search is being rebuilt")
    assert data["total"] == 2
    # Filters, place and distance still work.
    near = client.get("/search?q=walk&place=NE4+8XJ&distance=5&format=json")
    assert names(near) == ["Fenham Walking Group"]
    assert near.get_json()["results"][0]["distance_km"] < 5
    assert names(client.get("/categories/arts?format=json")) == ["Elswick Community Choir"]
    assert names(client.get("/search?activity=walking-group&format=json")) == [
        "Camden Walking Group", "Fenham Walking Group"]
    assert names(client.get("/search?q=elswick+voices&format=json")) == [  # organisation name
        "Camden Walking Group", "Elswick Community Choir", "Fenham Walking Group"]

    check = run("check")
    assert check.exit_code == 1 and "run `directory reindex`" in check.output
    assert run("reindex").exit_code == 0
    assert run("check").exit_code == 0
    data = client.get("/search?q=walking&format=json").get_json()
    assert data["search_notice"] is None and data["total"] == 2
    assert "Search is being rebuilt" not in client.get("/search?q=walking").get_data(as_text=True)


# whoosh leaves a file open when a damaged segment fails to load; that is whoosh's to fix.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning",
                            "ignore::ResourceWarning")
@pytest.mark.parametrize("damage", ["segment", "table-of-contents"])
def test_a_damaged_index_is_reported_and_searches_fall_back(app, client, catalogue, run, damage):
    generation = (Path(app.config["SEARCH_INDEX_DIR"]) / "current").resolve()
    suffix = ".seg" if damage == "segment" else ".toc"
    for path in generation.iterdir():
        if path.name.endswith(suffix):
            # A new file in its place (not written over: a process may have the old mapped).
            temp = path.with_name(path.name + ".new")
            temp.write_bytes(path.read_bytes()[:40] + b"\x00garbage" * 8)
            os.replace(temp, path)

    data = client.get("/search?q=choir&format=json").get_json()
    assert data["search_notice"] and [r["name"] for r in data["results"]] == [
        "Elswick Community Choir"]
    check = run("check")
    assert check.exit_code == 1
    assert "directory reindex" in check.output and "Traceback" not in check.output
    del check  # it holds the error, which holds the file whoosh left open
    assert run("reindex").exit_code == 0
    data = client.get("/search?q=choir&format=json").get_json()
    assert data["search_notice"] is None and data["total"] == 1
    gc.collect()  # here, so that the leaked file's warning is this test's (and ignored)


def test_an_index_never_built_still_lets_people_search(client, catalogue, app):
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    for path in ("/search?q=choir", "/categories/arts"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Elswick Community Choir" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


# --- an import crashes part way -----------------------------------------------------------


def feed() -> list[dict[str, Any]]:
    return json.loads(EVAL_HSDS.read_text(encoding="utf-8"))


def snapshot(app) -> dict[str, tuple]:
    """Every service as a whole: its fields and every row that hangs off it."""
    with app.extensions["db"].sessions() as session:
        return {
            s.public_id: (
                s.name, s.description, s.status.value, s.organization.public_id,
                tuple(sorted((t.taxonomy.value, t.code) for t in s.terms)),
                tuple(sorted(v.public_id for v in s.locations)),
                tuple(sorted((w.day.value, str(w.starts_at), str(w.ends_at)) for w in s.sessions)),
                tuple(sorted(s.languages)),
            )
            for s in session.scalars(select(Service))
        }


@pytest.fixture
def clean_import(make_app, template_db, tmp_path) -> dict[str, tuple]:
    """Every service as an import that runs to the end writes it (in a database of its own)."""
    reference = make_app(DATABASE_URL=template_db.url_for(tmp_path / "reference"),
                         SEARCH_INDEX_DIR=str(tmp_path / "reference-search"))
    result = reference.test_cli_runner().invoke(
        cli, ["import-hsds", str(EVAL_HSDS)], obj=ScriptInfo(create_app=lambda: reference))
    assert result.exit_code == 0, result.output
    return snapshot(reference)


def crash_on_batch(monkeypatch, number: int, crash=None) -> None:
    """Make the importer fail after writing batch `number`, just before it would commit."""
    real = importer.Importer._link_rows
    seen = {"n": 0}

    def link_then_crash(self, created, moved):
        real(self, created, moved)
        seen["n"] += 1
        if seen["n"] == number:
            self.session.flush()  # everything of this batch is in the transaction now
            (crash or _raise)()

    monkeypatch.setattr(importer.Importer, "_link_rows", link_then_crash)


def _raise() -> None:
    raise RuntimeError("the power went off")


def test_a_crash_part_way_through_a_first_import_leaves_no_half_written_listing(
        app, monkeypatch, run, clean_import):
    crash_on_batch(monkeypatch, 2)
    result = run("import-hsds", str(EVAL_HSDS), "--batch-size", "20")
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)

    services = snapshot(app)
    first_batch = {s["id"] for s in feed()[:20]}
    assert set(services) == first_batch  # batch 1 committed; nothing of batch 2
    for sid, state in services.items():  # each of them whole: terms, venues, sessions...
        assert state == clean_import[sid]
    with app.extensions["db"].sessions() as session:
        orgs = set(session.scalars(select(Organization.public_id)))
    assert orgs == {state[3] for state in services.values()}
    assert search.check(app).clean  # the index followed the commit, not the rollback


def test_a_crash_part_way_through_a_reimport_leaves_each_service_all_old_or_all_new(
        app, monkeypatch, run, tmp_path):
    assert run("import-hsds", str(EVAL_HSDS), "--batch-size", "20").exit_code == 0
    before = snapshot(app)
    changed = copy.deepcopy(feed())
    for item in changed:
        item["name"] += " (renamed)"
        item["description"] += " Now in the evenings."
        for sched in item.get("schedules", []):
            sched["opens_at"], sched["closes_at"] = "18:30:00", "20:00:00"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed), encoding="utf-8")

    crash_on_batch(monkeypatch, 2)
    result = run("import-hsds", str(path), "--batch-size", "20")
    assert result.exit_code != 0
    after = snapshot(app)
    assert set(after) == set(before)
    renamed = {sid for sid, state in after.items() if state[0].endswith(" (renamed)")}
    assert renamed == {item["id"] for item in changed[:20]}
    for sid, state in after.items():
        if sid in renamed:  # all new: name, description and sessions together
            assert state[1].endswith("Now in the evenings.")
            assert all(start == "18:30:00" for _day, start, _end in state[6])
            assert len(state[6]) == len(before[sid][6])
            assert state[3:6] == before[sid][3:6] and state[7] == before[sid][7]
        else:  # all old, to the last row
            assert state == before[sid]
    assert search.check(app).clean


def test_a_process_killed_part_way_through_an_import_leaves_no_half_written_listing(
        app, clean_import):
    """A real crash: the process dies mid-transaction; SQLite's journal undoes the batch."""
    config = {key: app.config[key] for key in
              ("DATABASE_URL", "SEARCH_INDEX_DIR", "SECRET_KEY", "TESTING")}
    config["INSTANCE_PATH"] = app.instance_path
    script = f"""
import json, os, sys
sys.path.insert(0, {str(ROOT)!r})
from flask.cli import ScriptInfo
from directory import create_app
from directory.cli import cli
from directory.hsds import importer

app = create_app(json.loads({json.dumps(config)!r}))
real, seen = importer.Importer._link_rows, []
def link_then_die(self, created, moved):
    real(self, created, moved)
    seen.append(1)
    if len(seen) == 2:
        self.session.flush()
        os._exit(9)  # no rollback, no cleanup: as if the machine lost power
importer.Importer._link_rows = link_then_die
app.test_cli_runner().invoke(cli, ["import-hsds", {str(EVAL_HSDS)!r}, "--batch-size", "20"],
                             obj=ScriptInfo(create_app=lambda: app))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 9, done.stderr[-2000:]
    app.extensions["db"].engine.dispose()
    if app.config["DATABASE_URL"].startswith("sqlite:"):
        path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    services = snapshot(app)
    assert set(services) == {s["id"] for s in feed()[:20]}
    assert all(state == clean_import[sid] for sid, state in services.items())
