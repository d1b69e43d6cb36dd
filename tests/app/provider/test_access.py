"""Who reaches what: providers see and change only their own groups' listings; another group's
listing is a 404 whatever the route, and a group id slipped into a form is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory.models import ListingChange, Role, Service, ServiceStatus

from ..factories import make_user
from .helpers import error_beside, fill, read_form


def test_the_listings_page_shows_only_the_providers_own_groups(client, login_as, group, other):
    login_as(group.user)
    body = client.get("/provider/").get_data(as_text=True)
    assert "Breathe Easy Fenham" in body and "Benwell Breathers" in body
    assert "Elswick Strollers" not in body and "Elswick Walkers" not in body
    assert other.service.public_id not in body


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/provider/services/{id}"),
    ("get", "/provider/services/{id}/edit"),
    ("post", "/provider/services/{id}/edit"),
    ("post", "/provider/services/{id}/status"),
    ("post", "/provider/services/{id}/confirm"),
    ("get", "/provider/services/{id}/history"),
])
def test_another_groups_listing_is_not_found(client, db, login_as, group, other, method, path):
    login_as(group.user)
    data = {"action": "pause", "stamp": "1.0", "name": "Hijacked", "description": "x",
            "categories": "community"} if method == "post" else None
    response = getattr(client, method)(path.format(id=other.service.public_id), data=data)
    assert response.status_code == 404
    db.expire_all()
    assert db.get(Service, other.service.id).status is ServiceStatus.ACTIVE
    assert db.get(Service, other.service.id).name == "Elswick Strollers"
    assert db.scalar(select(func.count()).select_from(ListingChange)) == 0


def test_an_unknown_listing_is_not_found(client, login_as, group):
    login_as(group.user)
    assert client.get("/provider/services/no-such-id/edit").status_code == 404


def test_a_group_id_injected_into_the_new_listing_form_is_refused(client, db, login_as, group, other):
    login_as(group.user)
    form = read_form(client.get("/provider/services/new").get_data(as_text=True))
    assert form["organization"] == group.org.public_id
    fill(form, name="Planted listing", description="Walks.", categories="community")
    form["organization"] = other.org.public_id
    response = client.post("/provider/services/new", data=form)
    assert response.status_code == 400
    assert "Choose one of your own groups" in error_beside(response.get_data(as_text=True), "organization")
    assert db.scalar(select(Service).where(Service.name == "Planted listing")) is None


def test_a_provider_in_two_groups_chooses_which_one(client, db, login_as, group, other):
    both = make_user(db, "both@example.org", Role.PROVIDER, organizations=(group.org, other.org))
    login_as(both)
    form = read_form(client.get("/provider/services/new").get_data(as_text=True))
    fill(form, name="Shared walk", description="Walks.", categories="community")
    form["organization"] = ""
    response = client.post("/provider/services/new", data=form)
    assert response.status_code == 400
    assert "Choose the group" in error_beside(response.get_data(as_text=True), "organization")
    form["organization"] = other.org.public_id
    assert client.post("/provider/services/new", data=form).status_code == 303
    assert db.scalar(select(Service).where(Service.name == "Shared walk")).organization_id == other.org.id


def test_pages_need_a_provider_or_admin(client, db, login_as, group):
    assert client.get("/provider/").headers["Location"].startswith("/auth/login")
    worker = make_user(db, "worker@example.org", Role.LINK_WORKER)
    login_as(worker)
    assert client.get("/provider/").status_code == 403
    assert client.get(f"/provider/services/{group.service.public_id}/edit").status_code == 403


def test_an_admin_can_work_on_any_groups_listings(client, db, login_as, admin, group, other):
    login_as(admin)
    body = client.get("/provider/").get_data(as_text=True)
    assert "Choose a group" in body and "Elswick Strollers" not in body
    body = client.get("/provider/", query_string={"organization": other.org.public_id}).get_data(as_text=True)
    assert "Elswick Strollers" in body
    assert client.get(f"/provider/services/{other.service.public_id}/history").status_code == 200
    form = read_form(client.get("/provider/services/new").get_data(as_text=True))
    fill(form, name="Admin added walk", description="Walks.", categories="community",
         organization=other.org.public_id)
    assert client.post("/provider/services/new", data=form).status_code == 303
    made = db.scalar(select(Service).where(Service.name == "Admin added walk"))
    assert made.organization_id == other.org.id and made.status is ServiceStatus.ACTIVE
