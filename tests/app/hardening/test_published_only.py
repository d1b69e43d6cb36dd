"""A plan only ever holds and shows published listings, and an admin's closure stays until an
admin reopens it (issue #15)."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory import plans
from directory.models import ChangeKind, ListingChange, Role, SavedPlan, ServiceStatus

from ..conftest import DEMO_PASSWORD
from ..factories import make_service, make_user

FORM = [("goals", "get-more-active"), ("postcode", "NE4 8XJ")]


def _never_approved(db, org, name="Secret Unapproved Club"):
    """A new listing sent in through the provider area and not yet approved."""
    service = make_service(db, name, org=org, status=ServiceStatus.PENDING)
    db.add(ListingChange(service=service, organization=org, kind=ChangeKind.CREATE, base={},
                         proposed={"name": name}))
    db.commit()
    return service


def test_a_link_worker_cannot_put_a_never_approved_listing_in_a_plan(client, db, login_as,
                                                                   group):
    worker = make_user(db, "lw@example.org", Role.LINK_WORKER, password=DEMO_PASSWORD)
    hidden = _never_approved(db, group.org)
    login_as(worker)
    only_hidden = client.post("/workspace/plan", data=MultiDict([*FORM, ("shortlist", hidden.public_id),
                                                                 ("save", "1")]))
    assert only_hidden.status_code == 400
    assert "Secret Unapproved Club" not in only_hidden.get_data(as_text=True)
    both = client.post("/workspace/plan", data=MultiDict([*FORM, ("shortlist", hidden.public_id),
                                                ("shortlist", group.service.public_id),
                                                ("save", "1")]))
    page = both.get_data(as_text=True)
    assert both.status_code == 200 and "Breathe Easy Fenham" in page
    assert "Secret Unapproved Club" not in page
    assert db.scalar(select(SavedPlan)).service_ids == [group.service.public_id]


def test_the_plan_link_never_shows_a_listing_that_was_not_approved(client, db, group):
    hidden = _never_approved(db, group.org)
    hidden.status = ServiceStatus.PAUSED  # paused before its approval: still never public
    db.commit()
    token = plans.save_plan(db, {"goals": ["meet-people"]},
                            [hidden.public_id, group.service.public_id], days=1, district=None,
                            user=None)
    db.commit()
    page = client.get(f"/workspace/plan/{token}").get_data(as_text=True)
    assert "Breathe Easy Fenham" in page and "Secret Unapproved Club" not in page
    # Even a plan stored before this rule (holding the id) does not show it.
    db.scalar(select(SavedPlan)).service_ids = [hidden.public_id, group.service.public_id]
    db.commit()
    assert plans.plan_services(db, [hidden.public_id]) == []


def test_a_listing_paused_after_publication_stays_in_the_plan_with_its_warning(client, db,
                                                                              group):
    token = plans.save_plan(db, {}, [group.service.public_id], days=1, district=None, user=None)
    group.service.status = ServiceStatus.PAUSED
    db.commit()
    page = client.get(f"/workspace/plan/{token}").get_data(as_text=True)
    assert "Breathe Easy Fenham" in page and "paused at the moment" in page


def _status(client, service, action):
    page = client.get(f"/provider/services/{service.public_id}").get_data(as_text=True)
    stamp = re.search(r'name="stamp" value="([^"]+)"', page)[1]
    return client.post(f"/provider/services/{service.public_id}/status",
                       data={"action": action, "stamp": stamp}, follow_redirects=True)


def test_a_group_cannot_reopen_a_listing_an_admin_closed(app, db, group, admin):
    admins, providers = app.test_client(), app.test_client()
    admins.post("/auth/login", data={"email": admin.email, "password": DEMO_PASSWORD})
    providers.post("/auth/login", data={"email": group.user.email, "password": DEMO_PASSWORD})
    assert "Closed" in _status(admins, group.service, "close").get_data(as_text=True)
    refused = _status(providers, group.service, "reopen").get_data(as_text=True)
    assert "closed by the directory team" in refused
    db.expire_all()
    assert db.get(type(group.service), group.service.id).status is ServiceStatus.CLOSED
    assert "Reopened" in _status(admins, group.service, "reopen").get_data(as_text=True)
    db.expire_all()
    assert db.get(type(group.service), group.service.id).status is ServiceStatus.ACTIVE


def test_a_group_still_reopens_what_it_closed_itself(client, db, login_as, group):
    login_as(group.user)
    _status(client, group.service, "close")
    assert "Reopened" in _status(client, group.service, "reopen").get_data(as_text=True)
