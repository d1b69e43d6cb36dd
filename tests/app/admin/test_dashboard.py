"""The admin dashboard: counts by status and category, queues, stale listings and users."""

from __future__ import annotations

import re
from datetime import date

from directory.models import Role, ServiceStatus

from ..factories import make_org, make_service, make_user
from .conftest import make_provider, submit_edit


def value(page: str, id_: str) -> str:
    found = re.search(rf'id="{id_}">\s*([^<]*?)\s*<', page)
    assert found, id_
    return found[1]


def test_the_dashboard_counts_listings_and_flags_the_stale_ones(app, client, db, admin, login_as):
    app.config["TODAY"] = "2026-12-01"
    org = make_org(db)
    make_service(db, "Fresh", org=org, last_verified=date(2026, 11, 1))
    make_service(db, "Seven months", org=org, last_verified=date(2026, 5, 1),
                 categories=("physical-activity",), activities=("walking-group",))
    make_service(db, "Thirteen months", org=org, last_verified=date(2025, 11, 1))
    make_service(db, "Paused and old", org=org, status=ServiceStatus.PAUSED, last_verified=date(2020, 1, 1))
    make_service(db, "Closed", org=org, status=ServiceStatus.CLOSED)
    make_user(db, "worker@example.org", Role.LINK_WORKER)
    make_provider(db, org)
    login_as(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert value(page, "status-active") == "3"
    assert value(page, "status-paused") == "1"
    assert value(page, "status-closed") == "1"
    assert value(page, "status-pending") == "0"
    assert value(page, "status-all") == "5"
    assert value(page, "category-ltc-management") == "2"
    assert value(page, "category-physical-activity") == "1"
    assert value(page, "stale-count") == "2"
    assert value(page, "expired-count") == "1"
    expired = page.split('id="expired-list"', 1)[1].split("</ul>", 1)[0]
    assert "Thirteen months" in expired and "Seven months" not in expired and "Paused" not in expired
    assert value(page, "users-admin") == "1"
    assert value(page, "users-link_worker") == "1"
    assert value(page, "users-provider") == "1"


def test_the_dashboard_shows_the_queues(client, db, admin, login_as):
    org = make_org(db, "Benwell Breathers")
    service = make_service(db, org=org)
    change = submit_edit(db, service, make_provider(db, org), name="Renamed")
    client.post("/join", data={"organization_name": "Knit Club", "contact_name": "Sam",
                               "contact_email": "sam@example.org", "description": "Knitting."})
    client.post(f"/services/{service.public_id}/report", data={"problem": "Phone number is wrong"})
    login_as(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Changes waiting for approval (1)" in page and f"/admin/changes/{change.id}" in page
    assert "Groups asking to join (1)" in page and "Knit Club" in page
    assert "Problems reported by the public (1)" in page and "Phone number is wrong" in page


def test_the_users_page_lists_every_account_with_its_organisations(client, db, admin, login_as):
    make_provider(db, make_org(db, "Benwell Breathers"))
    make_user(db, "worker@example.org", Role.LINK_WORKER)
    login_as(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    for text in ("admin@example.org", "worker@example.org", "provider@example.org",
                 "Benwell Breathers", "Link Worker"):
        assert text in page


def test_the_admin_link_in_the_header_goes_to_the_dashboard(client, admin, login_as):
    login_as(admin)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in page
