"""The directory served for real on this suite's database (SQLite, or PostgreSQL under
`make test-postgres`), with the demo data, for the black-box attack (issue #15)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask.cli import ScriptInfo

from directory import create_app
from directory.cli import cli

from ...browser.server import DEMO_ACCOUNTS, LiveServer, serve

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Served:
    server: LiveServer
    database_url: str

    def url(self, path: str) -> str:
        return self.server(path)


def _load_demo(instance: Path, database_url: str) -> None:
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database_url,
                      "SEARCH_INDEX_DIR": str(instance / "search")})
    try:
        for command in ("init", "seed", "reindex"):
            result = app.test_cli_runner().invoke(
                cli, [command], obj=ScriptInfo(create_app=lambda: app))
            assert result.exit_code == 0, f"directory {command} failed:\n{result.output}"
    finally:
        app.extensions["db"].engine.dispose()


def _two_workers(port: int) -> list[str]:
    import sys

    return [sys.executable, "-m", "directory", "serve", "--host", "127.0.0.1", "--port",
            str(port), "--workers", "2"]


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory, template_db) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("blackbox")
    instance = folder / "instance"
    database_url = template_db.url_for(folder / "db")
    _load_demo(instance, database_url)
    old = os.environ.get("DIRECTORY_DATABASE_URL")
    import tests.browser.server as server_module

    real_environment = server_module.served_environment

    def environment(path: Path) -> dict[str, str]:
        env = real_environment(path)
        env["DIRECTORY_DATABASE_URL"] = database_url
        env["DIRECTORY_SEARCH_INDEX_DIR"] = str(instance / "search")
        # The attack signs in often and on purpose fails; limits are tested on their own.
        env["DIRECTORY_LOGIN_RATE_LIMIT"] = "1000 per minute"
        env["DIRECTORY_LOGIN_ACCOUNT_RATE_LIMIT"] = "1000 per minute"
        env["DIRECTORY_REPORT_RATE_LIMIT"] = "1000 per minute"
        env["DIRECTORY_JOIN_RATE_LIMIT"] = "1000 per minute"
        env["DIRECTORY_REFERRAL_RATE_LIMIT"] = "1000 per minute"
        return env

    server_module.served_environment = environment
    try:
        with serve(instance, _two_workers) as live:
            yield Served(live, database_url)
    finally:
        server_module.served_environment = real_environment
        if old is not None:
            os.environ["DIRECTORY_DATABASE_URL"] = old
        template_db.release(folder / "db")


def csrf_token(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found[1]


def signed_in(served: Served, role: str | None) -> requests.Session:
    """A browser-like session: anonymous (None) or signed in as the demo account for role."""
    session = requests.Session()
    if role is None:
        return session
    account = DEMO_ACCOUNTS[role]
    token = csrf_token(session.get(served.url("/auth/login"), timeout=30).text)
    response = session.post(served.url("/auth/login"), timeout=30, allow_redirects=False,
                            data={"email": account.email, "password": account.password,
                                  "csrf_token": token})
    assert response.status_code == 302, response.text[:500]
    return session
