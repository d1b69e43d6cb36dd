"""Fixtures for app tests: a migrated database per test, a client, and data factories."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from directory import create_app, migrate, vocabulary
from directory.db import make_database
from directory.models import Role, User

from .factories import make_user

DEMO_PASSWORD = "correct horse battery"
TEST_REFERRAL_KEY = "yMmU1NW7k0T2nzPdBq6TQ9oY5a3xq2b3Lr6qkTz8f0A="
VOCABULARY = Path(__file__).parents[2] / "seed_data" / "vocabulary.yaml"


def prepare(url: str) -> None:
    """Migrate the database at url and load the vocabulary, as `directory init` does."""
    database = make_database(url)
    migrate.upgrade(database.engine)
    with database.sessions() as session:
        vocabulary.sync_terms(session, vocabulary.load_vocabulary(VOCABULARY))
        session.commit()
    database.engine.dispose()


class SQLiteDatabases:
    """Each test's database is a copy of one migrated SQLite file (fast and isolated)."""

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.db"
        prepare(f"sqlite:///{self.template}")

    def __fspath__(self) -> str:
        return str(self.template)

    def url_for(self, folder: Path) -> str:
        """A migrated database for folder; asked again, the same one (a second app shares it)."""
        path = folder / "test.db"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def empty_url(self, folder: Path) -> str:
        """A database with nothing in it, not even the schema."""
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'empty.db'}"

    def unreachable_url(self, folder: Path) -> str:
        return f"sqlite:///{folder}/no/such/folder/x.db"

    def release(self, folder: Path) -> None:
        pass  # the file goes with pytest's temporary folder

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Each test's database is created from one migrated template database on the server.

    CREATE DATABASE ... TEMPLATE copies the template's files (STRATEGY FILE_COPY, about 70 ms
    here against 470 ms for the default WAL_LOG), which is quicker than migrating and leaves
    nothing of one test for the next, vocabulary included. A second app in the same test, and
    subprocesses given its URL, share the test's database. The databases are named after
    this process and a counter, and dropped (WITH FORCE) when their test ends.
    """

    def __init__(self, url: str) -> None:
        self.server = make_url(url)
        self.prefix = f"directory_test_{os.getpid()}"
        self.admin = sa.create_engine(
            self.server, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
        )
        self.template = f"{self.prefix}_template"
        self.names: dict[Path, str] = {}
        self.count = 0
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        prepare(self._url(self.template))

    def __fspath__(self) -> str:
        raise TypeError("the test database is on PostgreSQL: use template_db.url_for(folder)")

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(sql)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _create(self, folder: Path, template: str) -> str:
        if folder not in self.names:
            self.count += 1
            name = f"{self.prefix}_{self.count}"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
            self.names[folder] = name
        return self._url(self.names[folder])

    def url_for(self, folder: Path) -> str:
        return self._create(folder, self.template)

    def empty_url(self, folder: Path) -> str:
        return self._create(folder / "empty", "template0")

    def unreachable_url(self, folder: Path) -> str:
        return self._url(f"{self.prefix}_never_created")

    def release(self, folder: Path) -> None:
        """Drop the databases made for folder (and folders inside it)."""
        for path in [p for p in self.names if p == folder or folder in p.parents]:
            self._execute(f'DROP DATABASE IF EXISTS "{self.names.pop(path)}" WITH (FORCE)')

    def close(self) -> None:
        for name in [*self.names.values(), self.template]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()
        self.admin.dispose()


Databases = SQLiteDatabases | PostgresDatabases

# For tests of what only SQLite has; they run in the SQLite suite (`make test`).
sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DIRECTORY_TEST_DATABASE_URL")),
    reason="SQLite only: this suite runs on PostgreSQL (DIRECTORY_TEST_DATABASE_URL)",
)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Where each test's database comes from: SQLite by default, or the PostgreSQL server
    that DIRECTORY_TEST_DATABASE_URL names (see scripts/with-postgres)."""
    url = os.environ.get("DIRECTORY_TEST_DATABASE_URL")
    databases: Databases
    if url:
        databases = PostgresDatabases(url)
    else:
        databases = SQLiteDatabases(tmp_path_factory.mktemp("template"))
    yield databases
    databases.close()


def app_config(tmp_path: Path, template_db: Databases, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "REFERRAL_KEYS": TEST_REFERRAL_KEY,  # a fixed Fernet key, so sealed fields can be checked
        "DATABASE_URL": template_db.url_for(tmp_path),
        "SEARCH_INDEX_DIR": str(tmp_path / "search"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "INSIGHTS_FLUSH_SECONDS": 0,  # demand counts written at once, so a test can read them
        # argon2 at its lowest work factors: hundreds of sign-ins, each otherwise ~0.1 s.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 64,
        **extra,
    }


@pytest.fixture
def empty_database_url(tmp_path: Path, template_db: Databases) -> Iterator[str]:
    """A database with nothing in it, on the suite's database server."""
    yield template_db.empty_url(tmp_path)
    template_db.release(tmp_path / "empty")


@pytest.fixture
def unreachable_database_url(tmp_path: Path, template_db: Databases) -> str:
    """A database URL that cannot be connected to."""
    return template_db.unreachable_url(tmp_path)


@pytest.fixture
def make_app(tmp_path: Path, template_db: Databases) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database, with config overrides."""
    built: list[Flask] = []

    def build(**extra: Any) -> Flask:
        app = create_app(app_config(tmp_path, template_db, **extra))
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["db"].engine.dispose()
    template_db.release(tmp_path)


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
