"""A group asks to join; an admin approves (organisation, provider account, set-password email)
or declines; admins add more people to an organisation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.models import JoinRequest, JoinState, Organization, Role, User

from ..conftest import DEMO_PASSWORD
from ..factories import make_org, make_user
from .conftest import body, links, make_provider, path_of

JOIN = {"organization_name": "Elswick Allotment Friends", "contact_name": "Pat Green",
        "contact_email": "Pat@Example.org", "phone": "0191 498 0123",
        "website": "https://elswick.example.org", "description": "We grow veg together on Saturdays."}


def ask_to_join(client, **changes):
    return client.post("/join", data={**JOIN, **changes})


def test_the_join_form_is_public(client):
    page = client.get("/join").get_data(as_text=True)
    assert "Ask to list your group" in page and 'name="organization_name"' in page


def test_a_join_request_is_stored_for_the_admins(client, db):
    response = ask_to_join(client)
    assert response.status_code == 200
    assert "we have your request" in response.get_data(as_text=True)
    join = db.scalar(select(JoinRequest))
    assert (join.organization_name, join.contact_email, join.state) == (
        "Elswick Allotment Friends", "pat@example.org", JoinState.PENDING)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("organization_name", "  ", "Enter the name of your group"),
    ("contact_name", "", "Enter your name"),
    ("contact_email", "not-an-email", "Enter an email address like name@example.org"),
    ("description", "", "Enter what your group does"),
    ("description", "x" * 2001, "Use 2000 characters or fewer"),
    ("website", "javascript:alert(1)", "Enter a web address like https://example.org"),
])
def test_a_bad_join_request_names_the_field_and_stores_nothing(client, db, field, value, message):
    response = ask_to_join(client, **{field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    assert db.scalar(select(JoinRequest)) is None


def test_approving_creates_the_organisation_and_an_account_that_sets_its_password_once(
        app, client, db, admin, login_as, outbox):
    ask_to_join(client)
    join_id = db.scalar(select(JoinRequest.id))
    login_as(admin)
    assert "Elswick Allotment Friends" in client.get("/admin/").get_data(as_text=True)
    assert "We grow veg" in client.get(f"/admin/joins/{join_id}").get_data(as_text=True)

    response = client.post(f"/admin/joins/{join_id}/approve")
    assert response.status_code == 302
    db.expire_all()
    join = db.get(JoinRequest, join_id)
    org = db.scalar(select(Organization).where(Organization.name == "Elswick Allotment Friends"))
    user = db.scalar(select(User).where(User.email == "pat@example.org"))
    assert join.state is JoinState.APPROVED and join.organization_id == org.id
    assert user.role is Role.PROVIDER and user.organizations == [org]
    assert org.email is None and org.phone is None  # the contact's own details stay private
    (message,) = outbox()
    assert message["To"] == "pat@example.org"
    link = path_of(next(u for u in links(message) if "/auth/set-password/" in u))

    client.post("/auth/logout")
    assert "Set your password" in client.get(link).get_data(as_text=True)
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "Use at least 10 characters" in short.get_data(as_text=True)
    mismatch = client.post(link, data={"password": "grow veg together", "confirm": "grow veg tgether"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.get_data(as_text=True)
    done = client.post(link, data={"password": "grow veg together", "confirm": "grow veg together"})
    assert done.status_code == 302 and done.headers["Location"].startswith("/auth/login")

    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert client.post(link, data={"password": "someone else now", "confirm": "someone else now"}).status_code == 400
    signed_in = client.post("/auth/login", data={"email": "pat@example.org", "password": "grow veg together"})
    assert signed_in.status_code == 302


def test_a_set_password_link_expires_after_14_days(app, client, db, admin, login_as, outbox):
    app.config["TODAY"] = "2026-12-01"
    ask_to_join(client)
    login_as(admin)
    client.post(f"/admin/joins/{db.scalar(select(JoinRequest.id))}/approve")
    link = path_of(next(u for u in links(outbox()[0]) if "/auth/set-password/" in u))
    app.config["TODAY"] = "2026-12-16"
    response = client.get(link)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_a_tampered_set_password_link_is_refused(client):
    response = client.get("/auth/set-password/eyJ1IjoxfQ.forged")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_approving_for_an_existing_provider_adds_the_organisation(client, db, admin, login_as, outbox):
    existing = make_provider(db, make_org(db, "Older group"), email="pat@example.org")
    ask_to_join(client)
    login_as(admin)
    client.post(f"/admin/joins/{db.scalar(select(JoinRequest.id))}/approve")
    db.expire_all()
    assert sorted(o.name for o in db.get(User, existing.id).organizations) == [
        "Elswick Allotment Friends", "Older group"]
    (message,) = outbox()
    assert "can now keep the listings of Elswick Allotment Friends" in body(message)
    assert "set-password" not in body(message)


def test_a_join_for_an_admins_address_is_not_approved(client, db, admin, login_as):
    ask_to_join(client, contact_email="admin@example.org")
    join_id = db.scalar(select(JoinRequest.id))
    login_as(admin)
    response = client.post(f"/admin/joins/{join_id}/approve", follow_redirects=True)
    assert "Not approved" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(JoinRequest, join_id).state is JoinState.PENDING
    assert db.scalar(select(Organization)) is None  # nothing half-saved


def test_declining_tells_the_group_why(client, db, admin, login_as, outbox):
    ask_to_join(client)
    join_id = db.scalar(select(JoinRequest.id))
    login_as(admin)
    client.post(f"/admin/joins/{join_id}/decline", data={"reason": "We only list groups in Newcastle."})
    db.expire_all()
    join = db.get(JoinRequest, join_id)
    assert join.state is JoinState.DECLINED and join.reason == "We only list groups in Newcastle."
    assert db.scalar(select(Organization)) is None
    (message,) = outbox()
    assert message["To"] == "pat@example.org" and "We only list groups in Newcastle." in body(message)
    assert client.post(f"/admin/joins/{join_id}/approve").status_code == 302
    db.expire_all()
    assert db.get(JoinRequest, join_id).state is JoinState.DECLINED  # decided once


def test_an_admin_adds_a_new_person_to_an_organisation(client, db, admin, login_as, outbox):
    org = make_org(db)
    login_as(admin)
    response = client.post(f"/admin/organizations/{org.id}/users", data={"email": "New@Example.org"})
    assert response.status_code == 302
    db.expire_all()
    user = db.scalar(select(User).where(User.email == "new@example.org"))
    assert user.role is Role.PROVIDER and [o.id for o in user.organizations] == [org.id]
    (message,) = outbox()
    assert "/auth/set-password/" in body(message)
    assert "new@example.org" in client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)


def test_an_admin_adds_an_existing_provider_to_another_organisation(client, db, admin, login_as):
    provider = make_provider(db, make_org(db, "First"))
    second = make_org(db, "Second")
    login_as(admin)
    client.post(f"/admin/organizations/{second.id}/users", data={"email": provider.email})
    db.expire_all()
    assert sorted(o.name for o in db.get(User, provider.id).organizations) == ["First", "Second"]


@pytest.mark.parametrize(("email", "message"), [
    ("nope", "Enter an email address like name@example.org"),
    ("worker@example.org", "is already a Link Worker"),
])
def test_adding_a_user_refuses_bad_addresses_and_other_roles(client, db, admin, login_as, email, message):
    make_user(db, "worker@example.org", Role.LINK_WORKER, password=DEMO_PASSWORD)
    org = make_org(db)
    login_as(admin)
    response = client.post(f"/admin/organizations/{org.id}/users", data={"email": email})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Organization, org.id).members == []


def test_join_requests_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, JOIN_RATE_LIMIT="2 per hour")
    client = app.test_client()
    assert [ask_to_join(client).status_code for _ in range(3)] == [200, 200, 429]
