"""The example profiles in seed_data/profiles match against the demo catalogue as the contract says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.cli import ScriptInfo

from directory.cli import cli

PROFILES = sorted((Path(__file__).resolve().parents[3] / "seed_data" / "profiles").glob("*.json"))


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    from directory import create_app

    folder = tmp_path_factory.mktemp("contract")
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "x", "TESTING": True})
    runner = app.test_cli_runner()
    for command in (["init"], ["seed"]):
        result = runner.invoke(cli, command, obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
    yield app.test_client()
    app.extensions["db"].engine.dispose()


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_example_profiles_get_suggestions_with_reasons(demo_client, path):
    profile = json.loads(path.read_text())
    response = demo_client.post("/api/v1/match", json=profile)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) >= {"results", "considered", "excluded"}
    assert 0 < len(body["results"]) <= profile.get("limit", 10)
    for result in body["results"]:
        assert set(result) == {"service_id", "name", "organization", "score", "distance_km",
                               "next_session", "reasons"}
        assert result["reasons"]
        assert 0 <= result["score"] <= 1
        if result["distance_km"] is not None:
            assert result["distance_km"] <= profile.get("max_distance_km", 8)
    scores_in_order = [r["service_id"] for r in body["results"]]
    assert len(set(scores_in_order)) == len(scores_in_order)
