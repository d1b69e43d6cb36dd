"""HSDS identifiers: every `id` is a UUID (spec/hsds-mapping.md, "Identifiers").

Objects with a natural key get uuid5(HSDS_NAMESPACE, key). The parts of a service that our
database keeps no id for (phones, schedules, attributes, ...) get one derived from the
service's id and their place in it, so an export says the same ids every time, on any
instance holding the same data.
"""

from __future__ import annotations

import uuid

from ..models import Taxonomy
from ..vocabulary import HSDS_NAMESPACE, taxonomy_uuid, term_uuid

__all__ = [
    "TAXONOMY_IDS",
    "child_id",
    "canonical_uuid",
    "external_id",
    "service_at_location_id",
    "taxonomy_uuid",
    "term_uuid",
]

# Our taxonomies by HSDS id, and the other way round.
TAXONOMY_IDS: dict[str, Taxonomy] = {taxonomy_uuid(t.value): t for t in Taxonomy}


def canonical_uuid(value: object) -> str | None:
    """The lower-case hyphenated form of a UUID, or None if value is not one."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def external_id(kind: str, value: object) -> str | None:
    """An incoming id as a UUID: kept if it is one, else uuid5(kind + ":" + the id).

    For services this is the mapping's "service imported without a UUID id" rule; the same
    rule is used for organisations, locations and terms.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return canonical_uuid(value) or str(uuid.uuid5(HSDS_NAMESPACE, f"{kind}:{value.strip()}"))


def child_id(kind: str, *parts: object) -> str:
    """The id of a part of an object that we keep no id for, e.g. child_id("phone", service_id)."""
    return str(uuid.uuid5(HSDS_NAMESPACE, ":".join([kind, *map(str, parts)])))


def service_at_location_id(service_id: str, location_id: str) -> str:
    return child_id("service_at_location", service_id, location_id)
