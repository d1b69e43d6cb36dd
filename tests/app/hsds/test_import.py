"""`directory import-hsds`: upsert by id, our vocabulary from attributes, bad records skipped."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory import search, seed
from directory.hsds import Importer
from directory.models import (
    ExternalTerm,
    Location,
    Service,
    ServiceExternalTerm,
    ServiceStatus,
    Taxonomy,
)
from directory.vocabulary import load_vocabulary

from .conftest import DATA, EVAL_HSDS, HSDS, ROOT, run

FLAT = json.loads((DATA / "eval-dev" / "catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def feed() -> list[dict]:
    return json.loads(EVAL_HSDS.read_text(encoding="utf-8"))


def count(db, model=Service) -> int:
    return db.scalar(select(func.count()).select_from(model))


def by_source_id(db, source_id: str) -> Service:
    return db.scalar(select(Service).where(Service.public_id == seed.service_uuid(source_id)))


def test_the_dev_evaluation_catalogue_imports_with_its_vocabulary(app, db):
    result = run(app, "import-hsds", str(EVAL_HSDS))
    assert result.exit_code == 0, result.output
    assert "70 created, 0 updated, 0 unchanged, 0 skipped" in result.output
    assert count(db) == 70
    lungs = by_source_id(db, "nt-001")
    assert lungs.name == "Seaside Lungs Club"
    assert lungs.codes(Taxonomy.ACTIVITY) == ["breathing-support", "peer-support", "social-group"]
    assert lungs.codes(Taxonomy.CONDITION) == ["asthma", "copd"]
    assert lungs.codes(Taxonomy.INTENSITY) == ["light"]
    assert lungs.is_free and lungs.last_verified == date(2026, 9, 11)
    assert lungs.source == str(EVAL_HSDS.resolve())
    venue = lungs.locations[0]
    assert venue.postcode == "NE26 2TH"
    assert venue.access_codes >= {"wheelchair-accessible", "hearing-loop"}
    assert [
        (s.day.value, s.starts_at.isoformat(), s.ends_at.isoformat()) for s in lungs.sessions
    ] == [("thu", "10:30:00", "12:00:00")]
    statuses = {s.status for s in db.scalars(select(Service))}
    assert statuses == {ServiceStatus.ACTIVE, ServiceStatus.PAUSED, ServiceStatus.CLOSED}
    assert search.check(app).clean  # the index followed the import's commits


def test_the_hsds_catalogue_says_what_the_flat_one_says(app, db):
    """Every term, venue fact, session, age and language arrives as the flat loader has it."""
    assert run(app, "import-hsds", str(EVAL_HSDS)).exit_code == 0
    vocab = load_vocabulary(ROOT / "seed_data" / "vocabulary.yaml")
    assert vocab  # the flat catalogue uses the same vocabulary
    for item in FLAT:
        service = by_source_id(db, item["id"])
        venue_access = {code for loc in service.locations for code in loc.access_codes}
        access = set(service.codes(Taxonomy.ACCESS)) | venue_access
        assert access == set(item["access"]), item["id"]
        assert service.codes(Taxonomy.ACTIVITY) == sorted(item["activities"]), item["id"]
        assert service.codes(Taxonomy.CATEGORY) == sorted(item["categories"]), item["id"]
        assert service.codes(Taxonomy.CONDITION) == sorted(item.get("conditions", [])), item["id"]
        assert service.codes(Taxonomy.INTENSITY) == [item["intensity"]], item["id"]
        assert (service.min_age, service.max_age) == (item.get("min_age"), item.get("max_age"))
        assert sorted(service.languages) == sorted(item["languages"]), item["id"]
        assert sorted(service.coverage) == sorted(item.get("coverage_outward_codes") or [])
        assert sorted(
            (s.day.value, s.starts_at.strftime("%H:%M"), s.ends_at.strftime("%H:%M"))
            for s in service.sessions
        ) == sorted((s["day"], s["start"], s["end"]) for s in item.get("schedule", []))
        assert service.by_appointment == bool(item.get("by_appointment")), item["id"]
        assert sorted((v.latitude, v.longitude) for v in service.locations) == sorted(
            (v["latitude"], v["longitude"]) for v in item.get("locations", [])
        )


def test_importing_twice_changes_nothing(app, db, feed, write_feed):
    path = write_feed(feed)
    assert run(app, "import-hsds", path).exit_code == 0
    before = {s.public_id: s.updated_at for s in db.scalars(select(Service))}
    again = run(app, "import-hsds", path)
    assert again.exit_code == 0
    assert "0 created, 0 updated, 70 unchanged, 0 skipped" in again.output
    db.expire_all()
    assert {s.public_id: s.updated_at for s in db.scalars(select(Service))} == before
    assert count(db) == 70


def test_a_changed_feed_updates_only_what_changed(app, db, feed, write_feed):
    assert run(app, "import-hsds", write_feed(feed)).exit_code == 0
    before = {s.public_id: s.updated_at for s in db.scalars(select(Service))}
    changed = copy.deepcopy(feed)
    changed[0]["name"] = "Seaside Lungs and Singing Club"
    changed[0]["last_modified"] = "2026-12-01T09:00:00Z"
    changed[1]["schedules"][0]["opens_at"] = "09:30:00"
    changed[2]["attributes"] = [
        a for a in changed[2]["attributes"] if a["taxonomy_term"]["code"] != "drop-in"
    ]
    result = run(app, "import-hsds", write_feed(changed))
    assert result.exit_code == 0, result.output
    assert "0 created, 3 updated, 67 unchanged, 0 skipped" in result.output
    assert "What the updates changed (services, by field; each in the CSV report): " \
        "name (1), schedules (1), terms (1)." in result.output
    report = sorted((Path(app.instance_path) / "import-reports").glob("*.csv"))[-1]
    assert f"updated,{changed[0]['id']},name,changed in the feed" in report.read_text("utf-8")
    db.expire_all()
    after = {s.public_id: s.updated_at for s in db.scalars(select(Service))}
    touched = {public_id for public_id in after if after[public_id] != before[public_id]}
    assert touched == {changed[0]["id"], changed[1]["id"], changed[2]["id"]}
    first = db.scalar(select(Service).where(Service.public_id == changed[0]["id"]))
    assert first.name == "Seaside Lungs and Singing Club"
    assert first.updated_at.isoformat().startswith("2026-12-01T09:00:00")
    third = db.scalar(select(Service).where(Service.public_id == changed[2]["id"]))
    assert "drop-in" not in third.codes(Taxonomy.ACCESS)
    hits = search.run_search("singing club", search.Filters(), app=app).hits
    assert changed[0]["id"] in [hit.id for hit in hits]


def test_a_shared_venue_that_changes_updates_the_services_that_meet_there(
    app, db, feed, write_feed
):
    assert run(app, "import-hsds", write_feed(feed)).exit_code == 0
    changed = copy.deepcopy(feed)
    venue_id = changed[0]["service_at_locations"][0]["location"]["id"]
    users = [
        s["id"]
        for s in changed
        for sal in s.get("service_at_locations", [])
        if sal["location"]["id"] == venue_id
    ]
    for service in changed:
        for sal in service.get("service_at_locations", []):
            if sal["location"]["id"] == venue_id:
                sal["location"]["name"] = "Park View Rooms"
    result = run(app, "import-hsds", write_feed(changed))
    assert f"0 created, {len(users)} updated" in result.output
    assert (
        db.scalar(select(Location.name).where(Location.public_id == venue_id)) == "Park View Rooms"
    )


def _bad(feed: list[dict], n: int, **changes) -> dict:
    record = copy.deepcopy(feed[n])
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def test_each_invalid_record_is_reported_and_skipped_and_the_rest_import(app, db, feed, write_feed):
    unknown_term = _bad(feed, 3)
    attribute = unknown_term["attributes"][2]
    attribute["taxonomy_term"].update(
        code="knitting-circle", term="knitting-circle", id="00000000-0000-4000-8000-000000000001"
    )
    attribute["taxonomy_term_id"] = attribute["taxonomy_term"]["id"]
    backwards = _bad(feed, 4)
    backwards["schedules"][0]["closes_at"] = "08:00:00"
    records = [
        feed[0],
        _bad(feed, 1, name=None),
        _bad(feed, 2, status="open"),
        unknown_term,
        backwards,
        _bad(feed, 5, email="not an email"),
        _bad(feed, 6, minimum_age=70, maximum_age=18),
        "not even an object",
        feed[7],
    ]
    result = run(app, "import-hsds", write_feed(records))
    assert result.exit_code == 1
    assert "2 created, 0 updated, 0 unchanged, 7 skipped" in result.output
    for line in [
        f"Skipped {feed[1]['id']}: name: is missing",
        f"Skipped {feed[2]['id']}: status: 'open' is not an HSDS status",
        f"Skipped {feed[3]['id']}: attributes[2].taxonomy_term: "
        "unknown sp-activity term 'knitting-circle'",
        f"Skipped {feed[4]['id']}: schedules[0].closes_at: must be after opens_at",
        f"Skipped {feed[5]['id']}: email: 'not an email' is not an email address",
        f"Skipped {feed[6]['id']}: minimum_age: is more than maximum_age",
        "Skipped record 8: is not a JSON object",
    ]:
        assert line in result.output, result.output
    assert {s.public_id for s in db.scalars(select(Service))} == {feed[0]["id"], feed[7]["id"]}


@pytest.mark.parametrize(
    "example", ["oruk-3.0/examples/service_full.json", "hsds-3.0/examples/service_full.json"]
)
def test_the_official_examples_import_and_keep_terms_of_other_taxonomies(app, db, client, example):
    result = run(app, "import-hsds", str(HSDS / example))
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 0 skipped" in result.output
    service = db.scalar(select(Service))
    assert service.name == "Community Counselling"
    assert (service.min_age, service.max_age) == (12, 100)
    # Its only schedule ended in 2005 (valid_to, until): no sessions, and the service says so.
    assert service.sessions == []
    assert "have ended" in service.feed_details["schedule_note"]
    kept = db.scalars(select(ExternalTerm)).all()
    assert len(kept) == 1 and count(db, ServiceExternalTerm) == 1
    shown = client.get(f"/api/v1/services/{service.public_id}").get_json()
    term = next(a["taxonomy_term"] for a in shown["attributes"]
                if a["taxonomy_term"]["id"] == kept[0].public_id)
    assert term["id"] == kept[0].public_id and term["name"] == "name"
    assert client.get(f"/api/v1/taxonomy_terms/{term['id']}").get_json()["name"] == "name"
    listed = client.get(f"/api/v1/services?taxonomy_term_id={term['id']}").get_json()
    assert [s["id"] for s in listed["contents"]] == [service.public_id]
    if "taxonomy_id" in term:
        assert client.get(f"/api/v1/taxonomies/{term['taxonomy_id']}").status_code == 200
    assert "latitude: the position is not a valid latitude and longitude" in result.output


def test_an_id_that_is_not_a_uuid_becomes_the_mappings_uuid5(app, db, feed, write_feed):
    record = {**feed[0], "id": "nt-001-local"}
    record.pop("organization_id")
    assert run(app, "import-hsds", write_feed([record])).exit_code == 0
    assert db.scalar(select(Service.public_id)) == seed.service_uuid("nt-001-local")


def test_a_paging_envelope_file_imports_too(app, db, feed, write_feed):
    page = {
        "total_items": 2,
        "total_pages": 1,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": feed[:2],
    }
    result = run(app, "import-hsds", write_feed(page))
    assert "2 created" in result.output and count(db) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "is not valid JSON"),
        ('{"hello": 1}', "expected a JSON list of HSDS services"),
    ],
)
def test_an_unreadable_source_fails_with_one_line(app, tmp_path, content, message):
    path = tmp_path / "feed.json"
    if content is not None:
        path.write_text(content)
    result = run(app, "import-hsds", str(path))
    assert result.exit_code == 2
    assert message in result.output


def test_large_feeds_show_progress_and_import_in_batches(app, db, feed, write_feed):
    result = run(app, "import-hsds", "--batch-size", "20", write_feed(feed))
    assert result.exit_code == 0
    assert "Importing services" in result.output
    assert count(db) == 70


def test_the_importer_needs_the_vocabulary(make_app, empty_database_url):
    from directory import migrate
    from directory.db import make_database

    url = empty_database_url
    bare = make_database(url).engine
    migrate.upgrade(bare)
    bare.dispose()
    result = run(make_app(DATABASE_URL=url), "import-hsds", str(EVAL_HSDS))
    assert result.exit_code == 1
    assert "run `directory init` first" in result.output


def test_batches_share_organisations_and_venues(app, db, feed):
    with app.app_context():
        report = Importer(db, app.extensions["vocabulary"], "test", batch_size=7).run(feed)
    assert report.summary() == "70 created, 0 updated, 0 unchanged, 0 skipped"
    venues = {sal["location"]["id"] for s in feed for sal in s.get("service_at_locations", [])}
    assert count(db, Location) == len(venues)


def test_a_batch_the_database_refuses_stops_the_import_and_keeps_earlier_batches(
    app, db, feed, write_feed, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    from directory.hsds import importer

    original = importer.Importer._link_rows
    calls = {"n": 0}

    def refuse_the_second_batch(self, created, moved):
        calls["n"] += 1
        if calls["n"] == 2:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: x"))
        original(self, created, moved)

    monkeypatch.setattr(importer.Importer, "_link_rows", refuse_the_second_batch)
    result = run(app, "import-hsds", "--batch-size", "30", write_feed(feed))
    assert result.exit_code == 1
    assert "30 created, 0 updated, 0 unchanged, 0 skipped" in result.output
    assert "the database refused records 31 to 60: UNIQUE constraint failed: x" in result.output
    assert count(db) == 30
