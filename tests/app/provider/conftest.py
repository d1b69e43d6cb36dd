"""Fixtures for the provider area: a group with a provider, its listing and venue, and another group."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from directory.models import Location, Organization, Role, Service, User

from ..factories import make_location, make_org, make_service, make_user


@dataclass
class Group:
    org: Organization
    user: User
    venue: Location
    service: Service


def make_group(db: Session, name: str, email: str, listing: str, venue: str, **org_fields) -> Group:
    org = make_org(db, name, **org_fields)
    user = make_user(db, email, Role.PROVIDER, organizations=(org,))
    place = make_location(db, venue, organization_id=org.id)
    service = make_service(db, listing, org=org, locations=(place,))
    return Group(org, user, place, service)


@pytest.fixture
def group(db: Session) -> Group:
    """Benwell Breathers, its provider, its venue and its published listing."""
    return make_group(db, "Benwell Breathers", "provider@example.org", "Breathe Easy Fenham",
                      "Fenham Hall")


@pytest.fixture
def other(db: Session) -> Group:
    """Another group, with a listing the first group's provider must never reach."""
    return make_group(db, "Elswick Walkers", "walker@example.org", "Elswick Strollers",
                      "Elswick Park Pavilion")


@pytest.fixture
def trusted(db: Session) -> Group:
    return make_group(db, "Trusted Trust", "trusted@example.org", "Trusted Tea Dance",
                      "Trust Hall", trusted=True)
