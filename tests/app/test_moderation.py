"""The domain of issue #5 without the web: snapshots, validation, moderation, locking, audit."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from directory import audit, listings, moderation, vocabulary
from directory.models import (
    AuditEvent,
    ChangeKind,
    ChangeState,
    Role,
    Service,
    ServiceStatus,
)

from .factories import make_location, make_org, make_service, make_user

TODAY = date(2026, 11, 25)


@pytest.fixture
def ctx(app: Flask) -> None:
    with app.test_request_context():
        yield


def context(venues=()) -> listings.Context:
    return listings.Context(vocabulary.current(), {v.public_id: v for v in venues},
                            known_district=lambda code: code in {"NE4", "NE5", "NE15"})


def valid(**changes) -> dict:
    raw = {"name": "Chair Yoga", "description": "Gentle stretches sitting down.",
           "categories": ["physical-activity"], "activities": ["tai-chi-yoga"],
           "sessions": [{"day": "wed", "starts": "10:00", "ends": "11:00"}]}
    raw.update(changes)
    return raw


def test_a_snapshot_survives_validation_unchanged(ctx, db: Session) -> None:
    venue = make_location(db)
    service = make_service(db, locations=(venue,), min_age=18, phone="0191 123 4567")
    snap = listings.snapshot(service)
    assert listings.validate_listing(snap, context([venue])) == snap


@pytest.mark.parametrize("changes, field, words", [
    ({"name": ""}, "name", "Enter the name"),
    ({"name": "x" * 201}, "name", "200 characters"),
    ({"description": "<script>alert(1)</script>"}, "description", "remove the HTML"),
    ({"min_age": 70, "max_age": 18}, "max_age", "oldest age"),
    ({"min_age": "old"}, "min_age", "whole years"),
    ({"categories": []}, "categories", "one, two or three"),
    ({"categories": ["not-a-category"]}, "categories", "not-a-category"),
    ({"sessions": [{"day": "wed", "starts": "11:00", "ends": "10:00"}]}, "sessions.0.ends", "after the start"),
    ({"sessions": [{"day": "funday", "starts": "10:00", "ends": "11:00"}]}, "sessions.0.day", "Choose a day"),
    ({"coverage": ["ZZ99"]}, "coverage", "Not a postcode district"),
    ({"locations": ["someone-elses-venue"]}, "locations", "your own list"),
    ({"email": "not an email"}, "email", "email address"),
    ({"website": "javascript:alert(1)"}, "website", "https://"),
    ({"languages": ["xx"]}, "languages", "xx"),
])
def test_bad_values_name_their_field(ctx, changes, field, words) -> None:
    with pytest.raises(listings.ListingError) as caught:
        listings.validate_listing(valid(**changes), context())
    assert field in caught.value.errors, caught.value.errors
    assert words.lower() in " ".join(caught.value.errors[field]).lower()


def test_text_with_angle_brackets_but_no_tags_is_kept_as_typed(ctx) -> None:
    clean = listings.validate_listing(valid(description="Tea & cake <3, 2 < 3"), context())
    assert clean["description"] == "Tea & cake <3, 2 < 3"


def test_a_providers_new_listing_waits_for_approval(ctx, db: Session) -> None:
    org = make_org(db)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    snap = listings.validate_listing(valid(), context())
    service = moderation.create(db, org, snap, provider, TODAY)
    db.commit()
    assert service.status is ServiceStatus.PENDING
    change = moderation.pending_change(db, service)
    assert change is not None and change.kind is ChangeKind.CREATE

    admin = make_user(db, "a@example.org", Role.ADMIN)
    moderation.approve(db, change, admin, TODAY)
    db.commit()
    assert service.status is ServiceStatus.ACTIVE
    assert service.last_verified == TODAY
    assert change.state is ChangeState.APPROVED


def test_a_trusted_organisation_publishes_at_once(ctx, db: Session) -> None:
    org = make_org(db, trusted=True)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    service = moderation.create(db, org, listings.validate_listing(valid(), context()), provider, TODAY)
    db.commit()
    assert service.status is ServiceStatus.ACTIVE
    assert moderation.pending_change(db, service) is None


def test_an_edit_stays_pending_and_approval_applies_only_what_changed(ctx, db: Session) -> None:
    org = make_org(db)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    admin = make_user(db, "a@example.org", Role.ADMIN)
    service = make_service(db, org=org, sessions=(("tue", "10:00", "11:30"),))
    opened = moderation.stamp(db, service)

    edit = moderation.working_copy(db, service)
    edit["sessions"] = [{**edit["sessions"][0], "day": "thu"}]
    change = moderation.submit(db, service, edit, provider, opened, TODAY)
    db.commit()
    assert change is not None and change.kind is ChangeKind.EDIT
    assert [s.day.value for s in service.sessions] == ["tue"]  # the public still sees Tuesday

    # Meanwhile the group pauses the listing; approving the edit must not reopen it.
    moderation.set_status(db, service, "pause", moderation.stamp(db, service))
    db.commit()
    moderation.approve(db, change, admin, TODAY)
    db.commit()
    db.refresh(service)
    assert [s.day.value for s in service.sessions] == ["thu"]
    assert service.status is ServiceStatus.PAUSED


def test_a_rejection_needs_a_reason_and_keeps_the_listing(ctx, db: Session) -> None:
    org = make_org(db)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    admin = make_user(db, "a@example.org", Role.ADMIN)
    service = make_service(db, org=org)
    change = moderation.submit(db, service, {**listings.snapshot(service), "name": "Renamed"},
                               provider, moderation.stamp(db, service), TODAY)
    db.commit()
    with pytest.raises(listings.ListingError):
        moderation.reject(db, change, admin, "  ")
    moderation.reject(db, change, admin, "Please give the full venue address.")
    db.commit()
    assert change.state is ChangeState.REJECTED and "venue address" in change.reason
    assert service.name == "Breathe Easy Fenham"
    with pytest.raises(moderation.NotAllowed):
        moderation.approve(db, change, admin, TODAY)


def test_a_save_from_a_stale_form_is_refused(ctx, db: Session) -> None:
    org = make_org(db)
    one = make_user(db, "one@example.org", Role.PROVIDER, organizations=(org,))
    two = make_user(db, "two@example.org", Role.PROVIDER, organizations=(org,))
    service = make_service(db, org=org)
    opened_by_both = moderation.stamp(db, service)
    snap = listings.snapshot(service)
    moderation.submit(db, service, {**snap, "cost": "£2"}, one, opened_by_both, TODAY)
    db.commit()
    with pytest.raises(moderation.Conflict):
        moderation.submit(db, service, {**snap, "cost": "£3"}, two, opened_by_both, TODAY)
    db.rollback()
    change = moderation.pending_change(db, service)
    assert change.proposed["cost"] == "£2"


def test_the_database_refuses_an_update_from_an_old_version(app: Flask, db: Session) -> None:
    service = make_service(db)
    sessions = app.extensions["db"].sessions
    with sessions() as first, sessions() as second:
        a = first.get(Service, service.id)
        b = second.get(Service, service.id)
        a.cost = "£1"
        first.commit()
        b.cost = "£5"
        with pytest.raises(StaleDataError):
            second.commit()


def test_pausing_publishes_at_once_and_is_recorded(ctx, db: Session) -> None:
    service = make_service(db)
    moderation.set_status(db, service, "pause", moderation.stamp(db, service))
    db.commit()
    assert service.status is ServiceStatus.PAUSED
    [event] = [e for e in audit.history(db, "service", service.id) if e.action == "pause"]
    assert event.changes["status"] == ["active", "paused"]
    with pytest.raises(moderation.NotAllowed):
        moderation.set_status(db, service, "explode", moderation.stamp(db, service))


def test_the_audit_records_who_and_each_fields_old_and_new_value(app: Flask, db: Session) -> None:
    org = make_org(db)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    admin = make_user(db, "a@example.org", Role.ADMIN)
    service = make_service(db, org=org, sessions=(("tue", "10:00", "11:30"),))
    with app.test_request_context():
        change = moderation.submit(db, service, {**listings.snapshot(service), "cost": "£2 a week",
                                                 "sessions": [{"day": "fri", "starts": "10:00",
                                                               "ends": "11:30", "location": None}]},
                                   provider, moderation.stamp(db, service), TODAY)
        db.commit()
        with audit.acting_as(admin.email, admin.id):
            moderation.approve(db, change, admin, TODAY)
            db.commit()
    events = audit.history(db, "service", service.id)
    approved = next(e for e in events if e.action == "approve")
    assert approved.actor == "a@example.org" and approved.actor_id == admin.id
    assert approved.changes["cost"] == ["", "£2 a week"]
    assert approved.changes["sessions"] == [["tue 10:00-11:30"], ["fri 10:00-11:30"]]
    assert any(e.action == "create" for e in events)


def test_the_audit_cannot_be_changed(app: Flask, db: Session) -> None:
    make_service(db)
    event = db.scalars(sa.select(AuditEvent)).first()
    event.note = "tampered"
    with pytest.raises(PermissionError):
        db.commit()
    db.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        with app.extensions["db"].engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM audit_events"))
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 1


def test_changes_from_the_command_line_are_recorded_as_such(app: Flask, db: Session) -> None:
    from flask.cli import ScriptInfo

    from directory.cli import cli

    result = app.test_cli_runner().invoke(
        cli, ["create-user", "new@example.org", "--role", "link_worker", "--password-stdin"],
        input="a long enough password\n", obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "user")).all()
    assert event.actor == "command line (create-user)"
    assert event.changes["email"] == [None, "new@example.org"]
    assert "password_hash" not in event.changes  # never a secret's value


def test_a_name_of_only_spaces_counts_as_missing(ctx) -> None:
    with pytest.raises(listings.ListingError) as caught:
        listings.validate_listing(valid(name="   "), context())
    assert caught.value.errors["name"] == ["Enter the name of the service"]


def test_a_turned_down_new_listing_cannot_be_reopened_past_approval(ctx, db: Session) -> None:
    org = make_org(db)
    provider = make_user(db, "p@example.org", Role.PROVIDER, organizations=(org,))
    admin = make_user(db, "a@example.org", Role.ADMIN)
    service = moderation.create(db, org, listings.validate_listing(valid(), context()), provider, TODAY)
    moderation.reject(db, moderation.pending_change(db, service), admin, "Which hall is it in?")
    moderation.set_status(db, service, "pause", moderation.stamp(db, service))
    db.commit()
    with pytest.raises(moderation.NotAllowed):
        moderation.set_status(db, service, "reopen", moderation.stamp(db, service))
    # Sent again, it is a new listing again, and approval publishes it.
    change = moderation.submit(db, service, listings.snapshot(service), provider,
                               moderation.stamp(db, service), TODAY)
    assert change.kind is ChangeKind.CREATE
    moderation.approve(db, change, admin, TODAY)
    assert service.status is ServiceStatus.PAUSED  # approval does not undo the group's pause
    moderation.set_status(db, service, "reopen", moderation.stamp(db, service))
    assert service.status is ServiceStatus.ACTIVE
