"""Sign-in: hashed passwords, a message that gives nothing away, CSRF, slowed failures, cookies."""

from __future__ import annotations

import re

import pytest

from directory import accounts
from directory.models import Role

from .conftest import DEMO_PASSWORD
from .factories import make_org, make_user


def sign_in(client, email, password, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def test_passwords_are_stored_as_argon2_hashes(db):
    user = make_user(db, "hash@example.org", password=DEMO_PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    assert DEMO_PASSWORD not in user.password_hash


def test_signing_in_with_the_right_password_goes_to_the_accounts_own_area(client, admin):
    response = sign_in(client, "ADMIN@example.org ", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert "Signed in as admin@example.org" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client, admin):
    wrong_password = sign_in(client, "admin@example.org", "not the password")
    unknown_email = sign_in(client, "nobody@example.org", DEMO_PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 400
    message = "The email address or password is not right."
    for response in (wrong_password, unknown_email):
        body = response.get_data(as_text=True)
        assert message in body
        assert "Signed in as" not in body
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong_password) == strip(unknown_email)


def test_a_deactivated_account_cannot_sign_in(client, db, admin):
    admin.active = False
    db.commit()
    assert sign_in(client, "admin@example.org", DEMO_PASSWORD).status_code == 400


def test_empty_fields_are_named(client):
    body = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in body
    assert "Enter your password" in body


def test_next_only_follows_paths_on_this_site(client, admin):
    ok = client.post("/auth/login?next=/about", data={"email": "admin@example.org", "password": DEMO_PASSWORD})
    assert ok.headers["Location"] == "/about"
    client.post("/auth/logout")
    evil = client.post(
        "/auth/login?next=https://evil.example/", data={"email": "admin@example.org", "password": DEMO_PASSWORD}
    )
    assert evil.headers["Location"] == "/admin/"


def test_a_form_posted_without_its_csrf_token_is_refused(make_app, db):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.extensions["db"].sessions() as session:
        make_user(session, "csrf@example.org", password=DEMO_PASSWORD)
    client = app.test_client()
    response = sign_in(client, "csrf@example.org", DEMO_PASSWORD)
    assert response.status_code == 400
    assert "not sent from this site" in response.get_data(as_text=True)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    assert sign_in(client, "csrf@example.org", DEMO_PASSWORD, csrf_token=token).status_code == 302


def test_signing_out_needs_a_post_with_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400


def test_repeated_failed_sign_ins_are_slowed(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "x@example.org", "wrong password!").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert "Too many failed sign-in attempts" in sign_in(client, "x@example.org", "x").get_data(as_text=True)


def test_successful_sign_ins_do_not_use_up_the_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    with app.extensions["db"].sessions() as session:
        make_user(session, "often@example.org", password=DEMO_PASSWORD)
    client = app.test_client()
    for _ in range(4):
        assert sign_in(client, "often@example.org", DEMO_PASSWORD).status_code == 302
        client.post("/auth/logout")


def test_session_cookie_is_httponly_and_samesite(client, admin):
    response = sign_in(client, "admin@example.org", DEMO_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(make_app, db):
    app = make_app(PREFER_HTTPS=True)
    with app.extensions["db"].sessions() as session:
        make_user(session, "tls@example.org", password=DEMO_PASSWORD)
    response = sign_in(app.test_client(), "tls@example.org", DEMO_PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("email", "password", "role", "field"),
    [
        ("not-an-email", DEMO_PASSWORD, "admin", "email"),
        ("a@example.org", "short", "admin", "password"),
        ("a@example.org", DEMO_PASSWORD, "superuser", "role"),
    ],
)
def test_bad_account_details_name_the_field(db, email, password, role, field):
    with pytest.raises(accounts.AccountError) as err:
        accounts.create_user(db, email, password, role)
    assert err.value.field == field


def test_emails_are_unique_whatever_the_case(db):
    make_user(db, "dup@example.org")
    with pytest.raises(accounts.AccountError, match="already an account"):
        accounts.create_user(db, "DUP@example.org", DEMO_PASSWORD, Role.ADMIN)


def test_only_providers_belong_to_organisations(db):
    org = make_org(db)
    with pytest.raises(accounts.AccountError) as err:
        accounts.create_user(db, "lw@example.org", DEMO_PASSWORD, Role.LINK_WORKER, [org])
    assert err.value.field == "org"
