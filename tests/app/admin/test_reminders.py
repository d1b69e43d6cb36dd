"""`directory remind-stale`: one message per provider about their listings due for a check,
each with a signed link that confirms the listing without signing in."""

from __future__ import annotations

from datetime import date

import pytest
from flask.cli import ScriptInfo

from directory.cli import cli
from directory.models import AuditEvent, Service, ServiceStatus

from ..factories import make_org, make_service
from .conftest import body, links, make_provider, path_of


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def catalogue(app, db):
    """Two providers of one group, one of another; a mix of fresh, stale and inactive listings."""
    app.config.update(TODAY="2027-06-10", BASE_URL="https://directory.example.org")
    ours, theirs = make_org(db, "Benwell Breathers"), make_org(db, "Elswick Walkers")
    make_provider(db, ours, "a@example.org")
    make_provider(db, ours, "b@example.org")
    make_provider(db, theirs, "c@example.org")
    make_provider(db, make_org(db, "All fresh"), "d@example.org")
    return {
        "stale": make_service(db, "Breathe Easy Fenham", org=ours, last_verified=date(2026, 11, 1)),
        "never": make_service(db, "Chair Yoga", org=ours, last_verified=None),
        "fresh": make_service(db, "Singing for Lungs", org=ours, last_verified=date(2027, 5, 1)),
        "paused": make_service(db, "Paused Group", org=ours, status=ServiceStatus.PAUSED,
                               last_verified=date(2025, 1, 1)),
        "theirs": make_service(db, "Elswick Strollers", org=theirs, last_verified=date(2026, 1, 1)),
    }


def confirm_link(message, service) -> str:
    lines = body(message).splitlines()
    at = next(i for i, line in enumerate(lines) if service.name in line)
    return path_of(next(u for u in links_in(lines[at:at + 4])))


def links_in(lines):
    return [word for line in lines for word in line.split() if word.startswith("https://")]


def test_each_provider_gets_one_message_about_only_their_stale_listings(run, catalogue, outbox):
    result = run("remind-stale")
    assert result.exit_code == 0, result.output
    assert "Sent 3 reminder messages." in result.output
    messages = {m["To"]: m for m in outbox()}
    assert sorted(messages) == ["a@example.org", "b@example.org", "c@example.org"]
    text = body(messages["a@example.org"])
    assert "Breathe Easy Fenham" in text and "Chair Yoga" in text
    assert "Singing for Lungs" not in text and "Paused Group" not in text and "Elswick" not in text
    assert len([u for u in links(messages["a@example.org"]) if "/confirm/" in u]) == 2
    assert all(u.startswith("https://directory.example.org/") for u in links(messages["a@example.org"]))
    assert "Elswick Strollers" in body(messages["c@example.org"])
    assert "Breathe Easy" not in body(messages["c@example.org"])


def test_a_dry_run_sends_nothing(run, catalogue, outbox, db):
    result = run("remind-stale", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "a@example.org" in result.output and "Chair Yoga" in result.output
    assert "3 messages would be sent" in result.output
    assert outbox() == []
    assert db.query(AuditEvent).filter(AuditEvent.action == "remind").count() == 0


def test_sending_is_recorded_in_each_listing_history_as_the_command_line(run, catalogue, db):
    run("remind-stale")
    events = db.query(AuditEvent).filter(AuditEvent.action == "remind",
                                         AuditEvent.entity_id == catalogue["stale"].id).all()
    assert sorted(e.note for e in events) == ["reminder to check sent to a@example.org",
                                              "reminder to check sent to b@example.org"]
    assert {e.actor for e in events} == {"command line"}


def test_the_link_shows_the_listing_and_only_the_button_confirms_it(run, catalogue, client, db, outbox):
    run("remind-stale")
    message = next(m for m in outbox() if m["To"] == "a@example.org")
    link = confirm_link(message, catalogue["stale"])
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Breathe Easy Fenham" in text and "Tuesdays, 10am to 11:30am" in text and "Fenham Hall" in text
    assert "Yes, this listing is still correct" in text
    db.expire_all()
    assert db.get(Service, catalogue["stale"].id).last_verified == date(2026, 11, 1)  # GET changes nothing

    done = client.post(link)
    assert done.status_code == 200 and "is confirmed" in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(Service, catalogue["stale"].id).last_verified == date(2027, 6, 10)
    assert db.get(Service, catalogue["never"].id).last_verified is None  # each link is its own
    event = db.query(AuditEvent).filter(AuditEvent.action == "confirm").one()
    assert event.actor == "signed link sent to a@example.org"
    assert event.changes == {"last_verified": ["2026-11-01", "2027-06-10"]}


def test_a_link_expires_after_14_days(app, run, catalogue, client, db, outbox):
    run("remind-stale")
    link = confirm_link(next(m for m in outbox() if m["To"] == "a@example.org"), catalogue["stale"])
    app.config["TODAY"] = "2027-06-24"
    assert client.post(link).status_code == 200  # day 14 still works
    app.config["TODAY"] = "2027-06-25"
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert "This link has expired" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(run, catalogue, client, db, outbox):
    run("remind-stale")
    link = confirm_link(next(m for m in outbox() if m["To"] == "a@example.org"), catalogue["stale"])
    token = link.rsplit("/", 1)[1]
    forged = link[: -len(token)] + token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for response in (client.get(forged), client.post(forged), client.get("/confirm/nonsense")):
        assert response.status_code == 400
        assert "This link is not valid" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Service, catalogue["stale"].id).last_verified == date(2026, 11, 1)


def test_a_link_to_a_listing_closed_since_is_refused(run, catalogue, client, db, outbox):
    run("remind-stale")
    link = confirm_link(next(m for m in outbox() if m["To"] == "a@example.org"), catalogue["stale"])
    service = db.get(Service, catalogue["stale"].id)
    service.status = ServiceStatus.CLOSED
    db.commit()
    response = client.post(link)
    assert response.status_code == 400 and "no longer published" in response.get_data(as_text=True)


def test_nothing_due_sends_nothing(app, run, db, outbox):
    app.config["TODAY"] = "2026-12-01"
    org = make_org(db)
    make_provider(db, org)
    make_service(db, org=org)  # checked on 1 November 2026
    result = run("remind-stale")
    assert result.exit_code == 0 and "Sent 0 reminder messages." in result.output
    assert outbox() == []
