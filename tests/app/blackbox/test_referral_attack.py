"""The black-box attack on referrals (issue #18), over HTTP against the served directory: a
referral sent by the demo Link Worker to the demo group is attacked by another Link Worker,
another organisation's provider and an anonymous visitor (every referral route, with their
own valid CSRF tokens, and with ids swapped), with XSS in every field, double submits and
two answers at the same moment. It fails on any bypass, any 500 or any lost answer."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
import requests
import sqlalchemy as sa

from directory import accounts, create_app
from directory.models import Organization, Role

from .conftest import Served, csrf_token, signed_in

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
PASSWORD = "another long password"


def _login(served: Served, email: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session.get(served.url("/auth/login"), timeout=30).text)
    response = session.post(served.url("/auth/login"), timeout=30, allow_redirects=False,
                            data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text[:300]
    return session


@pytest.fixture(scope="module")
def cast(served: Served):
    """The demo group's listings take referrals; another Link Worker and another group's
    provider have accounts."""
    app = create_app({"DATABASE_URL": served.database_url,
                      "INSTANCE_PATH": str(served.server.instance)})
    try:
        with app.app_context(), app.extensions["db"].sessions() as db:
            mine = db.scalar(sa.text(
                "SELECT m.organization_id FROM memberships m JOIN users u ON u.id = m.user_id "
                "WHERE u.email = 'provider@example.org'"))
            db.execute(sa.text("UPDATE services SET accepts_referrals = :yes "
                               "WHERE organization_id = :org"), {"yes": True, "org": mine})
            other_org = db.scalars(sa.select(Organization).where(Organization.id != mine)
                                   .order_by(Organization.id)).first()
            accounts.create_user(db, "lw-two@example.org", PASSWORD, Role.LINK_WORKER)
            accounts.create_user(db, "other-group@example.org", PASSWORD, Role.PROVIDER,
                                 [other_org])
            target = db.scalar(sa.text(
                "SELECT public_id FROM services WHERE organization_id = :org AND status = "
                "'active' ORDER BY name LIMIT 1"), {"org": mine})
            db.commit()
    finally:
        app.extensions["db"].engine.dispose()
    return {"service": target, "worker": signed_in(served, "link_worker"),
            "provider": signed_in(served, "provider"), "admin": signed_in(served, "admin"),
            "other_worker": _login(served, "lw-two@example.org"),
            "other_provider": _login(served, "other-group@example.org"),
            "anonymous": requests.Session()}


@pytest.fixture(scope="module")
def database(served: Served):
    engine = sa.create_engine(served.database_url)
    yield engine
    engine.dispose()


def _token(served: Served, session: requests.Session, path: str = "/") -> str:
    return csrf_token(session.get(served.url(path), timeout=30).text)


def _refer(served: Served, cast, **fields: str) -> requests.Response:
    worker = cast["worker"]
    path = f"/referrals/new/{cast['service']}"
    page = worker.get(served.url(path), timeout=30)
    assert page.status_code == 200, page.status_code
    key = re.search(r'name="form_key" value="([^"]+)"', page.text)[1]
    data = {"person_name": "Bo", "contact_method": "email", "contact": "bo@example.org",
            "note": "Likes gardening", "consent": "y", "send": "y", "form_key": key,
            "csrf_token": csrf_token(page.text), **fields}
    return worker.post(served.url(path), data=data, timeout=30, allow_redirects=False)


def _state(database, public_id: str):
    with database.connect() as c:
        return c.execute(sa.text(
            "SELECT status, erased_at, (SELECT count(*) FROM referral_messages m "
            "WHERE m.referral_id = r.id) FROM referrals r WHERE public_id = :id"),
            {"id": public_id}).one()


def test_outsiders_get_nothing_from_any_referral_route(served, cast, database):
    response = _refer(served, cast)
    assert response.status_code == 303, response.text[:500]
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    before = _state(database, public_id)
    problems = []
    for who in ("other_worker", "other_provider", "anonymous"):
        session = cast[who]
        token = _token(served, session, "/auth/login" if who == "anonymous" else "/")
        for method, path, data in (
                ("GET", f"/referrals/{public_id}", {}),
                ("POST", f"/referrals/{public_id}/answer", {"action": "accept"}),
                ("POST", f"/referrals/{public_id}/answer", {"action": "withdraw"}),
                ("POST", f"/referrals/{public_id}/answer", {"action": "decline", "reason": "x"}),
                ("POST", f"/referrals/{public_id}/messages", {"body": "hello"}),
                ("GET", f"/referrals/{uuid.uuid4()}", {}),
                ("POST", f"/referrals/{uuid.uuid4()}/answer", {"action": "accept"})):
            answer = session.request(method, served.url(path), data={**data, "csrf_token": token},
                                     timeout=30, allow_redirects=False)
            expected = (302,) if who == "anonymous" else (404,)
            if answer.status_code not in expected:
                problems.append(f"{who} {method} {path}: {answer.status_code}")
            if "Bo" in answer.text and "Likes gardening" in answer.text:
                problems.append(f"LEAK {who} {method} {path}")
        for path in ("/referrals/", "/provider/referrals/"):
            page = session.get(served.url(path), timeout=30, allow_redirects=False)
            if page.status_code >= 500 or public_id in page.text:
                problems.append(f"{who} GET {path}: {page.status_code} lists it")
    assert not problems, "\n".join(problems)
    assert _state(database, public_id) == before
    # The group and an admin read it; the sender too.
    for who in ("provider", "admin", "worker"):
        page = cast[who].get(served.url(f"/referrals/{public_id}"), timeout=30)
        assert page.status_code == 200 and "Likes gardening" in page.text, who


def test_xss_in_every_referral_field_comes_back_escaped(served, cast):
    response = _refer(served, cast, person_name=XSS[:60], note=XSS, contact_method="link_worker",
                      contact="")
    assert response.status_code == 400 and "<script>alert(1)" not in response.text
    sent = _refer(served, cast, person_name="a<3b", note="x < y & \"quoted\" 'single'")
    assert sent.status_code == 303
    public_id = sent.headers["Location"].rsplit("/", 1)[1]
    provider = cast["provider"]
    token = _token(served, provider, f"/referrals/{public_id}")
    reply = provider.post(served.url(f"/referrals/{public_id}/messages"),
                          data={"body": XSS, "csrf_token": token}, timeout=30)
    assert reply.status_code == 200  # after the redirect
    assert XSS not in reply.text and "<script>alert(1)" not in reply.text
    assert "&lt;script&gt;" in reply.text


def test_odd_input_in_the_referral_form_never_gives_a_500(served, cast):
    problems = []
    for value in ("", " ", "\u202e\u0301x", "%00", "9" * 400, "a\r\nb", "\U0001f600" * 50,
                  "2027-13-45", "-1", "[]"):
        for field in ("person_name", "contact_method", "contact", "note", "first_session",
                      "meet_at_door", "consent"):
            status = _refer(served, cast, **{field: value}).status_code
            if status >= 500:
                problems.append(f"{field}={value!r}: {status}")
    assert not problems, "\n".join(problems)


def test_a_double_submit_makes_one_referral(served, cast, database):
    worker = cast["worker"]
    path = f"/referrals/new/{cast['service']}"
    page = worker.get(served.url(path), timeout=30).text
    key = re.search(r'name="form_key" value="([^"]+)"', page)[1]
    data = {"person_name": "Di", "contact_method": "link_worker", "consent": "y", "send": "y",
            "form_key": key, "csrf_token": csrf_token(page)}
    barrier = threading.Barrier(3)
    answers: list[requests.Response] = []

    def post() -> None:
        barrier.wait()
        answers.append(worker.post(served.url(path), data=data, timeout=60,
                                   allow_redirects=False))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert len({a.headers["Location"] for a in answers}) == 1
    with database.connect() as c:
        assert c.scalar(sa.text("SELECT count(*) FROM referrals WHERE form_key = :k"),
                        {"k": key}) == 1


def test_two_answers_at_the_same_moment_one_wins_the_other_is_told(served, cast, database):
    sent = _refer(served, cast)
    public_id = sent.headers["Location"].rsplit("/", 1)[1]
    browsers = [signed_in(served, "provider") for _ in range(2)] + [cast["admin"]]
    path = f"/referrals/{public_id}/answer"
    tokens = [_token(served, b, f"/referrals/{public_id}") for b in browsers]
    actions = [{"action": "accept"}, {"action": "decline", "reason": "We are full"},
               {"action": "accept"}]
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def answer(i: int) -> None:
        barrier.wait()
        statuses.append(browsers[i].post(served.url(path),
                                         data={**actions[i], "csrf_token": tokens[i]},
                                         timeout=60, allow_redirects=False).status_code)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(statuses) == [303, 409, 409], statuses
    status, _erased, _messages = _state(database, public_id)
    assert status in ("accepted", "declined")
