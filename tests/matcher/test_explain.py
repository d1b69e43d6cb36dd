"""Reasons say only what raised the score; why-not lines say which rule kept a service out."""

from datetime import date

import pytest
from builders import (
    NEWCASTLE,
    TODAY,
    VOCAB,
    candidate,
    person,
    reach_for,
    session,
    venue_at,
    window,
)

from matcher import Exclusion, ReasonCode, match
from matcher.explain import why_not
from matcher.geo import haversine_km


def reasons_for(p, c, **kwargs):
    (suggestion,) = match(p, [c], VOCAB, TODAY, **kwargs).results
    return {r.code: r.text for r in suggestion.reasons}


def why_not_for(p, *services):
    return [(w.exclusion, w.text) for w in match(p, services, VOCAB, TODAY).why_not]


def test_a_nearby_walking_group_is_explained_by_goal_activity_distance_and_freshness():
    service = candidate(venues=(venue_at(1.24),), last_verified=date(2026, 10, 12))
    assert reasons_for(person(), service) == {
        ReasonCode.GOAL: "Helps with: get more active",
        ReasonCode.ACTIVITY: "Offers walking group",
        ReasonCode.DISTANCE: "1.2 km away",
        ReasonCode.FRESH: "Details checked on 12 October 2026",
    }


def test_reasons_come_biggest_first():
    # A goal about the condition, so that the condition counts fully (not in passing).
    service = candidate(
        conditions=frozenset({"copd"}),
        categories=frozenset({"ltc-management"}),
        activities=frozenset({"breathing-support"}),
    )
    profile = person(goals=frozenset({"manage-condition"}), conditions=frozenset({"copd"}))
    (suggestion,) = match(profile, [service], VOCAB, TODAY).results
    assert [r.code for r in suggestion.reasons][:3] == [
        ReasonCode.GOAL,
        ReasonCode.ACTIVITY,
        ReasonCode.CONDITION,
    ]


def test_a_shared_condition_is_named():
    reasons = reasons_for(
        person(goals=frozenset({"manage-condition"}), conditions=frozenset({"copd"})),
        candidate(conditions=frozenset({"copd"})),
    )
    assert reasons[ReasonCode.CONDITION] == "Designed for people with COPD"


def test_a_condition_in_passing_is_named_as_one_they_also_have():
    # Getting more active is not a goal about the condition, so COPD is in passing here.
    reasons = reasons_for(
        person(conditions=frozenset({"copd"})), candidate(conditions=frozenset({"copd"}))
    )
    assert reasons[ReasonCode.CONDITION] == "Designed for people with COPD, which you also have"


def test_a_category_only_match_gives_a_goal_reason_but_no_activity_reason():
    reasons = reasons_for(person(), candidate(activities=frozenset({"choir-singing"})))
    assert ReasonCode.GOAL in reasons and ReasonCode.ACTIVITY not in reasons


def test_a_telephone_service_says_no_travel_instead_of_a_distance():
    reasons = reasons_for(
        person(origin=None), candidate(access=frozenset({"telephone"}), venues=())
    )
    assert reasons[ReasonCode.REMOTE] == "By telephone, no need to travel"
    assert ReasonCode.DISTANCE not in reasons


def test_a_home_visit_inside_coverage_says_it_comes_to_you():
    service = candidate(access=frozenset({"home-visit"}), venues=(), coverage=frozenset({"NE4"}))
    reasons = reasons_for(person(outward_code="NE4"), service)
    assert reasons[ReasonCode.REMOTE] == "Visits you at home"


def test_readiness_reason_names_the_support_that_raised_the_score():
    service = candidate(intensity="light", access=frozenset({"drop-in", "accompanied-first-visit"}))
    text = reasons_for(person(readiness="not-yet"), service)[ReasonCode.READINESS]
    assert text == "Informal, come when you like; drop in; accompanied first visit"


def test_ready_people_get_no_readiness_reason():
    service = candidate(intensity="light", access=frozenset({"drop-in"}))
    assert ReasonCode.READINESS not in reasons_for(person(readiness="ready"), service)


def test_no_fresh_reason_for_stale_or_unknown_verification():
    for verified in (None, date(2024, 1, 1)):
        assert ReasonCode.FRESH not in reasons_for(person(), candidate(last_verified=verified))


def test_a_venue_at_the_very_edge_of_reach_gives_no_distance_reason():
    edge = venue_at(2)
    p = person(max_distance_km=haversine_km(NEWCASTLE, edge.point))
    assert ReasonCode.DISTANCE not in reasons_for(p, candidate(venues=(edge,)))


def test_text_reason_quotes_the_persons_own_words():
    service = candidate(description="Fishing on the river for beginners.")
    reasons = reasons_for(person(text="He used to love fishing"), service)
    assert reasons[ReasonCode.TEXT] == "Matches what you said: fishing"


def test_text_reason_says_it_was_found_by_search_when_no_word_of_theirs_is_shared():
    # The app's search index also matches related words, so there may be none to quote.
    reasons = reasons_for(person(text="something else"), candidate(), text_scores={"svc-1": 0.5})
    assert reasons[ReasonCode.TEXT] == "Found by a search for what you said"


def test_text_reason_quotes_their_words_when_the_app_scored_the_text_and_they_are_shared():
    service = candidate(description="Fishing on the river for beginners.")
    p = person(text="He used to love fishing")
    reasons = reasons_for(p, service, text_scores={"svc-1": 0.5})
    assert reasons[ReasonCode.TEXT] == "Matches what you said: fishing"


def test_why_not_gives_the_distance_against_the_limit_the_person_set():
    service = candidate(name="Breathe Easy Fenham", venues=(venue_at(6.2),))
    assert why_not_for(person(), service) == [
        (Exclusion.TOO_FAR, "Breathe Easy Fenham: 6.2 km, further than the 5 km you set")
    ]


def test_why_not_explains_a_missing_starting_point_and_home_visit_coverage():
    home = candidate(
        id="h",
        name="Home Friends",
        access=frozenset({"home-visit"}),
        venues=(),
        coverage=frozenset({"NE12", "NE27"}),
    )
    assert why_not_for(person(origin=None), candidate(), home) == [
        (Exclusion.TOO_FAR, "Home Friends: home visits only in NE12 and NE27"),
        (Exclusion.TOO_FAR, "Walking group: meets in person only, and no starting point was given"),
    ]


@pytest.mark.parametrize(
    ("who", "service", "text"),
    [
        ({"age": 40}, {"min_age": 50}, "for people aged 50 and over"),
        ({"age": 30}, {"max_age": 24}, "for people aged 24 and under"),
        ({"age": 30}, {"min_age": 16, "max_age": 24}, "for ages 16 to 24"),
        ({"gender": "male"}, {"access": frozenset({"women-only"})}, "for women only"),
        ({"gender": "female"}, {"access": frozenset({"men-only"})}, "for men only"),
    ],
)
def test_why_not_explains_eligibility(who, service, text):
    assert why_not_for(person(**who), candidate(**service)) == [
        (Exclusion.NOT_ELIGIBLE, f"Walking group: {text}")
    ]


def test_why_not_names_the_unmet_needs():
    need = person(needs=frozenset({"hearing-loop", "free"}))
    assert why_not_for(need, candidate(venues=(venue_at(1),))) == [
        (Exclusion.NEEDS_NOT_MET, "Walking group: not free, no hearing loop")
    ]


def test_why_not_names_the_languages_offered():
    service = candidate(languages=frozenset({"en", "pl"}))
    assert why_not_for(person(languages=frozenset({"ro"})), service) == [
        (
            Exclusion.NO_SHARED_LANGUAGE,
            "Walking group: offered in English and Polish only, and no interpreter",
        )
    ]


def test_why_not_lists_the_session_times():
    service = candidate(
        sessions=(session("mon", "10:00", "11:00"), session("wed", "09:30", "10:30"))
    )
    assert why_not_for(person(availability=(window("sat", "09:00", "12:00"),)), service) == [
        (
            Exclusion.NOT_AVAILABLE,
            "Walking group: meets Mon 10:00-11:00 and Wed 09:30-10:30, outside the times you gave",
        )
    ]


def test_why_not_leaves_out_inactive_excluded_and_irrelevant_services():
    services = [
        candidate(id="paused", active=False),
        candidate(id="declined", venues=(venue_at(9),)),
        candidate(
            id="unrelated",
            activities=frozenset({"benefits-advice"}),
            categories=frozenset(),
            venues=(venue_at(9),),
        ),
    ]
    assert match(person(exclude=frozenset({"declined"})), services, VOCAB, TODAY).why_not == ()


def test_why_not_shows_at_most_five_best_scoring_first():
    services = [candidate(id=f"far-{i}", venues=(venue_at(6 + i),)) for i in range(8)]
    why = match(person(), services, VOCAB, TODAY).why_not
    assert [w.service_id for w in why] == ["far-0", "far-1", "far-2", "far-3", "far-4"]


def test_why_not_can_word_every_rule_even_those_match_keeps_quiet_about():
    assert why_not(reach_for(person(), candidate(active=False)), Exclusion.INACTIVE, VOCAB) == (
        "Walking group: not running at the moment"
    )
    assert why_not(reach_for(person(), candidate()), Exclusion.EXCLUDED, VOCAB) == (
        "Walking group: you asked to leave this out"
    )


def test_why_not_says_when_no_single_venue_has_everything():
    service = candidate(venues=(venue_at(1, "step-free"), venue_at(2, "hearing-loop")))
    needs = person(needs=frozenset({"step-free", "hearing-loop"}))
    assert why_not_for(needs, service) == [
        (
            Exclusion.NEEDS_NOT_MET,
            "Walking group: no single place within reach has everything you need",
        )
    ]
