"""A public "my list": saved on the device from a service page, shown on My list with no
account, removable, and its address shares the same list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BREATHERS = "/services/0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"


def test_save_a_service_and_see_it_on_my_list(page, check_page):
    page.goto(BREATHERS)
    save = page.get_by_role("button", name="Save to my list")
    save.click()
    saved = page.get_by_role("button", name="Saved to my list")
    expect(saved).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="My list").click()
    page.wait_for_url("**/my-list?id=0c5344f0-7a01-5eb5-a95f-0d9a205da5bd")
    expect(page.locator("#results .nhsuk-card__link")).to_have_text(
        ["Benwell Breathers Thursday Group"])
    check_page(page, "my-list")
    stored = page.evaluate("localStorage.getItem('directory.my-list')")
    assert stored == '["0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"]'

    page.get_by_role("button", name="Clear my list").click()
    expect(page.locator("#empty-list")).to_be_visible()
    page.goto(BREATHERS)
    expect(page.get_by_role("button", name="Save to my list")).to_have_attribute(
        "aria-pressed", "false")
