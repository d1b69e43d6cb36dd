"""Alembic migrations build exactly the schema the models describe, from an empty database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from directory import migrate
from directory.db import Base, make_database


def test_migrating_up_from_an_empty_database_matches_the_models(empty_database_url):
    database = make_database(empty_database_url)
    migrate.upgrade(database.engine)
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert migrate.current_revision(database.engine) == migrate.head_revision(database.engine)
    assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())
    database.engine.dispose()


def test_upgrading_twice_is_harmless(empty_database_url):
    database = make_database(empty_database_url)
    migrate.upgrade(database.engine)
    migrate.upgrade(database.engine)
    assert migrate.current_revision(database.engine) == migrate.head_revision(database.engine)
    database.engine.dispose()


def test_database_urls_with_percent_escapes_reach_alembic_intact(tmp_path):
    # e.g. postgresql+psycopg://user@/db?host=%2Fvar%2Frun%2Fpostgresql
    from types import SimpleNamespace

    from sqlalchemy.engine import make_url

    url = "postgresql://user@/directory?host=%2Fvar%2Frun%2Fpostgresql"
    engine = SimpleNamespace(url=make_url(url))  # only the URL is read; nothing connects
    assert migrate.alembic_config(engine).get_main_option("sqlalchemy.url") == url
