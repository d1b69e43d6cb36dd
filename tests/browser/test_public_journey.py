"""A member of the public searches by keyword and postcode, filters, opens a service, adds it
to their calendar and prints it: with a mouse, and with the keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .keyboard import activate, tab_to, type_into

pytestmark = pytest.mark.browser

RESULT_COUNT = re.compile(r"(\d+) services? found near NE4 8XJ")


def result_count(page: Page) -> int:
    text = page.locator("#result-count").inner_text()
    found = RESULT_COUNT.search(text)
    assert found, text
    return int(found.group(1))


def test_the_public_find_a_service_add_it_to_their_calendar_and_print_it(
    page, check_page, artefacts
):
    page.goto("/")
    check_page(page, "home")

    page.get_by_label("What are you looking for?").fill("walking")
    page.get_by_label("Postcode or town").fill("NE4 8XJ")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("h1")).to_have_text("Results for ‘walking’")
    everything = result_count(page)
    assert everything > 2
    check_page(page, "results")

    page.get_by_label("Free", exact=True).check()
    page.get_by_label("Tuesday").check()
    page.get_by_role("button", name="Apply filters").click()
    assert 0 < result_count(page) < everything
    for label in ("Free", "Tuesday"):
        expect(page.locator(".active-filter", has_text=label)).to_be_visible()
    check_page(page, "results-filtered")

    first = page.locator("#results .nhsuk-card__link").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.get_by_role("link", name="Back to results")).to_be_visible()
    check_page(page, "service")

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Add {name} to your calendar").click()
    calendar = Path(download.value.path()).read_text(encoding="utf-8")
    download.value.save_as(artefacts / download.value.suggested_filename)
    assert calendar.startswith("BEGIN:VCALENDAR") and "RRULE:FREQ=WEEKLY" in calendar
    assert name.replace(",", "\\,") in calendar

    page.emulate_media(media="print")
    for hidden in (".site-footer", ".nhsuk-header__navigation", ".calendar-link", ".back-link"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    page.pdf(path=str(artefacts / "service-printed.pdf"))
    page.screenshot(path=str(artefacts / "service-print-media.png"), full_page=True)


def test_the_public_journey_works_with_the_keyboard_alone(page, artefacts):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#maincontent")).to_be_focused()

    type_into(page, page.get_by_label("What are you looking for?"), "walking")
    type_into(page, page.get_by_label("Postcode or town"), "NE4 8XJ")
    page.keyboard.press("Enter")  # submits the form from the field
    expect(page.locator("h1")).to_have_text("Results for ‘walking’")
    everything = result_count(page)

    activate(page, page.get_by_label("Free", exact=True), "Space")
    activate(page, page.get_by_label("Tuesday"), "Space")
    activate(page, page.get_by_role("button", name="Apply filters"))
    page.wait_for_url(re.compile(r"access=free"))
    assert 0 < result_count(page) < everything

    first = page.locator("#results .nhsuk-card__link").first
    name = first.inner_text()
    activate(page, first)
    expect(page.locator("h1")).to_have_text(name)

    calendar_link = page.get_by_role("link", name=f"Add {name} to your calendar")
    tab_to(page, calendar_link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")

    # Printing is the browser's own Ctrl+P; the keyboard way back is the back link.
    tab_to(page, page.get_by_role("link", name="Back to results"), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Results for ‘walking’")
    page.screenshot(path=str(artefacts / "back-at-results.png"))
