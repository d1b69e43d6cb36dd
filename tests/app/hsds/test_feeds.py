"""Importing from an HSDS API: its pages are walked, summaries fetched in full, without network.

One test serves the demo catalogue's own API on 127.0.0.1 with werkzeug and imports it over
real HTTP; the others walk pages through a fake fetch function.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from directory.hsds import FeedError, walk_api
from directory.hsds.records import Unreadable
from directory.models import Service, ServiceStatus

from .conftest import run


@pytest.fixture(scope="module")
def demo_server(demo_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    thread.join(timeout=5)


def test_an_hsds_api_is_imported_over_http_page_by_page(app, db, demo_server, demo_ids):
    result = run(app, "import-hsds", demo_server + "/")
    assert result.exit_code == 0, result.output
    published = len(demo_ids[ServiceStatus.ACTIVE])
    assert f"{published} created, 0 updated, 0 unchanged, 0 skipped" in result.output
    assert set(db.scalars(select(Service.public_id))) == set(demo_ids[ServiceStatus.ACTIVE])
    assert db.scalar(select(Service.source).limit(1)) == demo_server + "/"
    again = run(app, "import-hsds", demo_server)
    assert f"0 created, 0 updated, {published} unchanged" in again.output


def test_an_unreachable_api_fails_with_one_line(app):
    result = run(app, "import-hsds", "http://127.0.0.1:9/api/v1")
    assert result.exit_code == 2
    assert "could not reach http://127.0.0.1:9/api/v1/services" in result.output


def _page(items: list[dict], number: int, pages: int) -> dict:
    return {
        "total_items": 5,
        "total_pages": pages,
        "page_number": number,
        "size": len(items),
        "first_page": number == 1,
        "last_page": number == pages,
        "empty": not items,
        "contents": items,
    }


def test_pages_are_walked_and_summaries_fetched_in_full():
    asked: list[str] = []
    full = {f"s{n}": {"id": f"s{n}", "name": f"Service {n}", "attributes": []} for n in range(5)}
    pages = {
        1: [{"id": "s0", "name": "x"}, full["s1"]],
        2: [{"id": "s2"}, {"id": "s3"}],
        3: [{"id": "gone"}, full["s4"]],
    }

    def fetch(url: str) -> object:
        asked.append(url)
        if "/services/" in url:
            key = url.rsplit("/", 1)[1]
            if key == "gone":
                raise FeedError(f"{url} answered 404 NOT FOUND")
            return full[key]
        number = int(url.split("page=")[1].split("&")[0])
        return _page(pages[number], number, 3)

    feed = walk_api("https://example.org/api/v1/services", fetch)
    items = list(feed.items)
    assert feed.total == 5
    assert items[:4] == [full["s0"], full["s1"], full["s2"], full["s3"]]
    assert items[4] == Unreadable(
        "gone", "https://example.org/api/v1/services/gone answered 404 NOT FOUND"
    )
    assert items[5] == full["s4"]
    assert asked[0] == "https://example.org/api/v1/services?page=1&per_page=100&full=true"
    assert sum("page=" in url for url in asked) == 3


def test_a_page_that_is_not_hsds_stops_the_walk():
    with pytest.raises(FeedError, match="is not an HSDS page"):
        walk_api("https://example.org/api", lambda url: {"services": []})


def test_the_walk_stops_at_an_empty_page_whatever_the_counts_say():
    calls = []

    def fetch(url: str) -> object:
        calls.append(url)
        return {"contents": [], "total_pages": 1_000_000}

    assert list(walk_api("https://example.org/api", fetch).items) == []
    assert len(calls) == 1


def test_an_injected_fetch_is_used_by_the_command(app, db, demo_client, demo_ids):
    def fetch(url: str) -> object:
        response = demo_client.get(url.replace("https://directory.example", ""))
        if response.status_code != 200:
            raise FeedError(f"{url} answered {response.status_code}")
        return response.get_json()

    app.extensions["hsds.fetch"] = fetch
    result = run(app, "import-hsds", "https://directory.example/api/v1")
    assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).select_from(Service)) == len(
        demo_ids[ServiceStatus.ACTIVE]
    )
