"""The database itself refuses bad rows, whatever code wrote them."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from directory.models import Location, Service, ServiceStatus, WeeklySession

from .factories import make_location, make_org, make_service


def refused(db: Session, sql: str, errors: Any = IntegrityError, **params: object) -> None:
    with pytest.raises(errors):
        db.execute(text(sql), params)
        db.flush()
    db.rollback()


def test_a_service_needs_a_name(db):
    org = make_org(db)
    db.add(Service(name="   ", organization=org))
    with pytest.raises(IntegrityError):
        db.flush()


def test_a_service_status_is_one_of_the_five(db):
    service = make_service(db)
    refused(db, "UPDATE services SET status = 'archived' WHERE id = :id", id=service.id)
    for status in ("draft", "pending", "active", "paused", "closed"):
        db.execute(text("UPDATE services SET status = :s WHERE id = :id"), {"s": status, "id": service.id})
    db.rollback()


def test_a_session_must_end_after_it_starts(db):
    service = make_service(db)
    service.sessions.append(WeeklySession(day="mon", starts_at=time(14, 0), ends_at=time(13, 0)))
    with pytest.raises(IntegrityError):
        db.flush()


def test_a_session_day_is_a_day_of_the_week(db):
    service = make_service(db)
    session_id = service.sessions[0].id
    refused(db, "UPDATE weekly_sessions SET day = 'funday' WHERE id = :id", id=session_id)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-90.5, 0), (54.9, 181), (54.9, -180.1)])
def test_coordinates_must_be_in_range(db, lat, lon):
    db.add(Location(name="Somewhere", latitude=lat, longitude=lon))
    with pytest.raises(IntegrityError):
        db.flush()


def test_a_venue_has_both_coordinates_or_neither(db):
    loc = make_location(db)
    refused(db, "UPDATE locations SET longitude = NULL WHERE id = :id", id=loc.id)


def test_age_range_must_be_ordered_and_not_negative(db):
    service = make_service(db)
    refused(db, "UPDATE services SET min_age = 65, max_age = 18 WHERE id = :id", id=service.id)
    refused(db, "UPDATE services SET min_age = -1 WHERE id = :id", id=service.id)


def test_language_codes_are_two_letters(db):
    service = make_service(db)
    # PostgreSQL refuses the value for its column's length before the CHECK is reached.
    refused(db, "INSERT INTO service_languages (service_id, code) VALUES (:id, 'eng')",
            errors=(IntegrityError, DataError), id=service.id)


def test_public_ids_are_unique(db):
    first = make_service(db, "Walk One")
    make_service(db, "Walk Two")
    refused(db, "UPDATE services SET public_id = :p WHERE name = 'Walk Two'", p=first.public_id)


def test_a_service_cannot_point_at_a_missing_organisation(db):
    service = make_service(db)
    refused(db, "UPDATE services SET organization_id = 999999 WHERE id = :id", id=service.id)


def test_an_organisation_with_services_cannot_be_deleted(db):
    service = make_service(db)
    refused(db, "DELETE FROM organizations WHERE id = :id", id=service.organization_id)


def test_sessions_go_with_their_service(db):
    service = make_service(db, sessions=(("mon", "10:00", "11:00"), ("thu", "18:00", "19:30")))
    db.delete(service)
    db.commit()
    assert db.scalar(text("SELECT count(*) FROM weekly_sessions")) == 0


def test_sessions_are_ordered_through_the_week(db):
    service = make_service(
        db, sessions=(("thu", "18:00", "19:30"), ("mon", "13:00", "14:00"), ("mon", "09:00", "10:00"))
    )
    db.expire_all()
    assert [(s.day.value, s.starts_at.hour) for s in service.sessions] == [
        ("mon", 9), ("mon", 13), ("thu", 18)
    ]


def test_new_services_are_drafts_with_a_uuid_public_id(db):
    service = Service(name="New group", organization=make_org(db))
    db.add(service)
    db.flush()
    assert service.status is ServiceStatus.DRAFT
    assert len(service.public_id) == 36 and service.public_id.count("-") == 4
