"""Marshmallow schemas of the HSDS API: the query parameters it validates, and what it answers.

The argument schemas validate every request (a bad parameter is a 400 naming it). The output
schemas describe the JSON that serialise.py writes; both feed the OpenAPI document, so the
document and the API cannot drift apart (the tests hold every answer to it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range

from .parse import parse_datetime

# Real clients (the DfE's) ask for 500 a page and give up on an error; a bare /services gives
# a small directory whole.
MAX_PER_PAGE = 1000
UUID_TEXT = {"format": "uuid"}
URI = {"format": "uri"}


class Timestamp(fields.Field):
    """A date (2026-01-31) or an ISO 8601 date-time; no zone means UTC."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update({"type": "string", "format": "date-time"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        found = parse_datetime(value) if isinstance(value, str) and len(value) <= 64 else None
        if found is None:
            raise ValidationError(
                "Give a date (2026-01-31) or a date and time (2026-01-31T09:00:00Z)")
        return found


# --- request parameters ---------------------------------------------------------------------


class PageArgs(Schema):
    """Paging and free text, shared by every list."""

    class Meta:
        unknown = EXCLUDE

    search = fields.String(load_default="", validate=Length(max=200),
                           metadata={"description": "Full text search."})
    page = fields.Integer(load_default=1, validate=Range(1, 1_000_000, error="Give a page from 1"),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(
        load_default=MAX_PER_PAGE,
        validate=Range(1, MAX_PER_PAGE, error=f"Give per_page from 1 to {MAX_PER_PAGE}"),
        metadata={"description": f"Results per page, at most {MAX_PER_PAGE}."},
    )
    format = fields.String(
        load_default="json",
        validate=OneOf(["json", "ndjson"], error="Give json or ndjson"),
        metadata={"description": "json (paged), or ndjson: every result, one per line, "
                                 "without paging."})


def _any_id(description: str) -> fields.String:
    """An id filter: any string, as ORUK says (a feed's own ids need not be UUIDs)."""
    return fields.String(validate=Length(1, 500), metadata={"description": description})


class ServiceFilterArgs(PageArgs):
    taxonomy_term_id = _any_id(
        "Only services with this taxonomy term (ours or another taxonomy's).")
    taxonomy_id = _any_id("Only services with a term of this taxonomy.")
    organization_id = _any_id("Only this organization's services.")
    modified_after = Timestamp(metadata={
        "description": "Only services changed at or after this date-time (UTC when no zone)."})
    full = fields.Boolean(load_default=False, metadata={"description": "Fully nested services."})
    postcode = fields.String(validate=Length(min=1, max=20), metadata={
        "description": "A UK postcode or district: services that reach it, nearest first."})
    proximity = fields.Float(
        validate=Range(0, 20_000_000, min_inclusive=False,
                       error="Give a distance in metres above 0"),
        metadata={"description": "With postcode: only services with a venue this many metres "
                                 "away or less, or whose service areas cover the postcode."},
    )

    @validates_schema
    def _proximity_needs_postcode(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "proximity" in data and "postcode" not in data:
            raise ValidationError("Give a postcode to measure proximity from", "proximity")


class ServiceArgs(ServiceFilterArgs):
    minimal = fields.Boolean(load_default=False, metadata={
        "description": "Only each service's id and last_modified."})

    @validates_schema
    def _one_shape(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("minimal") and data.get("full"):
            raise ValidationError("Ask for minimal or full, not both", "minimal")


class TaxonomyTermArgs(PageArgs):
    taxonomy_id = _any_id("Only terms of this taxonomy.")
    top_only = fields.Boolean(load_default=False,
                              metadata={"description": "Only terms with no parent."})
    parent_id = _any_id("Only terms whose parent is this term.")


class OrganizationListArgs(PageArgs):
    full = fields.Boolean(load_default=False, metadata={
        "description": "Include each organization's services."})
    full_service = fields.Boolean(load_default=False, metadata={
        "description": "Include each organization's services, fully nested."})


class OrganizationArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    full_service = fields.Boolean(load_default=False, metadata={
        "description": "Fully nested services."})


# --- answers (documentation of serialise.py's output) --------------------------------------


def _id(**kwargs: Any) -> fields.UUID:
    return fields.UUID(required=True, **kwargs)


class Page(Schema):
    """The HSDS paging envelope; `contents` is described with each list."""

    class Meta:
        unknown = INCLUDE

    total_items = fields.Integer(required=True)
    total_pages = fields.Integer(required=True)
    page_number = fields.Integer(required=True)
    size = fields.Integer(required=True, metadata={"description": "Items on this page."})
    first_page = fields.Boolean(required=True)
    last_page = fields.Boolean(required=True)
    empty = fields.Boolean(required=True)


class ApiDetails(Schema):
    version = fields.String(required=True, metadata={"example": "HSDS-UK-3.0"})
    profile = fields.String(required=True, metadata=URI)
    openapi_url = fields.String(required=True, metadata=URI)


class Errors(Schema):
    errors = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "Parameter or field name -> messages."})


class Taxonomy(Schema):
    id = _id()
    name = fields.String(required=True)
    description = fields.String(required=True)
    uri = fields.String(metadata=URI)
    version = fields.String()


class TaxonomyTerm(Schema):
    id = _id()
    code = fields.String()
    term = fields.String()
    name = fields.String(required=True)
    description = fields.String(required=True)
    taxonomy = fields.String()
    taxonomy_id = fields.UUID()
    taxonomy_detail = fields.Nested(Taxonomy)
    parent_id = fields.UUID()
    term_uri = fields.String(metadata=URI)


class Attribute(Schema):
    id = _id()
    link_id = fields.UUID(required=True)
    link_type = fields.String(required=True)
    link_entity = fields.String(required=True)
    taxonomy_term_id = fields.UUID(required=True)
    taxonomy_term = fields.Nested(TaxonomyTerm, required=True)


class Phone(Schema):
    id = _id()
    service_id = fields.UUID()
    organization_id = fields.UUID()
    number = fields.String(required=True)


class Organization(Schema):
    id = _id()
    name = fields.String(required=True)
    description = fields.String(required=True)
    email = fields.Email()
    website = fields.String(metadata=URI)
    phones = fields.List(fields.Nested(Phone))


class Address(Schema):
    id = _id()
    location_id = fields.UUID(required=True)
    address_1 = fields.String(required=True)
    address_2 = fields.String()
    city = fields.String(required=True)
    state_province = fields.String(required=True)
    postal_code = fields.String(required=True)
    country = fields.String(required=True)
    address_type = fields.String(required=True, validate=OneOf(["physical"]))


class Accessibility(Schema):
    id = _id()
    location_id = fields.UUID(required=True)
    description = fields.String(required=True)


class Location(Schema):
    id = _id()
    location_type = fields.String(required=True, validate=OneOf(["physical"]))
    name = fields.String(required=True)
    latitude = fields.Float()
    longitude = fields.Float()
    addresses = fields.List(fields.Nested(Address))
    accessibility = fields.List(fields.Nested(Accessibility))


class ServiceAtLocationInService(Schema):
    id = _id()
    service_id = fields.UUID(required=True)
    location_id = fields.UUID(required=True)
    location = fields.Nested(Location, required=True)


class Schedule(Schema):
    id = _id()
    service_id = fields.UUID(required=True)
    service_at_location_id = fields.UUID()
    freq = fields.String(validate=OneOf(["WEEKLY"]))
    byday = fields.String(validate=OneOf(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]))
    opens_at = fields.String(metadata={"example": "10:00:00"})
    closes_at = fields.String(metadata={"example": "12:00:00"})
    description = fields.String(metadata={"example": "By appointment"})


class ServiceArea(Schema):
    id = _id()
    service_id = fields.UUID(required=True)
    name = fields.String(required=True, metadata={"description": "A postcode district, e.g. NE9."})
    extent_type = fields.String(required=True, validate=OneOf(["text"]))


class Language(Schema):
    id = _id()
    service_id = fields.UUID(required=True)
    code = fields.String(required=True, metadata={"description": "ISO 639-1"})
    name = fields.String()


class CostOption(Schema):
    id = _id()
    service_id = fields.UUID(required=True)
    option = fields.String()
    amount = fields.Float()
    currency = fields.String()
    amount_description = fields.String()


STATUSES = ["active", "inactive", "defunct", "temporarily closed"]


class ServiceSummary(Schema):
    """The one-to-one fields of a service and its organization (an item of GET /services)."""

    id = _id()
    organization_id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String()
    url = fields.String(metadata=URI)
    email = fields.Email()
    status = fields.String(required=True, validate=OneOf(STATUSES))
    minimum_age = fields.Integer()
    maximum_age = fields.Integer()
    assured_date = fields.Date()
    last_modified = fields.DateTime()
    application_process = fields.String(
        metadata={"description": "What to expect on a first visit."})
    organization = fields.Nested(Organization, required=True)


class Service(ServiceSummary):
    """A fully nested service: GET /services/{id}, and each item of the export."""

    phones = fields.List(fields.Nested(Phone))
    schedules = fields.List(fields.Nested(Schedule))
    service_areas = fields.List(fields.Nested(ServiceArea))
    service_at_locations = fields.List(fields.Nested(ServiceAtLocationInService))
    languages = fields.List(fields.Nested(Language))
    cost_options = fields.List(fields.Nested(CostOption))
    attributes = fields.List(fields.Nested(Attribute))


class ServiceMinimal(Schema):
    id = _id()
    last_modified = fields.DateTime()


class ServiceAtLocation(Schema):
    id = _id()
    service_id = fields.UUID(required=True)
    location_id = fields.UUID(required=True)
    location = fields.Nested(Location, required=True)
    service = fields.Nested(ServiceSummary, required=True)


class ServiceAtLocationFull(ServiceAtLocation):
    service = fields.Nested(Service, required=True)


class OrganizationWithServices(Organization):
    services = fields.List(fields.Nested(ServiceSummary), required=True)


class OrganizationWithFullServices(Organization):
    services = fields.List(fields.Nested(Service), required=True)
