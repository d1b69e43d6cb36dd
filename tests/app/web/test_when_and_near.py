""""Open today" and "This week" against the app's clock (TODAY), "near me" from the browser's
lat and lon with every bad value named, and the filters before the results in the page."""

from __future__ import annotations

import pytest

from ..factories import make_location, make_service

TUESDAY, SUNDAY = "2026-12-01", "2026-12-06"


@pytest.fixture
def week(db):
    for name, day in (("Monday Walkers", "mon"), ("Tuesday Walkers", "tue"),
                      ("Thursday Walkers", "thu"), ("Sunday Walkers", "sun")):
        make_service(db, name, description="A weekly walk.", sessions=((day, "10:00", "11:00"),))
    make_service(db, "Walkers By Appointment", description="A walk when you ring.", sessions=())


def names(client, query):
    found = client.get(f"/search?format=json&q=walk&{query}").get_json()
    return sorted(r["name"] for r in found["results"]), found


def test_open_today_is_the_services_meeting_on_todays_date(app, client, week):
    app.config["TODAY"] = TUESDAY
    assert names(client, "when=today")[0] == ["Tuesday Walkers"]
    app.config["TODAY"] = SUNDAY
    assert names(client, "when=today")[0] == ["Sunday Walkers"]


def test_this_week_is_the_rest_of_it_to_sunday(app, client, week):
    app.config["TODAY"] = TUESDAY
    assert names(client, "when=week")[0] == ["Sunday Walkers", "Thursday Walkers",
                                             "Tuesday Walkers"]
    app.config["TODAY"] = SUNDAY
    assert names(client, "when=week")[0] == ["Sunday Walkers"]


def test_open_today_narrows_the_days_chosen_or_says_it_left_them_out(app, client, week):
    app.config["TODAY"] = TUESDAY
    assert names(client, "when=week&day=thu&day=mon")[0] == ["Thursday Walkers"]
    found, page = names(client, "when=today&day=thu")
    assert found == ["Tuesday Walkers"]
    assert page["messages"] == [
        "Open today does not include Thursday, so we left the day filter out."]


def test_when_is_a_removable_filter_and_an_unknown_value_is_named(app, client, week):
    app.config["TODAY"] = TUESDAY
    body = client.get("/search?q=walk&when=today").get_data(as_text=True)
    remove = '<span class="nhsuk-u-visually-hidden">Remove filter: </span>'
    assert f'href="/search?q=walk">{remove}Open today' in body
    assert 'id="when-today" name="when" type="radio" value="today" checked' in body
    _, page = names(client, "when=tomorrow")
    assert page["messages"] == [
        "We did not recognise that choice of when, so we searched any time."]
    assert page["total"] == 5


def test_near_me_searches_from_the_position_sent(client, db):
    make_service(db, "Fenham Walkers", description="A weekly walk.",
                 locations=(make_location(db, "Fenham Hall", latitude=54.9812, longitude=-1.6553),))
    make_service(db, "Durham Walkers", description="A weekly walk.",
                 locations=(make_location(db, "Durham Hall", latitude=54.7761, longitude=-1.5733),))
    found = client.get("/search?format=json&q=walk&lat=54.98123&lon=-1.65531&distance=5").get_json()
    assert [r["name"] for r in found["results"]] == ["Fenham Walkers"]
    assert found["place"] == {"label": "your location", "latitude": 54.981, "longitude": -1.655}
    body = client.get("/search?q=walk&lat=54.98123&lon=-1.65531&distance=5").get_data(as_text=True)
    assert "found near your location" in body
    # Kept in this search's own links, rounded to about 100 m, and removable as one filter.
    assert 'name="lat" value="54.981"' in body and 'name="lon" value="-1.655"' in body
    remove = '<span class="nhsuk-u-visually-hidden">Remove filter: </span>'
    assert f'href="/search?q=walk&amp;distance=5">{remove}Near your location' in body


@pytest.mark.parametrize(("query", "message"), [
    ("lat=54.98", "Your location came without its longitude (lon)."),
    ("lon=-1.6", "Your location came without its latitude (lat)."),
    ("lat=north&lon=-1.6", "The latitude (lat) of your location is not a number."),
    ("lat=nan&lon=-1.6", "The latitude (lat) of your location is not a number."),
    ("lat=54.98&lon=inf", "The longitude (lon) of your location is not a number."),
    ("lat=91&lon=-1.6", "The latitude (lat) of your location is outside the UK"),
    ("lat=40.7&lon=-74.0", "The latitude (lat) of your location is outside the UK"),
    ("lat=54.98&lon=20", "The longitude (lon) of your location is outside the UK"),
])
def test_a_bad_position_is_named_on_the_place_box(client, query, message):
    response = client.get(f"/search?q=walk&{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body and 'id="place-error"' in body
    assert client.get(f"/search?format=json&q=walk&{query}").get_json()["place"] is None


def test_the_filters_come_before_the_results_with_a_toggle_above_them(client, week):
    body = client.get("/search?q=walk").get_data(as_text=True)
    toggle, filters, results = (body.index(s) for s in ("data-filters-toggle", 'id="filters"',
                                                        'id="results"'))
    assert toggle < filters < results
