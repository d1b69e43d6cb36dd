"""HSDS attributes -> our vocabulary terms, and terms of other taxonomies kept as they came.

A term is ours when its taxonomy is one of ours and its code (or term) is known, or else
when its id is one of our term ids (spec/hsds-mapping.md). Any other taxonomy's term is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import Taxonomy
from ..vocabulary import taxonomy_uuid
from . import ids
from .reader import OUR_TAXONOMIES, Reader, TermIndex, optional_url
from .records import ExternalTermRecord, TaxonomyRecord

# The label an exported attribute carries when the directory suggested the term itself.
SUGGESTED_LABEL = "suggested"


def read_attributes(
    r: Reader, raw: Mapping[str, Any], terms: TermIndex,
    suggested: set[tuple[Taxonomy, str]] | None = None,
) -> tuple[set[tuple[Taxonomy, str]], dict[str, ExternalTermRecord]]:
    """(our terms, other taxonomies' terms); our terms labelled "suggested" also go in suggested."""
    ours: set[tuple[Taxonomy, str]] = set()
    external: dict[str, ExternalTermRecord] = {}
    for n, attribute in enumerate(r.objects(raw, "attributes", "attributes")):
        term = attribute.get("taxonomy_term") or {}
        if not isinstance(term, Mapping):
            r.error(f"attributes[{n}].taxonomy_term", "must be an object")
            continue
        detail = term.get("taxonomy_detail")
        detail = detail if isinstance(detail, Mapping) else {}
        taxonomy = OUR_TAXONOMIES.get(str(term.get("taxonomy") or detail.get("name") or "").strip())
        code = str(term.get("code") or term.get("term") or "").strip()
        if taxonomy is not None and (taxonomy, code) in terms.codes:
            ours.add((taxonomy, code))  # the common case, settled without reading any id
            if suggested is not None and attribute.get("label") == SUGGESTED_LABEL:
                suggested.add((taxonomy, code))
            continue
        term_id = (ids.canonical_uuid(attribute.get("taxonomy_term_id"))
                   or ids.canonical_uuid(term.get("id")))
        if term_id is not None and term_id in terms.by_uuid:
            ours.add(terms.by_uuid[term_id])
            if suggested is not None and attribute.get("label") == SUGGESTED_LABEL:
                suggested.add(terms.by_uuid[term_id])
        elif taxonomy is not None:
            r.error(f"attributes[{n}].taxonomy_term", f"unknown {taxonomy.value} term '{code}'")
        else:
            taxonomy_name = str(term.get("taxonomy") or detail.get("name") or "").strip()
            found = _external_term(
                r, term, detail, term_id, taxonomy_name, code, f"attributes[{n}]")
            if found is not None:
                external.setdefault(found.id, found)
    return ours, external


def _external_term(
    r: Reader, term: Mapping[str, Any], detail: Mapping[str, Any], term_id: str | None,
    taxonomy_name: str, code: str, where: str,
) -> ExternalTermRecord | None:
    name = r.text(term, "name", f"{where}.taxonomy_term.name", 500) or code
    if not name:
        if term_id:
            return ExternalTermRecord(term_id, None)  # a bare reference: kept if we know it
        r.warn(where, "an attribute with no taxonomy term; left out")
        return None
    taxonomy_id = (ids.canonical_uuid(detail.get("id"))
                   or ids.canonical_uuid(term.get("taxonomy_id"))
                   or (taxonomy_uuid(taxonomy_name) if taxonomy_name else None))
    taxonomy = None
    if taxonomy_id:
        label = taxonomy_name or str(detail.get("name") or "").strip() or "Unnamed taxonomy"
        taxonomy = TaxonomyRecord(
            id=taxonomy_id,
            name=label[:200],
            description=str(detail.get("description") or label).strip(),
            uri=optional_url(detail.get("uri")),
            version=str(detail.get("version") or "").strip()[:100] or None,
        )
    return ExternalTermRecord(
        id=term_id or ids.child_id("taxonomy_term", taxonomy_name, code or name),
        name=name,
        description=r.text(term, "description", f"{where}.taxonomy_term.description") or name,
        code=code[:200] or None,
        term_uri=optional_url(term.get("term_uri")),
        parent_id=ids.canonical_uuid(term.get("parent_id")),
        taxonomy=taxonomy,
    )
