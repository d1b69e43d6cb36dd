"""The principles a skilled Link Worker ranks by, as properties over generated cases:
audience fit, goal order, the person's words with negation, condition centrality and
coverage.  Each compares two services that differ in one respect only, so the property says
what that respect alone must do to the order."""

from __future__ import annotations

from dataclasses import replace

from builders import NEWCASTLE, TODAY, VOCAB, candidate, north_of, person
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import Candidate, ReasonCode, Venue, match

SETTINGS = settings(max_examples=150, deadline=None, database=None)
COMMUNITY = ["pl", "ro", "bn", "ar", "zh", "ur"]
# Goals of the test vocabulary, each with a service that serves it and no other of them.
GOAL_SERVICES = {
    "get-more-active": ({"gentle-exercise"}, {"physical-activity"}),
    "sort-money": ({"benefits-advice"}, {"welfare-rights"}),
    "manage-condition": ({"breathing-support"}, {"ltc-management"}),
    "meet-people": ({"social-group"}, {"community"}),
}

# The things that may vary between otherwise equal services.
bases = st.builds(
    lambda km, intensity, access, verified_days: candidate(
        venues=(Venue(north_of(NEWCASTLE, km)),),
        intensity=intensity,
        access=frozenset(access),
        last_verified=TODAY.replace(day=1) if verified_days is None else None,
    ),
    st.floats(0, 4.5),
    st.sampled_from(["light", "moderate", "structured"]),
    st.sets(st.sampled_from(["free", "drop-in", "beginners-welcome", "interpreter-available"])),
    st.none() | st.just(1),
)
people = st.builds(
    lambda readiness, km, text: person(readiness=readiness, max_distance_km=km, text=text),
    st.sampled_from(["not-yet", "thinking", "ready", "active"]),
    st.floats(5, 10),
    st.sampled_from(["", "likes walking", "wants to get out more"]),
)


def ranked_ids(profile, services):
    return [s.service_id for s in match(profile, services, VOCAB, TODAY).results]


def for_goal(goal: str, base: Candidate, service_id: str) -> Candidate:
    activities, categories = GOAL_SERVICES[goal]
    return replace(
        base, id=service_id, activities=frozenset(activities), categories=frozenset(categories)
    )


# --- audience fit -----------------------------------------------------------------------


@SETTINGS
@given(bases, people, st.sampled_from(COMMUNITY), st.booleans())
def test_an_english_only_person_never_gets_a_community_group_above_an_equal_general_one(
    base, profile, language, stated_in_name
):
    general = replace(base, id="svc-b-general")
    community = replace(
        base,
        id="svc-a-community",  # wins every tie on id, so only the audience can put it second
        languages=frozenset({"en", language}),
        name="Polish Club" if stated_in_name else base.name,
    )
    order = ranked_ids(profile, [community, general])
    assert order.index("svc-b-general") < order.index("svc-a-community")


@SETTINGS
@given(bases, people, st.sampled_from(COMMUNITY), st.booleans())
def test_a_speaker_of_the_language_gets_their_community_group_first(
    base, profile, language, some_english
):
    general = replace(base, id="svc-a-general")  # wins ties on id
    community = replace(base, id="svc-b-community", languages=frozenset({"en", language}))
    speaks = frozenset({language, "en"} if some_english else {language})
    order = ranked_ids(replace(profile, languages=speaks), [general, community])
    assert order[0] == "svc-b-community"


@SETTINGS
@given(bases, st.sampled_from(COMMUNITY))
def test_a_community_named_in_the_name_never_lets_a_service_break_the_language_rule(base, language):
    # An English-only "Polish Club" without an interpreter is still closed to a Polish-only
    # speaker: audience is a soft signal and never passes a hard rule.
    club = replace(base, name="Polish Club", access=base.access - {"interpreter-available"})
    result = match(person(languages=frozenset({language})), [club], VOCAB, TODAY)
    assert result.results == ()
    assert result.excluded == {"no_shared_language": 1}


def test_a_multilingual_general_service_does_not_turn_away_english_speakers():
    general = candidate(id="svc-b")
    multilingual = candidate(id="svc-a", languages=frozenset({"en", "pl", "ro", "ar"}))
    assert ranked_ids(person(), [general, multilingual]) == ["svc-a", "svc-b"]  # a tie, by id


def test_the_audience_is_explained_when_it_lifts_a_service():
    club = candidate(languages=frozenset({"en", "pl"}))
    (s,) = match(person(languages=frozenset({"pl", "en"})), [club], VOCAB, TODAY).results
    assert any(r.code is ReasonCode.AUDIENCE and "Polish" in r.text for r in s.reasons)


# --- goal order -------------------------------------------------------------------------


@SETTINGS
@given(
    st.lists(st.sampled_from(sorted(GOAL_SERVICES)), min_size=2, max_size=3, unique=True),
    bases,
)
def test_swapping_the_first_two_goals_changes_which_goal_leads(goals, base):
    services = [for_goal(g, base, f"svc-{g}") for g in goals]
    first = ranked_ids(person(goals=tuple(goals)), services)[0]
    swapped = [goals[1], goals[0], *goals[2:]]
    again = ranked_ids(person(goals=tuple(swapped)), services)[0]
    assert (first, again) == (f"svc-{goals[0]}", f"svc-{goals[1]}")


def test_goals_given_as_a_set_keep_no_order_and_all_weigh_alike():
    base = candidate()
    a, b = for_goal("sort-money", base, "svc-b"), for_goal("get-more-active", base, "svc-a")
    s = match(person(goals=frozenset({"sort-money", "get-more-active"})), [a, b], VOCAB, TODAY)
    assert s.results[0].score == s.results[1].score


# --- the person's words, with negation --------------------------------------------------

NEGATIONS = [
    "not ready for {w} yet",
    "Not ready for {w}",
    "can't be doing with {w}",
    "doesn't like {w}",
    "hated the {w}",
    "fed up with {w}",
    "not keen on {w}; likes a cuppa",
]


@SETTINGS
@given(st.sampled_from(NEGATIONS), st.sampled_from(["groups", "crowds", "singing", "walks"]))
def test_what_the_person_says_they_dont_want_never_counts_as_wanting_it(phrase, word):
    text = phrase.format(w=word)
    neutral = candidate(name="Friday meet", activities=frozenset({"gentle-exercise"}))
    said = replace(neutral, id="svc-a", description=f"Friendly {word} every week.")
    plain = replace(neutral, id="svc-b", description="Friendly people every week.")
    result = match(person(text=text), [said, plain], VOCAB, TODAY)
    by_id = {s.service_id: s for s in result.results}
    # Never quoted as a matched word, and never scored as wanted: the service that says it
    # ranks below the one that does not, and gains nothing from the person's words.
    quoted = [r.text for s in result.results for r in s.reasons if r.code is ReasonCode.TEXT]
    assert not any(word in q for q in quoted)
    assert by_id["svc-a"].contributions["text"] == 0.0
    assert [s.service_id for s in result.results] == ["svc-b", "svc-a"]


def test_not_ready_for_groups_is_not_a_wish_for_groups():
    group = candidate(id="svc-1", name="Friendship group", description="A friendly group.")
    result = match(person(text="not ready for groups yet"), [group], VOCAB, TODAY)
    (s,) = result.results
    assert s.contributions["text"] == 0.0
    assert s.contributions["unwanted"] < 0
    assert not any("group" in r.text for r in s.reasons if r.code is ReasonCode.TEXT)


def test_a_lack_is_not_a_refusal():
    # "never claimed anything" and "can't get in the bath" describe what they need help with.
    advice = candidate(id="svc-1", description="Help to claim benefits you are owed.")
    (s,) = match(person(text="has never claimed anything"), [advice], VOCAB, TODAY).results
    assert s.contributions["text"] > 0 and s.contributions["unwanted"] == 0.0


def test_an_activity_the_person_names_lifts_the_service_that_offers_it():
    arts = frozenset({"arts"})
    art = candidate(id="svc-b", activities=frozenset({"art-group"}), categories=arts)
    choir = candidate(id="svc-a", activities=frozenset({"choir-singing"}), categories=arts)
    profile = person(goals=("be-creative",), text="used to love singing")
    assert ranked_ids(profile, [art, choir])[0] == "svc-a"
    assert ranked_ids(replace(profile, text="used to love art"), [art, choir])[0] == "svc-b"


# --- condition centrality ---------------------------------------------------------------


@SETTINGS
@given(bases, st.sampled_from([("copd", "depression"), ("depression", "copd")]))
def test_a_service_for_the_main_condition_beats_one_for_a_condition_in_passing(base, conditions):
    main, passing = conditions
    profile = person(goals=("manage-condition",), conditions=conditions)
    for_main = replace(base, id="svc-b", conditions=frozenset({main}))
    for_passing = replace(base, id="svc-a", conditions=frozenset({passing}))  # wins ties on id
    assert ranked_ids(profile, [for_passing, for_main])[0] == "svc-b"


def test_a_condition_counts_only_in_passing_when_no_goal_is_about_health():
    money = candidate(id="svc-b", activities=frozenset({"benefits-advice"}),
                      categories=frozenset({"welfare-rights"}))
    copd_walk = candidate(id="svc-a", conditions=frozenset({"copd"}))
    profile = person(goals=("sort-money", "get-more-active"), conditions=("copd",))
    assert ranked_ids(profile, [copd_walk, money])[0] == "svc-b"


# --- coverage ---------------------------------------------------------------------------


@SETTINGS
@given(st.integers(5, 9), st.permutations(["get-more-active", "sort-money", "meet-people"]))
def test_the_top_five_hold_an_option_for_each_goal_the_catalogue_serves(many, goals):
    base = candidate()
    leading = [
        for_goal(goals[0], replace(base, venues=(Venue(north_of(NEWCASTLE, km / 10)),)), f"svc-{n}")
        for n, km in enumerate(range(many))
    ]
    others = [
        for_goal(g, replace(base, venues=(Venue(north_of(NEWCASTLE, 4.0)),)), f"svc-{g}")
        for g in goals[1:]
    ]
    top = ranked_ids(person(goals=tuple(goals)), leading + others)[:5]
    assert {f"svc-{g}" for g in goals[1:]} <= set(top)
