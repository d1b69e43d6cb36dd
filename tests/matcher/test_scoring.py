"""Soft ranking: what makes one suitable service rank above another."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from builders import TODAY, VOCAB, candidate, person, reach_for, venue_at

from matcher import WEIGHTS, match
from matcher.person import to_person
from matcher.reach import to_reach
from matcher.scoring import freshness, score


def score_of(p, c, text=0.0):
    return score(reach_for(p, c), TODAY, text).score


def ranked_ids(p, *services, **kwargs):
    return [s.service_id for s in match(p, services, VOCAB, TODAY, **kwargs).results]


def test_a_named_activity_beats_a_category_only_match():
    direct = candidate(activities=frozenset({"walking-group"}))
    category_only = candidate(activities=frozenset({"choir-singing"}))
    assert score_of(person(), direct) > score_of(person(), category_only) > 0


def test_serving_more_of_the_persons_goals_ranks_higher():
    two_goals = person(goals=frozenset({"get-more-active", "meet-people"}))
    walk_and_talk = candidate(activities=frozenset({"walking-group", "social-group"}))
    gentle = candidate(activities=frozenset({"gentle-exercise"}))
    assert score_of(two_goals, walk_and_talk) > score_of(two_goals, gentle)


def test_a_service_designed_for_the_persons_condition_ranks_higher():
    has_copd = person(conditions=frozenset({"copd"}))
    assert score_of(has_copd, candidate(conditions=frozenset({"copd"}))) > score_of(
        has_copd, candidate()
    )


def test_a_service_designed_only_for_other_conditions_ranks_lower():
    has_copd = person(conditions=frozenset({"copd"}))
    assert score_of(has_copd, candidate(conditions=frozenset({"epilepsy"}))) < score_of(
        has_copd, candidate()
    )


def test_nearer_ranks_higher():
    assert score_of(person(), candidate(venues=(venue_at(0.5),))) > score_of(
        person(), candidate(venues=(venue_at(4),))
    )


def test_recently_verified_ranks_higher_than_stale_or_unknown():
    fresh = score_of(person(), candidate(last_verified=TODAY - timedelta(days=30)))
    stale = score_of(person(), candidate(last_verified=date(2024, 1, 1)))
    unknown = score_of(person(), candidate(last_verified=None))
    assert fresh > stale == unknown


def test_freshness_fades_from_three_months_to_fifteen():
    assert freshness(TODAY - timedelta(days=90), TODAY) == 1.0
    assert 0 < freshness(TODAY - timedelta(days=200), TODAY) < 1
    assert freshness(TODAY - timedelta(days=450), TODAY) == 0.0
    assert freshness(TODAY + timedelta(days=3), TODAY) == 1.0


def test_matching_the_persons_words_ranks_higher():
    talks = person(text="loves fishing by the river")
    anglers = candidate(id="svc-a", description="Fishing on the river for beginners.")
    walkers = candidate(id="svc-b", description="A walk in the park.")
    assert ranked_ids(talks, walkers, anglers) == ["svc-a", "svc-b"]


def test_text_scores_from_the_app_replace_the_built_in_match():
    talks = person(text="anything")
    services = candidate(id="svc-a"), candidate(id="svc-b")
    assert ranked_ids(talks, *services, text_scores={"svc-b": 0.9}) == ["svc-b", "svc-a"]
    assert ranked_ids(talks, *services, text_scores={"svc-a": 7.0}) == ["svc-a", "svc-b"]


def test_score_reads_as_zero_to_one():
    best = candidate(
        activities=frozenset({"walking-group", "social-group"}),
        conditions=frozenset({"copd"}),
        intensity="light",
        access=frozenset({"drop-in", "accompanied-first-visit", "miss-sessions-ok"}),
    )
    p = person(goals=frozenset({"get-more-active", "meet-people"}), conditions=frozenset({"copd"}))
    assert score_of(p, best) == pytest.approx(1.0)
    assert 0 <= score_of(person(readiness="not-yet"), candidate(intensity="structured")) <= 1


def test_not_yet_favours_light_drop_in_with_company_over_a_structured_course():
    gentle = candidate(intensity="light", access=frozenset({"drop-in", "accompanied-first-visit"}))
    course = candidate(intensity="structured", access=frozenset({"booking-required"}))
    not_yet = person(readiness="not-yet")
    assert score_of(not_yet, gentle) > score_of(not_yet, candidate()) > score_of(not_yet, course)


def test_not_yet_favours_taking_part_from_home():
    phone = candidate(access=frozenset({"telephone"}), venues=())
    assert score_of(person(readiness="not-yet"), phone) > score_of(
        person(readiness="not-yet"), candidate()
    )


def test_thinking_favours_light_with_beginners_welcome_over_structured():
    welcoming = candidate(intensity="light", access=frozenset({"beginners-welcome"}))
    course = candidate(intensity="structured")
    thinking = person(readiness="thinking")
    assert score_of(thinking, welcoming) > score_of(thinking, course)


def test_ready_and_active_people_take_structured_courses_as_they_come():
    for readiness in ("ready", "active"):
        p = person(readiness=readiness)
        assert score_of(p, candidate(intensity="structured")) == score_of(
            p, candidate(intensity="light")
        )


def test_every_weight_lives_in_one_mapping():
    assert {
        "goal",
        "activity",
        "condition",
        "readiness",
        "nearness",
        "text",
        "fresh",
        "diversity",
    } <= set(WEIGHTS)
    assert all(w >= 0 for w in WEIGHTS.values())


def test_goals_are_known_by_the_ids_the_vocabulary_files_them_under():
    goal = replace(VOCAB.goals["get-more-active"], id="an-older-id")
    misfiled = replace(VOCAB, goals={"get-more-active": goal})
    r = to_reach(to_person(person(), misfiled), candidate())
    assert score(r, TODAY).goals_served == ("get-more-active",)
