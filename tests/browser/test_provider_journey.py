"""A provider signs in and moves a listing's weekly session to another day; an admin reads
the change field by field and approves it; the public page then shows the new day: with a
mouse, and with the keyboard alone. On the way, every provider and admin page, and the
public forms for groups (asking to join, reporting a problem), pass axe with and without
errors shown, and fit a phone's width.

These tests change data, so they run on their own copy of the demo instance, served by a
second `directory serve`; the mouse and keyboard journeys edit different listings, so either
can run alone or first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import PHONE, Problems
from .keyboard import activate, tab_to, type_into
from .server import DEMO_ACCOUNTS, LiveServer, copy_instance, directory_serve, serve

pytestmark = pytest.mark.browser

ORGANISATION = "Benwell Breathers"
# Two of Benwell Breathers' demo listings, each meeting once a week.
THURSDAY_GROUP = "0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"  # Thursdays, 1:30pm to 3:30pm
SINGING = "c7cc0337-568d-500e-9bf3-c32dcd899660"  # Tuesdays, 10:30am to midday
# The listing editor is long (every vocabulary term is a tick box): allow for it.
LONG_FORM = 600


@pytest.fixture(scope="module")
def changing_server(
    demo_instance: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """This module's own copy of the demo instance, served: its changes reach no other test."""
    instance = tmp_path_factory.mktemp("provider-journey") / "instance"
    copy_instance(demo_instance, instance)
    with serve(instance, directory_serve) as server:
        yield server


@pytest.fixture
def open_page(
    new_context: Callable[..., BrowserContext], problems: Problems, changing_server: LiveServer
) -> Callable[[], Page]:
    """open_page(): a desktop page in a new context (its own cookies: one person) on this
    module's server, watched for console errors."""
    return lambda: problems.watch(new_context(base_url=changing_server.url).new_page())


@pytest.fixture
def page(open_page: Callable[[], Page]) -> Page:
    return open_page()


@pytest.fixture
def check(check_page: Callable[[Page, str], None]) -> Callable[[Page, str], None]:
    """check_page, and the page fits a phone's width without scrolling sideways (WCAG 1.4.10:
    the long email addresses and ids in the admin tables pushed it wider)."""

    def check_fits(page: Page, name: str) -> None:
        check_page(page, name)
        original = page.viewport_size
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if original:
            page.set_viewport_size(original)
        assert width <= PHONE["width"], f"{name} is {width} px wide on a phone ({page.url})"

    return check_fits


def session_pattern(page: Page) -> list[str]:
    """The weekly pattern on a public service page ("Tuesdays, 10am to 11:30am")."""
    heading = page.get_by_role("heading", name="When", exact=True)
    rows = heading.locator("xpath=following-sibling::ul[1]/li")
    return [text.strip() for text in rows.all_inner_texts()]


def test_a_provider_moves_a_session_to_another_day_and_an_admin_approves_it(
    page, open_page, check, sign_in
):
    public = open_page()
    public.goto(f"/services/{THURSDAY_GROUP}")
    assert session_pattern(public) == ["Thursdays, 1:30pm to 3:30pm"]

    sign_in(page, "provider")
    page.get_by_role("link", name="Your listings").click()
    expect(page.locator("h1")).to_have_text("Your listings")
    expect(page.get_by_role("heading", name=ORGANISATION, exact=True)).to_be_visible()
    check(page, "provider-listings")

    page.get_by_role("link", name="Benwell Breathers Thursday Group", exact=True).click()
    expect(page.locator("h1")).to_have_text("Benwell Breathers Thursday Group")
    check(page, "provider-listing")

    page.get_by_role("link", name="History of this listing").click()
    expect(page.locator("h1")).to_have_text("History of Benwell Breathers Thursday Group")
    check(page, "provider-history")

    page.goto("/provider/")
    page.get_by_role("link", name=f"Add a listing for {ORGANISATION}").click()
    expect(page.locator("h1")).to_have_text("Add a listing")
    check(page, "provider-new-listing")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    check(page, "provider-new-listing-errors")

    page.goto(f"/provider/services/{THURSDAY_GROUP}")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.locator("h1")).to_have_text("Edit Benwell Breathers Thursday Group")
    day = page.get_by_role("group", name="Session 1").get_by_label("Day")
    expect(day).to_have_value("thu")
    check(page, "provider-edit")
    day.select_option(label="Tuesday")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_contain_text("Tuesdays, 1:30pm to 3:30pm")
    expect(page.get_by_role("group", name="Session 1").get_by_label("Day")).to_have_value("tue")
    check(page, "provider-edit-preview")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator("h1")).to_have_text("Benwell Breathers Thursday Group")
    expect(page.locator("#pending")).to_contain_text("waiting for an admin to approve it")
    expect(page.locator("#differences")).to_contain_text("Tuesday 13:30 to 15:30")
    check(page, "provider-change-sent")

    public.reload()  # the public keeps the approved version until an admin approves
    assert session_pattern(public) == ["Thursdays, 1:30pm to 3:30pm"]

    admin = open_page()
    sign_in(admin, "admin")
    admin.get_by_role("link", name="Admin", exact=True).click()
    expect(admin.locator("h1")).to_have_text("Admin")
    check(admin, "admin-dashboard")

    admin.locator("#changes-table").get_by_role(
        "link", name="Benwell Breathers Thursday Group"
    ).click()
    expect(admin.locator("h1")).to_have_text('Change to "Benwell Breathers Thursday Group"')
    change = admin.url
    diff = admin.locator("#diff tbody tr")
    expect(diff).to_have_count(1)  # only what the provider changed
    expect(diff.locator("del")).to_contain_text("Thursday 13:30 to 15:30")
    expect(diff.locator("ins")).to_contain_text("Tuesday 13:30 to 15:30")
    check(admin, "admin-change")

    admin.get_by_role("button", name="Reject").click()  # without a reason: refused
    expect(admin.locator(".nhsuk-error-summary")).to_be_visible()
    check(admin, "admin-change-reject-errors")

    admin.get_by_role("button", name="Approve and publish").click()
    approved = 'Approved: "Benwell Breathers Thursday Group" is published.'
    expect(admin.get_by_text(approved)).to_be_visible()
    check(admin, "admin-dashboard-after-approval")
    admin.goto(change)
    expect(admin.locator("#change-state")).to_contain_text("Approved")
    check(admin, "admin-change-approved")

    admin.get_by_role("link", name="history").click()
    expect(admin.locator("h1")).to_have_text('History of "Benwell Breathers Thursday Group"')
    check(admin, "admin-listing-history")

    admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Organisations").click()
    expect(admin.locator("h1")).to_have_text("Organisations")
    check(admin, "admin-organisations")
    admin.locator("#organizations").get_by_role("link", name=ORGANISATION, exact=True).click()
    expect(admin.locator("h1")).to_have_text(ORGANISATION)
    check(admin, "admin-organisation")
    admin.get_by_role("button", name="Add", exact=True).click()  # no address: refused
    expect(admin.locator(".nhsuk-error-summary")).to_be_visible()
    check(admin, "admin-organisation-errors")

    admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Users").click()
    expect(admin.locator("h1")).to_have_text("Users")
    check(admin, "admin-users")

    public.reload()
    assert session_pattern(public) == ["Tuesdays, 1:30pm to 3:30pm"]
    check(public, "service-after-approval")

    page.reload()
    expect(page.locator("#pending")).to_have_count(0)
    page.get_by_role("link", name="See the public page").click()
    assert session_pattern(page) == ["Tuesdays, 1:30pm to 3:30pm"]


def test_the_provider_journey_works_with_the_keyboard_alone(page, open_page):
    provider, admin = DEMO_ACCOUNTS["provider"], DEMO_ACCOUNTS["admin"]
    page.goto("/provider/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    type_into(page, page.get_by_label("Email address"), provider.email)
    type_into(page, page.get_by_label("Password"), provider.password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your listings")

    activate(page, page.get_by_role("link", name="Edit Singing for Better Breathing"))
    expect(page.locator("h1")).to_have_text("Edit Singing for Better Breathing")
    day = page.get_by_role("group", name="Session 1").get_by_label("Day")
    expect(day).to_have_value("tue")
    tab_to(page, day, limit=LONG_FORM)
    for _ in range(3):  # Tuesday, Wednesday, Thursday, Friday
        page.keyboard.press("ArrowDown")
    expect(day).to_have_value("fri")
    send = page.get_by_role("button", name="Send for approval")
    tab_to(page, send, limit=LONG_FORM)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Singing for Better Breathing")
    expect(page.locator("#differences")).to_contain_text("Friday 10:30 to 12:00")

    moderator = open_page()
    moderator.goto("/admin/")
    type_into(moderator, moderator.get_by_label("Email address"), admin.email)
    type_into(moderator, moderator.get_by_label("Password"), admin.password)
    moderator.keyboard.press("Enter")
    expect(moderator.locator("h1")).to_have_text("Admin")
    changes = moderator.locator("#changes-table")
    activate(moderator, changes.get_by_role("link", name="Singing for Better Breathing"))
    expect(moderator.locator("h1")).to_have_text('Change to "Singing for Better Breathing"')
    expect(moderator.locator("#diff ins")).to_contain_text("Friday 10:30 to 12:00")
    activate(moderator, moderator.get_by_role("button", name="Approve and publish"))
    approved = 'Approved: "Singing for Better Breathing" is published.'
    expect(moderator.get_by_text(approved)).to_be_visible()

    page.reload()
    expect(page.locator("#pending")).to_have_count(0)
    activate(page, page.get_by_role("link", name="See the public page"))
    expect(page).to_have_url(re.compile(f"/services/{SINGING}$"))
    expect(page.locator("h1")).to_have_text("Singing for Better Breathing")
    assert session_pattern(page) == ["Fridays, 10:30am to midday"]


def test_asking_to_join_and_reporting_a_problem_pass_axe_up_to_the_admin(
    page, open_page, check, sign_in
):
    page.goto("/join")
    expect(page.locator("h1")).to_have_text("Ask to list your group")
    check(page, "join")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, "join-errors")
    page.get_by_label("Name of your group or organisation").fill("Elswick Knit and Natter")
    page.get_by_label("Your name").fill("Pat Example")
    page.get_by_label("Your email address").fill("pat@example.org")
    page.get_by_label("What does your group do?").fill("We knit and chat on Wednesday afternoons.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("h1")).to_have_text("Thank you: we have your request")
    check(page, "join-sent")

    page.goto(f"/services/{THURSDAY_GROUP}/report")
    expect(page.locator("h1")).to_have_text("Report a problem with this listing")
    check(page, "report")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, "report-errors")
    page.get_by_label("What is wrong?").fill("The phone number does not answer.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("h1")).to_have_text("Thank you for telling us")
    check(page, "report-sent")

    admin = open_page()
    sign_in(admin, "admin")
    admin.goto("/admin/")
    expect(admin.locator("#reports-table")).to_contain_text("The phone number does not answer.")
    check(admin, "admin-dashboard-with-requests")
    admin.get_by_role("link", name="Elswick Knit and Natter").click()
    expect(admin.locator("h1")).to_have_text("Elswick Knit and Natter")
    check(admin, "admin-join-request")
