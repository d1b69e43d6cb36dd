"""Suggested tags: from a service's words, used at once when confident, decided by admins."""

from __future__ import annotations

from datetime import date

import yaml
from sqlalchemy import select

from directory import suggest
from directory.models import AuditEvent, SuggestionState, TagSuggestion, Taxonomy
from directory.suggest.crosswalk import FOLDER, load

from ..factories import make_service
from ..hsds.conftest import DATA


def keys(found):
    return {(s.taxonomy.value, s.code): s for s in found}


def test_a_walking_group_is_heard_in_its_description_with_the_words_that_said_so():
    found = keys(suggest.suggest("Tuesday strollers", "A gentle health walk round the park."))
    walking = found[("sp-activity", "walking-group")]
    assert walking.confidence >= 0.7 and walking.evidence == '"health walk" in its description'
    assert ("sp-category", "physical-activity") in found  # the activity brings its category


def test_word_stems_let_walks_and_walking_agree_but_weak_words_alone_only_queue():
    found = keys(suggest.suggest("Walks", "We walk on Sundays."))
    assert found[("sp-activity", "walking-group")].confidence < 0.7


def test_another_taxonomys_term_is_read_through_the_crosswalks():
    found = keys(suggest.suggest("Leisure centre", "", ["Aqua Aerobics", "Walking Football"]))
    assert found[("sp-activity", "swimming")].source == "taxonomy"
    assert ("sp-activity", "gentle-exercise") in found


def test_remote_modes_and_access_facts_are_suggested_too():
    found = keys(suggest.suggest("Listening line", "A free helpline, no need to book."))
    assert {("sp-access", "telephone"), ("sp-access", "drop-in")} <= found.keys()


def test_every_crosswalk_term_is_in_the_vocabulary():
    cw = load()  # raises on an unknown id
    assert cw.foreign["walking"] == ((Taxonomy.ACTIVITY, "walking-group"),)
    assert len(cw.phrases) > 300


def test_every_openactive_label_we_read_is_one_the_activity_list_has():
    # The list's own prefLabels (tests/data/openactive-labels.txt); a label it lacks would
    # never match a real feed's term.
    lines = (DATA / "openactive-labels.txt").read_text(encoding="utf-8").splitlines()
    real = {line for line in lines if line and not line.startswith("#")}
    ours = yaml.safe_load((FOLDER / "openactive.yaml").read_text(encoding="utf-8"))["terms"]
    assert len(real) > 700
    assert sorted(label for label in ours if label not in real) == []


def test_confident_suggestions_are_applied_and_decisions_are_audited(db):
    service = make_service(db, "Park strollers", activities=(), categories=(),
                           description="A health walk every week. Some knitting too, perhaps.")
    report = suggest.run_suggestions(db, [service.id])
    assert report.applied >= 1
    service = db.get(type(service), service.id)
    assert "walking-group" in service.codes(Taxonomy.ACTIVITY)
    rows = {r.term.code: r for r in db.scalars(select(TagSuggestion))}
    assert rows["walking-group"].applied and rows["walking-group"].state is SuggestionState.SUGGESTED
    suggest.decide(db, rows["walking-group"], accept=False)
    db.commit()
    assert "walking-group" not in db.get(type(service), service.id).codes(Taxonomy.ACTIVITY)
    # A rejected tag is never suggested again.
    suggest.run_suggestions(db, [service.id])
    assert "walking-group" not in db.get(type(service), service.id).codes(Taxonomy.ACTIVITY)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "reject tag")).all()
    assert [e.entity_id for e in events] == [service.id]


def test_the_admin_queue_accepts_one_tag_a_service_or_a_rule(client, db, admin, login_as):
    service = make_service(db, "Park strollers", activities=(), categories=(),
                           description="A health walk every week, and the choir sings after.")
    suggest.run_suggestions(db, [service.id])
    login_as(admin)
    page = client.get("/admin/suggestions/").get_data(as_text=True)
    assert "Park strollers" in page and "health walk&#34; in its description" in page
    row = db.scalar(select(TagSuggestion).join(TagSuggestion.term)
                    .where(TagSuggestion.rule == "phrase:health walk",
                           TagSuggestion.term.has(code="walking-group")))
    assert client.post(f"/admin/suggestions/{row.id}", data={"decision": "accept"}).status_code == 302
    db.expire_all()
    assert db.get(TagSuggestion, row.id).state is SuggestionState.ACCEPTED
    client.post(f"/admin/suggestions/service/{service.id}", data={"decision": "reject"})
    db.expire_all()
    left = db.scalars(select(TagSuggestion).where(
        TagSuggestion.state == SuggestionState.SUGGESTED)).all()
    assert left == []
    assert client.post("/admin/suggestions/rule", data={"decision": "maybe"}).status_code == 400


def test_the_queue_is_for_admins_only(client):
    assert client.get("/admin/suggestions/").status_code == 302


def test_the_matcher_says_a_suggested_activity_was_read_from_the_description(app, db):
    from directory.api.match import match_json

    make_service(db, "Park strollers", activities=(), categories=(),
                 description="A health walk every week.")
    suggest.run_suggestions(db, [s for s, in db.execute(select(TagSuggestion.service_id))] or
                            [1])
    with app.app_context():
        answer = match_json({"goals": ["get-more-active"], "location": {"postcode": "NE4 8XJ"},
                             "max_distance_km": 10}, date(2026, 11, 30))
    texts = [x["text"] for r in answer["results"] for x in r["reasons"]]
    assert "Looks like a walking group, from its description" in texts
