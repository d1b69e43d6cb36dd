"""The `directory` command: each command's success and its one-line failures."""

from __future__ import annotations

import shutil

import pytest
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from directory.cli import cli
from directory.models import Service, User

from .factories import make_org, make_service


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), input=input)

    return invoke


def test_init_upgrades_the_schema_and_loads_the_vocabulary_but_no_services(run, db):
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "Database ready at revision" in result.output
    assert db.scalar(select(func.count()).select_from(Service)) == 0


def test_geocode_prints_a_position(run):
    result = run("geocode", "NE4", "8XJ")
    assert result.exit_code == 0
    lat, lon = map(float, result.output.split()[:2])
    assert abs(lat - 54.9753) < 0.002 and abs(lon + 1.6594) < 0.002


@pytest.mark.parametrize(
    ("text", "reason"),
    [("XX99 9ZZ", "not a valid UK postcode"), ("not a place", "could not find a place"),
     ("NE4 0ZZ", "not a known postcode")],
)
def test_geocode_fails_with_a_reason(run, text, reason):
    result = run("geocode", text)
    assert result.exit_code == 2  # bad input, as the README promises (issue #15)
    assert reason in result.output
    assert "Traceback" not in result.output


def test_create_user_reads_the_password_from_stdin(run, db):
    result = run("create-user", "lw@example.org", "--role", "link_worker", "--password-stdin",
                 input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.scalar(select(User).where(User.email == "lw@example.org"))
    assert user is not None and user.password_hash.startswith("$argon2")


def test_create_user_binds_a_provider_to_organisations(run, db):
    org = make_org(db, "Elswick Allotment Society")
    result = run("create-user", "grow@example.org", "--role", "provider", "--org", org.public_id,
                 "--password-stdin", input="a long enough password\n")
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert [o.name for o in db.scalar(select(User).where(User.email == "grow@example.org")).organizations] == [
        "Elswick Allotment Society"
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        (["bad-email", "--role", "admin"], "a long enough password\n", "email:"),
        (["ok@example.org", "--role", "admin"], "short\n", "password:"),
        (["ok@example.org", "--role", "provider", "--org", "no-such-org"], "a long enough password\n", "--org"),
    ],
)
def test_create_user_refuses_bad_input_with_exit_2(run, db, args, stdin, reason):
    result = run("create-user", *args, "--password-stdin", input=stdin)
    assert result.exit_code == 2
    assert reason in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_asks_twice_and_refuses_a_mismatch(run, monkeypatch):
    answers = iter(["first password here", "second password here"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    result = run("create-user", "ok@example.org", "--role", "admin")
    assert result.exit_code == 2
    assert "do not match" in result.output


def test_check_passes_when_everything_is_in_step(run, db):
    make_service(db)
    assert run("reindex").exit_code == 0
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK")


def test_check_reports_a_missing_index(run, app):
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"], ignore_errors=True)
    result = run("check")
    assert result.exit_code == 1
    assert "run `directory reindex`" in result.output


def test_check_reports_an_index_out_of_step(run, app, db):
    make_service(db, "Wingrove Walkers")
    run("reindex")
    # A write that bypasses the ORM (and so the index) is what `check` exists to catch.
    db.execute(Service.__table__.update().values(name="Wingrove Striders"))
    db.commit()
    result = run("check")
    assert result.exit_code == 1
    assert "1 out of date" in result.output


def test_check_reports_an_old_schema(run, app):
    with app.extensions["db"].engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    result = run("check")
    assert result.exit_code == 1
    assert "run `directory init`" in result.output


def test_check_reports_an_unreachable_database(make_app, unreachable_database_url):
    app = make_app(DATABASE_URL=unreachable_database_url)
    result = app.test_cli_runner().invoke(cli, ["check"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1
    assert "database unreachable" in result.output
