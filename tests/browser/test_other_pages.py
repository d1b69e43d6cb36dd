"""Pages and states the journeys pass by or skip (errors, no results, the statements, the API
docs) meet WCAG 2.2 A and AA too."""

from __future__ import annotations

import pytest

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
