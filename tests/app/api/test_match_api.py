"""POST /api/v1/match and `directory match`: the contract's answers, and a 400 naming every bad field."""

from __future__ import annotations

import json

import pytest
from flask.cli import ScriptInfo

from directory.cli import cli

from ..factories import make_location, make_service

BASE = {"goals": ["get-more-active"], "location": {"postcode": "NE4 8XJ"}}


@pytest.fixture
def catalogue(db):
    near = make_location(db, "Benwell Hall", latitude=54.9707, longitude=-1.6550)
    far = make_location(db, "Far Hall", latitude=55.20, longitude=-1.60)
    walk = make_service(db, "Benwell Walkers", activities=("walking-group",),
                        categories=("physical-activity",), locations=(near,))
    make_service(db, "Faraway Walkers", activities=("walking-group",),
                 categories=("physical-activity",), locations=(far,))
    return walk


def post(client, payload):
    return client.post("/api/v1/match", data=json.dumps(payload), content_type="application/json")


def test_a_valid_profile_gets_ranked_suggestions_with_reasons(client, catalogue):
    response = post(client, {**BASE, "max_distance_km": 3})
    assert response.status_code == 200
    body = response.get_json()
    assert [r["name"] for r in body["results"]] == ["Benwell Walkers"]
    first = body["results"][0]
    assert first["service_id"] == catalogue.public_id
    assert first["reasons"] and all(r["code"] and r["text"] for r in first["reasons"])
    assert first["distance_km"] == pytest.approx(0.3, abs=0.3)
    assert body["considered"] >= 1
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_service_too_far_is_counted_and_explained(client, catalogue):
    body = post(client, {**BASE, "max_distance_km": 3}).get_json()
    assert "Faraway Walkers" not in [r["name"] for r in body["results"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"goals": ["get-rich"]}, "goals"),
        ({"goals": "get-more-active"}, "goals"),
        ({"conditions": ["gout"]}, "conditions"),
        ({"needs": ["jacuzzi"]}, "needs"),
        ({"location": {"postcode": "NE4 8X"}}, "location"),
        ({"location": {"postcode": "NE4 0ZZ"}}, "location"),
        ({"location": {"latitude": 95, "longitude": 0}}, "location"),
        ({"location": {"latitude": 54.9}}, "location"),
        ({"location": "NE4 8XJ"}, "location"),
        ({"max_distance_km": -1}, "max_distance_km"),
        ({"max_distance_km": "abc"}, "max_distance_km"),
        ({"readiness": "keen"}, "readiness"),
        ({"age": -3}, "age"),
        ({"age": "seventy"}, "age"),
        ({"age": 71.5}, "age"),
        ({"gender": 7}, "gender"),
        ({"availability": [{"day": "funday", "from": "09:00", "to": "12:00"}]}, "availability"),
        ({"availability": [{"day": "mon", "from": "9am", "to": "12:00"}]}, "availability"),
        ({"availability": [{"day": "mon", "from": "13:00", "to": "12:00"}]}, "availability"),
        ({"availability": [{"day": "mon", "from": "25:00", "to": "26:00"}]}, "availability"),
        ({"availability": {"day": "mon"}}, "availability"),
        ({"languages": ["english"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"text": "x" * 5000}, "text"),
        ({"text": 42}, "text"),
        ({"exclude": "svc-1"}, "exclude"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_every_invalid_field_gets_a_400_naming_it(client, change, field):
    response = post(client, {**BASE, **change})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert field in errors, errors


def test_neither_goals_nor_text_is_refused(client):
    response = post(client, {"location": {"postcode": "NE4 8XJ"}})
    assert response.status_code == 400
    assert "goals" in response.get_json()["errors"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", '"text"', "{"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, body):
    response = client.post("/api/v1/match", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "errors" in response.get_json()


def test_text_alone_is_enough(client, catalogue):
    response = post(client, {"text": "walking", "location": {"postcode": "NE4 8XJ"}})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["name"] == "Benwell Walkers"


def test_without_a_location_only_remote_services_can_be_suggested(client, catalogue, db):
    make_service(db, "Phone Friends", activities=("befriending",), categories=("community",),
                 locations=())
    from directory.models import Taxonomy

    from ..factories import term

    phone = db.query(type(catalogue)).filter_by(name="Phone Friends").one()
    phone.terms.append(term(db, Taxonomy.ACCESS, "telephone"))
    db.commit()
    body = post(client, {"goals": ["meet-people", "get-more-active"]}).get_json()
    assert [r["name"] for r in body["results"]] == ["Phone Friends"]


def test_the_cli_prints_the_same_answer_as_the_api(app, client, catalogue, tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(BASE))
    result = app.test_cli_runner().invoke(
        cli, ["match", str(profile)], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == post(client, BASE).get_json()


@pytest.mark.parametrize(
    ("content", "field"),
    [(json.dumps({**BASE, "readiness": "keen"}), "readiness"), ("{not json", "_json")],
)
def test_the_cli_exits_2_with_the_errors_on_stderr(app, tmp_path, content, field):
    profile = tmp_path / "profile.json"
    profile.write_text(content)
    result = app.test_cli_runner().invoke(
        cli, ["match", str(profile)], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 2
    assert field in json.loads(result.stderr)["errors"]
    assert result.stdout == ""


def test_a_change_to_the_catalogue_reaches_the_next_match_at_once(client, db, catalogue):
    from directory.models import ServiceStatus

    assert [r["name"] for r in post(client, {**BASE, "max_distance_km": 3}).get_json()["results"]] == [
        "Benwell Walkers"
    ]
    catalogue.status = ServiceStatus.PAUSED
    db.commit()
    assert post(client, {**BASE, "max_distance_km": 3}).get_json()["results"] == []
    catalogue.status = ServiceStatus.ACTIVE
    catalogue.name = "Benwell Striders"
    db.commit()
    assert [r["name"] for r in post(client, {**BASE, "max_distance_km": 3}).get_json()["results"]] == [
        "Benwell Striders"
    ]


def test_every_committed_change_moves_the_catalogue_version_on(app, db, catalogue):
    from directory.models import version

    before = version.current(db.connection())
    db.rollback()
    catalogue.cost = "£2"
    db.commit()
    assert version.current(db.connection()) == before + 1


def test_candidates_from_the_index_are_the_ones_sql_would_choose(app, db):
    """The fast path (search index in memory) and the fallback (SQL) pick the same services."""
    import matcher

    from directory import search
    from directory.matching import candidate_ids, indexed_candidates
    from directory.models import CoverageArea, Service, Taxonomy

    from ..factories import term

    hall = make_location(db, "Benwell Hall", latitude=54.9707, longitude=-1.6550)
    far = make_location(db, "Morpeth Hall", latitude=55.17, longitude=-1.69)
    make_service(db, "Near walk", activities=("walking-group",), categories=("physical-activity",), locations=(hall,))
    make_service(db, "Far walk", activities=("walking-group",), categories=("physical-activity",), locations=(far,))
    make_service(db, "Near choir", activities=("choir-singing",), categories=("arts",), locations=(hall,))
    phone = make_service(db, "Phone walk buddies", activities=("walking-group",),
                         categories=("physical-activity",), locations=())
    phone.terms.append(term(db, Taxonomy.ACCESS, "telephone"))
    visits = make_service(db, "Home exercise", activities=("gentle-exercise",),
                          categories=("physical-activity",), locations=())
    visits.terms.append(term(db, Taxonomy.ACCESS, "home-visit"))
    visits.coverage_rows.append(CoverageArea(outward_code="NE4"))
    db.commit()
    vocab = app.extensions["vocabulary"].for_matcher
    person = matcher.Profile(goals=frozenset({"get-more-active"}), origin=matcher.Point(54.9753, -1.6594),
                             outward_code="NE4", max_distance_km=3)
    with app.app_context():
        from_index = set(indexed_candidates(search.live_searcher(), person, vocab, ()))
    by_sql = {db.get(Service, i).public_id for i in candidate_ids(db, person, vocab)}
    names = {db.query(Service).filter_by(public_id=i).one().name for i in from_index}
    assert from_index == by_sql
    assert names == {"Near walk", "Phone walk buddies", "Home exercise"}
