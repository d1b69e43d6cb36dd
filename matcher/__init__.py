"""The matching engine: which local services should a person and their Link Worker look at
together, and why.  Pure standard-library Python; no web stack, no clock, no files."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from matcher.diversify import Unweighed, could_change, diversify
from matcher.explain import explain_text, reasons, why_not
from matcher.geo import Point, haversine_km
from matcher.lexical import document, relevance, shared_words, split_wanted
from matcher.model import (
    DAYS,
    READINESS,
    Candidate,
    Exclusion,
    MatchResult,
    Profile,
    Reason,
    ReasonCode,
    Session,
    Suggestion,
    Venue,
    WhyNot,
    Window,
)
from matcher.person import to_person
from matcher.reach import Reach, next_start, to_reach
from matcher.rules import HARD_RULES, first_broken
from matcher.scoring import WEIGHTS, Bound, Signals, bound, ceiling, score
from matcher.vocabulary import Goal, Vocabulary

__all__ = [
    "DAYS",
    "HARD_RULES",
    "READINESS",
    "WEIGHTS",
    "Candidate",
    "Exclusion",
    "Goal",
    "MatchResult",
    "Point",
    "Profile",
    "Reason",
    "ReasonCode",
    "Session",
    "Suggestion",
    "Venue",
    "Vocabulary",
    "WhyNot",
    "Window",
    "explain_text",
    "haversine_km",
    "match",
    "to_json",
    "wanted_words",
]


def wanted_words(text: str) -> str:
    """The person's words without what they said they don't want, for a full-text search."""
    return split_wanted(text)[0]

WHY_NOT_LIMIT = 5
# Rules whose exclusions tell the person nothing new, so they never appear in why_not.
_SILENT = frozenset({Exclusion.INACTIVE, Exclusion.EXCLUDED})


def match(
    profile: Profile,
    candidates: Iterable[Candidate],
    vocab: Vocabulary,
    today: date,
    text_scores: Mapping[str, float] | None = None,
) -> MatchResult:
    """Rank candidates for one person. Pure and deterministic.

    :param profile: the person, already validated (known ids, a resolved origin).
    :param candidates: every service to consider, active or not.
    :param vocab: the vocabulary the ids come from (goals name what serves them).
    :param today: the day the match is for: next sessions and freshness count from it.
    :param text_scores: service id -> 0..1 relevance of what the person wants in their words
        (``wanted_words(profile.text)``, without what they said they don't want) from a
        full-text index; when None a small built-in lexical match over name, description and
        activities is used.
    :returns: suggestions best first (at most ``profile.limit``), the number considered,
        exclusion counts by rule, and why-not lines for the most notable exclusions.
    """
    pool = list(candidates)
    person = to_person(profile, vocab)
    # Only what the person wants counts as wanting: "not ready for groups" never finds groups.
    text = _text_relevance(person.wanted, pool, vocab, text_scores)
    unwanted = _text_relevance(person.unwanted, pool, vocab, None)
    wants = bool(profile.goals or profile.conditions or person.has_text)
    # Services that pass are bounded first and weighed in full only if they could be picked
    # (_pick); that needs scores that are numbers and one candidate per id.
    cut = _orders(text) and _orders(unwanted) and len({c.id for c in pool}) == len(pool)
    excluded: Counter[Exclusion] = Counter()
    kept: list[tuple[Signals, Reach]] = []
    passed: list[_Passed] = []
    notable: list[_Notable] = []
    for c in pool:
        r = to_reach(person, c)  # where they could take part: read by rules, score and reasons
        broken = first_broken(r)
        said = text.get(c.id, 0.0)
        if broken is None:
            if cut:
                b = bound(r, today, said)
                if b.relevant or not wants:
                    passed.append(_Passed(b, r, said, unwanted.get(c.id, 0.0)))
                continue
            signals = score(r, today, said, unwanted.get(c.id, 0.0))
            if signals.relevant or not wants:
                kept.append((signals, r))
            continue
        excluded[broken] += 1
        # Only a relevant exclusion the person did not ask for is worth a why-not line; it is
        # weighed in full only if it could make the list (see _most_notable).
        if broken not in _SILENT and c.id not in profile.exclude:
            most = ceiling(r, said)
            if most is not None:
                notable.append(_Notable(most, r, broken, said))
    moved: dict[str, tuple[float, float]] = {}
    if cut:
        kept, picked = _pick(passed, today, profile.limit, moved)
    else:
        kept.sort(key=lambda pair: (-round(pair[0].score, 9), pair[0].service_id))
        picked = diversify([s for s, _ in kept], profile.limit, moved)
    by_id = {s.service_id: r for s, r in kept}
    shown = _most_notable(notable, today)
    quoted = _said(person.wanted, pool, vocab, text, [s.service_id for s in picked])
    return MatchResult(
        results=tuple(
            _suggestion(
                by_id[s.service_id], s, vocab, today, quoted.get(s.service_id, ()),
                moved.get(s.service_id, (0.0, 0.0)),
            )
            for s in picked
        ),
        considered=len(pool),
        excluded=dict(sorted((e.value, n) for e, n in excluded.items())),
        why_not=tuple(
            WhyNot(r.service.id, r.service.name, e, why_not(r, e, vocab), s.contributions)
            for s, r, e in shown
        ),
    )


class _Passed(NamedTuple):
    """A service that passed the hard rules, bounded but not yet weighed in full."""

    bound: Bound
    reach: Reach
    text: float  # relevance of the person's words
    unwanted: float  # match of what they said they don't want


# How many passing services _pick weighs in full at first (at least), before asking whether
# the rest could matter; it doubles each time they could.
FIRST_WEIGHED = 24


def _pick(
    passed: list[_Passed], today: date, limit: int, moved: dict[str, tuple[float, float]]
) -> tuple[list[tuple[Signals, Reach]], list[Signals]]:
    """(the services weighed in full, with their reach; diversify's picks among all passed),
    weighing in full, highest bound first, only as many as could change the picks.

    The picks are exactly those of weighing every one: diversify's rounds are those of the
    whole set (its goals and largest goal share come from the bounds), and the ones left
    unweighed could not have been picked in any round (diversify.could_change).
    """
    passed = sorted(passed, key=lambda x: -x.bound.most)
    among = (
        max((x.bound.goal_share for x in passed), default=1.0),
        sorted({g for x in passed for g in x.bound.fit[0]}),
    )
    weighed: list[tuple[Signals, Reach]] = []
    count = max(FIRST_WEIGHED, 2 * limit)
    while True:
        weighed += [
            (score(x.reach, today, x.text, x.unwanted, x.bound.fit), x.reach)
            for x in passed[len(weighed) : count]
        ]
        weighed.sort(key=lambda pair: (-round(pair[0].score, 9), pair[0].service_id))
        trial: dict[str, tuple[float, float]] = {}
        picked = diversify([s for s, _ in weighed], limit, trial, among)
        rest = [
            Unweighed(x.bound.most, x.bound.fit[1], x.bound.fit[2], x.bound.goal_share)
            for x in passed[len(weighed) :]
        ]
        if not could_change(picked, limit, rest, among[1]):
            moved.update(trial)
            return weighed, picked
        count *= 2


def _orders(scores: Mapping[str, float]) -> bool:
    """Whether every score is a number (one that is not orders nothing: see diversify)."""
    return not any(math.isnan(x) for x in scores.values())


class _Notable(NamedTuple):
    """A relevant exclusion that might make the why-not list, not yet weighed in full."""

    ceiling: float  # the most its score can be (scoring.ceiling)
    reach: Reach
    exclusion: Exclusion
    text: float  # relevance of the person's words


def _most_notable(
    notable: list[_Notable], today: date
) -> list[tuple[Signals, Reach, Exclusion]]:
    """The WHY_NOT_LIMIT notable exclusions with the highest scores, best first, ties by id
    and then in the order given; weighing in full, highest ceiling first, only those whose
    ceiling could still reach that list."""
    if any(math.isnan(n.ceiling) for n in notable):  # not a number: it orders nothing
        weighed = [(score(n.reach, today, n.text), n.reach, n.exclusion) for n in notable]
        weighed.sort(key=lambda t: (-round(t[0].score, 9), t[1].service.id))
        return weighed[:WHY_NOT_LIMIT]
    ranked: list[tuple[tuple[float, str, int], Signals, Reach, Exclusion]] = []
    for at in sorted(range(len(notable)), key=lambda i: -notable[i].ceiling):
        n = notable[at]
        # Scores are ranked to 9 decimals, so a ceiling clearly below the last score on the
        # list rules this one out, and every one after it (their ceilings are no higher).
        if len(ranked) >= WHY_NOT_LIMIT and n.ceiling + 2e-9 < -ranked[WHY_NOT_LIMIT - 1][0][0]:
            break
        s = score(n.reach, today, n.text)
        bisect.insort(
            ranked, ((-round(s.score, 9), s.service_id, at), s, n.reach, n.exclusion),
            key=lambda t: t[0],
        )
    return [(s, r, e) for _, s, r, e in ranked[:WHY_NOT_LIMIT]]


def to_json(result: MatchResult) -> dict[str, Any]:
    """The contract's JSON answer for a match, plus a why_not list."""
    return {
        "results": [
            {
                "service_id": s.service_id,
                "name": s.name,
                "organization": s.organization,
                "score": s.score,
                "distance_km": s.distance_km,
                "next_session": s.next_session.strftime("%Y-%m-%dT%H:%M:%S")
                if s.next_session
                else None,
                "reasons": [{"code": r.code.value, "text": r.text} for r in s.reasons],
            }
            for s in result.results
        ],
        "considered": result.considered,
        "excluded": dict(result.excluded),
        "why_not": [
            {"service_id": w.service_id, "name": w.name, "rule": w.exclusion.value, "text": w.text}
            for w in result.why_not
        ],
    }


def _suggestion(
    r: Reach,
    s: Signals,
    vocab: Vocabulary,
    today: date,
    said: tuple[str, ...],
    moved: tuple[float, float],
) -> Suggestion:
    sessions = r.attendable_sessions()
    fitting = tuple(x for x in sessions if r.person.can_attend(x))
    c = r.service
    return Suggestion(
        service_id=c.id,
        name=c.name,
        organization=c.organization,
        score=round(s.score, 3),
        distance_km=None if s.distance_km is None else round(s.distance_km, 1),
        next_session=next_start(fitting or sessions, today),
        reasons=reasons(s, vocab, said, c.suggested),
        contributions={**s.contributions, "diversity": moved[0], "repeat_activity": -moved[1]},
    )


def _document(c: Candidate, vocab: Vocabulary) -> str:
    labels = (vocab.activities.get(a, a) for a in sorted(c.activities))
    return document([c.name, c.description, *labels])


def _text_relevance(
    text: str,
    pool: list[Candidate],
    vocab: Vocabulary,
    text_scores: Mapping[str, float] | None,
) -> dict[str, float]:
    if not text.strip():
        return {}
    if text_scores is not None:
        return {c.id: min(max(float(text_scores.get(c.id, 0.0)), 0.0), 1.0) for c in pool}
    docs = {c.id: _document(c, vocab) for c in pool}
    return {i: m.score for i, m in relevance(text, docs).items()}


def _said(
    text: str,
    pool: list[Candidate],
    vocab: Vocabulary,
    relevance: Mapping[str, float],
    ids: list[str],
) -> dict[str, tuple[str, ...]]:
    """The person's own words each of these services' text shares, for the text reason.

    Worked out only for the suggestions returned, as it is only ever read aloud.
    """
    wanted = {i for i in ids if relevance.get(i, 0.0) > 0}
    if not wanted:
        return {}
    # Like the relevance, read the text of the last candidate given under each id.
    last = {c.id: c for c in pool if c.id in wanted}
    return {i: shared_words(text, _document(c, vocab)) for i, c in last.items()}
