"""match() end to end: counts, limits, next sessions, and the contract's JSON shape."""

import json
import re

from builders import TODAY, VOCAB, candidate, person, session, venue_at, window

from matcher import Exclusion, match, to_json


def test_considered_counts_every_candidate_and_excluded_counts_each_by_its_first_rule():
    services = [
        candidate(id="ok"),
        candidate(id="paused", active=False, venues=(venue_at(50),)),
        candidate(id="far", venues=(venue_at(50),)),
        candidate(id="far-2", venues=(venue_at(60),)),
        candidate(id="declined"),
    ]
    result = match(person(exclude=frozenset({"declined"})), services, VOCAB, TODAY)
    assert result.considered == 5
    assert result.excluded == {"excluded": 1, "inactive": 1, "too_far": 2}
    assert [s.service_id for s in result.results] == ["ok"]


def test_no_more_suggestions_than_the_limit():
    services = [candidate(id=f"svc-{i}") for i in range(20)]
    assert len(match(person(limit=3), services, VOCAB, TODAY).results) == 3


def test_candidates_may_be_any_iterable():
    assert len(match(person(), (candidate(id=str(i)) for i in range(3)), VOCAB, TODAY).results) == 3


def test_services_that_match_nothing_the_person_wants_are_not_suggested():
    money = candidate(activities=frozenset({"benefits-advice"}), categories=frozenset())
    assert match(person(), [money], VOCAB, TODAY).results == ()


def test_a_person_who_gives_no_goals_words_or_conditions_still_sees_what_is_near():
    result = match(person(goals=frozenset()), [candidate()], VOCAB, TODAY)
    assert [s.service_id for s in result.results] == ["svc-1"]


def test_unknown_goal_ids_are_ignored():
    result = match(person(goals=frozenset({"get-more-active", "fly"})), [candidate()], VOCAB, TODAY)
    assert result.results[0].score > 0


def test_distance_is_rounded_to_one_decimal_and_absent_for_remote_services():
    near = candidate(id="near", venues=(venue_at(1.26),))
    online = candidate(id="online", access=frozenset({"online"}), venues=())
    result = match(person(), [near, online], VOCAB, TODAY)
    assert {s.service_id: s.distance_km for s in result.results} == {"near": 1.3, "online": None}


def next_session(p, c):
    return to_json(match(p, [c], VOCAB, TODAY))["results"][0]["next_session"]


def test_next_session_is_today_when_it_meets_later_today():
    assert next_session(person(), candidate(sessions=(session("mon", "10:00", "11:00"),))) == (
        "2026-11-30T10:00:00"
    )


def test_next_session_is_the_earliest_weekly_session_ahead():
    sessions = (session("sun", "10:00", "11:00"), session("wed", "18:30", "20:00"))
    assert next_session(person(), candidate(sessions=sessions)) == "2026-12-02T18:30:00"
    assert next_session(person(), candidate(sessions=sessions[:1])) == "2026-12-06T10:00:00"


def test_next_session_is_one_the_person_can_attend():
    sessions = (session("tue", "10:00", "11:00"), session("thu", "18:00", "19:00"))
    free = person(availability=(window("thu", "17:00", "21:00"),))
    assert next_session(free, candidate(sessions=sessions)) == "2026-12-03T18:00:00"


def test_next_session_skips_sessions_at_venues_out_of_reach():
    service = candidate(
        venues=(venue_at(1), venue_at(40)),
        sessions=(session("tue", "10:00", "11:00", 1), session("fri", "10:00", "11:00", 0)),
    )
    assert next_session(person(), service) == "2026-12-04T10:00:00"


def test_no_next_session_for_services_by_appointment():
    assert next_session(person(), candidate(by_appointment=True)) is None


def test_to_json_has_exactly_the_contracts_shape():
    services = [
        candidate(sessions=(session("tue", "10:00", "11:00"),)),
        candidate(id="far", venues=(venue_at(9),)),
    ]
    answer = to_json(match(person(), services, VOCAB, TODAY))
    assert set(answer) == {"results", "considered", "excluded", "why_not"}
    (result,) = answer["results"]
    assert set(result) == {
        "service_id",
        "name",
        "organization",
        "score",
        "distance_km",
        "next_session",
        "reasons",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", result["next_session"])
    assert all(set(r) == {"code", "text"} for r in result["reasons"])
    assert answer["considered"] == 2 and answer["excluded"] == {"too_far": 1}
    assert answer["why_not"] == [
        {
            "service_id": "far",
            "name": "Walking group",
            "rule": "too_far",
            "text": "Walking group: 9.0 km, further than the 5 km you set",
        }
    ]
    assert json.loads(json.dumps(answer)) == answer


def test_scores_are_rounded_to_three_decimals_between_zero_and_one():
    services = [candidate(id=str(i), venues=(venue_at(i * 0.37),)) for i in range(10)]
    for s in match(person(), services, VOCAB, TODAY).results:
        assert 0 <= s.score <= 1 and s.score == round(s.score, 3)


def test_exclusion_values_are_the_contracts_json_strings():
    assert {e.value for e in Exclusion} == {
        "inactive",
        "not_eligible",
        "too_far",
        "needs_not_met",
        "no_shared_language",
        "not_available",
        "excluded",
    }


def test_a_session_on_an_unknown_day_never_comes_round():
    assert (
        next_session(person(), candidate(sessions=(session("someday", "10:00", "11:00"),))) is None
    )
