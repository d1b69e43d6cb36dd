"""Every kind of response carries the security headers: a Content-Security-Policy that allows
no inline or outside scripts and no framing, nosniff, a Referrer-Policy that keeps addresses
(a saved plan's secret link) on this site, and HSTS when the directory is served over HTTPS."""

from __future__ import annotations

import re

import pytest
from flask import abort
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from directory import plans

from ..factories import make_service

BREATHERS = "0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"  # Benwell Breathers Thursday Group (demo)
LINK_WORKER = ("linkworker@example.org", "demo-linkworker-password")  # demo account
MATCH_FORM = MultiDict(
    [
        ("goals", "get-more-active"),
        ("place", "NE4 8XJ"),
        ("distance", "5"),
        ("readiness", "ready"),
        ("languages", "en"),
    ]
)
# Referrer policies that never send a path (a plan's secret token) to another site.
PRIVATE_REFERRERS = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}

# (name, method, path, form, signed in, status): one of each kind of response.
PAGES = [
    ("home", "GET", "/", None, False, 200),
    ("search", "GET", "/search?q=walk&place=Fenham&distance=5&access=free", None, False, 200),
    ("search with errors", "GET", "/search?place=ZZ9+9ZZ&distance=abc", None, False, 200),
    ("search JSON", "GET", "/search?q=walk&format=json", None, False, 200),
    ("category", "GET", "/categories/arts", None, False, 200),
    ("service", "GET", f"/services/{BREATHERS}", None, False, 200),
    ("service JSON", "GET", f"/services/{BREATHERS}?format=json", None, False, 200),
    ("service calendar", "GET", f"/services/{BREATHERS}.ics", None, False, 200),
    ("about", "GET", "/about", None, False, 200),
    ("accessibility", "GET", "/accessibility", None, False, 200),
    ("sign-in", "GET", "/auth/login", None, False, 200),
    (
        "sign-in failed",
        "POST",
        "/auth/login",
        {"email": "x@example.org", "password": "wrong"},
        False,
        400,
    ),
    ("workspace, not signed in", "GET", "/workspace/", None, False, 302),
    ("workspace", "GET", "/workspace/", None, True, 200),
    ("workspace suggestions", "POST", "/workspace/", MATCH_FORM, True, 200),
    (
        "plan",
        "POST",
        "/workspace/plan",
        MultiDict([*MATCH_FORM.items(multi=True), ("shortlist", BREATHERS)]),
        True,
        200,
    ),
    ("plan without a shortlist (400)", "POST", "/workspace/plan", MATCH_FORM, True, 400),
    ("unknown plan link (404)", "GET", "/workspace/plan/not-a-real-token", None, False, 404),
    ("page not found (404)", "GET", "/no/such/page", None, False, 404),
    ("wrong method (405)", "POST", "/about", None, False, 405),
    ("API root", "GET", "/api/v1/", None, False, 200),
    ("API services", "GET", "/api/v1/services?search=walking", None, False, 200),
    ("API service", "GET", f"/api/v1/services/{BREATHERS}", None, False, 200),
    ("API bad parameter (400)", "GET", "/api/v1/services?per_page=0", None, False, 400),
    ("API unknown id (404)", "GET", "/api/v1/services/not-a-uuid", None, False, 404),
    ("API match with errors (400)", "POST", "/api/v1/match", None, False, 400),
    ("API OpenAPI document", "GET", "/api/v1/openapi.json", None, False, 200),
    ("API docs", "GET", "/api/v1/docs", None, False, 200),
    ("static file", "GET", "/static/site.css", None, False, 200),
]


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: [sources]}."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name.lower(): sources for name, *sources in parts}


def assert_security_headers(response, https: bool = False) -> None:  # type: ignore[no-untyped-def]
    csp = csp_directives(response.headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, "no script-src or default-src"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in PRIVATE_REFERRERS
    assert response.headers["X-Frame-Options"] == "DENY"
    if https:
        max_age = re.match(r"max-age=(\d+)", response.headers["Strict-Transport-Security"])
        assert max_age and int(max_age[1]) >= 365 * 24 * 3600
    else:
        assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def signed_in(demo: FlaskClient) -> FlaskClient:
    email, password = LINK_WORKER
    assert demo.post("/auth/login", data={"email": email, "password": password}).status_code == 302
    return demo


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
@pytest.mark.parametrize(
    ("name", "method", "path", "form", "needs_sign_in", "status"),
    PAGES,
    ids=[page[0] for page in PAGES],
)
def test_every_kind_of_response_carries_the_security_headers(
    request, demo_app, monkeypatch, https, name, method, path, form, needs_sign_in, status
):
    monkeypatch.setitem(demo_app.config, "PREFER_HTTPS", https)
    client = request.getfixturevalue("signed_in" if needs_sign_in else "demo")
    response = client.open(
        path, method=method, data=form, json={} if path == "/api/v1/match" else None
    )
    response.close()  # a static file is sent from an open file
    assert response.status_code == status, name
    assert_security_headers(response, https)


def test_a_saved_plan_keeps_its_secret_link_off_other_sites(client: FlaskClient, db):
    service = make_service(db, "Benwell Walkers")
    token = plans.save_plan(
        db, {"goals": ["get-more-active"]}, [service.public_id], days=90, district="NE4", user=None
    )
    db.commit()
    response = client.get(f"/workspace/plan/{token}")
    assert response.status_code == 200 and "Benwell Walkers" in response.get_data(as_text=True)
    assert_security_headers(response)
    assert response.headers["Referrer-Policy"] in {"no-referrer", "same-origin"}
    assert "no-store" in response.headers["Cache-Control"]


def test_a_server_error_carries_the_security_headers(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/boom", "boom", lambda: abort(500))
    app.add_url_rule("/crash", "crash", lambda: 1 / 0)
    for path in ("/boom", "/crash"):
        response = app.test_client().get(path)
        assert response.status_code == 500
        assert "Traceback" not in response.get_data(as_text=True)
        assert_security_headers(response)


@pytest.mark.parametrize("setting", ["config", "environment"])
def test_hsts_is_sent_when_the_directory_prefers_https(make_app, monkeypatch, setting):
    if setting == "environment":
        monkeypatch.setenv("DIRECTORY_PREFER_HTTPS", "true")
        app = make_app()
    else:
        app = make_app(PREFER_HTTPS=True)
    for path in ("/", "/api/v1/", "/static/site.css", "/no/such/page"):
        response = app.test_client().get(path, base_url="https://localhost")
        response.close()
        assert_security_headers(response, https=True)


def test_hsts_is_not_sent_by_default(make_app, monkeypatch):
    monkeypatch.delenv("DIRECTORY_PREFER_HTTPS", raising=False)
    assert_security_headers(make_app().test_client().get("/"), https=False)


def test_images_are_allowed_from_the_map_tile_host_and_no_other(make_app):
    app = make_app(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
    csp = csp_directives(app.test_client().get("/about").headers["Content-Security-Policy"])
    assert csp["img-src"] == ["'self'", "data:", "https://tiles.example.org"]
    assert csp["script-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    plain = make_app(MAP_TILE_URL="")
    csp = csp_directives(plain.test_client().get("/about").headers["Content-Security-Policy"])
    assert csp["img-src"] == ["'self'", "data:"]
