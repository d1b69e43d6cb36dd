"""Fixtures for the HSDS tests: the demo catalogue in one app per test module, and helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import select

from directory import create_app, seed
from directory.cli import cli
from directory.models import Service, ServiceStatus

from ..conftest import app_config

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
HSDS = DATA / "hsds"
EVAL_HSDS = DATA / "eval-dev" / "catalog.hsds.json"
DEMO = ROOT / "seed_data" / "demo"


def run(app: Flask, *args: str) -> Any:
    """Run a `directory` command against app, as tests/app/test_seed.py does."""
    return app.test_cli_runner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def validator(relative: str) -> Draft202012Validator:
    """A validator for one of the copied official schemas, checking formats (uuid, uri, email)."""
    schema = json.loads((HSDS / relative).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(v: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in v.iter_errors(instance)]


def nulls(value: Any, path: str = "$") -> list[str]:
    """Paths of every null in a JSON value (HSDS allows none)."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for n, v in enumerate(value) for p in nulls(v, f"{path}[{n}]")]
    return []


def all_pages(client: FlaskClient, url: str, per_page: int = 100) -> list[dict[str, Any]]:
    pages, number = [], 1
    joiner = "&" if "?" in url else "?"
    while True:
        response = client.get(f"{url}{joiner}page={number}&per_page={per_page}")
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.get_json())
        if pages[-1]["last_page"] or number > 50:
            return pages
        number += 1


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[Flask]:
    """An app holding the demo catalogue, shared by a module's read-only tests."""
    app = create_app(app_config(tmp_path_factory.mktemp("hsds-demo"), template_db))
    with app.extensions["db"].sessions() as session:
        seed.load_catalogue(session, seed.read_catalogue(DEMO), source="demo")
        session.commit()
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture(scope="module")
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture(scope="module")
def demo_ids(demo_app: Flask) -> dict[ServiceStatus, list[str]]:
    """HSDS ids of the demo services by status."""
    with demo_app.extensions["db"].sessions() as session:
        found: dict[ServiceStatus, list[str]] = {status: [] for status in ServiceStatus}
        for public_id, status in session.execute(select(Service.public_id, Service.status)):
            found[status].append(public_id)
    return found


@pytest.fixture
def write_feed(tmp_path: Path) -> Callable[[Any], str]:
    """Write a JSON document to a file and return its path."""
    count = 0

    def write(document: Any) -> str:
        nonlocal count
        count += 1
        path = tmp_path / f"feed-{count}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        return str(path)

    return write
