"""On a phone the filters are folded behind "Filter results" above the results, and Apply
stays in view while they are open; "Use my location" asks for the position only on a click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_on_a_phone_filter_results_opens_the_filters_above_the_results(new_context, problems,
                                                                       check_page):
    page = problems.watch(new_context(viewport=PHONE).new_page())
    page.goto("/search?q=walking")
    toggle = page.get_by_role("button", name="Filter results")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_label("Free", exact=True)).to_be_hidden()
    first_result = page.locator("#results .nhsuk-card").first.bounding_box()
    assert toggle.bounding_box()["y"] < first_result["y"]

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_label("Sunday").check()  # far down the list of tick boxes
    apply = page.get_by_role("button", name="Apply filters")
    box = apply.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert apply.bounding_box()["y"] < page.locator("#results").bounding_box()["y"]
    check_page(page, "results-phone-filters-open")
    apply.click()
    page.wait_for_url(re.compile(r"day=sun"))
    expect(page.locator(".active-filter", has_text="Sunday")).to_be_visible()


def test_on_a_desk_the_filters_stay_beside_the_results(page):
    page.goto("/search?q=walking")
    expect(page.get_by_role("button", name="Filter results")).to_be_hidden()
    filters = page.locator("#filters").bounding_box()
    results = page.locator("#results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"]
    # The cards line up with the heading above them (no stray offset from other styles).
    assert page.locator("#results .nhsuk-card").first.bounding_box()["x"] == pytest.approx(
        page.locator("#result-count").bounding_box()["x"], abs=1)


def test_use_my_location_asks_only_on_a_click_and_searches_near_it(new_context, problems):
    context = new_context(geolocation={"latitude": 54.9731, "longitude": -1.6541})
    page = problems.watch(context.new_page())
    asked: list[str] = []
    page.expose_function("noteAsked", lambda: asked.append("asked"))
    page.add_init_script("""
      const real = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation)
      navigator.geolocation.getCurrentPosition = (...args) => {
        window.noteAsked()
        return real(...args)
      }
    """)
    page.goto("/search?q=walking")
    expect(page.get_by_role("button", name="Use my location")).to_be_visible()
    assert asked == []  # nothing asked for on arrival
    context.grant_permissions(["geolocation"])
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url(re.compile(r"lat=54\.973&lon=-1\.654"))
    assert asked == ["asked"]
    expect(page.locator("#result-count")).to_contain_text("near your location")
    expect(page.get_by_label("Postcode or town")).to_have_value("")


def test_a_refused_location_says_so_and_the_place_box_still_works(new_context, problems):
    context = new_context(geolocation={"latitude": 54.9731, "longitude": -1.6541})
    page = problems.watch(context.new_page())
    page.goto("/search?q=walking")  # no permission granted: the browser refuses
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("[data-near-status]")).to_have_text(
        "We could not get your location. Enter a postcode or town instead.")
    assert "lat=" not in page.url
