"""The new pages meet the same basics as the public ones: one h1, labelled fields, no inline
scripts or styles (the Content-Security-Policy forbids them)."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory import tokens
from directory.models import JoinRequest
from directory.web.community import password_link

from ..factories import make_org, make_service
from .conftest import make_provider, path_of, submit_edit


def check(path: str, body: str) -> None:
    assert len(re.findall(r"<h1[ >]", body)) == 1, path
    for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', body):
        assert f'for="{input_id}"' in body, f"{path}: #{input_id} has no label"
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", body), f"{path}: inline script"
    assert not re.search(r"\sstyle=", body), f"{path}: inline style"


def test_every_new_page_meets_the_basics(app, client, db, admin, login_as):
    org = make_org(db)
    service = make_service(db, org=org)
    provider = make_provider(db, org)
    change = submit_edit(db, service, provider, name="Renamed")
    client.post("/join", data={"organization_name": "Knit Club", "contact_name": "Sam",
                               "contact_email": "sam@example.org", "description": "Knitting."})
    join_id = db.scalar(select(JoinRequest.id))
    with app.test_request_context():
        confirm = tokens.make("confirm", {"s": service.public_id, "u": provider.id})
        password = path_of(password_link(provider))
    public = ["/join", f"/services/{service.public_id}/report", f"/confirm/{confirm}",
              "/confirm/bad", password]
    for path in public:
        check(path, client.get(path).get_data(as_text=True))
    assert 'name="password"' in client.get(password).get_data(as_text=True)
    check("report errors", client.post(f"/services/{service.public_id}/report", data={}).get_data(as_text=True))
    check("join errors", client.post("/join", data={}).get_data(as_text=True))
    login_as(admin)
    for path in ["/admin/", f"/admin/changes/{change.id}", f"/admin/joins/{join_id}",
                 "/admin/organizations", f"/admin/organizations/{org.id}",
                 f"/admin/services/{service.public_id}/history", "/admin/users"]:
        response = client.get(path)
        assert response.status_code == 200, path
        check(path, response.get_data(as_text=True))
    check("reject errors", client.post(f"/admin/changes/{change.id}/reject", data={}).get_data(as_text=True))
