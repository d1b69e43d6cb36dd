"""The top results cover the person's different goals, not ten walking groups."""

from builders import TODAY, VOCAB, candidate, person, venue_at

from matcher import match


def ids(result):
    return [s.service_id for s in result.results]


def test_the_top_two_cover_both_goals_even_when_one_goal_scores_higher():
    p = person(goals=frozenset({"get-more-active", "sort-money"}), conditions=frozenset({"copd"}))
    walks = [
        candidate(
            id=f"walk-{i}",
            activities=frozenset({"walking-group", "gentle-exercise"}),
            conditions=frozenset({"copd"}),
            venues=(venue_at(0.1 * i),),
        )
        for i in range(5)
    ]
    advice = candidate(
        id="advice",
        activities=frozenset({"benefits-advice"}),
        categories=frozenset({"welfare-rights"}),
        venues=(venue_at(3),),
    )
    result = match(p, [*walks, advice], VOCAB, TODAY)
    assert result.results[0].score > result.results[1].score
    assert ids(result)[:2] == ["walk-0", "advice"]


def test_a_different_activity_comes_before_the_next_walking_group():
    walks = [candidate(id=f"walk-{i}", venues=(venue_at(0.1 * i),)) for i in range(4)]
    exercise = candidate(
        id="exercise", activities=frozenset({"gentle-exercise"}), venues=(venue_at(1.5),)
    )
    result = match(person(), [*walks, exercise], VOCAB, TODAY)
    assert ids(result)[:2] == ["walk-0", "exercise"]


def test_a_single_goal_with_varied_activities_stays_in_score_order():
    services = [
        candidate(id="a", activities=frozenset({"walking-group"}), venues=(venue_at(2),)),
        candidate(id="b", activities=frozenset({"gentle-exercise"}), venues=(venue_at(1),)),
    ]
    assert ids(match(person(), services, VOCAB, TODAY)) == ["b", "a"]


def test_equal_services_are_ordered_by_id():
    services = [
        candidate(id=i, activities=frozenset({a}))
        for i, a in (("c", "walking-group"), ("a", "gentle-exercise"))
    ]
    assert ids(match(person(), services, VOCAB, TODAY)) == ["a", "c"]


def test_a_category_only_match_does_not_jump_the_queue_for_its_goal():
    p = person(goals=frozenset({"get-more-active", "be-creative"}))
    walks = [
        candidate(id=f"walk-{i}", activities=frozenset({"walking-group", "gentle-exercise"}))
        for i in range(2)
    ]
    craft_fair = candidate(id="fair", activities=frozenset(), categories=frozenset({"arts"}))
    assert ids(match(p, [*walks, craft_fair], VOCAB, TODAY)) == ["walk-0", "walk-1", "fair"]
