"""A black-box attack on the served directory (issue #15), over HTTP as an outside tester
would: every route (from the URL map, the crawl and the OpenAPI document) as every role, id
swaps between groups, CSRF without and with a foreign token and from a foreign Origin, XSS
probes in every field, odd input, concurrent saves, and schemathesis with all its checks.
It fails on any bypass, any 500 and any lost edit."""

from __future__ import annotations

import re
import threading
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa

from directory import create_app

from .conftest import csrf_token, signed_in

ROLES = (None, "link_worker", "provider", "admin")
# Who may see what, by the first part of the path; everything else is public.
AREAS = {"/admin": {"admin"}, "/workspace": {"link_worker", "admin"},
         "/provider": {"provider", "admin"}, "/referrals": {"link_worker", "provider", "admin"}}
PUBLIC_INSIDE = ("/workspace/plan/",)  # a saved plan's link works without signing in
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
ODD = ["", " ", "\u202e\u0301x", "%00", "'\"<>", "9" * 400, "-1", "1e309", "NaN", "../../etc",
       "\U0001f600" * 50, "a\r\nb", "[]", "{}"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _allowed(role: str | None, path: str) -> bool:
    if path.startswith(PUBLIC_INSIDE):
        return True
    for prefix, roles in AREAS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return role in roles
    return True


def _crawl(served, session: requests.Session, limit: int = 120) -> set[str]:
    """Paths reachable from the home pages by following links on this site."""
    seen: set[str] = set()
    queue = deque(["/", "/provider/", "/workspace/", "/admin/", "/api/v1/docs"])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = session.get(served.url(path), timeout=30, allow_redirects=False)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.text)
        for href in parser.links:
            target = urlsplit(urljoin(served.url(path), href))
            if target.netloc != urlsplit(served.url("/")).netloc or "/auth/logout" in target.path:
                continue
            full = target.path + (f"?{target.query}" if target.query else "")
            # Many pages of the same kind teach nothing new: keep a few of each.
            kind = re.sub(r"[0-9a-f-]{36}|\d+", "N", target.path)
            if sum(re.sub(r"[0-9a-f-]{36}|\d+", "N", s.split("?")[0]) == kind for s in seen) < 3:
                queue.append(full)
    return seen


@pytest.fixture(scope="module")
def sessions(served):
    return {role: signed_in(served, role) for role in ROLES}


@pytest.fixture(scope="module")
def discovered(served, sessions) -> set[str]:
    found: set[str] = set()
    for role in ROLES:
        found |= _crawl(served, sessions[role])
    return found


@pytest.fixture(scope="module")
def url_map(served):
    app = create_app({"DATABASE_URL": served.database_url, "INSTANCE_PATH": str(served.server.instance)})
    try:
        return [(rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
                for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    finally:
        app.extensions["db"].engine.dispose()


@pytest.fixture(scope="module")
def database(served):
    engine = sa.create_engine(served.database_url)
    yield engine
    engine.dispose()


def test_the_crawl_reaches_every_area(discovered, url_map):
    areas = {p.split("/")[1] for p in discovered}
    assert {"", "services", "provider", "workspace", "admin", "api"} <= areas
    assert len(url_map) > 40


def test_every_discovered_page_as_every_role_keeps_to_its_area(served, sessions, discovered):
    problems = []
    for path in sorted(discovered):
        for role in ROLES:
            response = sessions[role].get(served.url(path), timeout=30, allow_redirects=False)
            status = response.status_code
            if status >= 500:
                problems.append(f"{role} GET {path}: {status}")
            elif not _allowed(role, path.split("?")[0]) and status < 300:
                problems.append(f"BYPASS {role} GET {path}: {status}")
            elif status == 200 and role and "text/html" in response.headers.get("Content-Type", ""):
                if response.headers.get("Cache-Control") != "no-store":
                    problems.append(f"{role} GET {path}: cacheable signed-in page")
    assert not problems, "\n".join(problems[:40])


def _concrete(rule: str, ids: dict[str, str]) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: ids.get(m[1], "1"), rule)


def test_every_route_in_the_url_map_as_every_role_and_method(served, sessions, url_map, database):
    with database.connect() as c:
        ids = {"public_id": c.scalar(sa.text("SELECT public_id FROM services LIMIT 1")),
               "token": "not-a-token", "id": c.scalar(sa.text("SELECT public_id FROM services LIMIT 1"))}
    problems = []
    for rule, methods in url_map:
        path = _concrete(rule, ids)
        for role in ROLES:
            for method in methods:
                response = sessions[role].request(method, served.url(path), timeout=30,
                                                  allow_redirects=False, data={"x": "1"})
                status = response.status_code
                if status >= 500:
                    problems.append(f"{role} {method} {path}: {status}")
                if method != "GET" and not path.startswith("/api/") and status < 400:
                    problems.append(f"BYPASS {role} {method} {path} without CSRF: {status}")
                if method == "GET" and not _allowed(role, path) and status < 300:
                    problems.append(f"BYPASS {role} GET {path}: {status}")
    assert not problems, "\n".join(problems[:40])


def test_forms_with_a_foreign_csrf_token_or_origin_are_refused(served, sessions):
    foreign = csrf_token(requests.get(served.url("/auth/login"), timeout=30).text)
    provider = sessions["provider"]
    own = csrf_token(provider.get(served.url("/provider/"), timeout=30).text)
    for path in ("/auth/logout", "/join", "/provider/services/new"):
        stolen = provider.post(served.url(path), data={"csrf_token": foreign}, timeout=30,
                               allow_redirects=False)
        assert stolen.status_code == 400, (path, stolen.status_code)
        elsewhere = provider.post(served.url(path), data={"csrf_token": own}, timeout=30,
                                  allow_redirects=False, headers={"Origin": "http://evil.example"})
        assert elsewhere.status_code == 400, (path, elsewhere.status_code)
    assert "Signed in as" in provider.get(served.url("/"), timeout=30).text


def _provider_services(database) -> tuple[list[str], list[str]]:
    """(the demo provider's own listings, other groups' listings), by public id."""
    with database.connect() as c:
        mine = set(c.scalars(sa.text(
            "SELECT s.public_id FROM services s JOIN memberships m ON m.organization_id = "
            "s.organization_id JOIN users u ON u.id = m.user_id WHERE u.email = 'provider@example.org'")))
        every = set(c.scalars(sa.text("SELECT public_id FROM services")))
    return sorted(mine), sorted(every - mine)


def test_a_provider_swapping_in_another_groups_ids_gets_nothing(served, sessions, database):
    mine, theirs = _provider_services(database)
    assert mine and theirs
    provider = sessions["provider"]
    token = csrf_token(provider.get(served.url(f"/provider/services/{mine[0]}"), timeout=30).text)
    for public_id in theirs[:8]:
        for path in (f"/provider/services/{public_id}", f"/provider/services/{public_id}/edit",
                     f"/provider/services/{public_id}/history"):
            assert provider.get(served.url(path), timeout=30).status_code == 404, path
        for path, data in ((f"/provider/services/{public_id}/status", {"action": "close"}),
                           (f"/provider/services/{public_id}/confirm", {}),
                           (f"/provider/services/{public_id}/edit", {"name": "Hijacked"})):
            response = provider.post(served.url(path), data={**data, "csrf_token": token},
                                     timeout=30, allow_redirects=False)
            assert response.status_code == 404, (path, response.status_code)
    with database.connect() as c:
        assert not c.scalar(sa.text("SELECT count(*) FROM listing_changes WHERE CAST(proposed AS TEXT) LIKE '%Hijacked%'"))


def test_xss_probes_in_every_public_field_come_back_escaped(served, sessions, database):
    anonymous = requests.Session()
    join = anonymous.get(served.url("/join"), timeout=30).text
    fields = re.findall(r'name="([a-z_]+)"', join)
    data = {name: XSS for name in fields if name != "csrf_token"}
    data.update(contact_email="xss@example.org", website="https://example.org",
                csrf_token=csrf_token(join))
    response = anonymous.post(served.url("/join"), data=data, timeout=30)
    assert response.status_code in (200, 400) and XSS not in response.text
    admin = sessions["admin"]
    for path in ("/admin/",) + tuple(f"/admin/joins/{i}" for i in range(1, 4)):
        page = admin.get(served.url(path), timeout=30)
        assert page.status_code < 500 and "<script>alert(1)" not in page.text
    for path in ("/search", "/services"):
        page = anonymous.get(served.url(path), params={"q": XSS, "place": XSS}, timeout=30)
        assert page.status_code < 500 and "<script>alert(1)" not in page.text


def test_odd_input_in_every_query_parameter_never_gives_a_500(served, sessions):
    anonymous = sessions[None]
    worker = sessions["link_worker"]
    problems = []
    for value in ODD:
        for path, name in (("/search", "q"), ("/search", "place"), ("/search", "distance"),
                           ("/search", "page"), ("/services", "category"),
                           ("/api/v1/services", "page"), ("/api/v1/services", "per_page"),
                           ("/api/v1/services", "postcode"), ("/api/v1/services", "proximity")):
            status = anonymous.get(served.url(path), params={name: value}, timeout=30).status_code
            if status >= 500:
                problems.append(f"GET {path}?{name}={value!r}: {status}")
        status = worker.get(served.url("/workspace/"), params={"postcode": value, "age": value},
                            timeout=30).status_code
        if status >= 500:
            problems.append(f"GET /workspace/ odd {value!r}: {status}")
    for body in ("[" * 1000 + "]" * 1000, '{"goals":' * 50, "\x00", '{"age": 1e999}', "[]"):
        status = anonymous.post(served.url("/api/v1/match"), data=body, timeout=30,
                                headers={"Content-Type": "application/json"}).status_code
        if status != 400:
            problems.append(f"POST /api/v1/match {body[:20]!r}: {status}")
    big = anonymous.post(served.url("/api/v1/match"), data="[" + "1," * 200_000 + "1]",
                         headers={"Content-Type": "application/json"}, timeout=30)
    if big.status_code != 413:
        problems.append(f"POST /api/v1/match 400 KB: {big.status_code}")
    assert not problems, "\n".join(problems)


def _edit_form(session, served, public_id) -> dict[str, list[str]]:
    page = session.get(served.url(f"/provider/services/{public_id}/edit"), timeout=30).text
    form = re.search(r'<form[^>]*class="[^"]*listing-form.*?</form>', page, re.S)[0]
    values: dict[str, list[str]] = {}
    for tag in re.finditer(r"<(input|textarea|select)\b([^>]*)>(.*?)(?=<)", form, re.S):
        kind, attrs, rest = tag.groups()
        name = re.search(r'name="([^"]+)"', attrs)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', attrs)
        input_type = re.search(r'type="([^"]+)"', attrs)
        if kind == "input" and input_type and input_type[1] in ("checkbox", "radio"):
            if "checked" in attrs:
                values.setdefault(name[1], []).append(value[1] if value else "on")
        elif kind == "input" and not (input_type and input_type[1] in ("submit", "button")):
            values.setdefault(name[1], []).append(value[1] if value else "")
        elif kind == "textarea":
            values.setdefault(name[1], []).append(rest.lstrip("\n"))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option[^>]*value="([^"]*)"[^>]*selected', select[2])
        first = re.findall(r'<option[^>]*value="([^"]*)"', select[2])[:1]
        values[select[1]] = chosen or first
    import html

    return {k: [html.unescape(v) for v in vs] for k, vs in values.items()}


def test_concurrent_saves_of_one_form_version_leave_exactly_one_pending_change(served, database):
    mine, _ = _provider_services(database)
    target = mine[-1]
    browsers = [signed_in(served, "provider") for _ in range(4)]
    form = _edit_form(browsers[0], served, target)
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def save(i: int, browser: requests.Session) -> None:
        token = csrf_token(browser.get(served.url(f"/provider/services/{target}"), timeout=30).text)
        data = {**form, "name": [f"Saved at once {i}"], "csrf_token": [token], "action": ["save"]}
        barrier.wait()
        statuses.append(browser.post(served.url(f"/provider/services/{target}/edit"), data=data,
                                     timeout=60, allow_redirects=False).status_code)

    threads = [threading.Thread(target=save, args=(i, b)) for i, b in enumerate(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(statuses) == [303, 409, 409, 409], statuses
    with database.connect() as c:
        pending = c.scalar(sa.text(
            "SELECT count(*) FROM listing_changes lc JOIN services s ON s.id = lc.service_id "
            "WHERE s.public_id = :id AND lc.state = 'pending'"), {"id": target})
    assert pending == 1


# What a well-formed request may still be refused for: a postcode or place the gazetteer does
# not know, a time window ending before it starts, and rules between query parameters (each
# said in the parameter's description).
UNSAYABLE = ("is not a valid UK postcode", "is not a known postcode", "could not find a place",
             "The window must end after it starts", "Give a postcode to measure proximity from",
             "Ask for minimal or full, not both",
             # A NUL character is refused in every field of every request, before any view
             # (directory._refuse_nul); the document does not repeat it on each parameter.
             "contains a NUL character, which is not text")


def _flat(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in _flat(v)]
    if isinstance(errors, list):
        return [m for v in errors for m in _flat(v)]
    return [str(errors)]


def test_the_api_keeps_to_its_openapi_document_with_every_check(served):
    """schemathesis, every check: a request the document allows is accepted, one it refuses is
    refused, and every answer is as documented. The only 400s allowed for a well-formed request
    are the rules no OpenAPI document can state (UNSAYABLE)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_url(served.url("/api/v1/openapi.json"))

    def semantic_only(ctx, response, case) -> None:
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
            return None
        messages = _flat(response.json().get("errors", {}))
        assert messages and all(any(rule in m for rule in UNSAYABLE) for m in messages), \
            f"valid request refused: {messages}"
        return None

    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance],
                                   additional_checks=[semantic_only], timeout=30)

        try:
            run()
        except Exception as err:  # noqa: BLE001 (collected, reported together)
            failures.append(f"{operation.label}: {str(err)[:800]}")
    assert not failures, "\n\n".join(failures)
