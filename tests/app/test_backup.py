"""`directory backup` and `directory restore`: SQLite's online backup API, checked and atomic."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask.cli import ScriptInfo
from sqlalchemy import select

from directory import migrate, search
from directory.cli import cli
from directory.models import Service, ServiceStatus
from directory.search import Filters

from .conftest import sqlite_only
from .factories import make_location, make_org, make_service

# `directory backup` and `restore` work on SQLite files; on PostgreSQL they refuse and point
# at pg_dump (the last test, which needs no server, checks that in the SQLite suite).
pytestmark = sqlite_only

TABLES = ("organizations", "locations", "services", "service_terms", "service_locations",
          "weekly_sessions", "users", "terms")


@pytest.fixture
def run(app):
    def invoke(*args: str):
        return app.test_cli_runner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))

    return invoke


def rows(app) -> dict[str, list[tuple]]:
    """Every row of the tables a directory is made of, in a stable order."""
    path = app.extensions["db"].engine.url.database
    with closing(sqlite3.connect(path)) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def names_found(app, text: str) -> list[str]:
    with app.app_context():
        return sorted(hit.name for hit in search.run_search(text, Filters()).hits)


def test_restore_brings_back_exactly_what_was_backed_up(app, db, run, tmp_path):
    org = make_org(db, "Elswick Voices")
    hall = make_location(db)
    make_service(db, "Elswick Community Choir", org=org, locations=(hall,))
    walkers = make_service(db, "Fenham Walkers", org=org, locations=(hall,),
                           activities=("walking-group",), categories=("physical-activity",))
    out = tmp_path / "backups" / "directory.db"
    out.parent.mkdir()
    result = run("backup", str(out))
    assert result.exit_code == 0, result.output
    assert "Backed up 2 services" in result.output
    saved = rows(app)

    # Change everything a day's work could: rename, pause, delete, add.
    walkers.name = "Fenham Striders"
    db.execute(Service.__table__.update().values(status=ServiceStatus.PAUSED.value)
               .where(Service.name == "Elswick Community Choir"))
    make_service(db, "Benwell Knit and Natter", org=org, locations=(hall,))
    db.commit()
    assert rows(app) != saved

    result = run("restore", str(out))
    assert result.exit_code == 0, result.output
    assert "Restored 2 services" in result.output and "Search index rebuilt with 2" in result.output
    assert rows(app) == saved
    db.expire_all()
    assert sorted(db.scalars(select(Service.name))) == ["Elswick Community Choir", "Fenham Walkers"]
    # The index was rebuilt from the restored rows.
    assert names_found(app, "walkers") == ["Fenham Walkers"]
    assert names_found(app, "knit") == []
    assert search.check(app).clean
    # What was there before the restore is kept beside the database.
    kept = Path(app.extensions["db"].engine.url.database + ".before-restore")
    with closing(sqlite3.connect(kept)) as conn:
        assert ("Benwell Knit and Natter",) in conn.execute("SELECT name FROM services").fetchall()


def test_a_backup_is_a_consistent_copy_taken_while_connections_are_open(app, db, run, tmp_path):
    make_service(db, "Elswick Community Choir")
    with app.extensions["db"].engine.connect() as open_connection:  # a worker mid-request
        open_connection.exec_driver_sql("SELECT count(*) FROM services").all()
        assert run("backup", str(tmp_path / "copy.db")).exit_code == 0
    with closing(sqlite3.connect(tmp_path / "copy.db")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = conn.execute("SELECT name FROM services").fetchall()
    assert names == [("Elswick Community Choir",)]


def test_restore_replaces_what_other_open_connections_see(app, db, run, tmp_path):
    make_service(db, "Elswick Community Choir")
    run("backup", str(tmp_path / "copy.db"))
    make_service(db, "Fenham Walkers")
    reader = sqlite3.connect(app.extensions["db"].engine.url.database)  # another worker
    assert reader.execute("SELECT count(*) FROM services").fetchall() == [(2,)]
    assert run("restore", str(tmp_path / "copy.db")).exit_code == 0
    assert reader.execute("SELECT count(*) FROM services").fetchall() == [(1,)]
    reader.close()


def test_an_older_backup_is_migrated_forward(app, run, tmp_path):
    old = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{old}")
    first = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_base()
    migrate.upgrade(engine, first)
    engine.dispose()
    result = run("restore", str(old), "--no-reindex")
    assert result.exit_code == 0, result.output
    assert f"schema {first}, now {migrate.head_revision(engine)}" in result.output
    assert "Run `directory reindex`" in result.output
    live = app.extensions["db"].engine
    assert migrate.current_revision(live) == migrate.head_revision(live)


@pytest.mark.parametrize("content, reason", [
    (b"not a database at all, just text" * 100, "not a SQLite database"),
    (None, "not a database of this directory"),
])
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(app, db, run, tmp_path,
                                                                        content, reason):
    make_service(db, "Elswick Community Choir")
    before = rows(app)
    bad = tmp_path / "bad.db"
    if content is None:
        with closing(sqlite3.connect(bad)) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
    else:
        bad.write_bytes(content)
    result = run("restore", str(bad))
    assert result.exit_code == 2
    assert reason in result.output and "Traceback" not in result.output
    assert rows(app) == before


def test_restore_refuses_a_revision_this_version_does_not_know(app, run, tmp_path):
    copy = tmp_path / "future.db"
    assert run("backup", str(copy)).exit_code == 0
    with closing(sqlite3.connect(copy)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
        conn.commit()
    result = run("restore", str(copy))
    assert result.exit_code == 2
    assert "revision f00dfeed" in result.output


def test_restore_of_a_missing_file_says_so(run, tmp_path):
    result = run("restore", str(tmp_path / "nope.db"))
    assert result.exit_code == 2 and "no file" in result.output


def test_backup_on_postgresql_points_at_pg_dump(make_app, tmp_path):
    app = make_app(DATABASE_URL="postgresql+psycopg://directory@127.0.0.1:1/directory")
    result = app.test_cli_runner().invoke(cli, ["backup", str(tmp_path / "x.db")],
                                          obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 2
    assert "pg_dump" in result.output and len(result.output.strip().splitlines()) == 1
    result = app.test_cli_runner().invoke(cli, ["restore", str(tmp_path / "x.db")],
                                          obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 2 and "pg_restore" in result.output
