"""No 500 after a commit (issue #15): one-line fields refuse line breaks and control characters
with a message on the field, everywhere; NUL is refused in any field; and a mail failure of
any kind after a decision is saved is logged and shown as a notice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory import mail, plaintext
from directory.models import ChangeState, JoinRequest, JoinState, ListingChange, Report

from ..admin.test_joining import JOIN
from ..provider.helpers import fill, read_form

INJECTED = "Benwell Breathers\r\nBcc: everyone@example.org"


@pytest.mark.parametrize("field", ["name", "phone", "email", "website", "cost"])
def test_a_listings_one_line_fields_refuse_line_breaks_naming_the_field(client, db, login_as,
                                                                       group, field):
    login_as(group.user)
    url = f"/provider/services/{group.service.public_id}/edit"
    form = read_form(client.get(url).get_data(as_text=True))
    response = client.post(url, data=fill(form, **{field: "0191 123\n4567"}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert plaintext.SINGLE_LINE_MESSAGE in page and f'href="#{field}"' in page
    assert db.scalar(select(ListingChange)) is None


def test_a_listings_description_keeps_line_breaks_but_not_other_control_characters(
        client, db, login_as, group):
    login_as(group.user)
    url = f"/provider/services/{group.service.public_id}/edit"
    form = read_form(client.get(url).get_data(as_text=True))
    bad = client.post(url, data=fill(form, description="Line one\x1b[31m red"))
    assert bad.status_code == 400 and plaintext.MULTI_LINE_MESSAGE in bad.get_data(as_text=True)
    good = client.post(url, data=fill(form, description="Line one.\r\nLine two."))
    assert good.status_code == 303


@pytest.mark.parametrize("field", ["organization_name", "contact_name", "contact_email",
                                   "phone", "website"])
def test_a_join_requests_one_line_fields_refuse_line_breaks(client, db, field):
    response = client.post("/join", data={**JOIN, field: "Elswick\r\nBcc: x@example.org"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in page
    assert db.scalar(select(JoinRequest)) is None


def test_a_reports_email_refuses_line_breaks(client, db, group):
    response = client.post(f"/services/{group.service.public_id}/report",
                           data={"problem": "The times are wrong.\nIt meets at 11.",
                                 "email": "me@example.org\r\nBcc: x@example.org"})
    assert response.status_code == 400 and 'href="#email"' in response.get_data(as_text=True)
    assert db.scalar(select(Report)) is None


@pytest.mark.parametrize("path, data", [
    ("/join", {**JOIN, "contact_name": "Pat\x00"}),
    ("/auth/login", {"email": "a@example.org\x00", "password": "x"}),
])
def test_a_nul_character_is_refused_in_any_form_field(client, db, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert db.scalar(select(JoinRequest)) is None


def test_a_nul_character_is_refused_in_the_query_too(client):
    response = client.get("/search", query_string={"q": "walk\x00ing"})
    assert response.status_code == 400 and "q" in response.get_data(as_text=True)


def test_approving_a_change_whose_name_was_stored_with_a_line_break_still_works(
        app, client, db, admin, login_as, group):
    """A name saved before line breaks were refused: the approval and its email still go."""
    from ..admin.conftest import submit_edit

    with app.test_request_context():
        change = submit_edit(db, group.service, group.user, name="Breathe\r\nEasy")
    login_as(admin)
    response = client.post(f"/admin/changes/{change.id}/approve", follow_redirects=True)
    assert response.status_code == 200 and "is published" in response.get_data(as_text=True)
    (message,) = mail.outbox(app.config["OUTBOX_DIR"])
    assert message["Subject"] == 'Your listing "Breathe Easy" is published'


@pytest.mark.parametrize("failure", [ValueError("Header values may not contain linefeed"),
                                     OSError("connection refused"), RuntimeError("anything")])
def test_a_mail_failure_after_an_approval_is_a_notice_not_a_500(
        app, client, db, admin, login_as, group, monkeypatch, caplog, failure):
    from ..admin.conftest import submit_edit

    with app.test_request_context():
        change = submit_edit(db, group.service, group.user, name="Breathe Easier")

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(mail, "send", broken)
    login_as(admin)
    response = client.post(f"/admin/changes/{change.id}/approve", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is published" in page and "email about it could not be sent" in page
    db.expire_all()
    assert db.get(ListingChange, change.id).state is ChangeState.APPROVED
    assert "could not send" in caplog.text


def test_a_mail_failure_after_approving_a_join_is_a_notice_not_a_500(
        client, db, admin, login_as, monkeypatch):
    client.post("/join", data=JOIN)
    join_id = db.scalar(select(JoinRequest.id))
    monkeypatch.setattr(mail, "send", lambda *a, **k: (_ for _ in ()).throw(ValueError("bad")))
    login_as(admin)
    response = client.post(f"/admin/joins/{join_id}/approve", follow_redirects=True)
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(JoinRequest, join_id).state is JoinState.APPROVED


def test_one_line_turns_any_control_run_into_a_space():
    assert plaintext.one_line("a\r\n b\u2028c\x00") == "a b c"
