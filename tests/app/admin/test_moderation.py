"""The moderation queue: a field-by-field diff, approve (publish) and reject (with a reason the
provider sees), trusted organisations, and the history of a listing."""

from __future__ import annotations

from datetime import date

from directory import listings, moderation, search
from directory.models import ChangeState, ListingChange, Organization, ServiceStatus

from ..factories import make_org, make_service
from .conftest import TODAY, body, make_provider, submit_edit


def indexed_name(app, public_id: str) -> str:
    with search.open_live(app).searcher() as searcher:
        return {f["id"]: f for f in searcher.all_stored_fields()}[public_id]["name"]


def setup_edit(db, **changes):
    org = make_org(db)
    service = make_service(db, org=org)
    provider = make_provider(db, org)
    return service, provider, submit_edit(db, service, provider, **changes)


def test_the_queue_lists_a_pending_change_and_shows_it_field_by_field(client, db, admin, login_as):
    service, _, change = setup_edit(db, name="Breathe Easy Benwell", cost="£2 a session",
                                    activities=["breathing-support", "walking-group"])
    login_as(admin)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert f"/admin/changes/{change.id}" in dashboard and "provider@example.org" in dashboard
    page = client.get(f"/admin/changes/{change.id}").get_data(as_text=True)
    assert "Breathe Easy Fenham" in page and "Breathe Easy Benwell" in page
    assert "£2 a session" in page and "Cost" in page
    assert "Walking group" in page and "walking-group" not in page  # labels, not ids
    assert "Approve and publish" in page and 'name="reason"' in page
    assert "What happens" not in page  # unchanged fields are not listed


def test_approving_publishes_the_change_to_the_page_and_the_search_index(
        app, client, db, admin, login_as, outbox):
    app.config["TODAY"] = "2026-12-05"
    service, provider, change = setup_edit(db, name="Breathe Easy Benwell")
    assert client.get(f"/services/{service.public_id}").get_data(as_text=True).count("Breathe Easy Benwell") == 0
    login_as(admin)
    response = client.post(f"/admin/changes/{change.id}/approve")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(ListingChange, change.id).state is ChangeState.APPROVED
    assert service.name == "Breathe Easy Benwell" and service.last_verified == date(2026, 12, 5)
    assert "Breathe Easy Benwell" in client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert indexed_name(app, service.public_id) == "Breathe Easy Benwell"
    (message,) = outbox()
    assert message["To"] == provider.email and "approved" in body(message)
    again = client.post(f"/admin/changes/{change.id}/approve", follow_redirects=True)
    assert "already been decided" in again.get_data(as_text=True)


def test_approving_a_new_listing_makes_it_active(client, db, admin, login_as):
    org = make_org(db)
    provider = make_provider(db, org)
    snap = listings.snapshot(make_service(db, "Template", org=make_org(db, "Other")))
    snap["name"] = "Elswick Knit and Natter"
    service = moderation.create(db, org, snap, provider, TODAY)
    db.commit()
    change = moderation.pending_change(db, service)
    assert client.get(f"/services/{service.public_id}").status_code == 404
    login_as(admin)
    assert "New listing" in client.get(f"/admin/changes/{change.id}").get_data(as_text=True)
    client.post(f"/admin/changes/{change.id}/approve")
    db.expire_all()
    assert service.status is ServiceStatus.ACTIVE
    assert client.get(f"/services/{service.public_id}").status_code == 200


def test_rejecting_needs_a_reason_and_leaves_the_listing_as_it_was(
        app, client, db, admin, login_as, outbox):
    service, provider, change = setup_edit(db, name="Breathe Easy Benwell")
    login_as(admin)
    empty = client.post(f"/admin/changes/{change.id}/reject", data={"reason": "   "})
    assert empty.status_code == 400
    assert "Say why, so the group can put it right" in empty.get_data(as_text=True)
    db.expire_all()
    assert db.get(ListingChange, change.id).state is ChangeState.PENDING
    assert outbox() == []

    reason = "Benwell is a different group: keep your own name."
    assert client.post(f"/admin/changes/{change.id}/reject", data={"reason": reason}).status_code == 302
    db.expire_all()
    decided = db.get(ListingChange, change.id)
    assert (decided.state, decided.reason) == (ChangeState.REJECTED, reason)
    assert service.name == "Breathe Easy Fenham"
    page = client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert "Breathe Easy Fenham" in page and "Breathe Easy Benwell" not in page
    assert indexed_name(app, service.public_id) == "Breathe Easy Fenham"
    (message,) = outbox()
    assert message["To"] == provider.email and reason in body(message)


def test_a_reason_over_2000_characters_is_refused(client, db, admin, login_as):
    _, _, change = setup_edit(db, name="Breathe Easy Benwell")
    login_as(admin)
    response = client.post(f"/admin/changes/{change.id}/reject", data={"reason": "x" * 2001})
    assert response.status_code == 400 and "2000 characters or fewer" in response.get_data(as_text=True)


def test_an_unknown_change_is_not_found(client, admin, login_as):
    login_as(admin)
    assert client.get("/admin/changes/999").status_code == 404
    assert client.post("/admin/changes/999/approve").status_code == 404


def test_an_admin_marks_an_organisation_trusted_and_its_edits_publish_at_once(client, db, admin, login_as):
    org = make_org(db)
    service = make_service(db, org=org)
    provider = make_provider(db, org)
    login_as(admin)
    assert "Not trusted" in client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    client.post(f"/admin/organizations/{org.id}/trust", data={"trusted": "1"})
    db.expire_all()
    assert db.get(Organization, org.id).trusted is True
    listing = client.get("/admin/organizations").get_data(as_text=True)
    assert "Trusted" in listing and org.name in listing

    snap = listings.snapshot(service)
    snap["name"] = "Published at once"
    assert moderation.submit(db, service, snap, provider, moderation.stamp(db, service), TODAY) is None
    db.commit()
    assert "Published at once" in client.get(f"/services/{service.public_id}").get_data(as_text=True)

    client.post(f"/admin/organizations/{org.id}/trust", data={"trusted": "0"})
    db.expire_all()
    assert db.get(Organization, org.id).trusted is False
    assert client.post(f"/admin/organizations/{org.id}/trust", data={"trusted": "maybe"}).status_code == 400


def test_the_history_shows_each_change_old_to_new_newest_first(client, db, admin, login_as):
    service, _, change = setup_edit(db, name="Breathe Easy Benwell", cost="£2 a session")
    login_as(admin)
    client.post(f"/admin/changes/{change.id}/approve")
    page = client.get(f"/admin/services/{service.public_id}/history").get_data(as_text=True)
    assert "by admin@example.org" in page
    approve, create = page.index("Approve: change #"), page.index("Create")
    assert approve < create  # newest first
    section = page[approve:create]
    assert "Breathe Easy Fenham" in section and "Breathe Easy Benwell" in section and "£2 a session" in section
    assert section.index("Breathe Easy Fenham") < section.index("Breathe Easy Benwell")  # old, then new
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # read only


def test_the_history_of_an_unknown_listing_is_not_found(client, admin, login_as):
    login_as(admin)
    assert client.get("/admin/services/no-such-id/history").status_code == 404


def test_the_history_shows_a_waiting_change_in_words(client, db, admin, login_as):
    service, _, _ = setup_edit(db, sessions=[{"day": "wed", "starts": "14:00", "ends": "15:00",
                                              "location": None}])
    login_as(admin)
    page = client.get(f"/admin/services/{service.public_id}/history").get_data(as_text=True)
    assert "Submit: change #" in page
    assert "Tuesday 10:00 to 11:30" in page and "Wednesday 14:00 to 15:00" in page
    assert "{&#39;day&#39;" not in page and "{'day'" not in page
