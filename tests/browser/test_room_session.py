"""A Link Worker's session with a person in the room, end to end, as issue #13 describes it:
67, COPD and depression, NE4, wants to get active and meet people, "not ready for groups yet,
wants someone to go with her the first time", free, step-free.

Enter the profile, match, shortlist two suggestions and one service by name, relax one
ruled-out service, make the plan, save its link, print it (a PDF, pages counted) and send it
by text to the outbox. At 1280 px and 390 px with a mouse, and at 1280 px with the keyboard
alone. After every action the result (the suggestions, the changed card or the changed
shortlist) must be on screen with no scrolling; every page is checked with axe at 320, 390
and 1280 px, and no page may be wider than the window.

Counting actions: entering the profile counts as one (the fields are filled as the person
talks); each button pressed after it counts as one, typing into the box it submits included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .axe import describe, violations
from .conftest import DESKTOP, PHONE
from .keyboard import activate, tab_to

pytestmark = pytest.mark.browser

WIDTHS = (320, 390, 1280)
MAX_ACTIONS = 12
WORDS = "not ready for groups yet, wants someone to go with her the first time"
BY_NAME = "Out and About Buddies"
ADD = re.compile("^Add to shortlist")
# An answer to wait for after a button: generous, as the machine running the tests may be busy
# (the speed itself is measured by bench/workspace.py, not here).
ANSWER = {"timeout": 30_000}


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium wrote (its page objects are plain dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


class Session:
    """One run of the journey: counts actions, checks pages, saves what it sees."""

    def __init__(self, page: Page, axe_source: str, artefacts: Path, label: str) -> None:
        self.page, self.axe, self.folder, self.label = page, axe_source, artefacts, label
        self.actions = 0
        self.shots = 0

    def act(self, what: str) -> None:
        self.actions += 1
        assert self.actions <= MAX_ACTIONS, f"action {self.actions} ({what}) is one too many"

    def shows(self, target: Locator, name: str) -> None:
        """The action's result is on screen as it stands (no scrolling), and saved."""
        expect(target).to_be_in_viewport()
        self.shots += 1
        self.page.screenshot(path=str(self.folder / f"{self.label}-{self.shots:02d}-{name}.png"))

    def check(self, name: str) -> None:
        """axe at every width, and nothing wider than the window."""
        page = self.page
        original = page.viewport_size
        found = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 800})
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} is {wide} px wide in a {width} px window"
            if failures := violations(page, self.axe):
                found.append(f"at {width} px:\n{describe(failures)}")
            if width != 1280 or self.label.startswith("desk"):
                page.screenshot(path=str(self.folder / f"{self.label}-page-{name}-{width}.png"), full_page=True)
        if original:
            page.set_viewport_size(original)
        assert not found, f"axe found problems on {name}:\n" + "\n".join(found)


def shortlist_count(page: Page) -> Locator:
    return page.locator("#shortlist-title")


def run_session(s: Session, *, press: Callable[[Locator], None], tick: Callable[[Locator], None],
                fill: Callable[[Locator, str], None], choose: Callable[[Locator], None]) -> None:
    page = s.page
    page.goto("/workspace/")
    s.check("workspace-empty")

    # 1. The profile, as the person talks.
    s.act("enter the profile")
    for goal in ("Get more active / fitter", "Meet people / feel less lonely"):
        tick(page.get_by_label(goal, exact=True))
    fill(page.get_by_label("What matters to them, in their words"), WORDS)
    tick(page.get_by_label("COPD", exact=True))
    tick(page.get_by_label("Depression", exact=True))
    fill(page.get_by_label("Postcode or place they start from"), "NE4")
    choose(page.get_by_label("Not ready yet: wants low pressure, small steps"))
    tick(page.get_by_label("Free", exact=True))
    tick(page.get_by_label("Step-free access", exact=True))
    fill(page.get_by_label("Age (optional)"), "67")
    expect(page.locator("[data-goal-order]")).to_have_value("get-more-active,meet-people")

    # 2. Match.
    s.act("find services")
    press(page.get_by_role("button", name="Find services"))
    expect(page.locator("#results-title")).to_contain_text("suggestion", **ANSWER)
    s.shows(page.locator("#results-title"), "suggestions")
    cards = page.locator("ol.results > li")
    assert cards.count() >= 3
    first = cards.first
    for fact in ("When", "Where", "Cost", "How to join", "Why it may suit them"):
        expect(first).to_contain_text(fact)
    expect(first).to_contain_text(re.compile(r"Next: \w+day \d+ \w+"))
    s.check("workspace-suggestions")

    # 3, 4. Two suggestions onto the shortlist, each landing on its own card.
    chosen = []
    for n in (1, 2):
        card = page.locator("ol.results > li", has=page.get_by_role("button", name=ADD)).first
        name = card.locator("h3").inner_text().strip()
        card_id = card.get_attribute("id")
        s.act(f"add suggestion {n}")
        press(card.get_by_role("button", name=ADD))
        expect(shortlist_count(page)).to_have_text(f"Shortlist ({n})", **ANSWER)
        changed = page.locator(f"#{card_id}")
        expect(changed).to_contain_text("On the shortlist")
        s.shows(changed, f"added-{n}")
        if page.viewport_size["width"] >= 1000:
            s.shows(page.locator("#shortlist"), f"shortlist-{n}")  # the shortlist stays in view
        chosen.append(name)

    # 5, 6. One the Link Worker knows, by name.
    s.act("search by name")
    fill(page.get_by_label("Add a service by name"), BY_NAME)
    press(page.get_by_role("button", name="Search", exact=True))
    found = page.locator("#lookup-results")
    expect(found).to_contain_text(BY_NAME, **ANSWER)
    s.shows(found, "found-by-name")
    s.act("add it")
    press(found.locator("li", has_text=BY_NAME).get_by_role("button", name=re.compile("^Add")))
    expect(shortlist_count(page)).to_have_text("Shortlist (3)", **ANSWER)
    s.shows(page.locator("#shortlist"), "added-by-name")
    chosen.append(BY_NAME)
    s.check("workspace-shortlist")

    # 7. Relax what kept a low-cost group out, and match again.
    relax = page.locator(".ruled-out__item", has=page.get_by_role("button", name=re.compile("^Allow low cost")))
    expect(relax.first).to_be_visible()
    relaxed = relax.first.locator("a").first.inner_text().strip()
    s.act("allow low cost")
    press(relax.first.get_by_role("button", name=re.compile("^Allow low cost")))
    expect(page.locator(".changed")).to_contain_text("Low cost", **ANSWER)
    s.shows(page.locator("#results-title"), "relaxed")
    expect(page.get_by_label("Low cost (under 5 pounds a session)")).to_be_checked()
    names = [n.strip() for n in page.locator("ol.results > li h3").all_inner_texts()]
    assert relaxed in names or relaxed in page.locator("#shortlist").inner_text(), (relaxed, names)
    expect(shortlist_count(page)).to_have_text("Shortlist (3)")  # the shortlist survives

    # 8. The plan.
    s.act("make a plan")
    press(page.get_by_role("button", name="Make a plan"))
    expect(page.locator("h1")).to_have_text("Your plan", **ANSWER)
    assert [h.split(". ", 1)[1] for h in page.locator(".plan-service h2").all_inner_texts()] == chosen
    text = page.locator(".plan").inner_text()
    assert "Get in touch to ask how to join" not in text
    assert "Get more active / fitter" in text and WORDS in text
    assert re.search(r"Made on \w+day \d+ \w+ \d{4} with your Link Worker", text)
    s.check("plan")

    # 9. Save it behind a short code.
    s.act("save and get a link")
    press(page.get_by_role("button", name="Save plan and get a link for their phone"))
    code = page.locator(".plan-phone__code")
    expect(code).to_have_text(re.compile(r"^[34679ACEFGHJKMNPRTWXY]{3}(-[34679ACEFGHJKMNPRTWXY]{3}){3}$"), **ANSWER)
    expect(page.locator(".plan-phone")).to_contain_text(re.compile(r"works until \d+ \w+ \d{4}"))
    s.check("plan-saved")

    # 10. Print: the PDF the browser's print makes, on A4.
    s.act("print")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    (s.folder / f"{s.label}-plan.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) <= 2, f"three services printed on {pdf_pages(pdf)} pages"

    # 11. Send the link by text message (to the outbox: no Notify key is set).
    s.act("send by text")
    fill(page.get_by_label("Mobile phone number"), "07700 900123")
    press(page.get_by_role("button", name="Send by text message"))
    sent = page.locator("#plan-sent")
    expect(sent).to_contain_text("Sent by text message to the mobile ending 123", **ANSWER)
    s.shows(sent, "sent")
    s.check("plan-sent")
    assert s.actions <= MAX_ACTIONS


def outbox_texts(live_server) -> list[str]:
    return [p.read_text() for p in sorted((live_server.instance / "outbox").glob("*-plan.sms"))]


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desk-1280", "phone-390"])
def test_the_session_with_a_mouse(new_context, problems, sign_in, axe_source, artefacts, live_server, size):
    phone = size["width"] < 1000
    page = problems.watch(new_context(viewport=size, is_mobile=phone, has_touch=phone).new_page())
    sign_in(page, "link_worker")
    before = len(outbox_texts(live_server))
    s = Session(page, axe_source, artefacts, "phone" if phone else "desk")
    run_session(s, press=lambda b: b.click(), tick=lambda b: b.check(), choose=lambda b: b.check(),
                fill=lambda f, text: f.fill(text))
    texts = outbox_texts(live_server)
    assert len(texts) == before + 1 and "/workspace/plan/" in texts[-1]
    assert "900123" not in texts[-1]
    assert not problems.seen, "\n".join(problems.seen)


def test_the_session_with_the_keyboard_alone(new_context, problems, sign_in, axe_source, artefacts):
    page = problems.watch(new_context(viewport=DESKTOP).new_page())
    sign_in(page, "link_worker")
    s = Session(page, axe_source, artefacts, "keys")

    def press(target: Locator) -> None:
        # Forwards first; the name search sits above the suggestions, so back if need be.
        try:
            tab_to(page, target, limit=120)
        except AssertionError:
            tab_to(page, target, limit=240, key="Shift+Tab")
        page.keyboard.press("Enter")

    def fill(field: Locator, text: str) -> None:
        try:
            tab_to(page, field, limit=120)
        except AssertionError:
            tab_to(page, field, limit=240, key="Shift+Tab")
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.press("Delete")
        page.keyboard.type(text)

    def tick(box: Locator) -> None:
        activate(page, box, "Space")
        expect(box).to_be_checked()

    def choose(radio: Locator) -> None:
        # Tab reaches the checked radio of the group; arrows move within it.
        tab_to(page, page.locator("input[name=readiness]:checked"))
        for _ in range(4):
            if radio.is_checked():
                break
            page.keyboard.press("ArrowUp")
        expect(radio).to_be_checked()

    run_session(s, press=press, tick=tick, fill=fill, choose=choose)
    assert not problems.seen, "\n".join(problems.seen)


def test_the_printed_plan_of_two_services_is_one_page_and_of_four_at_most_two(
    page, sign_in, artefacts
):
    sign_in(page, "link_worker")
    for count in (2, 4):
        page.set_viewport_size(DESKTOP)
        page.goto("/workspace/")
        for goal in ("Get more active / fitter", "Meet people / feel less lonely"):
            page.get_by_label(goal, exact=True).check()
        page.get_by_label("What matters to them, in their words").fill(WORDS)
        page.get_by_label("Postcode or place they start from").fill("NE4")
        page.get_by_label("How far can they travel? (km)").fill("8")
        page.get_by_role("button", name="Find services").click()
        expect(page.locator("#results-title")).to_contain_text("suggestion", **ANSWER)
        for n in range(1, count + 1):
            page.locator("ol.results > li").get_by_role("button", name=ADD).first.click()
            expect(shortlist_count(page)).to_have_text(f"Shortlist ({n})", **ANSWER)
        page.get_by_role("button", name="Make a plan").click()
        expect(page.locator(".plan-service")).to_have_count(count, **ANSWER)
        page.get_by_role("button", name="Save plan and get a link for their phone").click()
        expect(page.locator(".plan-phone__qr")).to_be_visible(**ANSWER)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844 if width < 1000 else 800})
            page.screenshot(path=str(artefacts / f"plan-{count}-services-{width}.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="screen")
        (artefacts / f"plan-{count}-services.pdf").write_bytes(pdf)
        expected = 1 if count == 2 else 2
        assert pdf_pages(pdf) == expected, f"{count} services printed on {pdf_pages(pdf)} pages"
