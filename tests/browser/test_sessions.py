"""Two people on the directory at once, served by the README's `directory serve`: one
signing in must not sign in the other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .server import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser


def test_signing_in_in_one_browser_signs_in_no_other(live_server, new_context):
    account = DEMO_ACCOUNTS["link_worker"]
    worker = new_context(base_url=live_server.url).new_page()
    stranger = new_context(base_url=live_server.url).new_page()
    worker.goto("/auth/login")
    stranger.goto("/auth/login")
    worker.get_by_label("Email address").fill(account.email)
    worker.get_by_label("Password").fill(account.password)
    worker.get_by_role("button", name="Sign in").click()
    expect(worker.get_by_text(f"Signed in as {account.email}")).to_be_visible()

    stranger.goto("/about")
    expect(stranger.get_by_text("Signed in as")).to_have_count(0, timeout=1000)
    stranger.goto("/workspace/")
    expect(stranger).to_have_url(re.compile(r"/auth/login\?next="), timeout=1000)
