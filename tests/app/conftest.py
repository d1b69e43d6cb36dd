"""Fixtures for app tests: a migrated database per test, a client, and data factories."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory import create_app, migrate, vocabulary
from directory.db import make_database
from directory.models import Role, User

from .factories import make_user

DEMO_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the vocabulary, copied for each test (fast and isolated)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = make_database(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    vocab = vocabulary.load_vocabulary(Path(__file__).parents[2] / "seed_data" / "vocabulary.yaml")
    with database.sessions() as session:
        vocabulary.sync_terms(session, vocab)
        session.commit()
    database.engine.dispose()
    return path


def app_config(tmp_path: Path, template_db: Path, **extra: Any) -> dict[str, Any]:
    url = os.environ.get("DIRECTORY_TEST_DATABASE_URL")
    if url is None:
        db_file = tmp_path / "test.db"
        if not db_file.exists():  # a second app in the same test shares the first one's data
            shutil.copy(template_db, db_file)
        url = f"sqlite:///{db_file}"
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        **extra,
    }


@pytest.fixture
def make_app(tmp_path: Path, template_db: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database, with config overrides."""
    built: list[Flask] = []

    def build(**extra: Any) -> Flask:
        app = create_app(app_config(tmp_path, template_db, **extra))
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["db"].engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for arranging data; views open their own."""
    with app.extensions["db"].sessions() as session:
        yield session


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], None]:
    """Sign in through the real form (users made by make_user share DEMO_PASSWORD)."""

    def login(user: User) -> None:
        response = client.post("/auth/login", data={"email": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)

    return login


@pytest.fixture
def admin(db: Session) -> User:
    return make_user(db, "admin@example.org", Role.ADMIN, password=DEMO_PASSWORD)
