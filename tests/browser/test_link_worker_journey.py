"""A Link Worker signs in, fills the workspace form with the person, reads the reasons,
shortlists two services, opens the printable plan and the link for the person's phone: with
a mouse, and with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import PHONE
from .keyboard import activate, tab_to, type_into
from .server import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

LINK_WORKER = DEMO_ACCOUNTS["link_worker"]
GOALS = ("Get more active / fitter", "Meet people / feel less lonely")
TIMES = ("Tuesday morning", "Thursday morning", "Saturday morning")


def suggestion_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("ol.results > li h3").all_inner_texts()]


def shortlist_two(page: Page, add: Callable[[Locator], None]) -> list[str]:
    """Add the first two suggestions not yet shortlisted with ADD(button); return their names."""
    chosen: list[str] = []
    add_button = page.get_by_role("button", name=re.compile("^Add to shortlist"))
    for _ in range(2):
        item = page.locator("ol.results > li", has=add_button).first
        name = item.locator("h3").inner_text().strip()
        add(item.get_by_role("button", name=re.compile("^Add to shortlist")))
        expect(page.locator("#shortlist-title")).to_have_text(f"Shortlist ({len(chosen) + 1})")
        chosen.append(name)
    return chosen


def test_a_link_worker_matches_shortlists_two_and_makes_a_plan(
    page, new_context, problems, check_page, sign_in
):
    page.goto("/workspace/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    check_page(page, "sign-in")
    sign_in(page, "link_worker")
    page.goto("/workspace/")
    check_page(page, "workspace-empty")

    for goal in GOALS:
        page.get_by_label(goal).check()
    page.get_by_label("COPD").check()
    page.get_by_label("Postcode or place they start from").fill("NE4 8XJ")
    page.get_by_label("How far can they travel? (km)").fill("8")
    page.get_by_label("Thinking about it: open to trying with support").check()
    for time in TIMES:
        page.get_by_label(time, exact=True).check()
    page.get_by_label("Age (optional)").fill("67")
    page.get_by_label("What matters to them, in their words").fill(
        "likes being outdoors, gets breathless"
    )
    page.get_by_role("button", name="Find services").click()

    expect(page.locator("#results-title")).to_contain_text("suggestion")
    assert len(suggestion_names(page)) >= 2
    for item in page.locator("ol.results > li").all()[:3]:
        reasons = item.locator(".reasons li").all_inner_texts()
        assert reasons and all(r.strip() for r in reasons), "every suggestion says why"
    check_page(page, "workspace-suggestions")

    chosen = shortlist_two(page, lambda button: button.click())
    expect(page.get_by_label("COPD")).to_be_checked()  # the form keeps what was entered
    check_page(page, "workspace-shortlist")

    page.get_by_role("button", name="Make a plan").click()
    expect(page.locator("h1")).to_have_text("Your plan")
    assert [
        h.split(". ", 1)[1] for h in page.locator(".plan-service h2").all_inner_texts()
    ] == chosen
    check_page(page, "plan")
    page.emulate_media(media="print")
    expect(
        page.get_by_role("button", name="Save plan and get a link for their phone")
    ).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Save plan and get a link for their phone").click()
    link = page.locator(".plan-phone__link a")
    expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/workspace/plan/\S+$"))
    check_page(page, "plan-saved")

    phone = problems.watch(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    phone.goto(link.get_attribute("href"))  # a different device: no sign-in
    expect(phone.locator("h1")).to_have_text("Your plan")
    assert len(phone.locator(".plan-service").all()) == 2
    check_page(phone, "plan-on-phone")


def test_the_link_worker_journey_works_with_the_keyboard_alone(page, new_context):
    page.goto("/auth/login?next=/workspace/")
    type_into(page, page.get_by_label("Email address"), LINK_WORKER.email)
    type_into(page, page.get_by_label("Password"), LINK_WORKER.password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Find services together")

    for goal in GOALS:
        activate(page, page.get_by_label(goal), "Space")
        expect(page.get_by_label(goal)).to_be_checked()
    activate(page, page.get_by_label("COPD"), "Space")
    type_into(page, page.get_by_label("Postcode or place they start from"), "NE4 8XJ")
    type_into(page, page.get_by_label("How far can they travel? (km)"), "8")
    # radios: Tab reaches the checked one, arrows move within the group
    tab_to(page, page.get_by_label("Thinking about it: open to trying with support"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Ready: wants to start")).to_be_checked()
    for time in TIMES:
        activate(page, page.get_by_label(time, exact=True), "Space")
    tab_to(page, page.get_by_label("Gender (optional, for women-only and men-only groups)"))
    page.keyboard.press("ArrowDown")
    expect(page.locator("#gender-select")).to_have_value("female")
    activate(page, page.get_by_role("button", name="Find services"))
    expect(page.locator("#results-title")).to_contain_text("suggestion")
    assert page.locator("ol.results .reasons li").count() > 0

    chosen = shortlist_two(page, lambda button: activate(page, button))
    activate(page, page.get_by_role("button", name="Make a plan"))
    expect(page.locator("h1")).to_have_text("Your plan")
    assert [
        h.split(". ", 1)[1] for h in page.locator(".plan-service h2").all_inner_texts()
    ] == chosen

    activate(page, page.get_by_role("button", name="Save plan and get a link for their phone"))
    link = page.locator(".plan-phone__link a")
    expect(link).to_be_visible()
    activate(page, link)
    expect(page).to_have_url(re.compile(r"/workspace/plan/\S+$"))
    expect(page.locator("h1")).to_have_text("Your plan")
