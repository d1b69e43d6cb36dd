"""A service's own page: every section, its JSON twin, its calendar file, and the warning
when nobody has checked the listing for six months."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from directory.models import ServiceStatus
from directory.web import ical, present

from ..factories import make_service

BREATHERS = "0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"  # Benwell Breathers Thursday Group (demo)


def test_the_service_page_answers_what_who_when_where_cost_and_how(demo):
    response = demo.get(f"/services/{BREATHERS}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count("<h1") == 1 and "Benwell Breathers Thursday Group</h1>" in body
    for heading in ("What happens there", "Who it is for", "When", "Where", "Cost",
                    "How to join", "Contact"):
        assert f">{heading}</h2>" in body, heading
    assert "If you get breathless doing the stairs" in body
    assert "Your first visit" in body and "Just turn up" in body
    assert "Thursdays, 1:30pm to 3:30pm" in body
    assert len(re.findall(r"<li>Thursday \d+ \w+", body)) == 3  # the next three dates
    assert "Benwell Grange Community Centre" in body and "NE4 8DN" in body
    assert "Wheelchair accessible" in body and "Level entrance" in body
    assert "£1 a week" in body
    assert "Drop in: you do not need to book" in body and "You can refer yourself" in body
    assert 'href="tel:01914980352"' in body
    assert "Last checked:" in body
    assert f'href="/services/{BREATHERS}.ics"' in body


def test_the_service_json_twin_carries_the_same_facts(demo):
    data = demo.get(f"/services/{BREATHERS}?format=json").get_json()
    assert data["id"] == BREATHERS
    assert data["name"] == "Benwell Breathers Thursday Group"
    assert data["sessions"] == [{"day": "thu", "starts": "13:30", "ends": "15:30",
                                 "text": "Thursdays, 1:30pm to 3:30pm",
                                 "venue": "Benwell Grange Community Centre"}]
    assert len(data["next_dates"]) == 3
    assert data["venues"][0]["postcode"] == "NE4 8DN"
    assert "COPD" in data["who"]["conditions"]
    assert data["contact"]["phone"] == "0191 498 0352"
    assert "drop-in" in data["access"] and data["stale"] is False


def test_paused_and_closed_services_never_appear(demo, facts):
    hidden = {i: f for i, f in facts.items() if f.status in ("paused", "closed")}
    assert hidden
    for service_id, f in hidden.items():
        assert demo.get(f"/services/{service_id}").status_code == 404, f.name
        assert demo.get(f"/services/{service_id}.ics").status_code == 404, f.name
        found = demo.get(f"/search?format=json&q={f.name}").get_json()
        assert service_id not in {r["id"] for r in found["results"]}, f.name
        for category in f.categories:
            first = demo.get(f"/categories/{category}?format=json").get_json()
            seen = set()
            for n in range(1, first["pages"] + 1):
                listed = demo.get(f"/categories/{category}?format=json&page={n}").get_json()
                seen |= {r["id"] for r in listed["results"]}
            assert service_id not in seen, f.name
    assert demo.get("/search?format=json").get_json()["total"] == sum(
        1 for f in facts.values() if f.status == "active")


@pytest.mark.parametrize("path", ["/services/00000000-0000-0000-0000-000000000000",
                                  "/services/not-a-service", "/services/" + "x" * 500,
                                  "/services/nope.ics", "/services/%22%3Cscript%3E"])
def test_unknown_services_are_404(demo, path):
    response = demo.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_draft_and_pending_services_are_404_too(client, db):
    for status in (ServiceStatus.DRAFT, ServiceStatus.PENDING, ServiceStatus.PAUSED):
        service = make_service(db, f"{status.value} group", status=status)
        assert client.get(f"/services/{service.public_id}").status_code == 404


def _verified(db, days_ago: int):
    service = make_service(db, "Fenham Walkers")
    service.last_verified = present.local_now().date() - timedelta(days=days_ago)
    db.commit()
    return service


def test_a_listing_not_checked_for_over_six_months_warns_it_may_be_out_of_date(client, db):
    service = _verified(db, days_ago=7 * 31)
    body = client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert "This information may be out of date" in body
    assert client.get(f"/services/{service.public_id}?format=json").get_json()["stale"] is True


def test_a_recently_checked_listing_has_no_warning(client, db):
    service = _verified(db, days_ago=30)
    body = client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert "This information may be out of date" not in body
    assert "Last checked:" in body


def test_six_months_is_counted_in_calendar_months():
    assert not present.is_stale(date(2026, 5, 25), date(2026, 11, 25))
    assert present.is_stale(date(2026, 5, 24), date(2026, 11, 25))
    assert not present.is_stale(date(2026, 8, 31), date(2027, 2, 28))
    assert present.is_stale(None, date(2026, 11, 25))


def test_the_calendar_download_is_a_weekly_icalendar_event_per_session(client, db):
    service = make_service(db, "Tuesday; Thursday, walks",
                           sessions=(("tue", "10:00", "11:30"), ("thu", "18:00", "19:00")),
                           description="A long description, " * 20)
    response = client.get(f"/services/{service.public_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # every line ends CRLF
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = unfold(body)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU" in lines and "RRULE:FREQ=WEEKLY;BYDAY=TH" in lines
    assert "SUMMARY:Tuesday\\; Thursday\\, walks" in lines
    starts = [line for line in lines if line.startswith("DTSTART;TZID=Europe/London:")]
    assert len(starts) == 2 and "TZID:Europe/London" in lines  # the zone is defined
    weekdays = sorted(date.fromisoformat(f"{s[-15:-11]}-{s[-11:-9]}-{s[-9:-7]}").weekday() for s in starts)
    assert weekdays == [1, 3]
    assert all(line.startswith("DTSTAMP:") and line.endswith("Z")
               for line in lines if line.startswith("DTSTAMP"))
    assert len({line for line in lines if line.startswith("UID:")}) == 2


def test_a_service_without_sessions_has_no_calendar(client, db):
    service = make_service(db, "Phone line", sessions=())
    assert client.get(f"/services/{service.public_id}.ics").status_code == 404
    assert ".ics" not in client.get(f"/services/{service.public_id}").get_data(as_text=True)


def test_calendar_lines_fold_without_splitting_characters():
    folded = ical.fold("DESCRIPTION:" + "é" * 100)
    pieces = folded.split("\r\n ")
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert "".join(pieces) == "DESCRIPTION:" + "é" * 100


def test_a_website_that_is_not_a_web_address_is_not_linked(client, db):
    service = make_service(db, "Tricky", website="javascript:alert(1)")
    body = client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert "javascript:" not in body
    assert present.safe_website("example.org/walks") == "https://example.org/walks"


def test_the_page_has_a_print_style(demo):
    with demo.get("/static/site.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")[:-1]
