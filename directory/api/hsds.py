"""The Open Referral UK read API (HSDS 3.0) under /api/v1: open, JSON, only active services.

Each view validates its parameters with a schema from directory.hsds.schemas (a bad one is a
400 naming it), asks directory.hsds.queries, and writes the answer with
directory.hsds.serialise. An unknown or unpublished id is a 404.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from flask import Response, current_app, request, stream_with_context, url_for
from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import geocoding, vocabulary
from ..db import get_session
from ..hsds import queries, schemas, serialise
from ..hsds.ids import canonical_uuid, external_id
from ..hsds.places import county_finder
from ..models import SECTIONS, ExternalTaxonomy, ExternalTerm, Organization, Taxonomy
from ..vocabulary import term_uuid
from . import bp

T = TypeVar("T")
Json = dict[str, Any]
HSDS_VERSION = "HSDS-UK-3.0"

SERVICE_ARGS = schemas.ServiceArgs()
SERVICE_AT_LOCATION_ARGS = schemas.ServiceFilterArgs()
PAGE_ARGS = schemas.PageArgs()
TERM_ARGS = schemas.TaxonomyTermArgs()
ORGANIZATION_LIST_ARGS = schemas.OrganizationListArgs()
ORGANIZATION_ARGS = schemas.OrganizationArgs()


def _args(schema: Schema) -> dict[str, Any]:
    """The query string through its schema; raises ValidationError (-> 400) naming parameters."""
    return schema.load(request.args.to_dict())  # type: ignore[return-value]


def _not_found(kind: str, public_id: str) -> tuple[Json, int]:
    return {"errors": {"id": [f"No {kind} with id {public_id}"]}}, 404


def _page(
    items: Sequence[T], args: dict[str, Any], render: Callable[[Sequence[T]], list[Json]]
) -> Json | Response:
    """The HSDS paging envelope around one page of items; or, with format=ndjson, every item
    as one JSON document per line, streamed a page's worth at a time (ORUK: no paging)."""
    per_page, number = args["per_page"], args["page"]
    if args["format"] == "ndjson":
        def lines() -> Iterator[str]:
            for start in range(0, len(items), per_page):
                for item in render(items[start : start + per_page]):
                    yield json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"

        return Response(stream_with_context(lines()), mimetype="application/x-ndjson")
    start = (number - 1) * per_page
    contents = render(items[start : start + per_page])
    total_pages = math.ceil(len(items) / per_page)
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _county() -> serialise.County:
    return county_finder(current_app.config["GAZETTEER_FILE"])


def _filter(args: dict[str, Any]) -> queries.ServiceFilter:
    near = None
    if "postcode" in args:
        try:
            place = geocoding.current().resolve_location(args["postcode"])
        except geocoding.GeocodingError as err:
            raise ValidationError({"postcode": [str(err)]}) from None
        within = args["proximity"] / 1000 if "proximity" in args else None
        near = queries.Near(place.latitude, place.longitude, place.outward_code, within)
    # Any string is an id; one that is not a UUID is the feed's own id, held as its uuid5.
    kinds = {"taxonomy_term_id": "taxonomy_term", "taxonomy_id": "taxonomy",
             "organization_id": "organization"}
    as_text = {key: (external_id(kind, args[key]) if key in args else None)
               for key, kind in kinds.items()}
    return queries.ServiceFilter(search=args["search"].strip(), near=near,
                                 modified_after=args.get("modified_after"), **as_text)


def _matching_ids(args: dict[str, Any]) -> tuple[list[int], queries.ServiceFilter]:
    f = _filter(args)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    hits = queries.search_hits(app, f.search) if f.search else None
    return queries.service_ids(get_session(), f, hits), f


def _render_services(ids: Sequence[int], shape: str) -> list[Json]:
    session = get_session()
    services = queries.load_services(session, ids)
    if shape == "minimal":
        return [serialise.service_minimal(s) for s in services]
    if shape == "full":
        external = queries.external_terms(session, ids)
        vocab, county = vocabulary.current(), _county()
        return [serialise.service_full(s, vocab, external.get(s.id, []), county) for s in services]
    return [serialise.service_summary(s) for s in services]


# --- the root -------------------------------------------------------------------------------


@bp.get("/")
def api_details() -> Json:
    return {
        "version": HSDS_VERSION,
        "profile": url_for("api.docs", _external=True) + "#profile",
        "openapi_url": url_for("api.openapi", _external=True),
    }


# --- services -------------------------------------------------------------------------------


@bp.get("/services")
def list_services() -> Json | Response:
    args = _args(SERVICE_ARGS)
    ids, _ = _matching_ids(args)
    shape = "minimal" if args["minimal"] else "full" if args["full"] else "summary"
    return _page(ids, args, lambda page: _render_services(page, shape))


@bp.get("/services/<service_id>")
def get_service(service_id: str) -> Json | tuple[Json, int]:
    public_id = canonical_uuid(service_id)
    service = queries.find_service(get_session(), public_id) if public_id else None
    if service is None:
        return _not_found("service", service_id)
    return _render_services([service.id], "full")[0]


# --- services at locations ------------------------------------------------------------------


def _render_service_at_locations(pairs: Sequence[tuple[int, int]], full: bool) -> list[Json]:
    session = get_session()
    ids = list(dict.fromkeys(sid for sid, _ in pairs))
    services = {s.id: s for s in queries.load_services(session, ids)}
    vocab, county = vocabulary.current(), _county()
    external = queries.external_terms(session, ids) if full else {}
    out = []
    for sid, lid in pairs:
        service = services[sid]
        venue = next(loc for loc in service.locations if loc.id == lid)
        item = serialise.service_at_location(service, venue, vocab, county)
        item["service"] = (serialise.service_full(service, vocab, external.get(sid, []), county)
                           if full else serialise.service_summary(service))
        out.append(item)
    return out


@bp.get("/service_at_locations")
def list_service_at_locations() -> Json | Response:
    args = _args(SERVICE_AT_LOCATION_ARGS)
    ids, f = _matching_ids(args)
    pairs = queries.service_location_pairs(get_session(), ids, f.near)
    return _page(pairs, args, lambda page: _render_service_at_locations(page, args["full"]))


@bp.get("/service_at_locations/<sal_id>")
def get_service_at_location(sal_id: str) -> Json | tuple[Json, int]:
    public_id = canonical_uuid(sal_id)
    found = queries.find_service_at_location(get_session(), public_id) if public_id else None
    if found is None:
        return _not_found("service_at_location", sal_id)
    service, venue = found
    return _render_service_at_locations([(service.id, venue.id)], full=True)[0]


# --- organisations --------------------------------------------------------------------------


def _render_organizations(org_ids: Sequence[int], services: str | None) -> list[Json]:
    session = get_session()
    found = session.scalars(select(Organization).where(Organization.id.in_(list(org_ids))))
    orgs = {o.id: o for o in found}
    owned = queries.published_service_ids_of(session, org_ids) if services else {}
    out = []
    for org_id in org_ids:
        item = serialise.organization(orgs[org_id])
        if services:
            item["services"] = _render_services(owned.get(org_id, []), services)
        out.append(item)
    return out


@bp.get("/organizations")
def list_organizations() -> Json | Response:
    args = _args(ORGANIZATION_LIST_ARGS)
    ids = queries.organization_ids(get_session(), args["search"])
    services = "full" if args["full_service"] else "summary" if args["full"] else None
    return _page(ids, args, lambda page: _render_organizations(page, services))


@bp.get("/organizations/<organization_id>")
def get_organization(organization_id: str) -> Json | tuple[Json, int]:
    args = _args(ORGANIZATION_ARGS)
    public_id = canonical_uuid(organization_id)
    org = queries.find_organization(get_session(), public_id) if public_id else None
    if org is None:
        return _not_found("organization", organization_id)
    return _render_organizations([org.id], "full" if args["full_service"] else "summary")[0]


# --- taxonomies and terms -------------------------------------------------------------------


def _external_taxonomies() -> list[ExternalTaxonomy]:
    return list(get_session().scalars(
        select(ExternalTaxonomy).order_by(ExternalTaxonomy.name, ExternalTaxonomy.public_id)))


def _taxonomies() -> list[Json]:
    vocab = vocabulary.current()
    ours = [serialise.our_taxonomy(t, vocab) for t in SECTIONS.values()]
    return ours + [serialise.external_taxonomy(t) for t in _external_taxonomies()]


@bp.get("/taxonomies")
def list_taxonomies() -> Json | Response:
    args = _args(PAGE_ARGS)
    words = args["search"].casefold().split()
    found = [t for t in _taxonomies()
             if all(w in f"{t['name']} {t['description']}".casefold() for w in words)]
    return _page(found, args, list)


@bp.get("/taxonomies/<taxonomy_id>")
def get_taxonomy(taxonomy_id: str) -> Json | tuple[Json, int]:
    public_id = canonical_uuid(taxonomy_id)
    found = next((t for t in _taxonomies() if t["id"] == public_id), None)
    return found if found is not None else _not_found("taxonomy", taxonomy_id)


def _terms() -> list[Json]:
    """Every term: ours in vocabulary order (activities under their category), then the rest."""
    vocab = vocabulary.current()
    ours = []
    for section, taxonomy in SECTIONS.items():
        for item in vocab.section(section):
            term = serialise.our_term(taxonomy, item["id"], vocab)
            if item.get("category"):
                term["parent_id"] = term_uuid(Taxonomy.CATEGORY.value, item["category"])
            ours.append(term)
    theirs = get_session().scalars(
        select(ExternalTerm).options(selectinload(ExternalTerm.taxonomy))
        .order_by(ExternalTerm.name, ExternalTerm.public_id)
    )
    return ours + [serialise.external_term(t) for t in theirs]


@bp.get("/taxonomy_terms")
def list_taxonomy_terms() -> Json | Response:
    args = _args(TERM_ARGS)
    found = _terms()
    if "taxonomy_id" in args:
        found = [t for t in found if t.get("taxonomy_id") == str(args["taxonomy_id"])]
    if "parent_id" in args:
        found = [t for t in found if t.get("parent_id") == str(args["parent_id"])]
    if args["top_only"]:
        found = [t for t in found if "parent_id" not in t]
    words = args["search"].casefold().split()
    if words:
        found = [t for t in found
                 if all(w in f"{t['name']} {t.get('code', '')}".casefold() for w in words)]
    return _page(found, args, list)


@bp.get("/taxonomy_terms/<term_id>")
def get_taxonomy_term(term_id: str) -> Json | tuple[Json, int]:
    public_id = canonical_uuid(term_id)
    found = next((t for t in _terms() if t["id"] == public_id), None)
    return found if found is not None else _not_found("taxonomy_term", term_id)

