"""Real-browser fixtures: the directory served by gunicorn with the demo data and demo
accounts, Debian's Chromium driven by Playwright, and a check for each page (axe-core at
WCAG 2.2 A and AA, screenshots at phone and desktop widths, no console or CSP errors).

`make install-test` installs Playwright (pip), axe-core (npm) and Chromium (apt, through
scripts/ensure-chromium). When Chromium or axe-core is missing the browser tests skip with
the reason, unless CI is set or DIRECTORY_BROWSER_TESTS=required (as `.ci/run` sets it):
then they fail.

A journey for another role (the provider and the admin, say) needs only these fixtures:
sign_in(page, "provider"), a second person in new_context().new_page() (watched with
problems.watch), and check_page(page, name) on each page it reaches.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)

from .axe import AXE_FILE, describe, violations
from .server import DEMO_ACCOUNTS, LiveServer, directory_serve, load_demo_instance, serve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium"))
# The network is closed: Chromium must not try to reach Google in the background.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(os.environ.get("BROWSER_ARTEFACTS") or ROOT / "tests" / "browser" / "artefacts")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REQUIRED = bool(os.environ.get("CI")) or os.environ.get("DIRECTORY_BROWSER_TESTS") == "required"


def unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail where the browser tests are required."""
    if REQUIRED:
        pytest.fail(
            f"{reason} (browser tests are required here: CI or DIRECTORY_BROWSER_TESTS=required)",
            pytrace=False,
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder after `directory init`, `seed` and `reindex`: the demo catalogue
    and the demo accounts."""
    instance = tmp_path_factory.mktemp("served") / "instance"
    load_demo_instance(instance)
    return instance


@pytest.fixture(scope="session")
def live_server(demo_instance: Path) -> Iterator[LiveServer]:
    """The demo instance served by gunicorn on a loopback port. Shared by every browser
    test: a test that changes data must leave what the others rely on."""
    with serve(demo_instance, directory_serve) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium (never a browser Playwright downloads)."""
    if not CHROMIUM.exists():
        unavailable(
            f"no Chromium at {CHROMIUM}: run scripts/ensure-chromium as root "
            "(apt-get install chromium), or set BROWSER_CHROMIUM"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_FILE.exists():
        unavailable(
            f"axe-core is not installed ({AXE_FILE.relative_to(ROOT)} is missing): "
            "run `npm ci --prefix frontend` or `make install-test`"
        )
    return AXE_FILE.read_text(encoding="utf-8")


class Problems:
    """What went wrong in the pages of one context without failing a step: console errors
    (a CSP violation shows up there), uncaught exceptions and failed requests."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"uncaught: {error}"))
        page.on("response", self._response)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        # A failed load is reported, with its address, by _response.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.seen.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        # A page may be an error on purpose (the 404 page); there is no favicon. A form that
        # updates in place fetches its page, which is a 400 when it shows the form's errors.
        form_errors = (
            response.request.resource_type == "fetch"
            and response.status == 400
            and response.headers.get("content-type", "").startswith("text/html")
        )
        if (
            response.status >= 400
            and response.request.resource_type != "document"
            and not form_errors
            and not response.url.endswith("/favicon.ico")
        ):
            self.seen.append(f"{response.status} for {response.url}")


@pytest.fixture
def new_context(
    chromium: Browser, live_server: LiveServer
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (separate cookie jars) on the served directory; all closed after."""
    opened: list[BrowserContext] = []

    def open_context(**options: object) -> BrowserContext:
        settings = {"base_url": live_server.url, "viewport": DESKTOP, "accept_downloads": True}
        context = chromium.new_context(**{**settings, **options})  # type: ignore[arg-type]
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def problems() -> Iterator[Problems]:
    found = Problems()
    yield found
    assert not found.seen, "\n".join(found.seen)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext], problems: Problems) -> Page:
    """A desktop-sized page in a fresh context, watched for console errors."""
    return problems.watch(new_context().new_page())


@pytest.fixture
def artefacts(request: pytest.FixtureRequest) -> Path:
    """This test's folder for screenshots and files (emptied first)."""
    folder = ARTEFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def check_page(axe_source: str, artefacts: Path, problems: Problems) -> Callable[[Page, str], None]:
    """check_page(page, name): the page as it is now has no axe violations at phone and desktop
    widths and no console errors; screenshots of both widths go to the artefacts folder."""
    count = iter(range(1, 1000))

    def check(page: Page, name: str) -> None:
        stem = f"{next(count):02d}-{name}"
        original = page.viewport_size
        found: list[str] = []
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=str(artefacts / f"{stem}-{label}.png"), full_page=True)
            if failures := violations(page, axe_source):
                found.append(f"at {label} width:\n{describe(failures)}")
        if original:
            page.set_viewport_size(original)
        assert not found, f"axe found problems on {name} ({page.url}):\n" + "\n".join(found)
        assert not problems.seen, "\n".join(problems.seen)

    return check


@pytest.fixture
def sign_in(live_server: LiveServer) -> Callable[[Page, str], None]:
    """sign_in(page, role): sign in through the real form as the demo account for ROLE
    ("link_worker", "provider" or "admin")."""

    def sign_in_as(page: Page, role: str) -> None:
        account = DEMO_ACCOUNTS[role]
        page.goto("/auth/login")
        page.get_by_label("Email address").fill(account.email)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text(f"Signed in as {account.email}").wait_for()

    return sign_in_as
