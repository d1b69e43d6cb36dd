"""The whole life of a listing, through the web as its people use it (issue #5's story):

a group joins and is approved; it creates a listing, which is approved and becomes
searchable and matchable; the group moves its day, and the old day stays public until an
admin approves; a year passes and the listing drops out of matching and is flagged; the
reminder's signed link confirms it, and it is suggested again.
"""

from __future__ import annotations

from flask.cli import ScriptInfo
from sqlalchemy import select

from directory import mail, search
from directory.cli import cli
from directory.models import JoinRequest, ListingChange, Service

from .admin.conftest import links, path_of
from .provider.helpers import fill, found_in_search, read_form

PASSWORD = "we walk on tuesdays"
LISTING = {"name": "Elswick Allotment Walk", "description": "A gentle walk round the allotments, then tea.",
           "categories": "physical-activity", "activities": "walking-group",
           "session-0-day": "tue", "session-0-starts": "10:00", "session-0-ends": "11:30",
           "venue-name": "Elswick Allotments Hut", "venue-address": "Elswick Road",
           "venue-town": "Elswick", "venue-postcode": "NE4 8XJ", "session-0-location": "new"}
PERSON = {"goals": ["get-more-active"], "location": {"postcode": "NE4 8XJ"}, "max_distance_km": 3,
          "readiness": "ready"}


def suggested(client, public_id: str, today: str) -> bool:
    client.application.config["TODAY"] = today  # the API matches as of the app's today
    response = client.post("/api/v1/match", json=PERSON)
    assert response.status_code == 200, response.get_json()
    return public_id in [r["service_id"] for r in response.get_json()["results"]]


def day_in_index(app, public_id: str) -> list[str]:
    """The days the search index has for a listing (what day filters search)."""
    with app.app_context(), search.open_live(app).searcher() as searcher:
        document = searcher.document(id=public_id)
    return sorted(filter(None, (document or {}).get("day", "").split(",")))


def test_a_listing_from_joining_to_a_year_later(admin, login_as, client, app, db):
    app.config["TODAY"] = "2026-11-25"
    outbox = app.config["OUTBOX_DIR"]

    # A group asks to join; an admin approves; the contact sets a password and signs in.
    client.post("/join", data={"organization_name": "Elswick Allotment Friends", "contact_name": "Pat",
                               "contact_email": "pat@example.org", "description": "Walks and veg."})
    login_as(admin)
    join_id = db.scalar(select(JoinRequest.id))
    assert client.post(f"/admin/joins/{join_id}/approve").status_code == 302
    client.post("/auth/logout")
    [welcome] = mail.outbox(outbox)
    link = path_of(next(u for u in links(welcome) if "/auth/set-password/" in u))
    client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    signed_in = client.post("/auth/login", data={"email": "pat@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302

    # They list their walk, with a new venue found by postcode. Nothing is public yet.
    form = read_form(client.get("/provider/services/new").get_data(as_text=True))
    response = client.post("/provider/services/new", data=fill(form, **LISTING))
    assert response.status_code == 303, response.get_data(as_text=True)
    public_id = response.headers["Location"].rstrip("/").split("/")[-1]
    assert client.get(f"/services/{public_id}").status_code == 404
    assert not found_in_search(client, "allotment walk", public_id)
    assert not suggested(client, public_id, "2026-11-25")

    # An admin approves: now it is searchable and matchable.
    client.post("/auth/logout")
    login_as(admin)
    change_id = db.scalar(select(ListingChange.id))
    assert "Elswick Allotment Walk" in client.get(f"/admin/changes/{change_id}").get_data(as_text=True)
    assert client.post(f"/admin/changes/{change_id}/approve").status_code == 302
    assert client.get(f"/services/{public_id}").status_code == 200
    assert found_in_search(client, "allotment walk", public_id)
    assert suggested(client, public_id, "2026-11-25")
    assert "Tuesdays" in client.get(f"/services/{public_id}").get_data(as_text=True)

    # The group moves the walk to Thursday; Tuesday stays public until an admin approves.
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": "pat@example.org", "password": PASSWORD})
    url = f"/provider/services/{public_id}/edit"
    form = read_form(client.get(url).get_data(as_text=True))
    assert client.post(url, data=fill(form, **{"session-0-day": "thu"})).status_code == 303
    page = client.get(f"/services/{public_id}").get_data(as_text=True)
    assert "Tuesdays" in page and "Thursdays" not in page
    assert day_in_index(app, public_id) == ["tue"]

    client.post("/auth/logout")
    login_as(admin)
    edit_id = db.scalars(select(ListingChange.id).order_by(ListingChange.id.desc())).first()
    diff = client.get(f"/admin/changes/{edit_id}").get_data(as_text=True)
    assert "Tuesday" in diff and "Thursday" in diff
    client.post(f"/admin/changes/{edit_id}/approve")
    page = client.get(f"/services/{public_id}").get_data(as_text=True)
    assert "Thursdays" in page and "Tuesdays" not in page
    assert day_in_index(app, public_id) == ["thu"]

    # A year and a bit passes with nobody checking: no longer suggested, and flagged.
    app.config["TODAY"] = "2027-12-01"
    assert not suggested(client, public_id, "2027-12-01")
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "Elswick Allotment Walk" in dashboard and "12 months" in dashboard

    # The reminder's signed link confirms it without signing in; it is suggested again.
    client.post("/auth/logout")
    result = app.test_cli_runner().invoke(cli, ["remind-stale"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    reminder = mail.outbox(outbox)[-1]
    assert reminder["To"] == "pat@example.org" and "Elswick Allotment Walk" in reminder.get_content()
    confirm = path_of(next(u for u in links(reminder) if "/confirm/" in u))
    assert "still correct" in client.get(confirm).get_data(as_text=True)
    assert client.post(confirm).status_code == 200
    db.expire_all()
    service = db.scalar(select(Service).where(Service.public_id == public_id))
    assert service.last_verified.isoformat() == "2027-12-01"
    assert suggested(client, public_id, "2027-12-01")
