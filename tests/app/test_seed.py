"""The demo catalogue: loads once however often `directory seed` runs, and covers what it must."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from directory import seed
from directory.cli import cli
from directory.models import Service, ServiceStatus, Taxonomy, User
from directory.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "seed_data" / "demo"


@pytest.fixture(scope="module")
def catalogue() -> seed.Catalogue:
    return seed.read_catalogue(DEMO)


def run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_seeding_twice_leaves_one_copy_of_each_demo_service(app, db, catalogue):
    assert run(app, "init").exit_code == 0
    first = run(app, "seed")
    second = run(app, "seed")
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert f"{len(catalogue.services)} services added" in first.output
    assert "0 services added" in second.output
    assert db.scalar(select(func.count()).select_from(Service)) == len(catalogue.services)
    names = db.scalars(select(Service.name)).all()
    assert len(names) == len(set(names))
    assert db.scalar(select(func.count()).select_from(User)) == 3


def test_seed_if_empty_does_not_touch_a_directory_that_has_services(app, db):
    run(app, "seed")
    service = db.scalars(select(Service)).first()
    db.delete(service)
    db.commit()
    result = run(app, "seed", "--if-empty")
    assert "already has services" in result.output
    assert db.get(Service, service.id) is None


def test_the_demo_catalogue_is_indexed_when_seeded(app, db):
    from directory import search

    run(app, "seed")
    assert search.check(app).clean


def test_seeding_needs_the_vocabulary(make_app, empty_database_url):
    from directory import migrate
    from directory.db import make_database

    url = empty_database_url
    bare = make_database(url).engine
    migrate.upgrade(bare)
    bare.dispose()
    app = make_app(DATABASE_URL=url)
    result = run(app, "seed")
    assert result.exit_code == 1
    assert "run `directory init` first" in result.output


def test_a_bad_record_names_itself_and_nothing_is_saved(db, catalogue):
    bad = seed.Catalogue(catalogue.organizations, catalogue.locations,
                         [catalogue.services[0], {**catalogue.services[1], "activities": ["knitting-circle"]}])
    with pytest.raises(seed.SeedError, match="activities: unknown term 'knitting-circle'"):
        seed.load_catalogue(db, bad)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Service)) == 0


def test_demo_services_have_coordinates_in_west_newcastle(catalogue):
    for loc in catalogue.locations:
        assert 54.9 < loc["latitude"] < 55.1 and -1.8 < loc["longitude"] < -1.55, loc["name"]


def test_demo_catalogue_covers_the_vocabulary_and_the_hard_cases(catalogue):
    vocab = load_vocabulary(ROOT / "seed_data" / "vocabulary.yaml")
    services = catalogue.services
    active = [s for s in services if s["status"] == "active"]
    assert len(active) >= 150
    categories = Counter(c for s in services for c in s["categories"])
    activities = Counter(a for s in services for a in s["activities"])
    assert all(categories[c] >= 10 for c in vocab.ids("categories")), categories
    assert all(activities[a] >= 2 for a in vocab.ids("activities")), activities
    assert {s["intensity"] for s in services} == {"light", "moderate", "structured"}
    access = Counter(a for s in services for a in s["access"])
    for needed in ("women-only", "men-only", "online", "telephone", "home-visit", "interpreter-available"):
        assert access[needed] >= 2, needed
    assert sum(1 for s in services if s["min_age"] or s["max_age"]) >= 3
    assert sum(1 for s in services if set(s["languages"]) - {"en"}) >= 5
    assert {"paused", "closed"} <= {s["status"] for s in services}
    starts = [sess for s in services for sess in s["schedule"]]
    assert any(sess["start"] >= "17:30" for sess in starts)
    assert any(sess["day"] in ("sat", "sun") for sess in starts)
    verified = sorted(s["last_verified"] for s in services)
    assert verified[0] < "2025-11-25" and verified[-1] >= "2026-11-18"


def test_demo_contacts_are_fictional(catalogue):
    for s in catalogue.services:
        assert s["phone"].startswith("0191 498 0"), s["name"]
        assert s["email"].endswith("@example.org")
    for org in catalogue.organizations:
        assert not org.get("email") or org["email"].endswith("@example.org")


def test_the_demo_provider_belongs_to_an_organisation_in_the_catalogue(catalogue):
    provider = next(a for a in catalogue.accounts if a["role"] == "provider")
    assert set(provider["organization_ids"]) <= {o["id"] for o in catalogue.organizations}


def test_flat_judged_catalogues_load_with_hsds_ids(db):
    items = json.loads((ROOT / "tests" / "data" / "eval-dev" / "catalog.json").read_text())
    report = seed.load_catalogue(db, seed.from_flat(items), source="eval")
    assert report.created == len(items)
    service = db.scalar(select(Service).where(Service.public_id == seed.service_uuid("nt-001")))
    assert service.name == "Seaside Lungs Club"
    assert service.status is ServiceStatus.ACTIVE
    assert "breathing-support" in service.codes(Taxonomy.ACTIVITY)
    assert {"wheelchair-accessible", "hearing-loop"} <= service.locations[0].access_codes
