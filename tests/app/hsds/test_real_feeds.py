"""Real directories' feeds (tests/data/feeds, see its SOURCES.md): they import, second imports
change nothing, every imported service gets our vocabulary, and people in North Lincolnshire
get suggestions from a council feed that carries none of it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from directory import create_app
from directory.api.match import match_json
from directory.models import Service, SuggestionState, TagSuggestion, Taxonomy, Term

from ..conftest import app_config
from .conftest import DATA, run

FEEDS = DATA / "feeds"
NORTH_LINCS = FEEDS / "north-lincolnshire-openplace.json"
PROFILES = sorted((DATA / "north-lincolnshire").glob("profile-*.json"))
TODAY = date(2026, 12, 2)
SUMMARY = re.compile(r"(\d+) created, (\d+) updated, (\d+) unchanged, (\d+) skipped")
# Services for children or families only are not ones a Link Worker refers an adult to.
CHILDREN = re.compile(
    r"\b(bab(y|ies)|toddlers?|tots|under 5s|under fives|children|child|kids|juniors?|"
    r"young people|youth|teens?|teenagers?|school|pupils|parents?|mums?|families|family|"
    r"nursery|pre-?school|girls|boys|scouts|brownies|guides|cubs)\b", re.IGNORECASE)


def counts(output: str) -> tuple[int, int, int, int]:
    found = SUMMARY.search(output)
    assert found, output
    return tuple(int(n) for n in found.groups())  # type: ignore[return-value]


@pytest.fixture(scope="module")
def north_lincs(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[Flask]:
    """An instance holding North Lincolnshire's feed, imported once and marked checked."""
    app = create_app(app_config(tmp_path_factory.mktemp("north-lincs"), template_db, TODAY=TODAY))
    first = run(app, "import-hsds", str(NORTH_LINCS))
    app.config["first_import"] = first.output
    app.config["second_import"] = run(app, "import-hsds", str(NORTH_LINCS)).output
    checked = run(app, "mark-import-checked", str(NORTH_LINCS))
    assert checked.exit_code == 0, checked.output
    yield app
    app.extensions["db"].engine.dispose()


@pytest.mark.parametrize("feed", sorted(p.name for p in FEEDS.glob("*.json")))
def test_every_real_feed_imports_and_the_fail_mocks_are_refused_with_reasons(app, feed):
    result = run(app, "import-hsds", str(FEEDS / feed))
    created, updated, unchanged, skipped = counts(result.output)
    assert "Traceback" not in result.output
    if "Fail" in feed:
        assert created == updated == unchanged == 0 and skipped >= 1
        assert result.exit_code == 1
        assert re.search(r"Skipped \S+: \S+: .+", result.output), result.output
    else:
        assert created >= 1, result.output
        assert "HSDS/ORUK 3.0" in result.output or "ORUK v1" in result.output


def test_north_lincolnshire_imports_almost_every_record_and_names_its_shape(north_lincs):
    records = json.loads(NORTH_LINCS.read_text(encoding="utf-8"))
    usable = [r for r in records if r.get("name") and (r.get("organization") or {}).get("name")]
    created, _, _, skipped = counts(north_lincs.config["first_import"])
    assert created / len(usable) >= 0.99
    assert "(ORUK v1 list of services)" in north_lincs.config["first_import"]
    # The skipped record is named by the feed's own id, with the field and the reason.
    assert re.search(r"Skipped [0-9a-f-]{36}: email: '[^']+' is not an email address",
                     north_lincs.config["first_import"])
    assert f"{len(records)} stale" not in north_lincs.config["first_import"]
    assert re.search(r"\b7\d\d stale\b", north_lincs.config["first_import"])


def test_a_second_import_of_north_lincolnshire_changes_nothing(north_lincs):
    second = north_lincs.config["second_import"]
    created, updated, unchanged, _ = counts(second)
    # Were one to count as updated, the import says which fields changed.
    assert (created, updated) == (0, 0) and unchanged >= 730, second
    assert "What the updates changed" not in second
    assert "Suggested tags: 0 new" in second


def test_the_import_report_lists_every_problem_as_csv_beside_the_instance(north_lincs):
    reports = sorted((Path(north_lincs.instance_path) / "import-reports").glob("*.csv"))
    assert reports
    rows = reports[-1].read_text(encoding="utf-8").splitlines()
    assert rows[0] == "kind,record_id,field,reason"
    assert any(r.startswith("skipped,") and ",email," in r for r in rows)
    assert sum(r.startswith("warning,") for r in rows) > 10


def test_most_adult_services_in_north_lincolnshire_get_a_suggested_activity(north_lincs):
    with north_lincs.extensions["db"].sessions() as session:
        services = session.scalars(select(Service)).all()
        adult = [s for s in services if not CHILDREN.search(f"{s.name} {s.description}")]
        suggested = {sid for sid, in session.execute(
            select(TagSuggestion.service_id).join(Term)
            .where(Term.taxonomy == Taxonomy.ACTIVITY))}
        share = sum(s.id in suggested for s in adult) / len(adult)
    assert len(adult) > 400
    assert share >= 0.85, share


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_people_in_north_lincolnshire_get_five_suggestions_with_reasons(north_lincs, profile):
    payload = json.loads(profile.read_text(encoding="utf-8"))
    with north_lincs.app_context():
        answer = match_json(payload, TODAY)
    results = answer["results"]
    assert len(results) >= 5, answer["excluded"]
    assert all(r["reasons"] for r in results)
    reasons = [x["text"] for r in results for x in r["reasons"]]
    assert any(t.startswith("Looks like") and t.endswith("from its description") for t in reasons)
    if "housebound" in profile.stem or "dementia" in profile.stem:
        assert any(x["code"] == "remote" for r in results for x in r["reasons"]), reasons


def test_the_stale_import_was_marked_checked_as_one_audited_action(north_lincs):
    from directory.models import AuditEvent

    with north_lincs.extensions["db"].sessions() as session:
        assert session.scalar(select(func.min(Service.last_verified))) == TODAY
        marked = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "mark import checked"))
    assert marked >= 730


def test_confident_suggestions_are_used_and_marked_suggested(north_lincs):
    with north_lincs.extensions["db"].sessions() as session:
        applied = session.scalars(select(TagSuggestion).where(TagSuggestion.applied)).all()
        queued = session.scalar(select(func.count()).select_from(TagSuggestion)
                                .where(TagSuggestion.applied.is_(False)))
        assert applied and queued
        assert all(s.state is SuggestionState.SUGGESTED and s.confidence >= 0.7 for s in applied)
        assert all(s.evidence for s in applied)


@pytest.fixture
def two_apps(tmp_path: Path, template_db: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two instances with databases of their own."""
    apps = tuple(create_app(app_config(tmp_path / name, template_db, TODAY=TODAY))
                 for name in ("first", "second"))
    yield apps  # type: ignore[misc]
    for app in apps:
        app.extensions["db"].engine.dispose()
    template_db.release(tmp_path)  # type: ignore[attr-defined]


@pytest.mark.parametrize("feed", sorted(p.name for p in FEEDS.glob("*.json")
                                        if "Fail" not in p.name))
def test_export_import_export_is_identical_for_every_real_feed(two_apps, tmp_path, feed):
    first_app, second_app = two_apps
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    run(first_app, "import-hsds", str(FEEDS / feed))
    assert run(first_app, "export-hsds", str(first)).exit_code == 0
    imported = run(second_app, "import-hsds", str(first))
    assert counts(imported.output)[3] == 0, imported.output
    assert run(second_app, "export-hsds", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def test_text_with_line_and_paragraph_separators_round_trips_unchanged(two_apps, tmp_path):
    feed = json.loads((FEEDS / "hsds-spec-b838091_service_simple.json").read_text("utf-8"))
    feed["description"] = "One\u2028two\u2029three\u0085four"
    source = tmp_path / "feed.json"
    source.write_text(json.dumps(feed), encoding="utf-8")
    first_app, second_app = two_apps
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    run(first_app, "import-hsds", str(source))
    run(first_app, "export-hsds", str(first))
    run(second_app, "import-hsds", str(first))
    run(second_app, "export-hsds", str(second))
    assert json.loads(first.read_text("utf-8"))[0]["description"] == feed["description"]
    assert second.read_bytes() == first.read_bytes()
