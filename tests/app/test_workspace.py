"""The Link Worker workspace, end to end: form, suggestions, shortlist, plan, saved link."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from directory import plans
from directory.models import Role, SavedPlan, utcnow

from .conftest import DEMO_PASSWORD
from .factories import make_location, make_org, make_service, make_user


@pytest.fixture
def services(db):
    hall = make_location(db, "Benwell Hall", address_1="12 Adelaide Terrace", town="Benwell",
                         postcode="NE4 8BE", latitude=54.9707, longitude=-1.6550)
    made = [
        make_service(db, "Benwell Walkers", activities=("walking-group",),
                     categories=("physical-activity",),
                     locations=(hall,), cost="Free", is_free=True, phone="0191 498 0101",
                     first_visit="Meet at the front door; Jean will introduce you."),
        make_service(db, "Fenham Lunch Club", activities=("lunch-club",), categories=("community",),
                     locations=(hall,), cost="£3 for lunch", sessions=(("wed", "12:00", "13:30"),)),
        make_service(db, "Chair Fit", activities=("gentle-exercise",),
                     categories=("physical-activity",),
                     locations=(hall,)),
    ]
    return {s.name: s for s in made}


@pytest.fixture
def link_worker(db, login_as):
    user = make_user(db, "lw@example.org", Role.LINK_WORKER)
    login_as(user)
    return user


FORM = [("goals", "get-more-active"), ("goals", "meet-people"), ("place", "NE4 8XJ"),
        ("distance", "3"), ("readiness", "thinking"), ("languages", "en"),
        ("text", "Mr Smith, 71, loved fishing"), ("age", "71"), ("gender", "male")]


def post(client, url, fields):
    return client.post(url, data=MultiDict(fields))


@pytest.mark.parametrize("path", ["/workspace/"])
def test_the_workspace_needs_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_providers_cannot_use_the_workspace(client, db, login_as):
    login_as(make_user(db, "p@example.org", Role.PROVIDER, organizations=(make_org(db),)))
    assert client.get("/workspace/").status_code == 403


def test_the_form_offers_goals_readiness_times_and_needs(client, link_worker):
    body = client.get("/workspace/").get_data(as_text=True)
    for phrase in ("Meet people / feel less lonely", "Not ready yet: wants low pressure",
                   "When can they go?", "Step-free access", "What matters to them"):
        assert phrase in body


def test_fill_the_form_shortlist_two_and_open_the_printable_plan(client, db, link_worker, services):
    page = post(client, "/workspace/", FORM)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Benwell Walkers" in body and "Fenham Lunch Club" in body
    assert "Helps with:" in body  # reasons are shown
    walkers, lunch = services["Benwell Walkers"].public_id, services["Fenham Lunch Club"].public_id

    body = post(client, "/workspace/", FORM + [("add", walkers)]).get_data(as_text=True)
    assert re.search(r"Shortlist \(1\)", body)
    body = post(client, "/workspace/",
                FORM + [("shortlist", walkers), ("add", lunch)]).get_data(as_text=True)
    assert re.search(r"Shortlist \(2\)", body)
    assert db.scalar(select(func.count()).select_from(SavedPlan)) == 0  # nothing stored yet

    plan = post(client, "/workspace/plan", FORM + [("shortlist", walkers), ("shortlist", lunch)])
    text = plan.get_data(as_text=True)
    assert plan.status_code == 200
    assert "1. Benwell Walkers" in text and "2. Fenham Lunch Club" in text
    for fact in ("Tuesdays, 10am to 11:30am", "12 Adelaide Terrace", "Free", "0191 498 0101",
                 "Jean will introduce you", "£3 for lunch", "Wednesdays, midday to 1:30pm"):
        assert fact in text
    assert db.scalar(select(func.count()).select_from(SavedPlan)) == 0


def test_saving_a_plan_gives_a_link_that_works_without_sign_in(client, db, link_worker, services):
    walkers = services["Benwell Walkers"].public_id
    saved = post(client, "/workspace/plan", FORM + [("shortlist", walkers), ("save", "1")])
    link = re.search(r'class="plan-phone__link"><a href="([^"]+)"', saved.get_data(as_text=True))[1]
    plan = db.scalar(select(SavedPlan))
    assert plan.service_ids == [walkers]
    stored = repr(plan.profile)
    for private in ("Smith", "fishing", "71", "male", "8XJ"):
        assert private not in stored
    assert plan.profile["goals"] == ["get-more-active", "meet-people"]

    client.post("/auth/logout")
    shared = client.get(link.replace("http://localhost", ""))
    assert shared.status_code == 200
    assert "Benwell Walkers" in shared.get_data(as_text=True)
    assert "no-store" in shared.headers["Cache-Control"]


def _plan_with_an_unplaced_service(client, db, services):
    nowhere = make_location(db, "The Phone Line", latitude=None, longitude=None)
    phone = make_service(db, "Phone Friends", activities=("befriending",),
                         categories=("community",), locations=(nowhere,))
    ids = [services["Benwell Walkers"].public_id, services["Fenham Lunch Club"].public_id,
           phone.public_id]
    response = post(client, "/workspace/plan", FORM + [("shortlist", i) for i in ids])
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_plan_maps_each_services_venue_and_gives_directions_to_it(client, db, link_worker,
                                                                     services, app):
    app.extensions["leaflet_installed"] = True
    body = _plan_with_an_unplaced_service(client, db, services)
    links = [unescape(h) for h in re.findall(r'class="plan-facts__directions no-print" '
                                             r'href="([^"]+)"', body)]
    assert len(links) == 2  # one per venue with a position; none for the phone line
    for link in links:
        assert parse_qs(urlsplit(link).query)["destination"] == ["54.9707,-1.655"]
    points = json.loads(re.search(r"data-points='([^']+)'", body)[1])
    assert [(p["name"], p["url"]) for p in points] == [("1. Benwell Walkers", "#svc-1"),
                                                       ("2. Fenham Lunch Club", "#svc-2")]
    # The map holds nothing the list lacks: each marker's service heading and place are in it.
    for p in points:
        assert f'id="{p["url"][1:]}">{p["name"]}</h2>' in body
        assert p["place"] == "Benwell Hall, 12 Adelaide Terrace, Benwell, NE4 8BE"
        assert f"{p['place']}." in body
        assert parse_qs(urlsplit(p["directions"]).query)["destination"] == ["54.9707,-1.655"]
    assert "1 service has no place to show" in body
    # Screen only: on paper the addresses above say where, and the QR code opens this page.
    assert re.search(r'<section class="plan-map no-print" [^>]*data-map-wrap hidden>', body)
    assert "vendor/leaflet/leaflet.js" in body and "map.js" in body


def test_without_leaflet_the_plan_keeps_its_directions_and_has_no_map(client, db, link_worker,
                                                                     services, app):
    app.extensions["leaflet_installed"] = False
    body = _plan_with_an_unplaced_service(client, db, services)
    assert body.count('class="plan-facts__directions no-print"') == 2
    assert "data-map" not in body and "leaflet" not in body and "On a map" not in body


def test_a_plan_with_no_venue_to_show_has_no_map(client, db, link_worker, app):
    app.extensions["leaflet_installed"] = True
    nowhere = make_location(db, "The Phone Line", latitude=None, longitude=None)
    phone = make_service(db, "Phone Friends", locations=(nowhere,))
    body = post(client, "/workspace/plan", FORM + [("shortlist", phone.public_id)]).get_data(
        as_text=True)
    assert "1. Phone Friends" in body and "The Phone Line" in body
    assert "data-map" not in body and "On a map" not in body
    assert "plan-facts__directions" not in body


def test_a_plan_link_expires(db, services):
    token = plans.save_plan(db, {"goals": ["meet-people"]}, [services["Chair Fit"].public_id],
                            days=1, district="NE4", user=None)
    db.commit()
    assert plans.find_plan(db, token) is not None
    assert plans.find_plan(db, token, now=utcnow() + timedelta(days=2)) is None
    assert plans.delete_expired(db, now=utcnow() + timedelta(days=2)) == 1


def test_an_unknown_plan_link_is_a_404(client):
    assert client.get("/workspace/plan/not-a-real-token").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("place", "not a place", "could not find a place"),
     ("distance", "abc", "Enter how far they can travel as a number of kilometres"),
     ("age", "old", "Enter their age in whole years"),
     ("languages", "english", "Choose the languages they can take part in from the list")],
)
def test_bad_form_input_is_shown_beside_the_field_and_kept(client, link_worker, field, value,
                                                           message):
    fields = [(k, v) for k, v in FORM if k != field] + [(field, value)]
    response = post(client, "/workspace/", fields)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in body
    assert message in body
    assert value in body  # what the user typed is kept


def test_no_goals_and_no_words_asks_for_one(client, link_worker):
    response = post(client, "/workspace/", [("place", "NE4 8XJ")])
    assert response.status_code == 400
    assert "Give at least one goal" in response.get_data(as_text=True)


def test_a_plan_needs_a_shortlist(client, link_worker):
    assert post(client, "/workspace/plan", FORM).status_code == 400


def test_forms_in_the_workspace_carry_csrf_tokens(make_app, db):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.extensions["db"].sessions() as session:
        user = make_user(session, "csrf-lw@example.org", Role.LINK_WORKER)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post("/auth/login",
                data={"email": user.email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert 'name="csrf_token"' in client.get("/workspace/").get_data(as_text=True)
    assert post(client, "/workspace/", FORM).status_code == 400
