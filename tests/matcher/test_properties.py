"""Properties over generated people and catalogues: the hard rules always hold, and the
answer does not depend on the order services arrive in.

The oracle below re-reads the contract's eight rules from scratch (as the judge in
shared/eval-dev/rules.py does); it deliberately shares no code with matcher.rules.
"""

import math
from datetime import date, time

from builders import TODAY, VOCAB
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import Candidate, Point, Profile, Session, Venue, Window, match, to_json

SETTINGS = settings(max_examples=200, deadline=None, database=None)
ORIGIN = Point(54.97, -1.61)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PHYSICAL = ["wheelchair-accessible", "step-free", "accessible-toilet", "hearing-loop"]
SERVICE_ACCESS = ["free", "low-cost", "drop-in", "beginners-welcome", "interpreter-available",
                  "women-only", "men-only", "online", "telephone", "home-visit", "parking"]
OUTWARD = ["NE1", "NE4", "NE29"]


# --- the oracle -------------------------------------------------------------------------


def km(a, b):
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def in_reach(p, v):
    return p.origin is not None and km(p.origin, v.point) <= p.max_distance_km


def broken(p, c):
    """The numbers of the contract rules that suggesting c to p would break."""
    remote = bool({"online", "telephone", "home-visit"} & c.access)
    home = "home-visit" in c.access and p.outward_code in c.coverage
    out = []
    if not c.active:
        out.append(1)
    if p.age is not None and (
        (c.min_age is not None and p.age < c.min_age) or (c.max_age is not None and p.age > c.max_age)
    ):
        out.append(2)
    if (p.gender == "male" and "women-only" in c.access) or (
        p.gender == "female" and "men-only" in c.access
    ):
        out.append(3)
    if not ({"online", "telephone"} & c.access or home or any(in_reach(p, v) for v in c.venues)):
        out.append(4)
    for need in p.needs:
        if need in PHYSICAL:
            ok = remote or any(in_reach(p, v) and need in v.access for v in c.venues)
        else:
            ok = need in c.access or any(in_reach(p, v) and need in v.access for v in c.venues)
        if not ok:
            out.append(5)
            break
    if not (p.languages or {"en"}) & c.languages and "interpreter-available" not in c.access:
        out.append(6)
    if p.availability and not c.by_appointment and c.sessions and not any(
        s.day == w.day and s.start < w.end and s.end > w.start
        for s in c.sessions for w in p.availability
    ):
        out.append(7)
    if c.id in p.exclude:
        out.append(8)
    return out


# --- generators ---------------------------------------------------------------------------

hours = st.integers(min_value=6, max_value=21)


@st.composite
def weekly(draw, kind):
    day = draw(st.sampled_from(DAYS))
    start = draw(hours)
    length = draw(st.integers(min_value=1, max_value=4))
    return kind(day, time(start), time(min(start + length, 23)))


@st.composite
def venues(draw):
    point = Point(ORIGIN.lat + draw(st.floats(-0.08, 0.08)), ORIGIN.lon + draw(st.floats(-0.12, 0.12)))
    return Venue(point, frozenset(draw(st.sets(st.sampled_from([*PHYSICAL, "parking"])))))


@st.composite
def candidates(draw, service_id):
    places = tuple(draw(st.lists(venues(), max_size=2)))
    sessions = tuple(
        Session(s.day, s.start, s.end, draw(st.sampled_from([None, 0, 1, 5])))
        for s in draw(st.lists(weekly(Window), max_size=3))
    )
    low = draw(st.none() | st.integers(16, 70))
    return Candidate(
        id=service_id,
        name=f"Service {service_id}",
        description=draw(st.sampled_from(["Walk by the river", "Knit and natter", "Advice desk"])),
        active=draw(st.booleans()),
        min_age=low,
        max_age=draw(st.none() | st.integers(low or 16, 90)),
        access=frozenset(draw(st.sets(st.sampled_from(SERVICE_ACCESS + PHYSICAL)))),
        categories=frozenset(draw(st.sets(st.sampled_from(sorted(VOCAB.categories)), max_size=2))),
        activities=frozenset(draw(st.sets(st.sampled_from(sorted(VOCAB.activities)), max_size=3))),
        conditions=frozenset(draw(st.sets(st.sampled_from(sorted(VOCAB.conditions)), max_size=2))),
        intensity=draw(st.sampled_from([None, "light", "moderate", "structured"])),
        languages=frozenset(draw(st.sets(st.sampled_from(["en", "ro", "pl"]), max_size=2))),
        venues=places,
        coverage=frozenset(draw(st.sets(st.sampled_from(OUTWARD), max_size=2))),
        sessions=sessions,
        by_appointment=draw(st.booleans()),
        last_verified=draw(st.none() | st.dates(date(2024, 1, 1), date(2027, 1, 1))),
    )


@st.composite
def catalogues(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    return [draw(candidates(f"svc-{i:02d}")) for i in range(n)]


profiles = st.builds(
    Profile,
    goals=st.frozensets(st.sampled_from(sorted(VOCAB.goals)), max_size=3),
    conditions=st.frozensets(st.sampled_from(sorted(VOCAB.conditions)), max_size=2),
    origin=st.none() | st.just(ORIGIN),
    outward_code=st.none() | st.sampled_from(OUTWARD),
    max_distance_km=st.sampled_from([0.0, 1.0, 2.5, 5.0, 8.0]),
    readiness=st.sampled_from(["not-yet", "thinking", "ready", "active"]),
    age=st.none() | st.integers(16, 95),
    gender=st.sampled_from([None, "female", "male", "non-binary"]),
    availability=st.lists(weekly(Window), max_size=3).map(tuple),
    needs=st.frozensets(st.sampled_from([*PHYSICAL, "free", "drop-in", "parking"]), max_size=2),
    languages=st.frozensets(st.sampled_from(["en", "ro", "pl"]), max_size=2),
    text=st.sampled_from(["", "likes walking by the river", "knitting"]),
    exclude=st.frozensets(st.sampled_from([f"svc-{i:02d}" for i in range(12)]), max_size=3),
    limit=st.integers(1, 10),
)


# --- properties ---------------------------------------------------------------------------


@SETTINGS
@given(profiles, catalogues())
def test_no_suggestion_ever_breaks_a_hard_rule(p, catalogue):
    by_id = {c.id: c for c in catalogue}
    result = match(p, catalogue, VOCAB, TODAY)
    for s in result.results:
        assert broken(p, by_id[s.service_id]) == [], s.service_id
    assert len(result.results) <= p.limit
    assert len({s.service_id for s in result.results}) == len(result.results)
    assert sum(result.excluded.values()) + len(result.results) <= result.considered
    assert all(sum(1 for c in catalogue if broken(p, c)) >= n for n in result.excluded.values())


@SETTINGS
@given(profiles, catalogues(), st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_order_of_services(p, catalogue, rng):
    shuffled = list(catalogue)
    rng.shuffle(shuffled)
    assert to_json(match(p, shuffled, VOCAB, TODAY)) == to_json(match(p, catalogue, VOCAB, TODAY))


@SETTINGS
@given(profiles, catalogues())
def test_scores_are_zero_to_one_and_suggestions_for_wishes_have_reasons(p, catalogue):
    for s in match(p, catalogue, VOCAB, TODAY).results:
        assert 0 <= s.score <= 1
        if p.goals or p.conditions or p.text:
            assert s.reasons
