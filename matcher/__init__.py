"""The matching engine: which local services should a person and their Link Worker look at
together, and why.  Pure standard-library Python; no web stack, no clock, no files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from matcher.diversify import diversify
from matcher.explain import reasons, why_not
from matcher.geo import Point, haversine_km
from matcher.lexical import document, relevance, shared_words
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
from matcher.reach import attendable_sessions, next_start, overlaps
from matcher.rules import HARD_RULES, first_broken
from matcher.scoring import WEIGHTS, Signals, score
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
    "haversine_km",
    "match",
    "to_json",
]

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
    :param text_scores: service id -> 0..1 relevance of ``profile.text`` from a full-text
        index; when None a small built-in lexical match over name, description and
        activities is used.
    :returns: suggestions best first (at most ``profile.limit``), the number considered,
        exclusion counts by rule, and why-not lines for the most notable exclusions.
    """
    pool = list(candidates)
    docs = {c.id: _document(c, vocab) for c in pool}
    text = _text_relevance(profile.text, docs, text_scores)
    wants = bool(profile.goals or profile.conditions or profile.text.strip())
    excluded: Counter[str] = Counter()
    kept: list[tuple[Signals, Candidate]] = []
    notable: list[tuple[Signals, Candidate, Exclusion]] = []
    for c in pool:
        rel = text.get(c.id, 0.0)
        terms = shared_words(profile.text, docs[c.id]) if rel > 0 else ()
        signals = score(profile, c, vocab, today, rel, terms)
        broken = first_broken(profile, c)
        if broken is None:
            if signals.relevant or not wants:
                kept.append((signals, c))
        else:
            excluded[broken.value] += 1
            if broken not in _SILENT and c.id not in profile.exclude and signals.relevant:
                notable.append((signals, c, broken))
    kept.sort(key=lambda pair: (-round(pair[0].score, 9), pair[0].service_id))
    by_id = {s.service_id: c for s, c in kept}
    picked = diversify([s for s, _ in kept], profile.limit)
    notable.sort(key=lambda t: (-round(t[0].score, 9), t[1].id))
    return MatchResult(
        results=tuple(_suggestion(profile, by_id[s.service_id], s, vocab, today) for s in picked),
        considered=len(pool),
        excluded=dict(sorted(excluded.items())),
        why_not=tuple(
            WhyNot(c.id, c.name, e, why_not(profile, c, e, vocab))
            for _, c, e in notable[:WHY_NOT_LIMIT]
        ),
    )


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


def _suggestion(p: Profile, c: Candidate, s: Signals, vocab: Vocabulary, today: date) -> Suggestion:
    sessions = attendable_sessions(p, c)
    fitting = tuple(x for x in sessions if any(overlaps(x, w) for w in p.availability))
    return Suggestion(
        service_id=c.id,
        name=c.name,
        organization=c.organization,
        score=round(s.score, 3),
        distance_km=None if s.distance_km is None else round(s.distance_km, 1),
        next_session=next_start(fitting or sessions, today),
        reasons=reasons(s, vocab),
    )


def _document(c: Candidate, vocab: Vocabulary) -> str:
    labels = (vocab.activities.get(a, a) for a in sorted(c.activities))
    return document([c.name, c.description, *labels])


def _text_relevance(
    text: str, docs: Mapping[str, str], text_scores: Mapping[str, float] | None
) -> dict[str, float]:
    if not text.strip():
        return {}
    if text_scores is not None:
        return {i: min(max(float(text_scores.get(i, 0.0)), 0.0), 1.0) for i in docs}
    return {i: m.score for i, m in relevance(text, docs).items()}
