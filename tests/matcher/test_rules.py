"""The eight hard rules of the match contract, one small function each."""

import re

from builders import NEWCASTLE, candidate, person, reach_for, session, venue_at, window

from matcher import Exclusion, Point, Venue
from matcher.geo import haversine_km
from matcher.rules import (
    HARD_RULES,
    excluded,
    first_broken,
    inactive,
    needs_not_met,
    no_shared_language,
    not_available,
    outside_age,
    too_far,
    wrong_gender,
)

# Rule 1


def test_paused_or_closed_service_is_excluded_as_inactive():
    assert inactive(reach_for(person(), candidate(active=False))) is Exclusion.INACTIVE


def test_active_service_passes_rule_1():
    assert inactive(reach_for(person(), candidate())) is None


# Rule 2


def test_person_younger_than_the_minimum_age_is_not_eligible():
    assert outside_age(reach_for(person(age=17), candidate(min_age=18))) is Exclusion.NOT_ELIGIBLE


def test_person_older_than_the_maximum_age_is_not_eligible():
    assert outside_age(reach_for(person(age=66), candidate(max_age=65))) is Exclusion.NOT_ELIGIBLE


def test_age_limits_are_inclusive():
    assert outside_age(reach_for(person(age=18), candidate(min_age=18, max_age=18))) is None


def test_unknown_age_passes_any_age_range():
    assert outside_age(reach_for(person(age=None), candidate(min_age=50, max_age=60))) is None


# Rule 3


def test_man_is_not_eligible_for_a_women_only_service():
    service = candidate(access=frozenset({"women-only"}))
    assert wrong_gender(reach_for(person(gender="male"), service)) is Exclusion.NOT_ELIGIBLE


def test_woman_is_not_eligible_for_a_men_only_service():
    service = candidate(access=frozenset({"men-only"}))
    assert wrong_gender(reach_for(person(gender="female"), service)) is Exclusion.NOT_ELIGIBLE


def test_other_or_unknown_gender_is_not_excluded_by_single_sex_services():
    for gender in ("non-binary", None):
        for access in ("women-only", "men-only"):
            service = candidate(access=frozenset({access}))
            assert wrong_gender(reach_for(person(gender=gender), service)) is None


# Rule 4


def test_in_person_service_beyond_max_distance_is_too_far():
    assert too_far(reach_for(person(), candidate(venues=(venue_at(5.1),)))) is Exclusion.TOO_FAR


def test_venue_exactly_at_max_distance_counts_as_within_reach():
    place = venue_at(4.2)
    reach = haversine_km(NEWCASTLE, place.point)
    assert too_far(reach_for(person(max_distance_km=reach), candidate(venues=(place,)))) is None


def test_one_venue_within_reach_is_enough():
    assert too_far(reach_for(person(), candidate(venues=(venue_at(20), venue_at(3))))) is None


def test_a_venue_must_be_within_reach_of_every_reading_of_where_the_person_is():
    district_centre = Point(NEWCASTLE.lat - 3 / 111.2, NEWCASTLE.lon)  # 3 km south
    north = venue_at(4)  # 4 km north of the origin, so 7 km from the district centre
    cautious = person(max_distance_km=5, also_from=(district_centre,))
    assert too_far(reach_for(person(max_distance_km=5), candidate(venues=(north,)))) is None
    assert too_far(reach_for(cautious, candidate(venues=(north,)))) is Exclusion.TOO_FAR


def test_in_person_service_is_too_far_when_the_origin_is_unknown():
    assert too_far(reach_for(person(origin=None), candidate())) is Exclusion.TOO_FAR


def test_in_person_service_without_venues_is_too_far():
    assert too_far(reach_for(person(), candidate(venues=()))) is Exclusion.TOO_FAR


def test_online_or_telephone_service_is_never_too_far():
    for mode in ("online", "telephone"):
        service = candidate(access=frozenset({mode}), venues=())
        assert too_far(reach_for(person(origin=None, max_distance_km=0), service)) is None


def test_home_visit_service_reaches_people_inside_its_coverage():
    service = candidate(access=frozenset({"home-visit"}), venues=(), coverage=frozenset({"NE4"}))
    assert too_far(reach_for(person(origin=None, outward_code="ne4"), service)) is None


def test_home_visit_service_is_too_far_outside_its_coverage():
    service = candidate(access=frozenset({"home-visit"}), venues=(), coverage=frozenset({"NE4"}))
    assert too_far(reach_for(person(outward_code="NE29"), service)) is Exclusion.TOO_FAR
    assert too_far(reach_for(person(outward_code=None), service)) is Exclusion.TOO_FAR


def test_home_visit_service_outside_coverage_still_passes_with_a_venue_in_reach():
    service = candidate(access=frozenset({"home-visit"}), coverage=frozenset({"NE4"}))
    assert too_far(reach_for(person(outward_code="NE29"), service)) is None


# Rule 5


def test_physical_need_is_met_by_a_venue_within_reach_that_has_it():
    service = candidate(venues=(venue_at(1, "step-free"),))
    assert needs_not_met(reach_for(person(needs=frozenset({"step-free"})), service)) is None


def test_physical_need_is_not_met_when_the_venue_lacks_it():
    service = candidate(venues=(venue_at(1, "wheelchair-accessible"),))
    assert needs_not_met(reach_for(person(needs=frozenset({"hearing-loop"})), service)) is (
        Exclusion.NEEDS_NOT_MET
    )


def test_a_far_venue_with_the_need_does_not_help():
    service = candidate(venues=(venue_at(1), venue_at(30, "hearing-loop")))
    assert needs_not_met(reach_for(person(needs=frozenset({"hearing-loop"})), service)) is (
        Exclusion.NEEDS_NOT_MET
    )


def test_physical_needs_must_all_be_met_at_one_venue():
    service = candidate(venues=(venue_at(1, "step-free"), venue_at(2, "accessible-toilet")))
    needs = frozenset({"step-free", "accessible-toilet"})
    assert needs_not_met(reach_for(person(needs=needs), service)) is Exclusion.NEEDS_NOT_MET


def test_physical_need_only_on_the_service_does_not_make_a_venue_accessible():
    service = candidate(access=frozenset({"step-free"}), venues=(venue_at(1),))
    assert needs_not_met(reach_for(person(needs=frozenset({"step-free"})), service)) is (
        Exclusion.NEEDS_NOT_MET
    )


def test_remote_service_meets_every_physical_need():
    needs = frozenset({"wheelchair-accessible", "step-free", "accessible-toilet", "hearing-loop"})
    for mode in ("online", "telephone", "home-visit"):
        service = candidate(access=frozenset({mode}), venues=(), coverage=frozenset({"NE4"}))
        assert needs_not_met(reach_for(person(needs=needs, outward_code="NE4"), service)) is None


def test_home_visits_that_do_not_reach_the_person_meet_no_physical_need():
    service = candidate(access=frozenset({"home-visit"}), coverage=frozenset({"NE4"}))
    step_free = person(needs=frozenset({"step-free"}), outward_code="NE29")
    assert needs_not_met(reach_for(step_free, service)) is Exclusion.NEEDS_NOT_MET


def test_free_need_is_met_only_by_a_free_service():
    def check(access):
        service = candidate(access=frozenset({access}))
        return needs_not_met(reach_for(person(needs=frozenset({"free"})), service))

    assert check("free") is None
    assert check("low-cost") is Exclusion.NEEDS_NOT_MET
    assert check("online") is Exclusion.NEEDS_NOT_MET


def test_other_needs_are_met_only_by_the_same_id_on_the_service():
    need = person(needs=frozenset({"accompanied-first-visit"}))
    accompanied = candidate(access=frozenset({"accompanied-first-visit"}))
    assert needs_not_met(reach_for(need, accompanied)) is None
    assert needs_not_met(reach_for(need, candidate(access=frozenset({"drop-in"})))) is (
        Exclusion.NEEDS_NOT_MET
    )


def test_parking_need_is_met_by_the_service_or_a_venue_in_reach():
    need = person(needs=frozenset({"parking"}))
    assert needs_not_met(reach_for(need, candidate(access=frozenset({"parking"})))) is None
    assert needs_not_met(reach_for(need, candidate(venues=(venue_at(1, "parking"),)))) is None
    no_parking = candidate(venues=(venue_at(1),))
    assert needs_not_met(reach_for(need, no_parking)) is Exclusion.NEEDS_NOT_MET


# Rule 6


def test_service_without_a_shared_language_is_excluded():
    service = candidate(languages=frozenset({"en"}))
    assert no_shared_language(reach_for(person(languages=frozenset({"ro"})), service)) is (
        Exclusion.NO_SHARED_LANGUAGE
    )


def test_interpreter_available_passes_any_language():
    service = candidate(languages=frozenset({"en"}), access=frozenset({"interpreter-available"}))
    assert no_shared_language(reach_for(person(languages=frozenset({"ro"})), service)) is None


def test_one_shared_language_is_enough():
    service = candidate(languages=frozenset({"en", "ro", "pl"}))
    assert no_shared_language(reach_for(person(languages=frozenset({"ro", "ar"})), service)) is None


def test_no_languages_given_means_english():
    assert no_shared_language(reach_for(person(languages=frozenset()), candidate())) is None


# Rule 7


def test_session_overlapping_a_window_is_available():
    service = candidate(sessions=(session("tue", "10:00", "11:00"),))
    free = person(availability=(window("tue", "10:30", "12:00"),))
    assert not_available(reach_for(free, service)) is None


def test_no_session_in_any_window_is_not_available():
    service = candidate(
        sessions=(session("tue", "10:00", "11:00"), session("thu", "19:00", "20:00"))
    )
    free = person(availability=(window("tue", "13:00", "17:00"), window("wed", "19:00", "21:00")))
    assert not_available(reach_for(free, service)) is Exclusion.NOT_AVAILABLE


def test_session_that_only_touches_a_window_does_not_overlap():
    service = candidate(sessions=(session("mon", "09:00", "10:00"),))
    free = person(availability=(window("mon", "10:00", "12:00"),))
    assert not_available(reach_for(free, service)) is Exclusion.NOT_AVAILABLE


def test_by_appointment_service_is_always_available():
    service = candidate(by_appointment=True, sessions=(session("mon", "09:00", "10:00"),))
    free = person(availability=(window("sat", "10:00", "12:00"),))
    assert not_available(reach_for(free, service)) is None


def test_service_without_sessions_is_available():
    free = person(availability=(window("sat", "10:00", "12:00"),))
    assert not_available(reach_for(free, candidate())) is None


def test_without_availability_every_service_is_available():
    service = candidate(sessions=(session("sun", "03:00", "04:00"),))
    assert not_available(reach_for(person(availability=()), service)) is None


def test_a_session_at_a_venue_out_of_reach_does_not_count():
    service = candidate(
        venues=(venue_at(1), venue_at(40)),
        sessions=(session("mon", "10:00", "11:00", 0), session("sat", "10:00", "11:00", 1)),
    )
    free = person(availability=(window("sat", "09:00", "12:00"),))
    assert not_available(reach_for(free, service)) is Exclusion.NOT_AVAILABLE


# Rule 8


def test_service_the_person_excluded_is_left_out():
    def check(*ids):
        return excluded(reach_for(person(exclude=frozenset(ids)), candidate(id="svc-1")))

    assert check("svc-1") is Exclusion.EXCLUDED
    assert check("svc-2") is None


# All together


def test_every_rule_cites_its_contract_rule_number_in_order():
    numbers = [int(re.match(r"Rule (\d):", rule.__doc__ or "").group(1)) for rule in HARD_RULES]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8]


def test_first_broken_rule_is_reported_in_contract_order():
    service = candidate(active=False, min_age=80, venues=(Venue(NEWCASTLE),))
    assert first_broken(reach_for(person(age=30), service)) is Exclusion.INACTIVE
    assert first_broken(reach_for(person(age=30), candidate(min_age=80))) is Exclusion.NOT_ELIGIBLE
    assert first_broken(reach_for(person(), candidate())) is None
