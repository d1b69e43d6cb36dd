"""Every weight of the soft ranking, in one place (matcher.scoring and matcher.diversify read it).

Each weight is justified by a kind of case a Link Worker would recognise, never by one
person or one service of an evaluation collection; the README's matching section says which
principle each one serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "goal": 0.26,  # share of the person's goals it serves at all, by category or activity
        "activity": 0.22,  # share it serves directly, with an activity the goal names
        # goal order: each goal after the first counts this much less than the one before,
        # so a service for the goal the person came for beats one for a later goal
        "goal_order": 0.4,
        "condition": 0.18,  # designed for the person's main condition (the one goals are about)
        "condition_in_passing": 0.06,  # designed only for a condition they have in passing
        "other_condition": 0.12,  # subtracted: designed only for conditions the person doesn't have
        "audience": 0.2,  # run in or for a language community the person belongs to
        "other_audience": 0.5,  # subtracted: run for a community the person is not part of
        "readiness": 0.14,  # intensity and support fit the readiness (not-yet and thinking only)
        "structured_push": 0.14,  # subtracted: a structured commitment for someone not yet ready
        "nearness": 0.08,  # 1 at the door, 0 at the person's max distance
        "text": 0.08,  # the person's own words (what they want) match the service's text
        "named_activity": 0.12,  # offers an activity the person's words name ("does tai chi")
        "unwanted": 0.08,  # subtracted: its text matches what the person said they don't want
        "fresh": 0.04,  # details verified recently
        "diversity": 0.3,  # diversify: bonus for a goal the picks so far cover least
        "repeat_activity": 0.05,  # diversify: cost of repeating an activity already shown
    }
)

# Readiness: what each support fact or intensity is worth, per readiness level (sums cap at 1).
READINESS_FIT: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "not-yet": {
            "light": 0.4,
            "moderate": 0.1,
            "drop-in": 0.2,
            "accompanied-first-visit": 0.2,
            "miss-sessions-ok": 0.2,
            "remote": 0.4,
        },
        "thinking": {
            "light": 0.4,
            "moderate": 0.3,
            "beginners-welcome": 0.4,
            "accompanied-first-visit": 0.1,
            "drop-in": 0.1,
        },
    }
)
