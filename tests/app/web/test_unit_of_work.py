"""The web's one unit of work: commit all of a block, or nothing, and say why nothing."""

from __future__ import annotations

import pytest
from flask import Flask, get_flashed_messages
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import moderation
from directory.models import Organization, Service
from directory.web import unit_of_work

from ..factories import make_service


def _org_names(app: Flask) -> set[str]:
    with app.extensions["db"].sessions() as fresh:
        return set(fresh.scalars(select(Organization.name)))


def test_a_block_that_ends_commits_everything_it_did(app, db):
    with unit_of_work.commit(db) as work:
        work.add(Organization(name="Elswick Allotments"), Organization(name="Fenham Choir"))
        work.flush()  # ids are there inside the block
        assert all(o.id for o in db.scalars(select(Organization)))
    assert {"Elswick Allotments", "Fenham Choir"} <= _org_names(app)


def test_a_conflict_saves_nothing_and_says_the_one_conflict_message(app, db):
    service = make_service(db, name="Benwell Walkers")
    with app.extensions["db"].sessions() as other:  # another request saves first
        other.get(Service, service.id).name = "Benwell Walkers (Tuesdays)"
        other.commit()
    with pytest.raises(unit_of_work.Refused) as refused, unit_of_work.commit(db) as work:
        work.add(Organization(name="Half-saved Group"))
        service.name = "Benwell Strollers"  # the version check fails at the flush
    assert refused.value.conflict
    assert refused.value.message == (
        "This listing changed since you opened the page, so nothing was changed. "
        "Check the listing as it is now, then try again.")
    assert "Half-saved Group" not in _org_names(app)
    db.expire_all()
    assert db.get(Service, service.id).name == "Benwell Walkers (Tuesdays)"


def test_a_stale_form_stamp_is_the_same_conflict(app, db):
    with pytest.raises(unit_of_work.Refused) as refused, \
            unit_of_work.commit(db, what="change") as work:
        work.add(Organization(name="Half-saved Group"))
        raise moderation.Conflict
    assert refused.value.conflict
    assert refused.value.message.startswith("This change changed since you opened the page")
    assert "Half-saved Group" not in _org_names(app)


def test_a_refusal_by_the_domain_saves_nothing_and_gives_its_own_words(app, db):
    with pytest.raises(unit_of_work.Refused) as refused, unit_of_work.commit(db) as work:
        work.add(Organization(name="Half-saved Group"))
        work.flush()
        raise moderation.NotAllowed("This change has already been decided")
    assert not refused.value.conflict
    assert refused.value.message == "This change has already been decided."
    assert "Half-saved Group" not in _org_names(app)


def test_any_other_failure_rolls_back_and_is_raised_as_it_was(app, db):
    with pytest.raises(ZeroDivisionError), unit_of_work.commit(db) as work:
        work.add(Organization(name="Half-saved Group"))
        work.flush()
        _ = 1 / 0
    assert "Half-saved Group" not in _org_names(app)
    assert not db.new and not db.in_transaction()  # the session is usable again


def test_a_refusal_no_route_handles_is_a_409_page_with_its_message(app: Flask, db: Session):
    def refuse() -> str:
        with unit_of_work.commit(db):
            raise moderation.NotAllowed("Only a paused or closed listing can be reopened")

    app.add_url_rule("/_test/refuse", "test_refuse", refuse)
    response = app.test_client().get("/_test/refuse")
    assert response.status_code == 409
    assert "Only a paused or closed listing can be reopened." in response.get_data(as_text=True)


def test_flashing_commits_and_says_saved(app, db):
    with app.test_request_context():
        done = unit_of_work.Flashing(db, said="Saved.")
        with done as work:
            work.add(Organization(name="Elswick Allotments"))
        assert done.saved and get_flashed_messages() == ["Saved."]
    assert "Elswick Allotments" in _org_names(app)


def test_flashing_turns_a_refusal_into_a_message_for_the_next_page(app, db):
    with app.test_request_context():
        done = unit_of_work.Flashing(db, said="Saved.")
        with done as work:
            work.add(Organization(name="Half-saved Group"))
            raise moderation.NotAllowed("Only a paused or closed listing can be reopened")
        assert not done.saved
        assert get_flashed_messages() == ["Only a paused or closed listing can be reopened."]
    assert "Half-saved Group" not in _org_names(app)


def test_flashing_lets_any_other_failure_through_after_the_rollback(app, db):
    with app.test_request_context():
        done = unit_of_work.Flashing(db, said="Saved.")
        with pytest.raises(ZeroDivisionError), done as work:
            work.add(Organization(name="Half-saved Group"))
            _ = 1 / 0
        assert not done.saved and not get_flashed_messages()
    assert "Half-saved Group" not in _org_names(app)
