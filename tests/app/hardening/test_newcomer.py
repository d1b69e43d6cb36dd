"""What a newcomer trying the commands and the public search found (issue #15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask.cli import ScriptInfo

from directory import server
from directory.cli import cli

from ..factories import make_location, make_service


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.mark.parametrize("place", ["ZZ1 1ZZ", "", "   ", "Nowhereville Q"])
def test_geocode_of_bad_input_exits_2_with_a_reason(run, place):
    result = run("geocode", place)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_directory_help_lists_only_the_directorys_own_commands_and_options(tmp_path):
    env = {"DIRECTORY_INSTANCE": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    shown = subprocess.run([sys.executable, "-m", "directory", "--help"], capture_output=True,
                           text=True, env=env, check=True).stdout
    assert "serve" in shown and "geocode" in shown
    for flask_own in ("limiter", "--app", "--env-file", "--debug", "--version"):
        assert flask_own not in shown


def test_serve_keeps_gunicorns_control_socket_in_the_instance_folder(app, monkeypatch):
    seen = {}
    monkeypatch.setattr(server._Gunicorn, "run", lambda self: seen.update(
        socket=self.cfg.control_socket, disabled=self.cfg.control_socket_disable))
    folder = Path(app.instance_path)
    server.serve(app, "127.0.0.1", 0, 1, control_socket=folder / "gunicorn.ctl")
    assert seen == {"socket": str(folder / "gunicorn.ctl"), "disabled": False}
    server.serve(app, "127.0.0.1", 0, 1)
    assert seen["disabled"] is True
    import gc

    gc.unfreeze()


def test_the_serve_command_passes_the_instance_folder(run, app, monkeypatch):
    called = {}
    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: called.update(kwargs))
    assert run("serve", "--port", "0").exit_code == 0
    assert called["control_socket"] == Path(app.instance_path) / "gunicorn.ctl"


def test_public_search_reads_location_as_well_as_place(client, db):
    near = make_location(db, "Benwell Hall", latitude=54.9707, longitude=-1.6550)
    far = make_location(db, "Far Hall", latitude=55.60, longitude=-1.60)
    make_service(db, "Benwell Walkers", activities=("walking-group",),
                 categories=("physical-activity",), locations=(near,))
    make_service(db, "Faraway Walkers", activities=("walking-group",),
                 categories=("physical-activity",), locations=(far,))
    by_place = client.get("/search?q=walkers&place=NE4+8XJ&distance=5").get_data(as_text=True)
    by_location = client.get("/search?q=walkers&location=NE4+8XJ&distance=5").get_data(as_text=True)
    assert "Benwell Walkers" in by_location and "Faraway Walkers" not in by_location
    assert ("Faraway Walkers" in by_place) == ("Faraway Walkers" in by_location)
