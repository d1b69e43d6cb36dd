"""A service page on a phone: the address and the Call button above the fold, print and share
that work, and a printed page without link noise or the report link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import PHONE

pytestmark = pytest.mark.browser

BREATHERS = "/services/0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"


def test_on_a_phone_the_address_and_call_button_are_above_the_fold(page, check_page, artefacts):
    page.set_viewport_size(PHONE)
    page.goto(BREATHERS)
    page.screenshot(path=str(artefacts / "service-phone-fold.png"))
    for target in (page.locator(".key-facts__address"), page.locator("#call-button")):
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    expect(page.locator("#call-button")).to_have_attribute("href", "tel:01914980352")
    check_page(page, "service")


def test_print_and_copy_link_buttons_work(page, new_context, problems):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = problems.watch(context.new_page())
    page.goto(BREATHERS)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    share = page.get_by_role("link", name="Share by email").get_attribute("href") or ""
    query = parse_qs(urlsplit(share).query)
    assert share.startswith("mailto:?")
    assert query["body"] == [f"Benwell Breathers Thursday Group: {page.url}"]


def test_the_printed_page_has_no_link_noise_or_report_link(page, artefacts):
    page.goto(BREATHERS)
    page.emulate_media(media="print")
    after = "(sel) => getComputedStyle(document.querySelector(sel), '::after').content"
    for link in ('a[href^="tel:"]', 'a[href^="mailto:"]', ".tag-link"):
        assert page.evaluate(after, link) in ("none", "normal"), link
    for hidden in ("#report-problem", ".key-facts__actions", ".venue__directions"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#call-button")).to_be_visible()  # the number, printed once
    page.pdf(path=str(artefacts / "service-printed.pdf"))
