"""No lost edit (issue #15): one pending change per listing, enforced by the database, so two
saves of the same form version sent at the same moment cannot both be accepted; and a
set-password link works once even when two POSTs arrive together."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from directory import moderation
from directory.models import ChangeKind, ChangeState, ListingChange, User

from ..provider.helpers import fill, read_form

TODAY = date(2026, 12, 2)


def _pending(db, service) -> list[ListingChange]:
    db.expire_all()
    return list(db.scalars(select(ListingChange).where(
        ListingChange.service_id == service.id, ListingChange.state == ChangeState.PENDING)))


def test_the_database_refuses_a_second_pending_change_for_one_listing(db, group):
    for name in ("First", "Second"):
        db.add(ListingChange(service=group.service, organization=group.org, kind=ChangeKind.EDIT,
                             base={}, proposed={"name": name}))
        if name == "First":
            db.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.commit()


def test_a_save_that_raced_past_the_version_check_is_a_conflict_not_a_second_change(
        app, db, group, monkeypatch):
    """Two saves both checked the version before either wrote: the second is refused."""
    with app.test_request_context():
        opened = moderation.stamp(db, group.service)
        moderation.submit(db, group.service, {"name": "First"}, group.user, opened, TODAY)
        db.commit()
    monkeypatch.setattr(moderation, "_check", lambda *args, **kwargs: None)
    monkeypatch.setattr(moderation, "pending_change", lambda *args, **kwargs: None)
    with app.extensions["db"].sessions() as other_session, app.test_request_context():
        service = other_session.get(type(group.service), group.service.id)
        user = other_session.get(User, group.user.id)
        with pytest.raises(moderation.Conflict):
            moderation.submit(other_session, service, {"name": "Second"}, user, opened, TODAY)
        other_session.rollback()
    monkeypatch.undo()
    assert [c.proposed["name"] for c in _pending(db, group.service)] == ["First"]


def _signed_in_clients(app, user, count):
    clients = []
    for _ in range(count):
        client = app.test_client()
        response = client.post("/auth/login", data={"email": user.email,
                                                    "password": "correct horse battery"})
        assert response.status_code == 302
        clients.append(client)
    return clients


def _at_once(calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_saves_of_the_same_version_sent_together_leave_one_pending_change(app, db, group):
    url = f"/provider/services/{group.service.public_id}/edit"
    for attempt in range(4):  # a race: a few rounds, each from a freshly published listing
        clients = _signed_in_clients(app, group.user, 3)
        form = read_form(clients[0].get(url).get_data(as_text=True))
        posts = [lambda c=c, i=i: c.post(url, data=fill(form, name=f"Round {attempt} save {i}"))
                 for i, c in enumerate(clients)]
        statuses = sorted(r.status_code for r in _at_once(posts))
        pending = _pending(db, group.service)
        assert len(pending) == 1, [c.proposed["name"] for c in pending]
        assert statuses == [303, 409, 409], statuses
        db.delete(pending[0])
        db.commit()


def test_a_second_save_of_the_same_version_is_refused_with_a_clear_message(client, db, login_as,
                                                                            group):
    login_as(group.user)
    url = f"/provider/services/{group.service.public_id}/edit"
    form = read_form(client.get(url).get_data(as_text=True))
    assert client.post(url, data=fill(form, name="First save")).status_code == 303
    second = client.post(url, data=fill(form, name="Second save"))
    assert second.status_code == 409
    assert "changed since you opened it" in second.get_data(as_text=True)
    assert [c.proposed["name"] for c in _pending(db, group.service)] == ["First save"]


def test_a_set_password_link_works_once_even_when_posted_twice_at_once(app, db, group):
    from directory.web.community import password_link

    with app.test_request_context():
        link = password_link(group.user)
    path = "/" + link.split("/", 3)[3]
    before = group.user.password_hash
    new = {"password": "a brand new password", "confirm": "a brand new password"}
    clients = [app.test_client() for _ in range(4)]
    results = _at_once([lambda c=c: c.post(path, data=new) for c in clients])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [302, 400, 400, 400], statuses
    db.expire_all()
    assert db.get(User, group.user.id).password_hash != before


def test_a_used_set_password_link_is_refused(app, client, db, group):
    from directory.web.community import password_link

    with app.test_request_context():
        path = "/" + password_link(group.user).split("/", 3)[3]
    new = {"password": "a brand new password", "confirm": "a brand new password"}
    assert client.post(path, data=new).status_code == 302
    again = client.post(path, data=new)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
