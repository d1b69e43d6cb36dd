"""Plain-English reasons and why-not lines, built only from what actually moved the score."""

from __future__ import annotations

from datetime import date

from matcher.model import (
    PHYSICAL_NEEDS,
    VENUE_FACTS,
    Candidate,
    Exclusion,
    Profile,
    Reason,
    ReasonCode,
    Session,
)
from matcher.reach import reachable_venues, travel_free, travel_km, venue_needs
from matcher.scoring import Signals
from matcher.vocabulary import Vocabulary

# Which reason each score contribution becomes; ties in size keep this order.
_ORDER = ("condition", "activity", "goal", "readiness", "nearness", "text", "fresh")
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


def reasons(s: Signals, vocab: Vocabulary) -> tuple[Reason, ...]:
    """The reasons for one suggestion, biggest contribution first; only signals that raised it."""
    raised = [k for k in _ORDER if s.contributions.get(k, 0.0) > 0]
    raised.sort(key=lambda k: -s.contributions[k])  # stable: ties keep _ORDER
    return tuple(_reason(k, s, vocab) for k in raised)


def _reason(key: str, s: Signals, vocab: Vocabulary) -> Reason:
    if key == "condition":
        labels = [_lower(vocab.conditions.get(c, c)) for c in s.conditions]
        return Reason(ReasonCode.CONDITION, f"Designed for people with {_join(labels)}")
    if key == "activity":
        labels = [_lower(vocab.activities.get(a, a)) for a in s.activities]
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
        said = f": {', '.join(s.text_terms)}" if s.text_terms else ""
        return Reason(ReasonCode.TEXT, f"Matches what you said{said}")
    assert key == "fresh" and s.verified is not None  # freshness only counts with a date
    return Reason(ReasonCode.FRESH, f"Details checked on {_long_date(s.verified)}")


def why_not(p: Profile, c: Candidate, exclusion: Exclusion, vocab: Vocabulary) -> str:
    """One line saying which hard rule keeps c out, in the person's terms."""
    return f"{c.name}: {_why(p, c, exclusion, vocab)}"


def _why(p: Profile, c: Candidate, exclusion: Exclusion, vocab: Vocabulary) -> str:
    if exclusion is Exclusion.TOO_FAR:
        return _too_far(p, c)
    if exclusion is Exclusion.NOT_ELIGIBLE:
        return _not_eligible(p, c)
    if exclusion is Exclusion.NEEDS_NOT_MET:
        return _needs(p, c, vocab)
    if exclusion is Exclusion.NO_SHARED_LANGUAGE:
        offered = _join(sorted(LANGUAGE_NAMES.get(x, x) for x in c.languages))
        return f"offered in {offered or 'no listed language'} only, and no interpreter"
    if exclusion is Exclusion.NOT_AVAILABLE:
        return f"meets {_join([_when(s) for s in c.sessions])}, outside the times you gave"
    if exclusion is Exclusion.INACTIVE:
        return "not running at the moment"
    return "you asked to leave this out"


def _too_far(p: Profile, c: Candidate) -> str:
    if "home-visit" in c.access and not c.venues:
        areas = _join(sorted(c.coverage))
        return f"home visits only in {areas}" if areas else "no area listed for home visits"
    if not c.venues:
        return "meets in person, but no meeting place is listed"
    if p.origin is None:
        return "meets in person only, and no starting point was given"
    nearest = min(travel_km(p, v.point) or 0.0 for v in c.venues)
    return f"{nearest:.1f} km, further than the {p.max_distance_km:g} km you set"


def _not_eligible(p: Profile, c: Candidate) -> str:
    gender = (p.gender or "").strip().lower()
    if gender == "male" and "women-only" in c.access:
        return "for women only"
    if gender == "female" and "men-only" in c.access:
        return "for men only"
    if c.min_age is not None and c.max_age is not None:
        return f"for ages {c.min_age} to {c.max_age}"
    if c.min_age is not None:
        return f"for people aged {c.min_age} and over"
    return f"for people aged {c.max_age} and under"


def _needs(p: Profile, c: Candidate, vocab: Vocabulary) -> str:
    missing = sorted(n for n in p.needs if n not in VENUE_FACTS and n not in c.access)
    at_venue = venue_needs(p, c) - (PHYSICAL_NEEDS if travel_free(p, c) else frozenset())
    venues = [c.venues[i] for _, i in reachable_venues(p, c)]
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
