"""`directory match` builds an app without the web pages, sign-in and API, and matches the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from flask.cli import ScriptInfo

from directory import cli as cli_module
from directory import create_app
from directory.cli import cli

from .conftest import app_config
from .factories import make_location, make_service

PERSON = {"goals": ["get-more-active"], "conditions": [], "max_distance_km": 5,
          "location": {"latitude": 54.9707, "longitude": -1.6550}}


@pytest.mark.parametrize(("command", "pages"), [("match", False), ("seed", True), ("serve", True)])
def test_only_the_commands_that_need_no_pages_leave_them_out(
    monkeypatch: pytest.MonkeyPatch, command: str, pages: bool
) -> None:
    asked: list[bool] = []
    monkeypatch.setattr(cli_module, "create_app", lambda pages=True: asked.append(pages))
    with click.Context(cli.commands[command], info_name=command):
        cli_module._create_app()
    assert asked == [pages]


def test_the_lean_app_matches_as_the_full_one_does(
    tmp_path: Path, template_db: Any, db: Any, app: Any
) -> None:
    hall = make_location(db, "Benwell Hall", latitude=54.9707, longitude=-1.6550)
    make_service(db, "Benwell Walkers", activities=("walking-group",),
                 categories=("physical-activity",), locations=(hall,))
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PERSON))
    lean = create_app(app_config(tmp_path, template_db), pages=False)
    assert "api" not in lean.blueprints and "login_manager" not in lean.extensions
    answers = []
    for built in (app, lean):
        result = built.test_cli_runner().invoke(
            cli, ["match", str(profile), "--today", "2026-11-30"],
            obj=ScriptInfo(create_app=lambda built=built: built))
        assert result.exit_code == 0, result.output
        answers.append(json.loads(result.output))
    lean.extensions["db"].engine.dispose()
    assert answers[0] == answers[1]
    assert [r["name"] for r in answers[0]["results"]] == ["Benwell Walkers"]
