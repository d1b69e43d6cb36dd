"""The shortcuts match() takes for speed give exactly the plain answer.

Each property compares the engine with the straightforward way of working the same thing out:
a ceiling on the score that lets why-not skip weighing most exclusions, a bound that lets
the ranking weigh in full only the services that could be picked, a diversify that stops
looking once no bonus could help, and a word match that stems only likely words.
"""

import math
from collections import Counter

from builders import NEWCASTLE, TODAY, VOCAB, candidate, north_of, person
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import catalogues, profiles

import matcher
from matcher import WEIGHTS, Exclusion, match
from matcher.diversify import Unweighed, could_change, diversify
from matcher.lexical import TextMatch, relevance, stem, terms
from matcher.person import to_person
from matcher.reach import to_reach
from matcher.rules import first_broken
from matcher.scoring import Signals, bound, ceiling, goal_fit, score

SETTINGS = settings(max_examples=100, deadline=None, database=None)
MORE = settings(SETTINGS, max_examples=300)
QUIET = (None, Exclusion.INACTIVE, Exclusion.EXCLUDED)  # passing, or never a why-not line
relevances = st.floats(min_value=-0.5, max_value=1.5, allow_nan=False)


@SETTINGS
@given(profiles, catalogues, relevances)
def test_the_ceiling_is_never_below_the_score_and_none_only_when_nothing_points_to_it(
    p, catalogue, text
):
    person = to_person(p, VOCAB)
    for c in catalogue:
        r = to_reach(person, c)
        top, s = ceiling(r, text), score(r, TODAY, text)
        assert (top is None) == (not s.relevant)
        assert top is None or s.score <= top + 1e-12


@SETTINGS
@given(profiles, catalogues, relevances, relevances)
def test_the_bound_is_never_below_the_score_and_knows_what_the_score_will_say(
    p, catalogue, text, unwanted
):
    person = to_person(p, VOCAB)
    for c in catalogue:
        r = to_reach(person, c)
        b, s = bound(r, TODAY, text), score(r, TODAY, text, unwanted)
        assert s.score <= b.most + 1e-12
        assert (b.relevant, b.goal_share, b.fit) == (s.relevant, s.goal_share, goal_fit(r))


def weighing_at_first(count, p, catalogue, text_scores=None):
    """match() with the ranking weighing count services in full before it asks whether the
    rest could be picked."""
    before = matcher.FIRST_WEIGHED
    matcher.FIRST_WEIGHED = count
    try:
        return match(p, catalogue, VOCAB, TODAY, text_scores)
    finally:
        matcher.FIRST_WEIGHED = before


# Many services that pass every rule and differ in what they offer, for a short list: the
# ranking then has most of them to leave unweighed.
passing = st.builds(
    lambda n, km, activities, categories, conditions, languages, access, intensity, age: (
        candidate(
            id=f"svc-{n:02d}",
            activities=activities,
            categories=categories,
            conditions=conditions,
            languages=languages | {"en"},
            access=access,
            intensity=intensity,
            venues=(matcher.Venue(north_of(NEWCASTLE, km)),),
            last_verified=TODAY.fromordinal(TODAY.toordinal() - age),
        )
    ),
    st.integers(0, 99),
    st.floats(0, 4.9),
    st.frozensets(st.sampled_from(sorted(VOCAB.activities)), max_size=3),
    st.frozensets(st.sampled_from(sorted(VOCAB.categories)), max_size=2),
    st.frozensets(st.sampled_from(sorted(VOCAB.conditions)), max_size=1),
    st.frozensets(st.sampled_from(["ro", "pl"]), max_size=1),
    st.frozensets(st.sampled_from(["drop-in", "beginners-welcome", "miss-sessions-ok"])),
    st.sampled_from([None, "light", "moderate", "structured"]),
    st.integers(0, 400),
)
many_passing = st.lists(passing, min_size=8, max_size=40, unique_by=lambda c: c.id)
short_lists = st.builds(
    person,
    goals=st.lists(st.sampled_from(sorted(VOCAB.goals)), min_size=1, max_size=3, unique=True)
    .map(tuple),
    conditions=st.frozensets(st.sampled_from(sorted(VOCAB.conditions)), max_size=2),
    readiness=st.sampled_from(["not-yet", "thinking", "ready", "active"]),
    languages=st.sampled_from([{"en"}, {"ro"}, {"en", "pl"}]).map(frozenset),
    text=st.sampled_from(["", "likes walking by the river"]),
    limit=st.integers(1, 5),
)


@SETTINGS
@given(profiles, catalogues, st.lists(relevances, min_size=12, max_size=12))
def test_weighing_only_the_services_that_could_be_picked_gives_the_answer_of_weighing_all(
    p, catalogue, words
):
    text_scores = {c.id: x for c, x in zip(catalogue, words, strict=False)}
    everything = weighing_at_first(10**6, p, catalogue, text_scores)
    assert weighing_at_first(1, p, catalogue, text_scores) == everything


@MORE
@given(short_lists, many_passing, st.lists(relevances, min_size=40, max_size=40))
def test_a_short_list_from_many_passing_services_is_the_same_as_weighing_them_all(
    p, catalogue, words
):
    text_scores = {c.id: x for c, x in zip(catalogue, words, strict=False)}
    everything = weighing_at_first(10**6, p, catalogue, text_scores)
    assert weighing_at_first(1, p, catalogue, text_scores) == everything


def test_a_service_left_unweighed_could_change_the_picks_when_they_are_too_few():
    assert could_change([], 1, [Unweighed(0.1, (), (), 1.0)], [])
    assert not could_change([], 1, [], [])


def test_services_that_cannot_reach_the_list_are_never_weighed_and_the_answer_is_the_same(
    monkeypatch,
):
    # Forty walking groups a little further away each: only the nearest can make a list of 3.
    p = person(limit=3, max_distance_km=5)
    catalogue = [
        candidate(id=f"svc-{n:02d}", venues=(matcher.Venue(north_of(NEWCASTLE, n / 10)),))
        for n in range(40)
    ]
    weighed = []

    def counting(r, *args, **kwargs):
        weighed.append(r.service.id)
        return score(r, *args, **kwargs)

    everything = weighing_at_first(10**6, p, catalogue)
    monkeypatch.setattr(matcher, "score", counting)
    result = match(p, catalogue, VOCAB, TODAY)
    assert result == everything
    assert [s.service_id for s in result.results] == ["svc-00", "svc-01", "svc-02"]
    assert len(weighed) == matcher.FIRST_WEIGHED < len(catalogue)
    assert "svc-39" not in weighed


@SETTINGS
@given(profiles, catalogues, st.lists(relevances | st.just(math.nan), min_size=12, max_size=12))
def test_why_not_lists_the_best_scoring_relevant_exclusions(p, catalogue, words):
    # Not-a-number relevance makes scores that order nothing: then the order given decides.
    text_scores = {c.id: x for c, x in zip(catalogue, words, strict=False)}
    person = to_person(p, VOCAB)
    plain = []
    for c in catalogue:
        r = to_reach(person, c)
        broken = first_broken(r)
        said = min(max(text_scores[c.id], 0.0), 1.0) if p.text.strip() else 0.0
        s = score(r, TODAY, said)
        if broken not in QUIET and c.id not in p.exclude and s.relevant:
            plain.append((-round(s.score, 9), c.id, broken))
    expected = [(i, e) for _, i, e in sorted(plain)[:5]]
    result = match(p, catalogue, VOCAB, TODAY, text_scores)
    assert [(w.service_id, w.exclusion) for w in result.why_not] == expected


def plain_diversify(ranked, limit):
    """diversify() as first written: every round weighs every service left."""
    pool = list(ranked)
    chosen, covered, shown = [], Counter(), Counter()
    goals = sorted({g for s in ranked for g in s.goals_served})
    while pool and len(chosen) < limit:
        level = min((covered[g] for g in goals), default=0)

        def adjusted(s, level=level):
            fills_gap = any(covered[g] == level for g in s.goals_direct)
            bonus = WEIGHTS["diversity"] * s.goal_share / (1 + level) if fills_gap else 0.0
            repeats = min((shown[a] for a in s.activities), default=0)
            return s.score + bonus - WEIGHTS["repeat_activity"] * repeats

        best = min(pool, key=lambda s: (-adjusted(s), -s.score, s.service_id))
        pool.remove(best)
        chosen.append(best)
        covered.update(best.goals_served)
        shown.update(best.activities)
    return chosen


GOALS = ["a", "b", "c"]
ACTIVITIES = ["walk", "sing", "knit", "swim"]
signals = st.builds(
    lambda i, score, served, direct, activities, share: Signals(
        f"svc-{i}", served, direct, activities, (), (), None, None, None, share, {}, score
    ),
    st.integers(0, 9),
    st.sampled_from([0.1, 0.35, 0.5, 0.5, 0.62, 0.9]) | st.floats(0, 1),
    st.lists(st.sampled_from(GOALS), unique=True).map(tuple),
    st.lists(st.sampled_from(GOALS), unique=True).map(tuple),
    st.lists(st.sampled_from(ACTIVITIES), unique=True).map(tuple),
    st.sampled_from([0.5, 1.0]),
)


@SETTINGS
@given(st.lists(signals, max_size=25), st.integers(1, 12), st.booleans())
def test_diversify_picks_as_if_it_weighed_every_service_every_round(services, limit, nan):
    if nan and services:
        services[0] = services[0]._replace(score=math.nan)
    ranked = sorted(services, key=lambda s: (-round(s.score, 9), s.service_id))
    assert diversify(ranked, limit) == plain_diversify(ranked, limit)


def plain_relevance(query, documents):
    """relevance() as first written: every word of every document stemmed."""
    query_terms = sorted(set(terms(query)))
    doc_terms = {i: set(terms(text)) for i, text in documents.items()}
    df = Counter()
    for found in doc_terms.values():
        df.update(found & set(query_terms))
    n = len(doc_terms)
    idf = {t: math.log(1 + (n + 1) / (df[t] + 0.5)) for t in query_terms if df[t]}
    total = sum(idf.values())
    result = {}
    for i, found in doc_terms.items():
        shared = tuple(t for t in query_terms if t in idf and t in found)
        result[i] = TextMatch(sum(idf[t] for t in shared) / total if total else 0.0, shared)
    return result


# Few letters, so that words often share their first three letters and their stems.
words = st.text("abcdeilnstuyg'’é ", min_size=0, max_size=14)
texts = st.lists(words, max_size=12).map(" ".join)


@SETTINGS
@given(texts, st.lists(texts, max_size=6))
def test_relevance_is_the_same_as_stemming_every_word(query, documents):
    docs = {f"d{i}": text for i, text in enumerate(documents)}
    assert relevance(query, docs) == plain_relevance(query, docs)


@SETTINGS
@given(st.from_regex(r"[a-z0-9]{3,12}", fullmatch=True))
def test_a_stem_keeps_the_first_three_letters_of_its_word(word):
    assert stem(word)[:3] == word[:3]
