"""Sessions that end (issue #15): sign-out, a new password and an admin disabling the account
end every session of the user; the session's address binding and ProxyFix trust no header a
client sends; the CSRF token changes at sign-in and a foreign Origin is refused; signed-in
pages are never cached; sign-in limits are shared by every worker and kept per account."""

from __future__ import annotations

import re

from directory.models import Role, User

from ...app.conftest import DEMO_PASSWORD
from ..factories import make_user


def sign_in(client, email, password=DEMO_PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def _signed_in(client) -> bool:
    return "Signed in as" in client.get("/").get_data(as_text=True)


def test_a_session_cookie_copied_before_sign_out_does_not_work_after_it(app, admin):
    browser, thief = app.test_client(), app.test_client()
    assert sign_in(browser, admin.email).status_code == 302
    _copy_cookie(browser, thief)
    assert _signed_in(thief)
    browser.post("/auth/logout")
    assert not _signed_in(thief)
    assert thief.get("/admin/").status_code == 302  # to the sign-in page


def test_signing_out_ends_the_users_sessions_in_other_browsers_too(app, admin):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, admin.email)
    sign_in(phone, admin.email)
    phone.post("/auth/logout")
    assert not _signed_in(laptop)
    assert sign_in(laptop, admin.email).status_code == 302 and _signed_in(laptop)


def test_a_new_password_ends_the_old_sessions(app, db, admin):
    from directory.web.community import password_link

    browser = app.test_client()
    sign_in(browser, admin.email)
    with app.test_request_context():
        path = "/" + password_link(admin).split("/", 3)[3]
    new = "an entirely new password"
    assert app.test_client().post(path, data={"password": new, "confirm": new}).status_code == 302
    assert not _signed_in(browser)
    assert sign_in(browser, admin.email, new).status_code == 302


def test_an_admin_disabling_an_account_signs_it_out_at_once(app, client, db, admin, login_as):
    worker = make_user(db, "lw@example.org", Role.LINK_WORKER, password=DEMO_PASSWORD)
    theirs = app.test_client()
    sign_in(theirs, worker.email)
    assert theirs.get("/workspace/").status_code == 200
    login_as(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{worker.id}/active" in page
    done = client.post(f"/admin/users/{worker.id}/active", data={"active": "0"},
                       follow_redirects=True)
    assert "signed out everywhere" in done.get_data(as_text=True)
    assert theirs.get("/workspace/").status_code == 302
    assert sign_in(theirs, worker.email).status_code == 400
    db.expire_all()
    assert db.get(User, worker.id).active is False


def test_a_spoofed_x_forwarded_for_does_not_carry_a_stolen_session(app, admin):
    victim = app.test_client()
    thief = app.test_client()
    victim.environ_base.update(REMOTE_ADDR="192.0.2.10")
    thief.environ_base.update(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.10")
    sign_in(victim, admin.email)
    _copy_cookie(victim, thief)
    assert not _signed_in(thief)


def test_x_forwarded_for_is_used_only_when_proxies_are_configured(make_app):
    seen = {}

    def build(**config):
        app = make_app(**config)

        @app.get("/_addr")
        def _addr():  # a probe route for this test only
            from flask import request

            seen["addr"] = request.remote_addr
            return "ok"

        return app

    build().test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.5"})
    assert seen["addr"] == "127.0.0.1"
    build(PROXY_COUNT=1).test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.5"})
    assert seen["addr"] == "203.0.113.5"


def _csrf(page: str) -> str:
    return re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def test_the_csrf_token_from_before_sign_in_is_refused_after_it(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.extensions["db"].sessions() as session:
        make_user(session, "rotate@example.org", Role.ADMIN, password=DEMO_PASSWORD)
    client = app.test_client()
    before = _csrf(client.get("/auth/login").get_data(as_text=True))
    assert sign_in(client, "rotate@example.org", csrf_token=before).status_code == 302
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    after = _csrf(client.get("/admin/users").get_data(as_text=True))
    assert after != before
    assert client.post("/auth/logout", data={"csrf_token": after}).status_code == 302


def test_a_post_from_another_site_is_refused_even_over_http(client, admin):
    foreign = client.post("/auth/login", data={"email": admin.email, "password": DEMO_PASSWORD},
                          headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 400
    assert "not sent from this site" in foreign.get_data(as_text=True)
    by_referer = client.post("/auth/login", data={"email": admin.email, "password": DEMO_PASSWORD},
                             headers={"Referer": "http://evil.example/page"})
    assert by_referer.status_code == 400
    null_origin = client.post("/auth/login", data={"email": admin.email, "password": DEMO_PASSWORD},
                              headers={"Origin": "null"})
    assert null_origin.status_code == 400
    own = client.post("/auth/login", data={"email": admin.email, "password": DEMO_PASSWORD},
                      headers={"Origin": "http://localhost"})
    assert own.status_code == 302


def test_signed_in_pages_are_not_stored_and_public_pages_may_be(client, admin, login_as):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login_as(admin)
    for path in ("/", "/admin/", "/admin/users", "/provider/", "/workspace/"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", path


def test_failed_sign_ins_are_counted_across_workers(make_app, db, admin):
    """Two apps on one database stand for two gunicorn workers: one limit, not one each."""
    workers = [make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="4 per minute"),
               make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="4 per minute")]
    clients = [w.test_client() for w in workers]
    codes = [sign_in(clients[i % 2], admin.email, "wrong password!").status_code for i in range(6)]
    assert codes == [400, 400, 400, 400, 429, 429]


def test_failed_sign_ins_for_one_account_are_limited_from_any_address(make_app, db, admin,
                                                                      monkeypatch):
    from directory.auth import throttle

    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute",
                   LOGIN_ACCOUNT_RATE_LIMIT="3 per 15 minutes")
    codes = []
    for i in range(5):
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=f"198.51.100.{i + 1}")
        codes.append(sign_in(client, admin.email, "wrong password!").status_code)
    assert codes == [400, 400, 400, 429, 429]
    refused = sign_in(app.test_client(), admin.email)
    assert refused.status_code == 429 and "for this account" in refused.get_data(as_text=True)
    assert sign_in(app.test_client(), "someone-else@example.org", "x").status_code == 400
    # The window ends: the right password works again (never locked out for good).
    later = throttle.time.time() + 16 * 60
    monkeypatch.setattr(throttle.time, "time", lambda: later)
    assert sign_in(app.test_client(), admin.email).status_code == 302
