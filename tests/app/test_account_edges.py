"""The edges of the public site: forgot your password (the same answer for every address, a link
only to a real active account, single-use and expiring, the usual password rules, limits), each
role landing on its own area, "List your group" links and the category pages' first sentence."""

from __future__ import annotations

import re

import pytest

from directory import mail
from directory.models import Role

from .conftest import DEMO_PASSWORD
from .factories import make_user

NEW = "a brand new passphrase"


def sent(app):
    return mail.outbox(app.config["OUTBOX_DIR"])


def reset_path(message) -> str:
    url = re.search(r"https?://\S+/auth/reset-password/\S+", message.get_content())[0]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def ask(client, email):
    return client.post("/auth/forgot-password", data={"email": email})


def without_tokens(response) -> str:
    return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))


def test_the_sign_in_page_links_to_forgot_password(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot-password"' in page and "Forgot your password?" in page


def test_known_and_unknown_addresses_get_the_same_answer(app, client, db):
    make_user(db, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    known, unknown = ask(client, "Pat@Example.org "), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known) == without_tokens(unknown)
    assert "If there is an account for that address" in known.get_data(as_text=True)
    messages = sent(app)
    assert [m["To"] for m in messages] == ["pat@example.org"]


def test_a_disabled_account_is_sent_nothing(app, client, db):
    user = make_user(db, "gone@example.org", Role.LINK_WORKER, password=DEMO_PASSWORD)
    user.active = False
    db.commit()
    assert ask(client, "gone@example.org").status_code == 200
    assert sent(app) == []


@pytest.mark.parametrize(("email", "message"), [
    ("", "Enter your email address"),
    ("not-an-address", "Enter an email address like name@example.org"),
    ("pat@example.org\r\nBcc: x@evil.example", "Enter an email address like name@example.org"),
])
def test_a_bad_address_is_named(app, client, email, message):
    response = ask(client, email)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert sent(app) == []


def test_the_link_sets_a_new_password_once(app, client, db):
    make_user(db, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    ask(client, "pat@example.org")
    link = reset_path(sent(app)[0])
    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    other = "another new passphrase"
    again = client.post(link, data={"password": other, "confirm": other})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    old = client.post("/auth/login", data={"email": "pat@example.org", "password": DEMO_PASSWORD})
    assert old.status_code == 400
    new = client.post("/auth/login", data={"email": "pat@example.org", "password": NEW})
    assert new.status_code == 302


def test_signing_in_meanwhile_does_not_spend_the_link_but_a_new_password_does(app, client, db):
    make_user(db, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    ask(client, "pat@example.org")
    ask(client, "pat@example.org")
    first, second = (reset_path(m) for m in sent(app))
    assert client.post(first, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(second).status_code == 400  # the other link was for the old password


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("short", "short", "Use at least 10 characters"),
    (" spaces around it ", " spaces around it ", "cannot start or end with spaces"),
    (NEW, NEW + "x", "The two passwords do not match"),
])
def test_the_new_password_follows_the_usual_rules(app, client, db, password, confirm, message):
    make_user(db, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    ask(client, "pat@example.org")
    response = client.post(reset_path(sent(app)[0]),
                           data={"password": password, "confirm": confirm})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.post("/auth/login", data={"email": "pat@example.org",
                                            "password": DEMO_PASSWORD}).status_code == 302


def test_the_link_expires_after_the_next_day(app, client, db):
    app.config["TODAY"] = "2026-12-01"
    make_user(db, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    ask(client, "pat@example.org")
    link = reset_path(sent(app)[0])
    app.config["TODAY"] = "2026-12-02"
    assert client.get(link).status_code == 200
    app.config["TODAY"] = "2026-12-03"
    response = client.get(link)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_a_reset_link_does_not_open_the_set_password_page(app, client, db):
    make_user(db, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    ask(client, "pat@example.org")
    link = reset_path(sent(app)[0])
    assert client.get(link.replace("reset-password", "set-password")).status_code == 400
    assert client.get(link + "x").status_code == 400


def test_asking_is_rate_limited_per_address(make_app, db):
    app = make_app(RATELIMIT_ENABLED=True, RESET_RATE_LIMIT="2 per hour")
    client = app.test_client()
    assert [ask(client, f"n{i}@example.org").status_code for i in range(3)] == [200, 200, 429]


def test_asking_is_rate_limited_per_email_from_any_address(make_app, db):
    app = make_app(RATELIMIT_ENABLED=True, RESET_ACCOUNT_RATE_LIMIT="1 per hour")
    with app.extensions["db"].sessions() as session:
        make_user(session, "pat@example.org", Role.PROVIDER, password=DEMO_PASSWORD)
    one = app.test_client()
    two = app.test_client()
    assert ask(one, "pat@example.org").status_code == 200
    assert two.post("/auth/forgot-password", data={"email": "PAT@example.org"},
                    environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    assert len(sent(app)) == 1


@pytest.mark.parametrize(("role", "landing"), [
    (Role.ADMIN, "/admin/"), (Role.LINK_WORKER, "/workspace/"),
    (Role.PROVIDER, "/provider/"), (Role.COMMISSIONER, "/insights/"),
])
def test_each_role_lands_on_its_own_area(client, db, role, landing):
    make_user(db, "someone@example.org", role, password=DEMO_PASSWORD)
    response = client.post("/auth/login", data={"email": "someone@example.org",
                                                "password": DEMO_PASSWORD})
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_safe_next_still_wins_over_the_landing(client, db):
    make_user(db, "lw@example.org", Role.LINK_WORKER, password=DEMO_PASSWORD)
    response = client.post("/auth/login?next=/services", data={"email": "lw@example.org",
                                                                "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/services"


@pytest.mark.parametrize("path", ["/", "/auth/login", "/search"])
def test_list_your_group_is_linked(client, path):
    page = client.get(path).get_data(as_text=True)
    assert '<a class="nhsuk-footer__list-item-link" href="/join">List your group</a>' in page


def test_the_home_page_invites_groups_to_join(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="list-your-group".*href="/join">List your group</a>', page, re.S)


def test_every_category_page_opens_with_a_sentence_about_it(client, app):
    from directory import vocabulary

    with app.app_context():
        vocab = vocabulary.current()
        categories = [(c["id"], c.get("description")) for c in vocab.section("categories")]
    for code, description in categories:
        assert description and description.endswith("."), code
        page = client.get(f"/categories/{code}").get_data(as_text=True)
        assert f'id="category-description">{description}</p>' in page
