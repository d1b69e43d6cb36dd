"""'Report a problem with this listing': validated, stored, sent to the group and the admin
queue, and limited per address."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.models import AuditEvent, Report, ReportState, ServiceStatus

from ..factories import make_org, make_service
from .conftest import body, make_provider


def test_the_service_page_links_to_the_report_form(client, db):
    service = make_service(db)
    page = client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert "Report a problem with this listing" in page
    assert f"/services/{service.public_id}/report" in page
    form = client.get(f"/services/{service.public_id}/report").get_data(as_text=True)
    assert 'name="problem"' in form and "Breathe Easy Fenham" in form


@pytest.mark.parametrize("status", [ServiceStatus.PAUSED, ServiceStatus.DRAFT, ServiceStatus.CLOSED])
def test_only_published_listings_can_be_reported(client, db, status):
    service = make_service(db, status=status)
    assert client.get(f"/services/{service.public_id}/report").status_code == 404
    assert client.post(f"/services/{service.public_id}/report", data={"problem": "x"}).status_code == 404


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"problem": "  "}, "problem", "Enter what is wrong with the listing"),
    ({"problem": "x" * 2001}, "problem", "Use 2000 characters or fewer"),
    ({"problem": "Wrong day", "email": "not an email"}, "email", "Enter an email address like name@example.org"),
])
def test_a_bad_report_names_the_field_and_stores_nothing(client, db, data, field, message):
    service = make_service(db)
    response = client.post(f"/services/{service.public_id}/report", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    assert db.scalar(select(Report)) is None


def test_a_report_is_stored_sent_to_the_group_and_shown_to_admins(client, db, admin, login_as, outbox):
    org = make_org(db)
    service = make_service(db, org=org)
    make_provider(db, org, "one@example.org")
    make_provider(db, org, "two@example.org")
    make_provider(db, make_org(db, "Someone else"), "other@example.org")
    response = client.post(f"/services/{service.public_id}/report",
                           data={"problem": "It moved to Tuesdays.", "email": "Me@Example.org"})
    assert response.status_code == 200 and "Thank you for telling us" in response.get_data(as_text=True)
    report = db.scalar(select(Report))
    assert (report.service_id, report.problem, report.email, report.state) == (
        service.id, "It moved to Tuesdays.", "me@example.org", ReportState.OPEN)
    (message,) = outbox()
    assert sorted(message["To"].split(", ")) == ["one@example.org", "two@example.org"]
    assert "It moved to Tuesdays." in body(message)
    assert "me@example.org" not in body(message)  # the reporter's address stays with the admins
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "report")).entity_id == service.id

    login_as(admin)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "It moved to Tuesdays." in dashboard and "me@example.org" in dashboard
    client.post(f"/admin/reports/{report.id}/resolve")
    db.expire_all()
    assert db.get(Report, report.id).state is ReportState.RESOLVED
    assert "It moved to Tuesdays." not in client.get("/admin/").get_data(as_text=True)


def test_a_report_without_an_email_address_is_fine(client, db):
    service = make_service(db)
    assert client.post(f"/services/{service.public_id}/report", data={"problem": "Closed down"}).status_code == 200
    assert db.scalar(select(Report)).email is None


def test_the_sixth_report_from_one_address_within_the_hour_is_refused(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.extensions["db"].sessions() as db:
        public_id = make_service(db).public_id
    client = app.test_client()
    codes = [client.post(f"/services/{public_id}/report", data={"problem": f"Problem {n}"}).status_code
             for n in range(6)]
    assert codes == [200, 200, 200, 200, 200, 429]
    assert client.get(f"/services/{public_id}/report").status_code == 200  # reading is not limited
    other = client.post(f"/services/{public_id}/report", data={"problem": "From elsewhere"},
                        environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
