"""What a provider's actions do to the public listing: new listings and edits wait for an admin,
trusted groups publish at once, and pausing, closing, reopening and confirming take effect at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from directory import moderation
from directory.models import ChangeState, ListingChange, Report, Service, ServiceStatus

from .helpers import fill, found_in_search, read_form

NEW = {"name": "Quokka knitting circle", "description": "Knitting and a natter.", "categories": "community",
       "activities": "crafts", "session-0-day": "wed", "session-0-starts": "14:00", "session-0-ends": "16:00"}


def _new_listing(client, **extra: str) -> str:
    form = read_form(client.get("/provider/services/new").get_data(as_text=True))
    response = client.post("/provider/services/new", data=fill(form, **{**NEW, **extra}))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").split("/")[-1]


def _edit(client, service: Service, **values: str):
    url = f"/provider/services/{service.public_id}/edit"
    form = read_form(client.get(url).get_data(as_text=True))
    return client.post(url, data=fill(form, **values), follow_redirects=True)


def test_a_new_listing_waits_for_approval_and_is_not_public(client, db, login_as, group, admin):
    login_as(group.user)
    public_id = _new_listing(client, **{"session-0-location": group.venue.public_id})
    service = db.scalar(select(Service).where(Service.public_id == public_id))
    assert service.status is ServiceStatus.PENDING and service.organization_id == group.org.id
    assert [s.location_id for s in service.sessions] == [group.venue.id]
    assert client.get(f"/services/{public_id}").status_code == 404
    assert not found_in_search(client, "quokka", public_id)
    body = client.get("/provider/").get_data(as_text=True)
    assert "Quokka knitting circle" in body and "Waiting for an admin to approve it" in body

    moderation.approve(db, moderation.pending_change(db, service), admin, date(2026, 12, 1))
    db.commit()
    assert client.get(f"/services/{public_id}").status_code == 200
    assert found_in_search(client, "quokka", public_id)


def test_the_flash_message_says_what_happened(client, login_as, group):
    login_as(group.user)
    form = read_form(client.get("/provider/services/new").get_data(as_text=True))
    body = client.post("/provider/services/new", data=fill(form, **NEW), follow_redirects=True).get_data(as_text=True)
    assert "Sent for approval" in body and "once an admin approves it" in body


def test_an_edit_waits_for_approval_while_the_public_sees_the_old_listing(client, db, login_as, group):
    login_as(group.user)
    body = _edit(client, group.service, name="Breathe Easier Benwell").get_data(as_text=True)
    assert "Sent for approval. The current listing stays public until an admin approves it." in body
    assert "Breathe Easier Benwell" in body  # the change waiting, on the provider's page
    public = client.get(f"/services/{group.service.public_id}").get_data(as_text=True)
    assert "Breathe Easy Fenham" in public and "Breathe Easier" not in public
    db.expire_all()
    change = db.scalar(select(ListingChange))
    assert change.state is ChangeState.PENDING and change.proposed["name"] == "Breathe Easier Benwell"
    assert db.get(Service, group.service.id).name == "Breathe Easy Fenham"
    # Editing again starts from the change waiting, not from the published listing.
    form = read_form(client.get(f"/provider/services/{group.service.public_id}/edit").get_data(as_text=True))
    assert form["name"] == "Breathe Easier Benwell"


def test_a_rejected_change_shows_its_reason_to_the_provider(client, db, login_as, group, admin):
    login_as(group.user)
    _edit(client, group.service, name="Breathe Easier Benwell")
    moderation.reject(db, moderation.pending_change(db, group.service), admin, "Say which day it meets")
    db.commit()
    assert "Say which day it meets" in client.get("/provider/").get_data(as_text=True)
    page = client.get(f"/provider/services/{group.service.public_id}/edit?start=rejected").get_data(as_text=True)
    assert "Say which day it meets" in page and read_form(page)["name"] == "Breathe Easier Benwell"


def test_a_trusted_groups_edit_publishes_at_once(client, db, login_as, trusted, app):
    app.config["TODAY"] = "2026-12-03"
    login_as(trusted.user)
    body = _edit(client, trusted.service, name="Trusted Tea Dance Plus").get_data(as_text=True)
    assert "Published." in body
    assert "Trusted Tea Dance Plus" in client.get(f"/services/{trusted.service.public_id}").get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(ListingChange)) is None
    assert db.get(Service, trusted.service.id).last_verified == date(2026, 12, 3)


def test_a_trusted_groups_new_listing_is_public_at_once(client, login_as, trusted):
    login_as(trusted.user)
    public_id = _new_listing(client)
    assert client.get(f"/services/{public_id}").status_code == 200
    assert found_in_search(client, "quokka", public_id)


def _status(client, service: Service, action: str):
    page = client.get(f"/provider/services/{service.public_id}").get_data(as_text=True)
    stamp = read_form(page.replace('<form method="post" action="/provider/services/'
                                   f'{service.public_id}/status">',
                                   '<form method="post" class="listing-form">', 1))["stamp"]
    return client.post(f"/provider/services/{service.public_id}/status",
                       data={"action": action, "stamp": stamp}, follow_redirects=True)


def test_pause_close_and_reopen_publish_at_once(client, db, login_as, group):
    login_as(group.user)
    sid = group.service.public_id
    assert found_in_search(client, "breathe", sid)
    assert "Paused: it no longer appears in search or suggestions." in _status(client, group.service, "pause").get_data(as_text=True)
    assert client.get(f"/services/{sid}").status_code == 404
    assert not found_in_search(client, "breathe", sid)
    assert "Reopened" in _status(client, group.service, "reopen").get_data(as_text=True)
    assert client.get(f"/services/{sid}").status_code == 200
    assert found_in_search(client, "breathe", sid)
    assert "Closed" in _status(client, group.service, "close").get_data(as_text=True)
    assert client.get(f"/services/{sid}").status_code == 404
    db.expire_all()
    assert db.get(Service, group.service.id).status is ServiceStatus.CLOSED


def test_a_status_change_from_a_stale_page_is_refused(client, db, login_as, group):
    login_as(group.user)
    response = client.post(f"/provider/services/{group.service.public_id}/status",
                           data={"action": "pause", "stamp": "0.0"}, follow_redirects=True)
    assert "changed since you opened the page" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Service, group.service.id).status is ServiceStatus.ACTIVE


def test_a_turned_down_new_listing_cannot_be_reopened_into_public_view(client, db, login_as, group, admin):
    login_as(group.user)
    public_id = _new_listing(client)
    service = db.scalar(select(Service).where(Service.public_id == public_id))
    moderation.reject(db, moderation.pending_change(db, service), admin, "Not a real group")
    db.commit()
    _status(client, service, "pause")
    body = _status(client, service, "reopen").get_data(as_text=True)
    assert "has not been approved yet" in body
    assert client.get(f"/services/{public_id}").status_code == 404


def test_this_listing_is_still_correct_sets_the_last_checked_date(client, db, login_as, group, app):
    app.config["TODAY"] = "2027-06-02"  # the listing was last checked on 1 November 2026
    login_as(group.user)
    body = client.get("/provider/").get_data(as_text=True)
    assert "May be out of date" in body and "1 November 2026" in body
    response = client.post(f"/provider/services/{group.service.public_id}/confirm",
                           data={"next": "home"}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "marked as checked today" in body and "May be out of date" not in body
    assert "2 June 2027" in body
    db.expire_all()
    assert db.get(Service, group.service.id).last_verified == date(2027, 6, 2)


def test_open_reports_from_the_public_are_shown_to_the_provider(client, db, login_as, group):
    db.add(Report(service_id=group.service.id, problem="It moved to Tuesdays <b>now</b>", email="a@example.org"))
    db.commit()
    login_as(group.user)
    for path in ("/provider/", f"/provider/services/{group.service.public_id}"):
        body = client.get(path).get_data(as_text=True)
        assert "It moved to Tuesdays &lt;b&gt;now&lt;/b&gt;" in body
        assert "a@example.org" not in body


def test_the_history_of_a_listing_shows_each_change(client, db, login_as, group, trusted):
    login_as(trusted.user)
    _edit(client, trusted.service, name="Trusted Tea Dance Plus", cost="£2 a session")
    body = client.get(f"/provider/services/{trusted.service.public_id}/history").get_data(as_text=True)
    assert "Trusted Tea Dance Plus" in body and "£2 a session" in body and "trusted@example.org" in body


def test_a_turned_down_new_listing_can_be_put_right_and_sent_again(client, db, login_as, group, admin):
    login_as(group.user)
    public_id = _new_listing(client)
    service = db.scalar(select(Service).where(Service.public_id == public_id))
    moderation.reject(db, moderation.pending_change(db, service), admin, "Add the day it meets")
    db.commit()
    body = _edit(client, service, name="Quokka knitting circle (Wednesdays)").get_data(as_text=True)
    assert "once an admin approves it" in body
    db.expire_all()
    moderation.approve(db, moderation.pending_change(db, service), admin, date(2026, 12, 1))
    db.commit()
    assert client.get(f"/services/{public_id}").status_code == 200
