"""Every public page: one h1, a skip link, English (UK), labelled inputs, fieldsets with
legends, and no inline scripts or styles (the Content-Security-Policy will forbid them)."""

from __future__ import annotations

import re

import pytest

BREATHERS = "0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"
PAGES = [
    "/",
    "/about",
    "/search",
    "/search?q=walk&place=Fenham&distance=5&access=free&day=mon",
    "/search?q=zzzzzzzz",
    "/search?place=ZZ9+9ZZ&distance=abc",
    "/categories/arts",
    f"/services/{BREATHERS}",
    "/no/such/page",
]


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_meet_the_basics(demo, path):
    body = demo.get(path).get_data(as_text=True)
    assert '<html lang="en-GB">' in body
    assert len(re.findall(r"<h1[ >]", body)) == 1
    assert 'href="#maincontent">Skip to main content' in body and 'id="maincontent"' in body
    for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', body):
        assert f'for="{input_id}"' in body, f"{path}: #{input_id} has no label"
    assert body.count("<fieldset") == body.count("<legend")
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", body), "inline script"
    assert not re.search(r"\sstyle=", body), "inline style"
    for text in re.findall(r"<a [^>]*>([^<]*)</a>", body):
        assert text.strip().lower() not in ("click here", "here", "more", "link"), text


def test_error_messages_are_linked_to_their_fields(demo):
    body = demo.get("/search?place=ZZ9+9ZZ&distance=abc").get_data(as_text=True)
    for field in ("place", "distance"):
        assert f'href="#{field}"' in body and f'id="{field}-error"' in body
        assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', body, re.S)


def test_pages_render_without_the_nhsuk_styles_installed(demo_app):
    demo_app.extensions["nhsuk_installed"] = False
    try:
        body = demo_app.test_client().get("/search?q=walk").get_data(as_text=True)
    finally:
        demo_app.extensions.pop("nhsuk_installed", None)
    assert "vendor/nhsuk" not in body and "site.css" in body and "<h1" in body
