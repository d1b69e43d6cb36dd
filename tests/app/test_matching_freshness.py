"""A listing last verified more than twelve months before the match's day is not suggested."""

from __future__ import annotations

import json
from datetime import date

import pytest

from directory import search
from directory.api.match import match_json
from directory.freshness import add_months

from .factories import make_location, make_service

TODAY = date(2026, 11, 30)
WALKERS = {"goals": ["get-more-active"], "location": {"postcode": "NE4 8XJ"}, "max_distance_km": 5}


def walking_group(db, name, last_verified):
    hall = make_location(db, f"{name} Hall", latitude=54.9707, longitude=-1.6550)
    return make_service(db, name, activities=("walking-group",), categories=("physical-activity",),
                        locations=(hall,), last_verified=last_verified)


@pytest.fixture
def listings(db):
    walking_group(db, "Old Walkers", add_months(TODAY, -13))  # 30 October 2025
    walking_group(db, "Recent Walkers", add_months(TODAY, -11))  # 30 December 2025


def suggested(app, profile, today):
    with app.app_context():
        return [r["name"] for r in match_json(profile, today)["results"]]


def test_a_listing_verified_13_months_ago_is_not_suggested_and_11_months_ago_is(app, listings):
    with app.app_context():
        answer = match_json(WALKERS, TODAY)
    assert [r["name"] for r in answer["results"]] == ["Recent Walkers"]
    assert answer["considered"] == 1  # not a candidate at all, so never in why_not either
    assert "Old Walkers" not in json.dumps(answer)


def test_exactly_twelve_months_is_still_suggested(app, db):
    walking_group(db, "Year Walkers", add_months(TODAY, -12))
    assert suggested(app, WALKERS, TODAY) == ["Year Walkers"]
    assert suggested(app, WALKERS, date(2026, 12, 1)) == []


def test_a_listing_never_verified_is_not_excluded(app, db):
    walking_group(db, "Undated Walkers", None)
    assert suggested(app, WALKERS, TODAY) == ["Undated Walkers"]


def test_the_day_of_each_match_decides_even_with_candidates_in_memory(app, listings):
    assert suggested(app, WALKERS, TODAY) == ["Recent Walkers"]
    a_year_earlier = add_months(TODAY, -12)
    assert sorted(suggested(app, WALKERS, a_year_earlier)) == ["Old Walkers", "Recent Walkers"]
    assert suggested(app, WALKERS, TODAY) == ["Recent Walkers"]
    two_years_on = add_months(TODAY, 12)
    assert suggested(app, WALKERS, two_years_on) == []


def test_words_alone_never_bring_back_an_expired_listing(app, listings):
    profile = {"text": "walkers", "location": {"postcode": "NE4 8XJ"}, "max_distance_km": 5}
    assert suggested(app, profile, TODAY) == ["Recent Walkers"]


def test_re_verifying_a_listing_brings_it_back_at_once(app, db, listings):
    from directory.models import Service

    assert suggested(app, WALKERS, TODAY) == ["Recent Walkers"]
    old = db.query(Service).filter_by(name="Old Walkers").one()
    old.last_verified = TODAY
    db.commit()
    assert sorted(suggested(app, WALKERS, TODAY)) == ["Old Walkers", "Recent Walkers"]


def test_without_a_search_index_the_sql_candidates_leave_it_out_too(app, listings, monkeypatch):
    def missing(*args, **kwargs):
        raise search.IndexMissing("no index")

    monkeypatch.setattr(search, "live_searcher", missing)
    assert suggested(app, WALKERS, TODAY) == ["Recent Walkers"]


def test_the_api_uses_todays_date(client, db):
    today = date.today()
    walking_group(db, "Old Walkers", add_months(today, -13))
    walking_group(db, "Recent Walkers", add_months(today, -11))
    response = client.post("/api/v1/match", data=json.dumps(WALKERS),
                           content_type="application/json")
    assert [r["name"] for r in response.get_json()["results"]] == ["Recent Walkers"]
