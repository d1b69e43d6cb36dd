"""Plain-English reasons and why-not lines, built only from what actually moved the score."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from matcher.model import PHYSICAL_NEEDS, Exclusion, MatchResult, Reason, ReasonCode, Session
from matcher.reach import Reach, travel_km
from matcher.scoring import Signals
from matcher.vocabulary import Vocabulary

# The text reason when the person's words matched only through related words.
NO_WORDS_TO_QUOTE = "Found by a search for what you said"
# Which reason each score contribution becomes; ties in size keep this order.
_ORDER = (
    "condition",
    "activity",
    "goal",
    "goal_order",
    "audience",
    "named_activity",
    "readiness",
    "nearness",
    "text",
    "fresh",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_REMOTE = {
    "online": "Online, no need to travel",
    "telephone": "By telephone, no need to travel",
    "home-visit": "Visits you at home",
}
_INTENSITY = {
    "light": "informal, come when you like",
    "moderate": "regular weekly group or appointments, not a course",
}
# Labels that read with "a" before them: "Looks like a walking group".
_COUNTED = ("group", "club", "class", "course", "shed", "cafe", "role")
_MISSING = {
    "free": "not free",
    "wheelchair-accessible": "not wheelchair accessible",
    "step-free": "no step-free access",
    "accessible-toilet": "no accessible toilet",
    "hearing-loop": "no hearing loop",
    "near-bus-stop": "not near a bus stop",
    "parking": "no parking",
}
LANGUAGE_NAMES = {
    "en": "English",
    "ur": "Urdu",
    "bn": "Bengali",
    "pa": "Punjabi",
    "ar": "Arabic",
    "pl": "Polish",
    "zh": "Chinese",
    "fa": "Persian",
    "ku": "Kurdish",
    "so": "Somali",
    "ro": "Romanian",
    "cy": "Welsh",
}


def reasons(
    s: Signals, vocab: Vocabulary, said: tuple[str, ...] = (),
    suggested: frozenset[str] = frozenset(),
) -> tuple[Reason, ...]:
    """The reasons for one suggestion, biggest contribution first; only signals that raised it.
    said holds the person's own words that the service's text shares (lexical.shared_words);
    suggested, the service's terms that the directory only read from its description."""
    raised = [k for k in _ORDER if s.contributions.get(k, 0.0) > 0]
    raised.sort(key=lambda k: -s.contributions[k])  # stable: ties keep _ORDER
    return tuple(_reason(k, s, vocab, said, suggested) for k in raised)


def _reason(
    key: str, s: Signals, vocab: Vocabulary, said: tuple[str, ...],
    suggested: frozenset[str] = frozenset(),
) -> Reason:
    if key == "condition":
        labels = [_lower(vocab.conditions.get(c, c)) for c in s.conditions]
        also = "" if s.central else ", which you also have"
        return Reason(ReasonCode.CONDITION, f"Designed for people with {_join(labels)}{also}")
    if key == "goal_order":
        goal = vocab.goals.get(s.first_goal or "")
        label = _lower(goal.label) if goal else s.first_goal
        return Reason(ReasonCode.GOAL, f"For what matters most to you: {label}")
    if key == "audience":
        names = _join([LANGUAGE_NAMES.get(x, x) for x in s.audience])
        return Reason(ReasonCode.AUDIENCE, f"Run in or for the {names}-speaking community")
    if key == "named_activity":
        return Reason(ReasonCode.ACTIVITY, "Offers what you said you enjoy")
    if key == "activity":
        labels = [_lower(vocab.activities.get(a, a)) for a in s.activities]
        if s.activities and set(s.activities) <= suggested:
            named = [f"{'an' if x[:1] in 'aeiou' else 'a'} {x}" if x.endswith(_COUNTED) else x
                     for x in labels]
            return Reason(ReasonCode.ACTIVITY, f"Looks like {_join(named)}, from its description")
        return Reason(ReasonCode.ACTIVITY, f"Offers {_join(labels)}")
    if key == "goal":
        labels = [_lower(vocab.goals[g].label) if g in vocab.goals else g for g in s.goals_served]
        return Reason(ReasonCode.GOAL, f"Helps with: {_join(labels)}")
    if key == "readiness":
        parts = [
            _INTENSITY.get(f) or _lower(vocab.access.get(f, f))
            for f in s.readiness_features
            if f != "remote"
        ]
        if "remote" in s.readiness_features:
            parts.append("you can take part from home")
        return Reason(ReasonCode.READINESS, _capital("; ".join(parts)))
    if key == "nearness":
        if s.remote_mode is not None:
            return Reason(ReasonCode.REMOTE, _REMOTE[s.remote_mode])
        return Reason(ReasonCode.DISTANCE, f"{s.distance_km:.1f} km away")
    if key == "text":
        if said:
            return Reason(ReasonCode.TEXT, f"Matches what you said: {', '.join(said)}")
        # The app's search index also matches related words (synonyms, spelling, the
        # organisation or place), so there may be no word of the person's to quote.
        return Reason(ReasonCode.TEXT, NO_WORDS_TO_QUOTE)
    assert key == "fresh" and s.verified is not None  # freshness only counts with a date
    return Reason(ReasonCode.FRESH, f"Details checked on {_long_date(s.verified)}")


def why_not(r: Reach, exclusion: Exclusion, vocab: Vocabulary) -> str:
    """One line saying which hard rule keeps the service out, in the person's terms."""
    return f"{r.service.name}: {_why(r, exclusion, vocab)}"


def _why(r: Reach, exclusion: Exclusion, vocab: Vocabulary) -> str:
    c = r.service
    if exclusion is Exclusion.TOO_FAR:
        return _too_far(r)
    if exclusion is Exclusion.NOT_ELIGIBLE:
        return _not_eligible(r)
    if exclusion is Exclusion.NEEDS_NOT_MET:
        return _needs(r, vocab)
    if exclusion is Exclusion.NO_SHARED_LANGUAGE:
        offered = _join(sorted(LANGUAGE_NAMES.get(x, x) for x in c.languages))
        return f"offered in {offered or 'no listed language'} only, and no interpreter"
    if exclusion is Exclusion.NOT_AVAILABLE:
        return f"meets {_join([_when(s) for s in c.sessions])}, outside the times you gave"
    if exclusion is Exclusion.INACTIVE:
        return "not running at the moment"
    return "you asked to leave this out"


def _too_far(r: Reach) -> str:
    p, c = r.person.profile, r.service
    if "home-visit" in c.access and not c.venues:
        areas = _join(sorted(c.coverage))
        return f"home visits only in {areas}" if areas else "no area listed for home visits"
    if not c.venues:
        return "meets in person, but no meeting place is listed"
    if p.origin is None:
        return "meets in person only, and no starting point was given"
    nearest = min(travel_km(r.person, v.point) or 0.0 for v in c.venues)
    return f"{nearest:.1f} km, further than the {p.max_distance_km:g} km you set"


def _not_eligible(r: Reach) -> str:
    gender, c = r.person.gender, r.service
    if gender == "male" and "women-only" in c.access:
        return "for women only"
    if gender == "female" and "men-only" in c.access:
        return "for men only"
    if c.min_age is not None and c.max_age is not None:
        return f"for ages {c.min_age} to {c.max_age}"
    if c.min_age is not None:
        return f"for people aged {c.min_age} and over"
    return f"for people aged {c.max_age} and under"


def _needs(r: Reach, vocab: Vocabulary) -> str:
    c = r.service
    missing = sorted(r.person.service_needs - c.access)
    at_venue = r.venue_needs - PHYSICAL_NEEDS if r.travel_free else r.venue_needs
    venues = [c.venues[i] for _, i in r.in_reach]
    missing += sorted(n for n in at_venue if not any(n in v.access for v in venues))
    if not missing:
        return "no single place within reach has everything you need"
    return ", ".join(_MISSING.get(n) or f"doesn't offer {_lower(vocab.label(n))}" for n in missing)


def _when(s: Session) -> str:
    return f"{s.day.capitalize()} {s.start:%H:%M}-{s.end:%H:%M}"


def _long_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _lower(label: str) -> str:
    """Lower-case a label's first letter unless it starts an acronym (COPD, CV)."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Signals as --explain names them, in the order it lists them.
SIGNAL_NAMES = {
    "goal": "goals served",
    "activity": "goals served by a named activity",
    "goal_order": "goal order (first goal weighs most)",
    "condition": "designed for their condition (main, or in passing)",
    "other_condition": "designed for conditions they don't have",
    "audience": "audience: their language community",
    "other_audience": "audience: another community's group",
    "readiness": "fits their readiness",
    "structured_push": "structured commitment, not ready yet",
    "nearness": "nearness",
    "text": "their words (what they want)",
    "unwanted": "their words (what they don't want)",
    "fresh": "details checked recently",
    "diversity": "coverage: a goal the list above lacks",
    "repeat_activity": "coverage: repeats an activity above",
}


def explain_text(result: MatchResult) -> str:
    """Every signal's contribution for each suggestion and each notable exclusion, as text."""
    lines = [f"{len(result.results)} suggestions from {result.considered} services considered"]
    for n, s in enumerate(result.results, 1):
        lines.append(f"\n{n}. {s.name} [{s.service_id}]  score {s.score:.3f}")
        lines += _signal_lines(s.contributions)
        lines += [f"     reason: {r.text}" for r in s.reasons]
    if result.why_not:
        lines.append("\nNotable exclusions (a hard rule keeps each out, whatever its score):")
    for w in result.why_not:
        lines.append(f"\n- {w.name} [{w.service_id}]  rule {w.exclusion.value}: {w.text}")
        lines += _signal_lines(w.contributions)
    counts = ", ".join(f"{k} {v}" for k, v in result.excluded.items()) or "none"
    lines.append(f"\nExcluded by rule: {counts}")
    return "\n".join(lines)


def _signal_lines(contributions: Mapping[str, float]) -> list[str]:
    keys = [k for k in SIGNAL_NAMES if k in contributions] + sorted(
        k for k in contributions if k not in SIGNAL_NAMES
    )
    return [
        f"   {contributions[k]:+.3f}  {SIGNAL_NAMES.get(k, k)}"
        for k in keys
        if abs(contributions[k]) >= 5e-4
    ]
