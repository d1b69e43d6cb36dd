"""The matcher's in-memory candidates follow the catalogue: a change drops just what changed."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from directory import matching
from directory.api.match import match_json
from directory.models import CatalogueVersion, Service

from .factories import make_service

PERSON = {"goals": ["manage-condition"], "conditions": [], "location": {"postcode": "NE4 9XA"},
          "max_distance_km": 5}


def test_prewarm_reads_every_active_listing(app: Flask, db: Session) -> None:
    one, two = make_service(db, "Breathe Easy Fenham"), make_service(db, "Breathe Easy Benwell")
    make_service(db, "Closed Club", status="closed")
    assert matching.prewarm(app) == 2
    assert set(matching.candidate_cache(app).by_id) == {one.public_id, two.public_id}


def test_prewarm_leaves_out_listings_no_match_today_can_suggest_and_reads_them_when_asked(
    app: Flask, db: Session
) -> None:
    app.config["TODAY"] = "2026-11-30"
    kept = make_service(db, "Breathe Easy Fenham", last_verified=date(2025, 12, 1))
    undated = make_service(db, "Breathe Easy Benwell", last_verified=None)
    old = make_service(db, "Breathe Easy Elswick", last_verified=date(2025, 11, 29))
    assert matching.prewarm(app) == 2
    cache = matching.candidate_cache(app)
    assert set(cache.by_id) == {kept.public_id, undated.public_id}
    with app.test_request_context():
        earlier = {r["service_id"] for r in match_json(PERSON, date(2026, 11, 1))["results"]}
        today = {r["service_id"] for r in match_json(PERSON, date(2026, 11, 30))["results"]}
    assert old.public_id in earlier  # a match for a day it was still current reads it
    assert today == {kept.public_id, undated.public_id}


def test_equal_parts_of_candidates_are_held_once_and_the_candidates_are_unchanged(
    app: Flask, db: Session
) -> None:
    one, two = make_service(db, "Breathe Easy Fenham"), make_service(db, "Breathe Easy Benwell")
    matching.prewarm(app)
    cache = matching.candidate_cache(app)
    a, b = cache.by_id[one.public_id], cache.by_id[two.public_id]
    for part in ("access", "categories", "activities", "conditions", "languages", "coverage",
                 "suggested"):
        assert getattr(a, part) is getattr(b, part), part
    assert a.sessions is b.sessions  # the same weekly times, at each one's only venue
    assert a.categories == {"ltc-management"}
    from directory.service_facts import load_facts

    with app.app_context():
        with app.extensions["db"].sessions() as session:
            plain = {f.public_id: matching.to_candidate(f) for f in load_facts(session, [one.id, two.id])}
    assert plain == {one.public_id: a, two.public_id: b}


def test_an_edit_drops_only_the_edited_listing_and_the_next_match_sees_it(app: Flask, db: Session) -> None:
    one, two = make_service(db, "Breathe Easy Fenham"), make_service(db, "Breathe Easy Benwell")
    matching.prewarm(app)
    cache = matching.candidate_cache(app)
    kept = cache.by_id[two.public_id]

    db.get(Service, one.id).name = "Breathe Easier Fenham"
    db.commit()
    with app.test_request_context():
        names = {r["service_id"]: r["name"] for r in match_json(PERSON)["results"]}
    assert names[one.public_id] == "Breathe Easier Fenham"
    assert cache.by_id[two.public_id] is kept  # not read again


def test_a_cache_older_than_the_kept_log_starts_afresh(app: Flask, db: Session) -> None:
    one = make_service(db, "Breathe Easy Fenham")
    matching.prewarm(app)
    cache = matching.candidate_cache(app)
    db.get(Service, one.id).cost = "£1"
    db.commit()
    # As if the log of that change had been pruned away.
    db.execute(sa.update(CatalogueVersion).values(pruned_through=CatalogueVersion.value))
    db.commit()
    with app.app_context():
        with app.extensions["db"].sessions() as session:
            cache.sync(session)
    assert cache.by_id == {}


def test_a_catalogue_larger_than_the_limit_keeps_the_limit_and_still_answers_in_full(
    app: Flask, db: Session
) -> None:
    services = [make_service(db, f"Breathe Easy {n}") for n in range(4)]
    cache = matching.candidate_cache(app)
    cache.limit = 2
    ids = sorted(s.public_id for s in services)
    with app.app_context():
        with app.extensions["db"].sessions() as session:
            now = cache.sync(session)
            assert [c.id for c in cache.get(session, now, ids[:2])] == ids[:2]
            first = cache.by_id[ids[1]]
            # Two more than the limit: every one is answered, the longest kept are forgotten.
            assert [c.id for c in cache.get(session, now, ids)] == ids
            assert set(cache.by_id) == set(ids[2:])
            cache.sync(session)  # the catalogue has not moved: nothing else is forgotten
            assert set(cache.by_id) == set(ids[2:])
            assert [c.id for c in cache.get(session, now, ids[1:2])] == ids[1:2]
            assert cache.by_id[ids[1]] is not first  # read again, as it had been forgotten
