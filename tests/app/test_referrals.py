"""Warm referrals: sending, answering, privacy (sealed fields, who may read), races and erasure."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory import mail, referrals
from directory.cli import cli
from directory.models import AuditEvent, Referral, ReferralMessage, ReferralStatus, Role, User

from .conftest import DEMO_PASSWORD
from .factories import make_org, make_service, make_user

NAME, PHONE, NOTE = "Zebedee Q", "0191 498 0123", "Uses a walking frame; very shy at first"
GOOD = {"person_name": NAME, "contact_method": "phone", "contact": PHONE, "note": NOTE,
        "first_session": "", "meet_at_door": "y", "consent": "y", "send": "y"}


@pytest.fixture
def cast(db: Session) -> dict[str, object]:
    org = make_org(db, "Benwell Breathers")
    other_org = make_org(db, "Elswick Knitters")
    service = make_service(db, "Breathe Easy Fenham", org=org, accepts_referrals=True,
                           referral_needs="Tell us if they need the side door")
    plain = make_service(db, "Knit and Natter", org=other_org)
    people = {
        "worker": make_user(db, "worker@example.org", Role.LINK_WORKER, password=DEMO_PASSWORD),
        "other_worker": make_user(db, "other@example.org", Role.LINK_WORKER,
                                  password=DEMO_PASSWORD),
        "provider": make_user(db, "group@example.org", Role.PROVIDER, password=DEMO_PASSWORD,
                              organizations=(org,)),
        "other_provider": make_user(db, "knit@example.org", Role.PROVIDER,
                                    password=DEMO_PASSWORD, organizations=(other_org,)),
        "admin": make_user(db, "boss@example.org", Role.ADMIN, password=DEMO_PASSWORD),
    }
    return {"service": service, "plain": plain, **people}


def _send(client: FlaskClient, login_as, cast, **changes: str):  # type: ignore[no-untyped-def]
    login_as(cast["worker"])
    return client.post(f"/referrals/new/{cast['service'].public_id}", data={**GOOD, **changes})


def _only(db: Session) -> Referral:
    db.expire_all()
    return db.scalars(sa.select(Referral)).one()


def _run(app: Flask, command: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(cli, [command], obj=ScriptInfo(create_app=lambda: app))


def _sign_out(client: FlaskClient) -> None:
    client.post("/auth/logout")
    client.delete_cookie("session")


def test_a_referral_is_sent_from_the_form_and_the_group_is_told_by_a_link_only(
        client, login_as, cast, db, app):
    response = _send(client, login_as, cast)
    assert response.status_code == 303
    referral = _only(db)
    assert referral.status is ReferralStatus.SENT
    assert (referral.person_name, referral.contact, referral.note) == (NAME, PHONE, NOTE)
    assert referral.meet_at_door and referral.consent_version == referrals.CONSENT_VERSION
    assert referral.consent_by_id == cast["worker"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NAME in page and "Waiting for the group" in page
    sent = mail.outbox(app.config["OUTBOX_DIR"])
    assert [m["To"] for m in sent] == ["group@example.org"]
    body = sent[0].get_content()
    assert f"/referrals/{referral.public_id}" in body
    assert NAME not in body and PHONE not in body and "walking frame" not in body


def test_the_form_shows_the_consent_statement_verbatim_and_the_groups_needs(
        client, login_as, cast):
    login_as(cast["worker"])
    page = client.get(f"/referrals/new/{cast['service'].public_id}").get_data(as_text=True)
    assert referrals.CONSENT_STATEMENT in page
    assert "Tell us if they need the side door" in page


def test_every_bad_field_is_named_at_once_and_nothing_is_saved(client, login_as, cast, db):
    response = _send(client, login_as, cast, person_name="", contact_method="text",
                     contact="not a number", note="<b>hi</b>", first_session="2026-02-30",
                     consent="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for phrase in ("Enter their first name or initials", "Enter a UK mobile number",
                   "remove the HTML tags", "Enter the date as a real date",
                   "Confirm you read the statement"):
        assert phrase in page
    assert db.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


@pytest.mark.parametrize(("changes", "phrase"), [
    ({"contact_method": "email", "contact": "nope"}, "Enter an email address like"),
    ({"contact_method": "link_worker", "contact": "0191 498 0123"}, "Leave this empty"),
    ({"contact_method": "carrier pigeon"}, "Choose how they would like to be contacted"),
    ({"person_name": "Ann\r\nBcc: x@y.z"}, "Keep this to one line"),
    ({"first_session": "2020-01-01"}, "cannot be in the past"),
    ({"note": "x" * 1001}, "1000 characters or fewer"),
])
def test_odd_input_is_refused_with_a_message_not_a_500(client, login_as, cast, changes, phrase):
    response = _send(client, login_as, cast, **changes)
    assert response.status_code == 400
    assert phrase in response.get_data(as_text=True)


def test_through_the_link_worker_only_sends_no_contact(client, login_as, cast, db):
    assert _send(client, login_as, cast, contact_method="link_worker",
                 contact="").status_code == 303
    assert _only(db).contact is None


def test_a_double_submit_makes_one_referral(client, login_as, cast, db):
    first = _send(client, login_as, cast, form_key="k" * 32)
    second = client.post(f"/referrals/new/{cast['service'].public_id}",
                         data={**GOOD, "form_key": "k" * 32})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1


def test_a_listing_that_does_not_take_referrals_cannot_be_referred_to(client, login_as, cast):
    login_as(cast["worker"])
    assert client.get(f"/referrals/new/{cast['plain'].public_id}").status_code == 404
    assert client.post(f"/referrals/new/{cast['plain'].public_id}", data=GOOD).status_code == 404
    assert client.get("/referrals/new/no-such-service").status_code == 404


def test_the_database_holds_no_personal_field_in_plain_text(client, login_as, cast, app):
    _send(client, login_as, cast)
    referral_id = app.extensions["db"].sessions().scalars(sa.select(Referral.public_id)).one()
    login_as(cast["provider"])
    client.post(f"/referrals/{referral_id}/messages", data={"body": "See you Tuesday, Zebedee"})
    client.post(f"/referrals/{referral_id}/answer",
                data={"action": "decline", "reason": "Zebedee needs a ground floor room"})
    engine = app.extensions["db"].engine
    with engine.connect() as conn:
        dump = " ".join(str(v) for table in ("referrals", "referral_messages", "audit_events")
                        for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
                        for v in row)
    assert "gAAAAA" in dump  # Fernet tokens are there ...
    # Long enough that no random token or id could hold one by chance.
    for secret in ("Zebedee", PHONE, "walking frame", "ground floor", "Tuesday"):
        assert secret not in dump  # ... and no plaintext


def test_the_key_comes_from_config_and_a_rotated_key_still_opens_old_rows(
        make_app, tmp_path):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = make_app(REFERRAL_KEYS=old_key)
    with app.app_context():
        db = app.extensions["db"].sessions()
        org = make_org(db)
        service = make_service(db, org=org, accepts_referrals=True)
        worker = make_user(db, "w@example.org", Role.LINK_WORKER)
        referrals.send(db, worker, service, referrals.load_form(GOOD))
        db.commit()
        db.close()
    rotated = make_app(REFERRAL_KEYS=f"{new_key},{old_key}")
    result = _run(rotated, "rotate-referral-keys")
    assert result.exit_code == 0, result.output
    only_new = make_app(REFERRAL_KEYS=new_key)
    with only_new.app_context():
        db = only_new.extensions["db"].sessions()
        assert db.scalars(sa.select(Referral)).one().person_name == NAME
        db.close()


@pytest.mark.parametrize("who", ["other_worker", "other_provider"])
def test_another_link_worker_or_group_cannot_see_or_touch_it(client, login_as, cast, db, who):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    _sign_out(client)
    login_as(cast[who])
    assert client.get(f"/referrals/{public_id}").status_code == 404
    for action in ("accept", "withdraw", "attended"):
        assert client.post(f"/referrals/{public_id}/answer",
                           data={"action": action}).status_code == 404
    assert client.post(f"/referrals/{public_id}/messages", data={"body": "hi"}).status_code == 404
    listed = client.get("/referrals/" if who == "other_worker" else "/provider/referrals/")
    assert "Breathe Easy Fenham" not in listed.get_data(as_text=True)
    assert _only(db).status is ReferralStatus.SENT and not _only(db).messages


def test_the_journey_accept_then_attended_each_step_audited(client, login_as, cast, db):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    _sign_out(client)
    login_as(cast["provider"])
    assert "Breathe Easy Fenham" in client.get("/provider/referrals/").get_data(as_text=True)
    assert NAME in client.get(f"/referrals/{public_id}").get_data(as_text=True)
    # The group cannot take the Link Worker's actions.
    assert client.post(f"/referrals/{public_id}/answer",
                       data={"action": "withdraw"}).status_code == 403
    assert client.post(f"/referrals/{public_id}/answer",
                       data={"action": "accept"}).status_code == 303
    assert client.post(f"/referrals/{public_id}/answer",
                       data={"action": "attended"}).status_code == 303
    referral = _only(db)
    assert referral.status is ReferralStatus.ATTENDED
    assert referral.accepted_at and referral.attended_at and referral.closed_at
    actions = [e.action for e in db.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity == "referral", AuditEvent.entity_id == referral.id)
        .order_by(AuditEvent.id))]
    assert actions[0] == "send" and "read" in actions
    assert [a for a in actions if a not in ("read",)] == ["send", "accept", "attended"]
    _sign_out(client)
    login_as(cast["worker"])
    page = client.get("/referrals/").get_data(as_text=True)
    assert "Attended the first session" in page


def test_attended_or_not_comes_after_accepting(client, login_as, cast, db):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    _sign_out(client)
    login_as(cast["provider"])
    page = client.get(f"/referrals/{public_id}").get_data(as_text=True)
    assert 'value="accept"' in page and 'value="attended"' not in page
    response = client.post(f"/referrals/{public_id}/answer", data={"action": "attended"})
    assert response.status_code == 409
    assert _only(db).status is ReferralStatus.SENT


def test_a_decline_needs_a_reason(client, login_as, cast, db):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    _sign_out(client)
    login_as(cast["provider"])
    response = client.post(f"/referrals/{public_id}/answer", data={"action": "decline"})
    assert response.status_code == 400
    assert "Say why" in response.get_data(as_text=True)
    assert _only(db).status is ReferralStatus.SENT


def test_accepting_twice_gives_a_conflict_not_a_second_change(client, login_as, cast, db):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    _sign_out(client)
    login_as(cast["provider"])
    assert client.post(f"/referrals/{public_id}/answer",
                       data={"action": "accept"}).status_code == 303
    again = client.post(f"/referrals/{public_id}/answer", data={"action": "decline",
                                                                "reason": "full"})
    assert again.status_code == 409
    assert "already accepted" in again.get_data(as_text=True)
    assert _only(db).status is ReferralStatus.ACCEPTED


def test_two_answers_at_the_same_moment_one_wins(app: Flask, cast, db):
    with app.app_context():
        referral = referrals.send(db, cast["worker"], cast["service"], referrals.load_form(GOOD))
        db.commit()
        referral_id = referral.id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def answer(action: str) -> None:
        with app.app_context():
            session = app.extensions["db"].sessions()
            mine = session.get(Referral, referral_id)
            barrier.wait()
            try:
                referrals.take(session, mine, action, reason="full up")
                session.commit()
                outcomes.append(action)
            except referrals.Conflict:
                session.rollback()
                outcomes.append("conflict")
            finally:
                session.close()

    threads = [threading.Thread(target=answer, args=(a,)) for a in ("accept", "decline")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("conflict") == 1
    winner = next(o for o in outcomes if o != "conflict")
    assert _only(db).status is {"accept": ReferralStatus.ACCEPTED,
                                "decline": ReferralStatus.DECLINED}[winner]


def test_withdrawing_erases_the_personal_fields_at_once(client, login_as, cast, db, app):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    client.post(f"/referrals/{public_id}/messages", data={"body": "She may bring her sister"})
    assert client.post(f"/referrals/{public_id}/answer",
                       data={"action": "withdraw"}).status_code == 303
    referral = _only(db)
    assert referral.status is ReferralStatus.WITHDRAWN and referral.erased_at is not None
    assert (referral.person_name, referral.contact, referral.note) == (None, None, None)
    assert db.scalar(sa.select(sa.func.count()).select_from(ReferralMessage)) == 0
    page = client.get(f"/referrals/{public_id}").get_data(as_text=True)
    assert NAME not in page and "were deleted" in page
    assert client.post(f"/referrals/{public_id}/messages",
                       data={"body": "hello?"}).status_code == 409


def test_messages_go_both_ways_and_name_the_field_when_empty(client, login_as, cast, db):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    assert client.post(f"/referrals/{public_id}/messages", data={"body": "  "}).status_code == 400
    client.post(f"/referrals/{public_id}/messages", data={"body": "Her bus is the 38"})
    _sign_out(client)
    login_as(cast["provider"])
    client.post(f"/referrals/{public_id}/messages", data={"body": "We will look out for her"})
    page = client.get(f"/referrals/{public_id}").get_data(as_text=True)
    assert "Her bus is the 38" in page and "We will look out for her" in page
    assert [m.from_group for m in _only(db).messages] == [False, True]


def test_unknown_ids_and_actions_are_404_or_400_never_500(client, login_as, cast, db):
    login_as(cast["worker"])
    assert client.get("/referrals/nope").status_code == 404
    assert client.post("/referrals/nope/answer", data={"action": "accept"}).status_code == 404
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    assert client.post(f"/referrals/{public_id}/answer",
                       data={"action": "explode"}).status_code == 400


def _referral_at(app: Flask, db: Session, cast, sent: datetime) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        referral = referrals.send(db, cast["worker"], cast["service"], referrals.load_form(GOOD),
                                  at=sent)
        db.commit()
        return referral.id


def test_working_days_skip_weekends():
    friday = datetime(2026, 12, 4).date()
    assert referrals.working_days(friday, friday + timedelta(days=3)) == 1  # to Monday
    assert referrals.working_days(friday, friday + timedelta(days=7)) == 5


def test_reminders_after_5_working_days_and_escalation_after_10(app, cast, db):
    monday = datetime(2026, 11, 2, 9, tzinfo=UTC)
    _referral_at(app, db, cast, monday)
    app.config["TODAY"] = "2026-11-06"  # Friday: 4 working days
    assert "Sent 0 reminders" in _run(app, "remind-referrals").output
    app.config["TODAY"] = "2026-11-09"  # the next Monday: 5
    assert "Sent 1 reminders to Link Workers and 0" in _run(app, "remind-referrals").output
    # once only
    assert "Sent 0 reminders to Link Workers and 0" in _run(app, "remind-referrals").output
    app.config["TODAY"] = "2026-11-16"  # 10 working days
    assert "and 1 to admins" in _run(app, "remind-referrals").output
    sent = mail.outbox(app.config["OUTBOX_DIR"])
    assert [m["To"] for m in sent][-2:] == ["worker@example.org", "boss@example.org"]
    assert all(NAME not in m.get_content() for m in sent)


def test_an_answered_referral_gets_no_reminder(app, cast, db):
    _referral_at(app, db, cast, datetime(2026, 11, 2, 9, tzinfo=UTC))
    with app.app_context():
        referrals.take(db, db.scalars(sa.select(Referral)).one(), "accept")
        db.commit()
    app.config["TODAY"] = "2026-11-30"
    assert "Sent 0 reminders to Link Workers and 0" in _run(app, "remind-referrals").output


def test_erasure_after_the_retention_period_leaves_the_anonymous_counts(app, cast, db):
    with app.app_context():
        first = referrals.send(db, cast["worker"], cast["service"], referrals.load_form(GOOD))
        second = referrals.send(db, cast["worker"], cast["service"], referrals.load_form(GOOD))
        referrals.take(db, first, "accept", at=datetime(2026, 8, 31, tzinfo=UTC))
        referrals.take(db, first, "attended", at=datetime(2026, 9, 1, tzinfo=UTC))
        referrals.take(db, second, "accept")
        db.commit()
    app.config["TODAY"] = "2026-11-29"  # 89 days after it closed
    assert "Erased the personal details of 0" in _run(app, "erase-referrals").output
    app.config["TODAY"] = "2026-12-01"
    assert "Erased the personal details of 1" in _run(app, "erase-referrals").output
    db.expire_all()
    rows = {r.status: r for r in db.scalars(sa.select(Referral))}
    assert rows[ReferralStatus.ATTENDED].person_name is None
    assert rows[ReferralStatus.ATTENDED].erased_at is not None
    assert rows[ReferralStatus.ACCEPTED].person_name == NAME  # still open: kept
    with app.app_context():
        counts = referrals.counts(db)
    assert counts["attended"] == 1 and counts["accepted"] == 1


def test_the_retention_period_is_configurable(make_app, cast):  # type: ignore[no-untyped-def]
    app = make_app(REFERRAL_RETENTION_DAYS=7, TODAY="2026-12-10")
    with app.app_context():
        db = app.extensions["db"].sessions()
        worker = db.get(User, cast["worker"].id)
        service = db.merge(cast["service"])
        referral = referrals.send(db, worker, service, referrals.load_form(GOOD))
        referrals.take(db, referral, "close", at=datetime(2026, 12, 2, tzinfo=UTC))
        db.commit()
        db.close()
    assert "of 1 referrals closed more than 7 days" in _run(app, "erase-referrals").output


def test_the_hsds_api_publishes_no_referral_data(client, login_as, cast, db):
    _send(client, login_as, cast)
    public_id = _only(db).public_id
    _sign_out(client)
    for path in ("/api/v1/services", f"/api/v1/services/{cast['service'].public_id}",
                 "/api/v1/openapi.json"):
        body = client.get(path).get_data(as_text=True)
        for word in ("accepts_referrals", "referral_needs", NAME, public_id,
                     "Tell us if they need"):
            assert word.lower() not in body.lower(), (path, word)


def test_sending_is_rate_limited_but_opening_the_form_is_not(make_app, cast):  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, REFERRAL_RATE_LIMIT="2 per hour")
    client = app.test_client()
    client.post("/auth/login", data={"email": "worker@example.org", "password": DEMO_PASSWORD})
    path = f"/referrals/new/{cast['service'].public_id}"
    for _ in range(3):  # from the workspace's shortlist: not a send
        assert client.post(path, data={"shortlist": cast["service"].public_id}).status_code == 200
    assert [client.post(path, data=GOOD).status_code for _ in range(3)] == [303, 303, 429]


def test_a_dry_run_of_the_reminders_sends_nothing(app, cast, db):
    _referral_at(app, db, cast, datetime(2026, 11, 2, 9, tzinfo=UTC))
    app.config["TODAY"] = "2026-11-30"
    result = app.test_cli_runner().invoke(cli, ["remind-referrals", "--dry-run"],
                                          obj=ScriptInfo(create_app=lambda: app))
    assert "Would send 1 reminders to Link Workers and 1 to admins" in result.output
    assert mail.outbox(app.config["OUTBOX_DIR"]) == []
    db.expire_all()
    assert db.scalars(sa.select(Referral)).one().reminded_at is None


def test_a_wrong_key_is_a_clear_error_not_garbage(make_app):  # type: ignore[no-untyped-def]
    from directory import sealed

    with pytest.raises(sealed.BadKeys, match="not a Fernet key"):
        make_app(REFERRAL_KEYS="not-a-key")
    app = make_app(REFERRAL_KEYS=Fernet.generate_key().decode())
    with app.app_context():
        db = app.extensions["db"].sessions()
        service = make_service(db, org=make_org(db), accepts_referrals=True)
        worker = make_user(db, "w@example.org", Role.LINK_WORKER)
        referrals.send(db, worker, service, referrals.load_form(GOOD))
        db.commit()
        db.close()
    stranger = make_app(REFERRAL_KEYS=Fernet.generate_key().decode())
    with stranger.app_context():
        db = stranger.extensions["db"].sessions()
        with pytest.raises(sealed.BadKeys, match="cannot be opened"):
            db.scalars(sa.select(Referral)).one()
        db.close()
