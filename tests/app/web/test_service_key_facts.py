"""The service page puts the key facts first (next session, where, cost, how to join, a Call
button), offers print and share, and is the same include as the provider's preview."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from flask import render_template

from directory import browse, vocabulary
from directory.db import get_session
from directory.web import present

from ..factories import make_service

BREATHERS = "0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"  # Benwell Breathers Thursday Group (demo)


def key_facts(body: str) -> str:
    found = re.search(r'<div class="key-facts" id="key-facts">(.*?)</aside>', body, re.S)
    assert found, "no key facts"
    return found[1]


def test_the_key_facts_come_before_the_description(demo):
    body = demo.get(f"/services/{BREATHERS}").get_data(as_text=True)
    assert body.index('id="key-facts"') < body.index('id="what-happens"')
    facts = key_facts(body)
    assert re.search(r"Next session</dt>\s*<dd>Thursday \d+ \w+, 1:30pm to 3:30pm", facts)
    assert "Benwell Grange Community Centre" in facts
    assert "14 Atkinson Road, Benwell, NE4 8DN" in facts
    assert "£1 a week" in facts
    assert "Drop in: you do not need to book. You can refer yourself." in facts
    assert re.search(r'<a class="nhsuk-button key-facts__call" id="call-button" '
                     r'href="tel:01914980352">Call 0191 498 0352', facts)


def test_directions_point_at_the_venues_coordinates(demo):
    body = demo.get(f"/services/{BREATHERS}").get_data(as_text=True)
    venue = demo.get(f"/services/{BREATHERS}?format=json").get_json()["venues"][0]
    found = re.findall(r'href="(https://www.google.com/maps/dir/[^"]+)"', body)
    links = [unescape(h) for h in found]
    assert len(links) == 2  # in the key facts and beside the venue's address
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert query["api"] == ["1"]
        assert query["destination"] == [f"{venue['latitude']},{venue['longitude']}"]


def test_share_by_email_carries_the_pages_own_address(demo):
    body = demo.get(f"/services/{BREATHERS}").get_data(as_text=True)
    href = unescape(re.search(r'id="share-email" href="([^"]+)"', body)[1])
    assert href.startswith("mailto:?")
    query = parse_qs(urlsplit(href).query)
    assert query["subject"] == ["Benwell Breathers Thursday Group"]
    assert query["body"][0].endswith(f"http://localhost/services/{BREATHERS}")
    # Print and copy need the script; without it they stay hidden rather than doing nothing.
    assert re.search(r"<button [^>]*data-print hidden>Print this page</button>", body)
    assert re.search(r"<button [^>]*data-copy-link hidden>Copy link</button>", body)


def test_a_service_without_a_phone_offers_email_instead(client, db):
    service = make_service(db, "Fenham Knitters", phone=None, email="knit@example.org",
                           sessions=())
    body = client.get(f"/services/{service.public_id}").get_data(as_text=True)
    assert 'id="call-button"' not in body
    assert 'id="email-button" href="mailto:knit@example.org"' in body
    assert re.search(r"Next session</dt>\s*<dd>\s*Ask the organisers when it meets",
                     key_facts(body))


def test_the_provider_preview_is_the_same_page_one_level_down(demo_app, demo):
    public = demo.get(f"/services/{BREATHERS}").get_data(as_text=True)
    with demo_app.test_request_context("/provider/"):
        service = browse.read_active_service(get_session(), BREATHERS)
        s = present.detail(service, vocabulary.current(), present.local_now())
        preview = render_template("provider/_preview.html", preview=s)
    ids = lambda html: re.findall(r' id="([a-z-]+)"', html)  # noqa: E731
    shared = ["key-facts", "key-facts-title", "key-next", "key-where", "key-cost", "key-join",
              "what-happens", "who", "when", "next-dates", "where", "cost", "join", "contact"]
    in_order = lambda html: [i for i in ids(html) if i in shared]  # noqa: E731
    assert in_order(public) == in_order(preview) == shared
    assert "<h1" not in preview and '<h3 id="what-happens">' in preview
    # Not public yet: nothing in it to call, share or report.
    for absent in ("tel:", "mailto:", "report", "google.com/maps", "data-print"):
        assert absent not in preview, absent
    assert "Phone: 0191 498 0352" in preview
