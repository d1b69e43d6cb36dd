"""Upgrading a database that holds a catalogue keeps every row and every link between rows."""

from __future__ import annotations

import sqlalchemy as sa

from directory import migrate
from directory.db import make_database

COUNTS = {
    "services": "SELECT count(*) FROM services",
    "venue links": "SELECT count(*) FROM service_locations",
    "session venues": "SELECT count(*) FROM weekly_sessions WHERE location_id IS NOT NULL",
    "terms": "SELECT count(*) FROM service_terms",
}


def test_upgrading_from_0005_keeps_the_catalogue_and_its_links(empty_database_url: str) -> None:
    database = make_database(empty_database_url)
    migrate.upgrade(database.engine, "0005")
    with database.engine.begin() as db:
        db.execute(sa.text("INSERT INTO organizations (id, public_id, name, description, trusted, "
                           "created_at, updated_at) VALUES (1, 'o1', 'Benwell Breathers', '', false, "
                           ":now, :now)"), {"now": "2026-01-01 00:00:00"})
        db.execute(sa.text("INSERT INTO locations (id, public_id, name, address_1, address_2, town, "
                           "postcode, latitude, longitude, access_notes, created_at, updated_at) VALUES "
                           "(1, 'l1', 'Fenham Hall', '', '', '', 'NE4 9XA', 54.98, -1.65, '', :now, :now)"),
                   {"now": "2026-01-01 00:00:00"})
        db.execute(sa.text("INSERT INTO services (id, public_id, organization_id, name, description, "
                           "status, cost, is_free, by_appointment, first_visit, source, created_at, "
                           "updated_at) VALUES (1, 's1', 1, 'Breathe Easy', '', 'active', '', false, "
                           "false, '', 'demo', :now, :now)"), {"now": "2026-01-01 00:00:00"})
        db.execute(sa.text("INSERT INTO service_locations (service_id, location_id) VALUES (1, 1)"))
        db.execute(sa.text("INSERT INTO weekly_sessions (service_id, day, sort_key, starts_at, ends_at, "
                           "location_id) VALUES (1, 'tue', 1, '10:00:00', '11:30:00', 1)"))
        db.execute(sa.text("INSERT INTO terms (id, public_id, taxonomy, code, label) VALUES "
                           "(1, 't1', 'sp-category', 'ltc-management', 'Managing a condition')"))
        db.execute(sa.text("INSERT INTO service_terms (service_id, term_id) VALUES (1, 1)"))
    with database.engine.connect() as db:
        before = {name: db.execute(sa.text(sql)).scalar() for name, sql in COUNTS.items()}

    migrate.upgrade(database.engine)

    with database.engine.connect() as db:
        after = {name: db.execute(sa.text(sql)).scalar() for name, sql in COUNTS.items()}
        assert db.execute(sa.text("SELECT version FROM services")).scalar() == 1
    assert before == after == {"services": 1, "venue links": 1, "session venues": 1, "terms": 1}
    assert migrate.current_revision(database.engine) == migrate.head_revision(database.engine)
    database.engine.dispose()
