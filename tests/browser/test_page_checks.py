"""The checks the journeys rely on really check: axe reports known failures, and Chromium
enforces the directory's Content-Security-Policy (tests/app/web/test_security_headers.py
checks the headers themselves on every kind of response)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from .axe import violations

pytestmark = pytest.mark.browser


def test_axe_reports_an_image_without_alt_text_and_a_field_without_a_label(page, axe_source):
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:,"><input type="text"></main></body></html>'
    )
    assert {"image-alt", "label"} <= {v["id"] for v in violations(page, axe_source)}


def test_the_browser_refuses_inline_script_on_the_directorys_pages(page, problems):
    page.goto("/about")
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="document.body.dataset.injected = 'yes'")
    assert page.evaluate("document.body.dataset.injected") is None
    problems.seen.clear()  # the refusal is logged as a console error, as it should be
