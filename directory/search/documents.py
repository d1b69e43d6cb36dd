"""Service facts -> whoosh document: a pure conversion, so the index and `check` agree on
content."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..models import Taxonomy
from ..service_facts import ServiceFacts
from ..vocabulary import Vocabulary

# Access ids that make a service reachable without travelling to a venue.
REMOTE = frozenset({"online", "telephone", "home-visit"})


def to_document(service: ServiceFacts, vocab: Vocabulary) -> dict[str, Any]:
    """Everything searchable about one service, as whoosh field values."""
    codes = {t: service.codes(t) for t in Taxonomy}
    venue_access = {code for venue in service.locations for code in venue.access_codes}
    access = sorted(set(codes[Taxonomy.ACCESS]) | venue_access)
    doc: dict[str, Any] = {
        "id": service.public_id,
        "status": service.status.value,
        "name": service.name,
        "organization": service.organization.name,
        "description": " ".join(filter(None, [service.description, service.first_visit])),
        "activities": " ".join(vocab.label("activities", c) for c in codes[Taxonomy.ACTIVITY]),
        "topics": " ".join(
            [vocab.label("categories", c) for c in codes[Taxonomy.CATEGORY]]
            + [vocab.label("conditions", c) for c in codes[Taxonomy.CONDITION]]
        ),
        "places": " ".join(filter(None, (p for v in service.locations for p in (v.name, v.town)))),
        "category": ",".join(codes[Taxonomy.CATEGORY]),
        "activity": ",".join(codes[Taxonomy.ACTIVITY]),
        "condition": ",".join(codes[Taxonomy.CONDITION]),
        "access": ",".join(access),
        "day": ",".join(sorted({s.day.value for s in service.sessions})),
        "organization_id": service.organization.public_id,
        # Facts for filtering and sorting without touching the database (see query.py).
        "extra": {
            "points": [
                [round(v.latitude, 6), round(v.longitude, 6)]
                for v in service.locations
                if v.latitude is not None and v.longitude is not None
            ],
            "remote": bool(REMOTE & set(codes[Taxonomy.ACCESS])),
            # Online and phone services reach anyone; home visits only their districts.
            "anywhere": bool({"online", "telephone"} & set(codes[Taxonomy.ACCESS])),
            "coverage": sorted(service.coverage),
            "sessions": [
                [s.day.weekday, s.starts_at.hour * 60 + s.starts_at.minute,
                 s.ends_at.hour * 60 + s.ends_at.minute]
                for s in service.sessions
            ],
        },
    }
    doc["digest"] = digest(doc)
    return doc


def digest(doc: dict[str, Any]) -> str:
    """A fingerprint of a document's content (without the digest itself)."""
    body = {k: v for k, v in doc.items() if k != "digest"}
    return hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
