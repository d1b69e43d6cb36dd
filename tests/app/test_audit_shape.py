"""One shape of audit value: a change waiting for approval is recorded as the model would hold
it, so its row reads like the row written when it is approved; older rows still read."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from directory import audit, listings, moderation, vocabulary
from directory.models import Role

from .factories import make_location, make_org, make_service, make_user

TODAY = date(2026, 11, 25)


def test_a_submitted_change_is_recorded_in_the_shape_its_approval_is(app: Flask, db: Session):
    org = make_org(db)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    admin = make_user(db, "a@example.org", Role.ADMIN)
    hall = make_location(db, "Fenham Hall")
    service = make_service(db, org=org, sessions=(("tue", "10:00", "11:30"),))
    edit = {**listings.snapshot(service), "cost": "£2 a week",
            "activities": ["walking-group"], "languages": ["en", "pl"],
            "sessions": [{"day": "fri", "starts": "10:00", "ends": "11:30",
                          "location": hall.public_id}]}
    with app.test_request_context():
        change = moderation.submit(db, service, edit, provider, moderation.stamp(db, service),
                                   TODAY)
        db.commit()
        with audit.acting_as(admin.email, admin.id):
            moderation.approve(db, change, admin, TODAY)
            db.commit()
    events = {e.action: e for e in audit.history(db, "service", service.id)}
    submitted, approved = events["submit"].changes, events["approve"].changes

    assert submitted["sessions"] == [["tue 10:00-11:30"], ["fri 10:00-11:30 at Fenham Hall"]]
    assert submitted["language_rows"] == [["en"], ["en", "pl"]]
    assert "sp-activity:walking-group" in submitted["terms"][1]
    assert "sp-activity:breathing-support" in submitted["terms"][0]
    assert not {"activities", "languages", "categories"} & set(submitted)
    # The same fields, the same values, whichever way the row was written.
    for field in ("cost", "sessions", "language_rows", "terms"):
        assert submitted[field] == approved[field], field


def test_values_read_in_words_in_either_shape(app: Flask):
    with app.app_context():
        vocab = vocabulary.current()
    words = audit.describe
    assert words("sessions", ["fri 10:00-11:30 at Fenham Hall"], vocab, {}) == \
        "Friday 10:00 to 11:30 at Fenham Hall"
    old_shape = [{"day": "wed", "starts": "14:00", "ends": "15:00", "location": "loc-1"}]
    assert words("sessions", old_shape, vocab, {"loc-1": "Fenham Hall"}) == \
        "Wednesday 14:00 to 15:00 at Fenham Hall"
    walking = vocab.label("activities", "walking-group")
    assert words("terms", ["sp-activity:walking-group"], vocab, {}) == walking
    assert words("activities", ["walking-group"], vocab, {}) == walking
    assert words("locations", ["loc-1"], vocab, {"loc-1": "Fenham Hall"}) == "Fenham Hall"
    assert words("is_free", True, vocab, {}) == "Yes"
    assert words("cost", "", vocab, {}) == "(none)"
    assert words("terms", ["unknown-taxonomy:x"], vocab, {}) == "unknown-taxonomy:x"
    assert words("sessions", [{"odd": "shape"}], vocab, {}) == "{'odd': 'shape'}"
