"""The controlled vocabulary: seed_data/vocabulary.yaml, parsed once, and its terms in the
database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

import matcher

from .models import SECTIONS, Taxonomy, Term

# Open Referral UK identifiers for our taxonomies and terms (spec/hsds-mapping.md).
HSDS_NAMESPACE = uuid.UUID("6f3f2f0e-2d7c-5b0a-9a47-5c0c1a1e5e01")


def term_uuid(taxonomy: str, code: str) -> str:
    return str(uuid.uuid5(HSDS_NAMESPACE, f"{taxonomy}:{code}"))


def taxonomy_uuid(taxonomy: str) -> str:
    return str(uuid.uuid5(HSDS_NAMESPACE, f"taxonomy:{taxonomy}"))


@dataclass(frozen=True)
class Vocabulary:
    """The parsed vocabulary file: labels for every id, and what each goal serves."""

    raw: dict[str, Any] = field(repr=False)

    def section(self, name: str) -> list[dict[str, Any]]:
        return list(self.raw.get(name) or [])

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """section -> {id: label}."""
        return {
            name: {item["id"]: item["label"] for item in self.section(name)}
            for name in (*SECTIONS, "goals", "readiness")
        }

    def ids(self, section: str) -> frozenset[str]:
        return frozenset(self.labels[section])

    def label(self, section: str, code: str) -> str:
        return self.labels[section].get(code, code)

    def description(self, section: str, code: str) -> str | None:
        """The term's one-sentence description, where the vocabulary gives one."""
        found = next((t.get("description") for t in self.section(section) if t["id"] == code), None)
        return str(found) if found else None

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.raw.get("languages") or ())

    @cached_property
    def for_matcher(self) -> matcher.Vocabulary:
        """The same vocabulary as the matcher's plain data (parsed once)."""
        return matcher.Vocabulary.from_dict(self.raw)


# libyaml's parser when PyYAML has it: the same data as yaml.safe_load (the constructors
# are the same), parsed in C; the vocabulary and synonyms took 110 ms of CPU of every start
# (`directory match` included) in pure Python, 11 ms so.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(handle: Any) -> Any:
    """Parse YAML from a file or string exactly as yaml.safe_load does, faster."""
    return yaml.load(handle, Loader=_SAFE_LOADER)  # a safe loader, never yaml.Loader


def load_vocabulary(path: str | Path) -> Vocabulary:
    """Parse a vocabulary YAML file."""
    with open(path, encoding="utf-8") as handle:
        raw = load_yaml(handle)
    if not isinstance(raw, dict) or "categories" not in raw:
        raise ValueError(f"{path} is not a vocabulary file")
    return Vocabulary(raw)


def init_app(app: Flask) -> None:
    app.extensions["vocabulary"] = load_vocabulary(app.config["VOCABULARY_FILE"])


def current() -> Vocabulary:
    """The running app's vocabulary."""
    return current_app.extensions["vocabulary"]  # type: ignore[no-any-return]


def sync_terms(session: Session, vocab: Vocabulary) -> int:
    """Insert or relabel every vocabulary term; terms are never deleted. Returns how many
    changed."""
    existing = {(t.taxonomy, t.code): t for t in session.scalars(select(Term))}
    changed = 0
    for section, taxonomy in SECTIONS.items():
        for item in vocab.section(section):
            code, label = item["id"], item["label"]
            parent = item.get("category")
            term = existing.get((taxonomy, code))
            if term is None:
                session.add(
                    Term(
                        public_id=term_uuid(taxonomy.value, code),
                        taxonomy=taxonomy,
                        code=code,
                        label=label,
                        parent_code=parent,
                    )
                )
                changed += 1
            elif (term.label, term.parent_code) != (label, parent):
                term.label, term.parent_code = label, parent
                changed += 1
    session.flush()
    return changed


def terms_by_key(session: Session) -> dict[tuple[Taxonomy, str], Term]:
    """Every term, keyed by (taxonomy, code)."""
    return {(t.taxonomy, t.code): t for t in session.scalars(select(Term))}
