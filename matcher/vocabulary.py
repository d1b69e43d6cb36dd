"""The controlled vocabulary as plain data, built from the parsed vocabulary.yaml mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Goal:
    """What a person wants, with the categories and activities that serve it."""

    id: str
    label: str
    serves: frozenset[str] = frozenset()
    activities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Term ids and labels for every taxonomy the matcher reads."""

    goals: Mapping[str, Goal] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    activities: Mapping[str, str] = field(default_factory=dict)
    activity_category: Mapping[str, str] = field(default_factory=dict)
    conditions: Mapping[str, str] = field(default_factory=dict)
    access: Mapping[str, str] = field(default_factory=dict)
    intensity: Mapping[str, str] = field(default_factory=dict)
    readiness: Mapping[str, str] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    version: int = 1

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Vocabulary:
        """Build from the parsed vocabulary.yaml mapping; raises ValueError when malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("vocabulary must be a mapping")
        activities = _terms(data, "activities")
        goals = {
            t["id"]: Goal(
                id=t["id"],
                label=str(t.get("label", t["id"])),
                serves=frozenset(_ids(t.get("serves"), f"goal {t['id']} serves")),
                activities=frozenset(_ids(t.get("activities"), f"goal {t['id']} activities")),
            )
            for t in _terms(data, "goals")
        }
        return cls(
            goals=goals,
            categories=_labels(_terms(data, "categories")),
            activities=_labels(activities),
            activity_category={t["id"]: str(t["category"]) for t in activities if "category" in t},
            conditions=_labels(_terms(data, "conditions")),
            access=_labels(_terms(data, "access")),
            intensity=_labels(_terms(data, "intensity")),
            readiness=_labels(_terms(data, "readiness")),
            languages=frozenset(_ids(data.get("languages"), "languages")),
            version=int(data.get("version", 1)),
        )

    @property
    def goal_ids(self) -> frozenset[str]:
        """Every goal id."""
        return frozenset(self.goals)

    @property
    def condition_ids(self) -> frozenset[str]:
        """Every condition id."""
        return frozenset(self.conditions)

    @property
    def access_ids(self) -> frozenset[str]:
        """Every access id (the ids a person's needs may use)."""
        return frozenset(self.access)

    def label(self, term_id: str) -> str:
        """The plain-English label of any term id, or the id itself when unknown."""
        for labels in (
            self.activities,
            self.conditions,
            self.access,
            self.categories,
            self.intensity,
            self.readiness,
        ):
            if term_id in labels:
                return labels[term_id]
        goal = self.goals.get(term_id)
        return goal.label if goal else term_id


def _terms(data: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
    raw = data.get(section) or []
    if not isinstance(raw, list) or not all(isinstance(t, Mapping) and "id" in t for t in raw):
        raise ValueError(f"{section}: expected a list of {{id: ..., label: ...}} terms")
    return raw


def _labels(terms: list[Mapping[str, Any]]) -> dict[str, str]:
    return {str(t["id"]): str(t.get("label", t["id"])) for t in terms}


def _ids(raw: object, what: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(f"{what}: expected a list of ids")
    return [str(x) for x in raw]
