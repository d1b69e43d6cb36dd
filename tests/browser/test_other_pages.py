"""Pages and states the journeys pass by or skip (errors, no results, the statements, the API
docs) meet WCAG 2.2 A and AA too."""

from __future__ import annotations

import pytest

from .axe import describe, violations

pytestmark = pytest.mark.browser

PAGES = {
    "about": "/about",
    "accessibility-statement": "/accessibility",
    "category": "/categories/arts",
    "no-results": "/search?q=zzzzzzzz",
    "search-errors": "/search?place=ZZ9+9ZZ&distance=abc",
    "page-not-found": "/no/such/page",
    "api-docs": "/api/v1/docs",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_passes_axe(page, check_page, path):
    page.goto(path)
    check_page(page, path.strip("/").replace("/", "-") or "home")


def test_form_errors_pass_axe(page, check_page, sign_in):
    page.goto("/auth/login")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("The email address or password is not right.").wait_for()
    check_page(page, "sign-in-failed")

    sign_in(page, "link_worker")
    page.goto("/workspace/")
    page.get_by_label("How far can they travel? (km)").fill("far")
    page.get_by_role("button", name="Find services").click()
    page.get_by_text("There is a problem").wait_for()
    check_page(page, "workspace-errors")


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_admin_header_fits_the_screen_with_the_rest_under_more(
        new_context, problems, sign_in, artefacts, axe_source, width):
    """An admin has six header links: on a phone the ones that do not fit go under "More"
    (NHS.UK frontend's header menu) instead of wrapping or running off the screen."""
    page = problems.watch(new_context(viewport={"width": width, "height": 800}).new_page())
    sign_in(page, "admin")
    page.goto("/admin/")
    header = page.locator(".nhsuk-header__navigation-list")
    page.screenshot(path=str(artefacts / f"admin-header-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    items = header.locator(":scope > .nhsuk-header__navigation-item")
    tops = {round(box["y"]) for i in range(items.count()) if (box := items.nth(i).bounding_box())}
    assert len(tops) <= 1, "the header's links wrap onto a second line"
    more = page.get_by_role("button", name="Browse More")
    if width >= 1280:
        assert not more.is_visible()  # everything fits on a desk
        return
    more.click()
    assert more.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(artefacts / f"admin-header-{width}-more.png"))
    menu = page.locator(".nhsuk-header__menu-list")
    assert menu.get_by_role("link", name="About").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not (found := violations(page, axe_source)), describe(found)
