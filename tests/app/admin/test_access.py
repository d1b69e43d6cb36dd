"""Only admins reach /admin; every form needs its CSRF token; nothing edits the audit trail."""

from __future__ import annotations

import pytest

from directory.models import AuditEvent, Role

from ..conftest import DEMO_PASSWORD
from ..factories import make_org, make_service, make_user
from .conftest import csrf_from, make_provider, submit_edit

GETS = ["/admin/", "/admin/changes/1", "/admin/joins/1", "/admin/organizations",
        "/admin/organizations/1", "/admin/services/x/history", "/admin/users"]
POSTS = ["/admin/changes/1/approve", "/admin/changes/1/reject", "/admin/joins/1/approve",
         "/admin/joins/1/decline", "/admin/reports/1/resolve", "/admin/organizations/1/trust",
         "/admin/organizations/1/users"]


@pytest.mark.parametrize("path", GETS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_are_sent_to_sign_in(client, path):
    assert client.post(path).headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.LINK_WORKER])
def test_other_roles_are_refused(client, db, login_as, role):
    orgs = (make_org(db),) if role is Role.PROVIDER else ()
    login_as(make_user(db, "someone@example.org", role, organizations=orgs))
    refused = {path: client.get(path).status_code for path in GETS}
    refused |= {path: client.post(path).status_code for path in POSTS}
    assert refused == {path: 403 for path in GETS + POSTS}


def test_a_provider_cannot_approve_their_own_change(client, db, login_as):
    org = make_org(db)
    service = make_service(db, org=org)
    provider = make_provider(db, org)
    change = submit_edit(db, service, provider, name="Self approved")
    login_as(provider)
    assert client.post(f"/admin/changes/{change.id}/approve").status_code == 403
    db.expire_all()
    assert service.name == "Breathe Easy Fenham"


def test_an_admin_post_without_its_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.extensions["db"].sessions() as db:
        make_user(db, "admin@example.org", Role.ADMIN, password=DEMO_PASSWORD)
        org = make_org(db)
        org_id = org.id
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"email": "admin@example.org", "password": DEMO_PASSWORD,
                                     "csrf_token": csrf_from(page)})
    refused = client.post(f"/admin/organizations/{org_id}/trust", data={"trusted": "1"})
    assert refused.status_code == 400
    assert "not sent from this site" in refused.get_data(as_text=True)
    page = client.get(f"/admin/organizations/{org_id}").get_data(as_text=True)
    accepted = client.post(f"/admin/organizations/{org_id}/trust",
                           data={"trusted": "1", "csrf_token": csrf_from(page)})
    assert accepted.status_code == 302


def test_a_public_report_without_its_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.extensions["db"].sessions() as db:
        public_id = make_service(db).public_id
    client = app.test_client()
    assert client.post(f"/services/{public_id}/report", data={"problem": "Wrong day"}).status_code == 400
    page = client.get(f"/services/{public_id}/report").get_data(as_text=True)
    ok = client.post(f"/services/{public_id}/report",
                     data={"problem": "Wrong day", "csrf_token": csrf_from(page)})
    assert ok.status_code == 200


def test_every_admin_form_carries_a_csrf_token(client, db, admin, login_as):
    org = make_org(db)
    service = make_service(db, org=org)
    change = submit_edit(db, service, make_provider(db, org), name="New name")
    login_as(admin)
    for path in ("/admin/", f"/admin/changes/{change.id}", f"/admin/organizations/{org.id}"):
        page = client.get(path).get_data(as_text=True)
        assert page.count("<form") == page.count('name="csrf_token"'), path


def test_no_route_can_change_the_audit_trail(app, client, db, admin, login_as):
    service = make_service(db)
    for rule in app.url_map.iter_rules():
        if "history" in rule.rule or "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule
    login_as(admin)
    before = db.query(AuditEvent).count()
    for method in (client.post, client.put, client.delete, client.patch):
        assert method(f"/admin/services/{service.public_id}/history").status_code == 405
    assert db.query(AuditEvent).count() == before
