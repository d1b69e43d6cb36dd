"""Two app instances on one database, each with its own search index (two machines): a change
committed through one becomes searchable on the other."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from directory import search
from directory.models import Service, version
from directory.search import Filters, index

from .factories import make_location, make_org, make_service


@pytest.fixture
def machines(make_app, tmp_path: Path) -> tuple[Flask, Flask]:
    """Apps A and B: the same database, separate instance folders and search indexes."""
    apps = tuple(
        make_app(
            INSTANCE_PATH=str(tmp_path / name), SEARCH_INDEX_DIR=str(tmp_path / name / "search")
        )
        for name in ("a", "b")
    )
    for app in apps:
        search.rebuild_all(app)
    return apps  # type: ignore[return-value]


def names(app: Flask, text: str) -> list[str]:
    with app.app_context():
        return sorted(hit.name for hit in search.run_search(text, Filters()).hits)


def db_version(app: Flask) -> int:
    with app.extensions["db"].engine.connect() as connection:
        return version.current(connection)


def test_a_service_added_renamed_and_deleted_on_one_machine_is_seen_on_the_other(machines):
    a, b = machines
    with a.extensions["db"].sessions() as session:
        org = make_org(session, "Elswick Community Trust")
        service = make_service(session, "Elswick Dominoes Club", org=org, description="Weekly.")
        assert names(b, "dominoes") == ["Elswick Dominoes Club"]
        service.name = "Elswick Chess Club"
        session.commit()
        assert names(b, "chess") == ["Elswick Chess Club"]
        assert names(b, "dominoes") == []
        session.delete(service)
        session.commit()
    assert names(b, "chess") == []
    assert search.check(a).clean and search.check(b).clean


def test_renaming_a_venue_on_one_machine_reindexes_its_services_on_the_other(machines):
    a, b = machines
    with a.extensions["db"].sessions() as session:
        hall = make_location(session, "Old Hall")
        make_service(session, "Choir", locations=(hall,))
        make_service(session, "Lunch club", locations=(hall,))
        assert names(b, "riverside") == []
        hall.name = "Riverside Community Hall"
        session.commit()
    assert names(b, "riverside") == ["Choir", "Lunch club"]


def test_the_writer_is_in_step_at_once_and_the_other_catches_up_on_its_next_search(machines):
    a, b = machines
    with a.extensions["db"].sessions() as session:
        make_service(session, "Benwell Walking Football")
    now = db_version(a)
    assert index.read_version(search.index_root(a)) == now  # nothing left to catch up
    assert index.read_version(search.index_root(b)) < now
    assert names(b, "football") == ["Benwell Walking Football"]
    assert index.read_version(search.index_root(b)) == now


def test_a_write_on_a_machine_that_is_behind_does_not_skip_what_it_missed(machines):
    a, b = machines
    with a.extensions["db"].sessions() as session:
        make_service(session, "Fenham Tai Chi")
    behind = index.read_version(search.index_root(b))
    with b.extensions["db"].sessions() as session:
        make_service(session, "Fenham Chess Club")
    # B wrote its own change, but still records the version it was in step with.
    assert index.read_version(search.index_root(b)) == behind
    assert names(b, "fenham") == ["Fenham Chess Club", "Fenham Tai Chi"]
    assert search.check(b).clean


def test_a_change_made_by_another_process_is_caught_up_by_check(machines):
    a, b = machines
    with b.extensions["db"].sessions() as session:
        make_service(session, "Scotswood Strollers")
    assert search.check(a).clean  # check catches A up first, then compares every document


def test_an_index_older_than_the_change_log_is_rebuilt(machines):
    a, b = machines
    with a.extensions["db"].sessions() as session:
        make_service(session, "Walker Park Run")
    before = (search.index_root(b) / "current").resolve()
    with a.extensions["db"].engine.begin() as connection:  # as if B had been off for months
        version.prune(connection, version.utcnow())
    assert names(b, "walker") == ["Walker Park Run"]
    assert (search.index_root(b) / "current").resolve() != before  # a new generation
    assert index.read_version(search.index_root(b)) == db_version(b)


def test_an_index_ahead_of_the_database_is_rebuilt(machines):
    a, b = machines
    root = search.index_root(b)
    # As if the database had been restored from a backup taken 50 versions ago.
    index._record_version((root / "current").resolve(), db_version(b) + 50)
    with a.extensions["db"].sessions() as session:
        make_service(session, "Walker Park Run")
    assert names(b, "walker") == ["Walker Park Run"]
    assert index.read_version(root) == db_version(b)


def test_the_change_log_is_pruned_as_versions_go_by(machines, monkeypatch):
    a, _b = machines
    monkeypatch.setattr(version, "PRUNE_EVERY", 1)
    monkeypatch.setattr(version, "KEEP", version.timedelta(0))
    with a.extensions["db"].sessions() as session:
        make_service(session, "First")
        make_service(session, "Second")
        rows = session.scalars(version.sa.select(version.CatalogueChange.version)).all()
        value, pruned = version.state(session.connection())
    assert rows == [value] and pruned == value - 1


def test_a_rebuild_records_the_version_it_was_read_at(machines):
    a, _b = machines
    with a.extensions["db"].sessions() as session:
        make_service(session)
        assert session.query(Service).count() == 1
    search.rebuild_all(a)
    assert index.read_version(search.index_root(a)) == db_version(a)


def test_a_cached_searcher_no_longer_finds_a_service_by_its_old_name(app, db):
    # whoosh's Searcher.refresh() kept the old reader of a segment that had since had the
    # replaced document deleted, so both versions were found.
    org = make_org(db, "Trust")
    service = make_service(db, "Elswick Dominoes Club", org=org, description="Weekly.")
    assert names(app, "dominoes") == ["Elswick Dominoes Club"]
    service.name = "Elswick Chess Club"
    db.commit()
    assert names(app, "dominoes") == []
    assert names(app, "chess") == ["Elswick Chess Club"]
