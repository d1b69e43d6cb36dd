"""Whether a listing takes referrals, and what the group needs to know: listing fields that go
through the moderated edit like any other, and are audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from directory import audit, moderation
from directory.models import Service

from .helpers import fill, read_form

NEEDS = "Tell us if they need the hearing loop switched on"


def _edit(client, service: Service, **values: str):
    url = f"/provider/services/{service.public_id}/edit"
    form = read_form(client.get(url).get_data(as_text=True))
    return client.post(url, data=fill(form, **values), follow_redirects=True)


def test_taking_referrals_waits_for_approval_then_applies(client, db, login_as, group, admin):
    login_as(group.user)
    body = _edit(client, group.service, accepts_referrals="y",
                 referral_needs=NEEDS).get_data(as_text=True)
    assert "Sent for approval" in body
    db.expire_all()
    assert db.get(Service, group.service.id).accepts_referrals is False
    change = moderation.pending_change(db, group.service)
    assert change.proposed["accepts_referrals"] is True
    assert change.proposed["referral_needs"] == NEEDS
    moderation.approve(db, change, admin, date(2026, 12, 3))
    db.commit()
    db.expire_all()
    service = db.get(Service, group.service.id)
    assert service.accepts_referrals is True and service.referral_needs == NEEDS
    changed = {k for e in audit.history(db, "service", service.id) for k in e.changes}
    assert {"accepts_referrals", "referral_needs"} <= changed


def test_a_trusted_group_takes_referrals_at_once_and_the_form_shows_it(client, db, login_as,
                                                                       trusted):
    login_as(trusted.user)
    assert "Published." in _edit(client, trusted.service, accepts_referrals="y",
                                 referral_needs=NEEDS).get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(Service.accepts_referrals).where(Service.id == trusted.service.id))
    form = read_form(client.get(f"/provider/services/{trusted.service.public_id}/edit")
                     .get_data(as_text=True))
    assert form.get("accepts_referrals") == "y" and form["referral_needs"] == NEEDS


def test_what_the_group_needs_to_know_is_checked_like_any_text(client, login_as, group):
    login_as(group.user)
    response = _edit(client, group.service, referral_needs="<script>x</script>")
    assert response.status_code == 400
    assert "remove the HTML tags" in response.get_data(as_text=True)
