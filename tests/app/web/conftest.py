"""The demo catalogue, seeded and indexed once for all read-only page tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory import create_app
from directory.cli import cli
from directory.models import Location, Service, Taxonomy

RESULT_ID = re.compile(r'id="result-([0-9a-f-]{36})"')


@dataclass(frozen=True)
class Facts:
    """What the tests check results against, read straight from the database."""

    name: str
    status: str
    categories: frozenset[str]
    activities: frozenset[str]
    conditions: frozenset[str]
    access: frozenset[str]
    venues: tuple[tuple[float, float], ...]


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[Flask]:
    """An app with the whole demo catalogue loaded and indexed. Do not change its data."""
    folder = tmp_path_factory.mktemp("demo")
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": template_db.url_for(folder),
        "SEARCH_INDEX_DIR": str(folder / "search"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    })
    result = app.test_cli_runner().invoke(cli, ["seed"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def demo(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture(scope="session")
def facts(demo_app: Flask) -> dict[str, Facts]:
    """public id -> facts, for every demo service (active or not)."""
    with demo_app.extensions["db"].sessions() as session:
        rows = session.scalars(select(Service).options(
            selectinload(Service.terms),
            selectinload(Service.locations).selectinload(Location.access_terms),
        )).all()
        return {
            s.public_id: Facts(
                name=s.name,
                status=s.status.value,
                categories=frozenset(s.codes(Taxonomy.CATEGORY)),
                activities=frozenset(s.codes(Taxonomy.ACTIVITY)),
                conditions=frozenset(s.codes(Taxonomy.CONDITION)),
                access=frozenset(s.codes(Taxonomy.ACCESS))
                | {c for loc in s.locations for c in loc.access_codes},
                venues=tuple((loc.latitude, loc.longitude) for loc in s.locations
                             if loc.has_coordinates),
            )
            for s in rows
        }


def result_ids(html: str) -> list[str]:
    """The services listed on a results page, in order."""
    return RESULT_ID.findall(html)
