"""`directory match --explain`, and goals reaching the matcher in the order given."""

from __future__ import annotations

import json

import pytest
from flask.cli import ScriptInfo

from directory.cli import cli

from .factories import make_location, make_service

NEAR = dict(latitude=54.9707, longitude=-1.6550)


@pytest.fixture
def catalogue(db):
    hall = make_location(db, "Benwell Hall", **NEAR)
    far = make_location(db, "Far Hall", latitude=55.0077, longitude=-1.6550)  # about 4 km
    make_service(db, "Benwell Walkers", activities=("walking-group",),
                 categories=("physical-activity",), locations=(hall,))
    make_service(db, "Benwell Money Advice", activities=("benefits-advice",),
                 categories=("welfare-rights",), locations=(hall,))
    make_service(db, "Faraway Walkers", activities=("walking-group",),
                 categories=("physical-activity",), locations=(far,))


def run_match(app, tmp_path, payload, *options):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(payload))
    return app.test_cli_runner().invoke(
        cli, ["match", str(profile), "--today", "2026-11-30", *options],
        obj=ScriptInfo(create_app=lambda: app),
    )


def test_explain_prints_every_signal_for_each_suggestion_and_notable_exclusion(
    app, catalogue, tmp_path
):
    payload = {"goals": ["get-more-active"], "location": {"postcode": "NE4 8XJ"},
               "max_distance_km": 3}
    result = run_match(app, tmp_path, payload, "--explain")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1. Benwell Walkers" in out
    assert "goals served by a named activity" in out and "nearness" in out
    assert "- Faraway Walkers" in out and "rule too_far" in out
    # Each signal line is a signed contribution.
    assert any(line.strip().startswith("+0.") for line in out.splitlines())


def test_explain_refuses_a_bad_profile_like_the_plain_match(app, tmp_path):
    result = run_match(app, tmp_path, {"goals": ["no-such-goal"]}, "--explain")
    assert result.exit_code == 2
    assert "goals" in json.loads(result.output.strip().splitlines()[-1])["errors"]


def test_the_first_goal_given_leads_the_answer(app, catalogue, tmp_path):
    base = {"location": {"postcode": "NE4 8XJ"}, "max_distance_km": 3}
    money_first = run_match(app, tmp_path, {**base, "goals": ["sort-money", "get-more-active"]})
    active_first = run_match(app, tmp_path, {**base, "goals": ["get-more-active", "sort-money"]})
    assert json.loads(money_first.output)["results"][0]["name"] == "Benwell Money Advice"
    assert json.loads(active_first.output)["results"][0]["name"] == "Benwell Walkers"
