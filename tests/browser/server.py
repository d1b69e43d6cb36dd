"""The directory served for real: a temporary instance, the demo data loaded through the
`directory` commands, and gunicorn on a free loopback port."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask.cli import ScriptInfo

from directory import create_app
from directory.cli import cli
from directory.config import SEED_DATA


@dataclass(frozen=True)
class Account:
    email: str
    password: str


# role -> the demo account `directory seed` creates for it (admin, link_worker, provider)
DEMO_ACCOUNTS = {
    row["role"]: Account(row["email"], row["password"])
    for row in json.loads((SEED_DATA / "demo" / "accounts.json").read_text(encoding="utf-8"))
}


@dataclass(frozen=True)
class LiveServer:
    """The served directory: its address, its instance folder and its log."""

    url: str
    instance: Path
    log: Path

    def __call__(self, path: str) -> str:
        """The full address of a path on this server."""
        return self.url + path


def load_demo_instance(instance: Path) -> None:
    """`directory init`, `seed` and `reindex` into INSTANCE, in this process (one import)."""
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'directory.db'}",
            "SEARCH_INDEX_DIR": str(instance / "search"),
        }
    )
    try:
        for command in ("init", "seed", "reindex"):
            result = app.test_cli_runner().invoke(
                cli, [command], obj=ScriptInfo(create_app=lambda: app)
            )
            assert result.exit_code == 0, f"directory {command} failed:\n{result.output}"
    finally:
        app.extensions["db"].engine.dispose()


def copy_instance(source: Path, target: Path) -> None:
    """Copy the instance folder SOURCE (database, search index, secret key) to TARGET, for
    tests that change data. The database goes through SQLite's backup API, so the copy is
    whole even while SOURCE is being served."""
    shutil.copytree(
        source,
        target,
        symlinks=True,
        # gunicorn's control socket is a socket, not a file: never copied.
        ignore=shutil.ignore_patterns("directory.db*", "outbox", "gunicorn.ctl"),
    )
    with (
        closing(sqlite3.connect(source / "directory.db")) as original,
        closing(sqlite3.connect(target / "directory.db")) as copy,
    ):
        original.backup(copy)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served_environment(instance: Path) -> dict[str, str]:
    """The caller's environment without its DIRECTORY_* settings (a developer's database URL
    must never receive the demo data), pointed at INSTANCE."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIRECTORY_")}
    env["DIRECTORY_INSTANCE"] = str(instance)
    return env


def directory_serve(port: int) -> list[str]:
    """The README's command: `directory serve` with one gunicorn worker."""
    return [
        sys.executable,
        "-m",
        "directory",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]


@contextmanager
def serve(
    instance: Path, command: Callable[[int], list[str]] = directory_serve, timeout: float = 60
) -> Iterator[LiveServer]:
    """Serve INSTANCE on a free loopback port until the block ends."""
    port = free_port()
    log = instance.parent / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command(port), env=served_environment(instance), stdout=out, stderr=subprocess.STDOUT
        )
    server = LiveServer(f"http://127.0.0.1:{port}", instance, log)
    try:
        _wait_until_answering(process, server, timeout)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(
    process: subprocess.Popen[bytes], server: LiveServer, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"`directory serve` exited with {process.returncode}:\n"
                f"{server.log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(server("/about"), timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(
        f"`directory serve` did not answer within {timeout:.0f} s:\n"
        f"{server.log.read_text(errors='replace')[-3000:]}"
    )
