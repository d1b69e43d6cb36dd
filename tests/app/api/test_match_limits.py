"""Bounded input on POST /api/v1/match (issue #15): nesting, list lengths and body size have
limits the answer names; a body with many problems names them all at once; a GET is told
to POST."""

from __future__ import annotations

import json
import time

import pytest

from directory.schemas.match import LIST_LIMITS, MAX_DEPTH, depth

WINDOW = {"day": "mon", "from": "09:00", "to": "10:00"}


def post_raw(client, body: str):
    return client.post("/api/v1/match", data=body, content_type="application/json")


@pytest.mark.parametrize("levels", [1000, 100, 5])
def test_deeply_nested_json_is_a_400_naming_the_limit(client, levels):
    response = post_raw(client, '{"goals": ' + "[" * levels + "]" * levels + "}")
    assert response.status_code == 400
    assert f"nested more than {MAX_DEPTH} levels" in response.get_json()["errors"]["_json"][0]


def test_a_top_level_array_nested_1000_deep_is_a_400(client):
    assert post_raw(client, "[" * 1000 + "]" * 1000).status_code == 400


def test_a_list_over_its_limit_is_refused_at_once_naming_the_limit(client):
    profile = {"goals": ["get-more-active"], "availability": [WINDOW] * 5000}
    started = time.perf_counter()
    response = post_raw(client, json.dumps(profile))
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 400
    message = response.get_json()["errors"]["availability"][0]
    assert f"at most {LIST_LIMITS['availability']} items" in message


@pytest.mark.parametrize("field, item", [("goals", "get-more-active"), ("exclude", "x"),
                                         ("languages", "en")])
def test_every_list_has_a_limit(client, field, item):
    profile = {"goals": ["get-more-active"], field: [item] * (LIST_LIMITS[field] + 1)}
    response = post_raw(client, json.dumps(profile))
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_a_body_over_the_size_limit_is_a_413_naming_it(client, app):
    response = post_raw(client, json.dumps({"text": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}))
    assert response.status_code == 413
    assert "256 KB" in response.get_json()["errors"]["_request"][0]


def test_five_problems_are_named_in_one_answer(client):
    response = post_raw(client, json.dumps({
        "goals": ["not-a-goal"], "readiness": "maybe", "age": -1, "limit": 0,
        "languages": ["english"], "location": {"postcode": "ZZ1 1ZZ"},
    }))
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert set(errors) == {"goals", "readiness", "age", "limit", "languages", "location"}
    assert "not-a-goal" in errors["goals"][0]
    assert "postcode" in errors["location"]


def test_a_bad_field_does_not_hide_the_missing_goal_message_or_invent_one(client):
    only_bad_age = post_raw(client, json.dumps({"age": -1}))
    assert set(only_bad_age.get_json()["errors"]) == {"age", "goals"}
    bad_goals = post_raw(client, json.dumps({"goals": "walking"}))
    assert bad_goals.get_json()["errors"]["goals"] == ["Not a valid list."]


def test_control_characters_in_the_profile_are_refused(client):
    response = post_raw(client, json.dumps({"goals": ["get-more-active"], "text": "a\u0000b",
                                            "gender": "f\r\nx"}))
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"text", "gender"}


def test_invalid_json_is_a_400(client):
    response = post_raw(client, "{not json")
    assert response.status_code == 400 and "_json" in response.get_json()["errors"]


def test_get_on_the_match_address_is_a_405_that_says_to_post(client):
    response = client.get("/api/v1/match")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json()["errors"]["_request"] == ["/api/v1/match accepts POST only."]


def test_depth_counts_nesting_without_recursing():
    assert depth(1) == 0 and depth([]) == 1 and depth({"a": [{"b": 1}]}) == 3
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert depth(deep) == 100_001
