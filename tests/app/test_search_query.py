"""The search layer itself: text, synonyms, typos, filters, distance and what counts as remote."""

from __future__ import annotations

from datetime import datetime

import pytest

from directory.models import ServiceStatus, Taxonomy
from directory.search import Filters, run_search

from .factories import make_location, make_service, term

FENHAM = (54.9812, -1.6553)


@pytest.fixture
def ask(app):
    def run(text="", sort="relevance", **filters):
        with app.app_context():
            return run_search(text, Filters(**filters), sort=sort, per_page=50)

    return run


def names(page):
    return [h.name for h in page.hits]


def with_access(db, service, *codes):
    service.terms.extend(term(db, Taxonomy.ACCESS, c) for c in codes)
    db.commit()
    return service


def test_every_word_must_match_before_any_word_will_do(db, ask):
    make_service(db, "Fenham Walking Group", activities=("walking-group",), categories=("physical-activity",))
    make_service(db, "Fenham Choir", activities=("choir-singing",), categories=("arts",))
    assert names(ask("fenham walking")) == ["Fenham Walking Group"]
    assert set(names(ask("walking singing"))) == {"Fenham Walking Group", "Fenham Choir"}


def test_lay_words_find_services_through_the_synonym_table(db, ask):
    make_service(db, "Breathe Easy Benwell", activities=("breathing-support",), categories=("ltc-management",))
    make_service(db, "Benwell Knitters", activities=("crafts",), categories=("community",))
    assert names(ask("breathless")) == ["Breathe Easy Benwell"]


def test_a_narrow_synonym_does_not_pull_in_its_whole_category(db, ask):
    make_service(db, "Westerhope Belters", activities=("choir-singing",), categories=("arts",))
    make_service(db, "Open Studio", activities=("art-group",), categories=("arts",))
    assert names(ask("choir")) == ["Westerhope Belters"]


def test_a_misspelling_no_edit_distance_reaches_is_in_the_synonym_table(db, ask):
    make_service(db, "Westerhope Belters", activities=("choir-singing",), categories=("arts",))
    make_service(db, "Quit Smoking Clinic", activities=("stop-smoking",), categories=("nhs-service",))
    assert names(ask("quire")) == ["Westerhope Belters"]


def test_a_misspelt_word_is_corrected_and_reported(db, ask):
    make_service(db, "Wingrove Walkers", activities=("walking-group",), categories=("physical-activity",))
    page = ask("walkng")
    assert names(page) == ["Wingrove Walkers"]
    assert "walkng" in page.corrections


def test_query_syntax_is_just_text(db, ask):
    make_service(db, "Benwell Walkers")
    for text in ['"', "*", "(", "AND", "walk AND (", "x" * 5000]:
        ask(text)  # never raises


def test_only_active_services_are_found(db, ask):
    for status in ServiceStatus:
        make_service(db, f"Walk {status.value}", activities=("walking-group",), categories=("physical-activity",),
                     status=status)
    assert names(ask("walk")) == ["Walk active"]


def test_distance_keeps_near_venues_and_anywhere_services_and_home_visits_that_cover_the_district(db, ask):
    near = make_location(db, "Fenham Hall", latitude=54.9815, longitude=-1.6550)
    far = make_location(db, "Whitley Hall", latitude=55.0397, longitude=-1.4471)
    make_service(db, "Near Walk", locations=(near,))
    make_service(db, "Far Walk", locations=(far,))
    with_access(db, make_service(db, "Phone Friends", locations=()), "telephone")
    visits_here = with_access(db, make_service(db, "Home Visits NE4", locations=()), "home-visit")
    visits_there = with_access(db, make_service(db, "Home Visits NE26", locations=()), "home-visit")
    from directory.models import CoverageArea

    visits_here.coverage_rows.append(CoverageArea(outward_code="NE4"))
    visits_there.coverage_rows.append(CoverageArea(outward_code="NE26"))
    db.commit()
    page = ask(origin=FENHAM, outward_code="NE4", within_km=2, sort="distance")
    assert names(page) == ["Near Walk", "Home Visits NE4", "Phone Friends"]
    assert page.hits[0].distance_km < 0.1
    assert [h.remote for h in page.hits] == [False, True, True]


def test_filters_narrow_and_combine(db, ask):
    free = make_service(db, "Free Monday Walk", sessions=(("mon", "10:00", "11:00"),))
    with_access(db, free, "free")
    make_service(db, "Paid Monday Walk", sessions=(("mon", "18:00", "19:00"),))
    make_service(db, "Saturday Walk", sessions=(("sat", "10:00", "11:00"),))
    assert names(ask(access=("free",))) == ["Free Monday Walk"]
    assert names(ask(days=("mon",))) == ["Free Monday Walk", "Paid Monday Walk"]
    assert names(ask(parts=("evening",))) == ["Paid Monday Walk"]
    assert names(ask(parts=("weekend",))) == ["Saturday Walk"]
    assert names(ask(days=("mon",), parts=("morning",))) == ["Free Monday Walk"]


def test_sort_by_next_session(db, ask, app):
    make_service(db, "Thursday Walk", sessions=(("thu", "10:00", "11:00"),))
    make_service(db, "Tuesday Walk", sessions=(("tue", "10:00", "11:00"),))
    from directory.search import live_searcher, query

    with app.app_context():
        page = query.search(live_searcher(), "", Filters(), sort="next", now=datetime(2026, 11, 30, 9, 0))
    assert [h.name for h in page.hits] == ["Tuesday Walk", "Thursday Walk"]
    assert page.hits[0].next_session == datetime(2026, 12, 1, 10, 0)


def test_pages_split_results_in_alphabetical_order_without_words(db, ask, app):
    for n in range(5):
        make_service(db, f"Group {n}")
    from directory.search import run_search

    with app.app_context():
        first = run_search("", Filters(), page=1, per_page=2)
        third = run_search("", Filters(), page=3, per_page=2)
    assert (first.total, first.pages) == (5, 3)
    assert [h.name for h in first.hits] == ["Group 0", "Group 1"]
    assert [h.name for h in third.hits] == ["Group 4"]


def test_a_remote_service_beyond_the_distance_shows_how_far_its_venue_is_without_reading_stored_fields(
        db, ask, monkeypatch):
    near = make_location(db, "Fenham Hall", latitude=54.9815, longitude=-1.6550)
    far = make_location(db, "Whitley Hall", latitude=55.0397, longitude=-1.4471)
    make_service(db, "Near Walk", locations=(near,))
    with_access(db, make_service(db, "Online Choir", locations=(far, near)), "online")
    with_access(db, make_service(db, "Phone Choir", locations=(far,)), "telephone")
    first = ask(origin=FENHAM, within_km=2, sort="distance")

    # Stored fields are read once, into the index's facts; a results page never reads them
    # (the first read of a segment's copies the whole stored-fields file into the worker).
    from whoosh.reading import MultiReader, SegmentReader

    def refused(*_args, **_kwargs):
        raise AssertionError("a results page read stored fields")

    for cls in (SegmentReader, MultiReader):
        monkeypatch.setattr(cls, "stored_fields", refused)
    page = ask(origin=FENHAM, within_km=2, sort="distance")
    assert [(h.name, h.distance_km) for h in page.hits] == \
        [(h.name, h.distance_km) for h in first.hits]
    km = {h.name: h.distance_km for h in page.hits}
    assert names(page) == ["Near Walk", "Online Choir", "Phone Choir"]
    assert km["Near Walk"] < 0.1
    assert km["Online Choir"] < 0.1  # its nearest venue is the near one, within reach
    assert 14 < km["Phone Choir"] < 16  # beyond the reach, but by phone: its venue's distance
