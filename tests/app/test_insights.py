"""What the directory learns: a match and a search add to anonymous counters, nothing about a
person reaches the database, and small counts never show."""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

import matcher
from directory import insights
from directory.db import Base
from directory.models import DemandCount, NeedKind, Role, SearchMiss

from .factories import make_location, make_service, make_user

TODAY = date(2026, 11, 25)
# A match as a Link Worker types it, with things about the person that must never be kept.
FORM = [("goals", "get-more-active"), ("goals", "meet-people"), ("place", "NE4 8XJ"),
        ("distance", "3"), ("readiness", "thinking"), ("languages", "en"),
        ("text", "Mr Quennell, 71, loved fishing, jq@example.org"), ("age", "71"),
        ("gender", "male"), ("conditions", "copd")]
PERSONAL = ("quennell", "fishing", "jq@example.org", "8xj", "ne4 8xj", "male")


@pytest.fixture
def app(make_app):
    return make_app(TODAY=TODAY)


@pytest.fixture
def services(db):
    hall = make_location(db, "Benwell Hall", postcode="NE4 8BE", latitude=54.9707, longitude=-1.6550)
    far = make_location(db, "Gosforth Hall", postcode="NE3 1AA", latitude=55.0067, longitude=-1.6550)
    return [
        make_service(db, "Benwell Walkers", activities=("walking-group",),
                     categories=("physical-activity",), locations=(hall,)),
        make_service(db, "Gosforth Walkers", activities=("walking-group",),
                     categories=("physical-activity",), locations=(far,)),
    ]


@pytest.fixture
def link_worker(db, login_as):
    user = make_user(db, "lw@example.org", Role.LINK_WORKER)
    login_as(user)
    return user


def everything(app: Flask) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table (JSON values as their repr, so rows can be compared)."""
    with app.extensions["db"].engine.connect() as connection:
        return {name: {tuple(repr(v) if isinstance(v, (dict, list)) else v for v in row)
                       for row in connection.execute(sa.select(table))}
                for name, table in Base.metadata.tables.items()}


def written(before: dict[str, set[tuple[Any, ...]]], after: dict[str, set[tuple[Any, ...]]]):
    return {name: after[name] - before[name] for name in after if after[name] - before[name]}


def counters(app: Flask) -> dict[tuple[str, str], dict[str, Any]]:
    with app.extensions["db"].engine.connect() as connection:
        return {(r.kind.value, r.code): r._asdict()
                for r in connection.execute(sa.select(DemandCount.__table__))}


def test_a_match_adds_to_the_counters_and_keeps_nothing_about_the_person(app, client, services,
                                                                        link_worker):
    before = everything(app)
    response = client.post("/workspace/", data=MultiDict(FORM))
    assert response.status_code == 200
    changed = written(before, everything(app))
    # The match wrote counter rows and nothing else.
    assert set(changed) == {"demand_counts"}
    rows = counters(app)
    assert set(rows) == {("all", ""), ("goal", "get-more-active"), ("goal", "meet-people"),
                         ("condition", "copd")}
    vocab = app.extensions["vocabulary"]
    for row in changed["demand_counts"]:
        month, district, kind, code, readiness, *numbers = row
        assert month == date(2026, 11, 1)
        assert district == "NE4"
        assert kind in set(NeedKind)
        assert code == "" or code in vocab.ids("goals") | vocab.ids("conditions")
        assert readiness == "thinking"
        assert all(isinstance(n, int) and n in (0, 1) for n in numbers)
    assert not any(p in repr(changed).lower() for p in PERSONAL)
    # One walking group is within 3 km, the other a near miss too far away.
    active = rows[("goal", "get-more-active")]
    assert (active["matches"], active["few_options"], active["too_far"]) == (1, 1, 1)
    # Nothing serves COPD here, and nothing near missed it.
    assert (rows[("condition", "copd")]["few_options"], rows[("condition", "copd")]["too_far"]) == (1, 0)

    # Re-showing the same match (no "Find services" pressed) reuses it and counts nothing;
    # pressing "Find services" again matches afresh and counts again.
    client.post("/workspace/", data=MultiDict(FORM))
    assert counters(app)[("goal", "get-more-active")]["matches"] == 1
    client.post("/workspace/", data=MultiDict([*FORM, ("find", "1")]))
    assert counters(app)[("goal", "get-more-active")]["matches"] == 2


def test_the_api_match_counts_too(app, client, services):
    response = client.post("/api/v1/match", json={"goals": ["get-more-active"],
                                                  "location": {"postcode": "NE4 8XJ"}})
    assert response.status_code == 200
    assert counters(app)[("goal", "get-more-active")]["district"] == "NE4"


def test_a_search_that_found_nothing_adds_its_words_as_hashes_until_five_searches(app, client, services):
    before = everything(app)
    assert client.get("/search", query_string={
        "q": "Zumbaqq Quennell 71 jq@example.org NE4 8XJ"}).status_code == 200
    changed = written(before, everything(app))
    assert set(changed) == {"search_misses"}
    rows = changed["search_misses"]
    # Two words were left; each kept as a hash, never as the word, after one search.
    assert len(rows) == 2
    for month, word_hash, word, searches in rows:
        assert month == date(2026, 11, 1)
        assert re.fullmatch(r"[0-9a-f]{64}", word_hash)
        assert word is None and searches == 1
    readable = repr([(month, word, searches) for month, _, word, searches in rows]).lower()
    assert not any(p in readable for p in (*PERSONAL, "zumbaqq", "71"))

    for _ in range(4):
        client.get("/search", query_string={"q": "zumbaqq"})
    with app.extensions["db"].sessions() as db:
        words = dict(db.execute(sa.select(SearchMiss.word, SearchMiss.searches)
                                .where(SearchMiss.word.is_not(None))).all())
    assert words == {"zumbaqq": 5}  # the name searched once is still only a hash


def test_a_search_with_results_counts_nothing(app, client, services):
    before = everything(app)
    assert "Benwell Walkers" in client.get("/search?q=walkers").get_data(as_text=True)
    assert written(before, everything(app)) == {}


@pytest.mark.parametrize("text, words", [
    ("Knitting in NE4 8XJ", ["knitting", "in"]),
    ("tai-chi SW1A 1AA or ne4", ["tai-chi", "or"]),
    ("bob@example.org BOB’s 3rd group 2024", ["bob’s", "group"]),
    ("a", []),
])
def test_search_words_leave_out_digits_emails_and_postcodes(text, words):
    assert insights.search_words(text) == words


def test_counting_that_fails_never_fails_the_match_or_the_search(app, client, services, link_worker,
                                                                 monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(insights, "add_counts", broken)
    with caplog.at_level(logging.ERROR, logger="directory.insights"):
        response = client.post("/workspace/", data=MultiDict(FORM))
        assert response.status_code == 200 and "Benwell Walkers" in response.get_data(as_text=True)
        assert client.get("/search?q=zumbaqq").status_code == 200
    assert [r.getMessage() for r in caplog.records] == [
        "could not count a match for the insights page", "could not count a search for the insights page"]


def test_counts_made_at_once_all_add_up(app):
    profile = matcher.Profile(goals=frozenset({"meet-people"}), outward_code="NE4", readiness="ready")
    result = matcher.MatchResult(results=(), considered=0)
    errors: list[BaseException] = []

    def count() -> None:
        try:
            for _ in range(5):
                rows = insights.match_counts(profile, result, [], app.extensions["vocabulary"].for_matcher, TODAY)
                insights.add_counts(app, DemandCount.__table__, rows,
                                 ("month", "district", "kind", "code", "readiness"))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=count) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counters(app)[("goal", "meet-people")]["matches"] == 30


def test_a_near_miss_is_counted_under_the_rule_that_kept_it_out():
    vocab = matcher.Vocabulary(goals={"g": matcher.Goal("g", "G", serves=frozenset({"c"}))},
                               categories={"c": "C"})
    far = matcher.Candidate(id="far", name="Far", categories=frozenset({"c"}))
    costly = matcher.Candidate(id="costly", name="Costly", categories=frozenset({"c"}))
    steps = matcher.Candidate(id="steps", name="Steps", categories=frozenset({"c"}), access=frozenset({"free"}))
    other = matcher.Candidate(id="other", name="Other", categories=frozenset({"x"}))
    profile = matcher.Profile(goals=frozenset({"g"}), needs=frozenset({"free", "step-free"}))
    why = lambda c, e: matcher.WhyNot(c.id, c.name, e, "")  # noqa: E731
    result = matcher.MatchResult(results=(), considered=4, why_not=(
        why(far, matcher.Exclusion.TOO_FAR), why(costly, matcher.Exclusion.NEEDS_NOT_MET),
        why(steps, matcher.Exclusion.NEEDS_NOT_MET), why(other, matcher.Exclusion.NOT_AVAILABLE)))
    rows = insights.match_counts(profile, result, [far, costly, steps, other], vocab, TODAY)
    goal = next(r for r in rows if r["kind"] is NeedKind.GOAL)
    assert {k for k in insights.RULES if goal[k]} == {"too_far", "not_free", "not_step_free"}
    whole = next(r for r in rows if r["kind"] is NeedKind.ALL)
    assert whole["not_at_times"] == 1  # the unrelated service misses the match, not the goal
    assert goal["district"] == "" and whole["readiness"] == "ready"


# --- the report --------------------------------------------------------------------------------


def seed(app: Flask, *rows: dict[str, Any]) -> None:
    full = [dict.fromkeys(insights.COUNTERS, 0) | {"month": date(2026, 11, 1), "readiness": "ready"} | r
            for r in rows]
    insights.add_counts(app, DemandCount.__table__, full, ("month", "district", "kind", "code", "readiness"))


def test_the_top_gaps_read_as_sentences(app, db):
    seed(app, {"district": "NE4", "kind": NeedKind.GOAL, "code": "meet-people", "matches": 30,
               "few_options": 23, "too_far": 14, "not_free": 6},
         {"district": "NE4", "kind": NeedKind.GOAL, "code": "meet-people", "matches": 2,
          "readiness": "thinking", "month": date(2026, 10, 1)},
         {"district": "NE15", "kind": NeedKind.GOAL, "code": "get-more-active", "matches": 9,
          "few_options": 3, "not_at_times": 2},
         {"district": "NE4", "kind": NeedKind.GOAL, "code": "meet-people", "matches": 40,
          "few_options": 40, "month": date(2026, 7, 1)})  # before the last three months
    figures = insights.figures_for(db, app.extensions["vocabulary"], TODAY)
    assert [g.sentence for g in figures.gaps] == [
        "Meet people / feel less lonely, NE4: 23 of 32 matches with fewer than 3 options; 14 ruled out by distance",
        "Get more active / fitter, NE15: fewer than 5 of 9 matches with fewer than 3 options; "
        "fewer than 5 ruled out by the times they can make",
    ]


@pytest.mark.parametrize("n, shown", [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (23, "23")])
def test_counts_under_five_are_suppressed(n, shown):
    assert insights.suppress(n) == shown


def test_small_counts_never_show_on_the_page_or_in_the_export(app, client, db, admin, login_as):
    seed(app, {"district": "NE4", "kind": NeedKind.ALL, "code": "", "matches": 3, "few_options": 2},
         {"district": "NE6", "kind": NeedKind.ALL, "code": "", "matches": 12, "few_options": 6})
    login_as(admin)
    page = client.get("/insights/").get_data(as_text=True)
    row = re.search(r'<tr class="nhsuk-table__row" data-label="NE4">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r">([^<>]+)</t[dh]>", row)
    assert cells == ["NE4", "fewer than 5", "fewer than 5", "fewer than 5"]
    # No share is worked out from fewer than five matches; NE6 is 6 of 12.
    assert re.search(r'data-label="NE6".*?<text class="value"[^>]*>50%</text>', page, re.S)
    export = client.get("/insights/districts.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(export.get_data(as_text=True)))) == [
        ["district", "matches", "fewer_than_3_options", "percent_unmet"],
        ["NE4", "fewer than 5", "fewer than 5", ""],
        ["NE6", "12", "6", "50"],
    ]
    trend = list(csv.reader(io.StringIO(client.get("/insights/trend.csv").get_data(as_text=True))))
    assert trend[-1] == ["2026-11", "15", "8"]


def test_an_unknown_export_is_not_found(app, client, admin, login_as):
    login_as(admin)
    assert client.get("/insights/people.csv").status_code == 404


def test_a_commissioner_reads_insights_and_nothing_else(app, client, db, login_as):
    login_as(make_user(db, "funder@example.org", Role.COMMISSIONER))
    page = client.get("/insights/")
    assert page.status_code == 200 and "What people asked for" in page.get_data(as_text=True)
    for path in ("/admin/", "/workspace/", "/provider/"):
        assert client.get(path).status_code == 403


def test_counts_wait_to_be_written_together(make_app):
    app = make_app(TODAY=TODAY, INSIGHTS_FLUSH_SECONDS=600)
    profile = matcher.Profile(goals=frozenset({"meet-people"}), outward_code="NE4")
    result = matcher.MatchResult(results=(), considered=0)
    for _ in range(3):
        insights.record_match(app, profile, result, [], TODAY)
    for _ in range(5):
        insights.record_search(app, "aquarobics", 0, TODAY)
    assert counters(app) == {}  # nothing written yet: a match never waits for a commit
    insights.flush(app)
    assert counters(app)[("goal", "meet-people")]["matches"] == 3
    with app.extensions["db"].sessions() as db:
        assert db.execute(sa.select(SearchMiss.word, SearchMiss.searches)).all() == [("aquarobics", 5)]
    insights.flush(app)  # nothing pending: nothing more added
    assert counters(app)[("goal", "meet-people")]["matches"] == 3
    timer = insights.pending(app).timer
    assert timer is None


def test_pending_counts_are_written_soon_after_without_anyone_asking(make_app):
    app = make_app(TODAY=TODAY, INSIGHTS_FLUSH_SECONDS=0.2)
    profile = matcher.Profile(goals=frozenset({"meet-people"}), outward_code="NE4")
    insights.record_match(app, profile, matcher.MatchResult(results=(), considered=0), [], TODAY)
    timer = insights.pending(app).timer
    assert timer is not None
    timer.join(5)
    assert counters(app)[("goal", "meet-people")]["matches"] == 1


def test_the_district_map_can_show_one_goal(app, client, admin, login_as):
    seed(app, {"district": "NE4", "kind": NeedKind.ALL, "code": "", "matches": 50, "few_options": 5},
         {"district": "NE4", "kind": NeedKind.GOAL, "code": "meet-people", "matches": 20,
          "few_options": 15})
    login_as(admin)
    every = client.get("/insights/").get_data(as_text=True)
    one = client.get("/insights/?goal=meet-people&months=12").get_data(as_text=True)
    assert ">10%</text>" in every and ">75%</text>" in one
    assert "Unmet demand by district: Meet people / feel less lonely</h2>" in one
    # A goal or period the page does not know is ignored, not an error.
    odd = client.get("/insights/?goal=<script>&months=lots")
    assert odd.status_code == 200 and ">10%</text>" in odd.get_data(as_text=True)


def test_listings_going_stale_are_counted_by_the_district_of_their_venues(app, db):
    west = make_location(db, "Lemington Centre", postcode="NE15 8SX", latitude=54.99, longitude=-1.72)
    make_service(db, "Fresh Walkers", last_verified=date(2026, 11, 1))
    make_service(db, "Stale Walkers", last_verified=date(2026, 3, 1))
    make_service(db, "Old Walkers", last_verified=date(2025, 10, 1))
    make_service(db, "Lemington Lunch", locations=(west,), last_verified=date(2026, 3, 1))
    assert insights.stale_by_area(db, TODAY) == [
        {"district": "NE4", "listings": 3, "stale": 1, "expired": 1},
        {"district": "NE15", "listings": 1, "stale": 1, "expired": 0},
    ]
