"""A warm referral end to end (issue #18): a Link Worker finds a group by name, shortlists it
and refers a person from the shortlist, with their consent read out; the group's provider
sees it in the provider area, accepts it, and after the first session marks "attended"; the
Link Worker sees both states, and the referral's history shows each step and who took it.
Every page passes axe at 390 and 1280 px (the form with and without errors).

It changes data, so it runs on its own copy of the demo instance (where Benwell Breathers'
singing group takes referrals).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import PHONE, Problems
from .server import LiveServer, copy_instance, directory_serve, serve

pytestmark = pytest.mark.browser

NAME = "Singing for Better Breathing"
NEEDS = "Tell us if they use oxygen, so we can keep a seat near the door."


@pytest.fixture(scope="module")
def referral_server(
    demo_instance: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("referral-journey") / "instance"
    copy_instance(demo_instance, instance)
    with serve(instance, directory_serve) as server:
        yield server


@pytest.fixture
def open_page(
    new_context: Callable[..., BrowserContext], problems: Problems, referral_server: LiveServer
) -> Callable[[], Page]:
    return lambda: problems.watch(new_context(base_url=referral_server.url).new_page())


@pytest.fixture
def check(check_page: Callable[[Page, str], None]) -> Callable[[Page, str], None]:
    """check_page (axe at 1280 and 390 px), and nothing wider than a phone."""

    def check_fits(page: Page, name: str) -> None:
        check_page(page, name)
        original = page.viewport_size
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if original:
            page.set_viewport_size(original)
        assert width <= PHONE["width"], f"{name} is {width} px wide on a phone ({page.url})"

    return check_fits


def test_a_link_worker_refers_and_the_group_accepts_then_marks_attended(
    open_page, check, sign_in
):
    worker = open_page()
    sign_in(worker, "link_worker")
    worker.goto("/workspace/")
    worker.get_by_label("Add a service by name").fill("Singing for Better")
    worker.get_by_role("button", name="Search", exact=True).click()
    found = worker.locator("#lookup-results li", has_text=NAME)
    expect(found).to_be_visible(timeout=30_000)
    found.get_by_role("button", name=re.compile("^Add")).click()
    shortlist = worker.locator("#shortlist")
    expect(shortlist).to_contain_text(NAME, timeout=30_000)
    check(worker, "shortlist-with-refer")

    shortlist.get_by_role("button", name=f"Refer someone to {NAME}").click()
    expect(worker.get_by_role("heading", name=f"Refer someone to {NAME}")).to_be_visible()
    expect(worker.get_by_text(NEEDS)).to_be_visible()
    check(worker, "referral-form")
    worker.get_by_role("button", name="Send the referral").first.click()
    summary = worker.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter their first name or initials")
    expect(summary).to_contain_text("Confirm you read the statement")
    check(worker, "referral-form-errors")

    worker.get_by_label("Their first name or initials").fill("Mo")
    worker.get_by_label("Text message").check()
    worker.get_by_label("Their phone number or email address").fill("07700 900123")
    worker.get_by_label("A short note for the group (optional)").fill(
        "Uses oxygen; would like a seat near the door.")
    worker.get_by_label(re.compile("meet them at the door")).check()
    worker.get_by_label(re.compile("^I read this statement")).check()
    worker.get_by_role("button", name="Send the referral").first.click()
    expect(worker.get_by_text(f"Referral sent to {NAME}.")).to_be_visible()
    expect(worker.locator(".referral-status")).to_contain_text("Waiting for the group")
    referral_url = worker.url
    check(worker, "referral-sent")

    group = open_page()
    sign_in(group, "provider")
    group.get_by_role("link", name="Referrals", exact=True).click()
    check(group, "group-referrals")
    group.get_by_role("link", name=re.compile(NAME)).first.click()
    expect(group.get_by_text("Uses oxygen; would like a seat near the door.")).to_be_visible()
    expect(group.get_by_text("Text message: 07700 900123")).to_be_visible()
    check(group, "group-referral")
    group.get_by_role("button", name="Accept").click()
    expect(group.get_by_text("Accepted: the Link Worker has been told.")).to_be_visible()

    worker.goto("/referrals/")
    row = worker.locator("tr", has_text=NAME).first
    expect(row).to_contain_text("Accepted")
    check(worker, "my-referrals-accepted")

    group.get_by_label("Write to the Link Worker").fill("We will meet Mo at the door.")
    group.get_by_role("button", name="Send message").click()
    group.get_by_role("button", name="Attended the first session").click()
    expect(group.locator(".referral-status")).to_contain_text("Attended the first session")
    check(group, "group-referral-attended")

    worker.goto("/referrals/")
    expect(worker.locator("tr", has_text=NAME).first).to_contain_text("Attended the first session")
    worker.goto(referral_url)
    expect(worker.get_by_text("We will meet Mo at the door.")).to_be_visible()
    history = worker.locator(".referral-history")
    for step in ("Sent by linkworker@example.org", "Accepted by provider@example.org",
                 "Message written by provider@example.org",
                 "Marked as attended the first session by provider@example.org"):
        expect(history).to_contain_text(step)
    check(worker, "referral-history")

    admin = open_page()
    sign_in(admin, "admin")
    admin.goto(referral_url)
    expect(admin.locator(".referral-history")).to_contain_text("Read by provider@example.org")
    admin.goto("/referrals/")
    expect(admin.locator(".referral-counts")).to_contain_text("Attended the first session: 1")
    check(admin, "admin-referrals")
