"""The OpenAPI 3.1 document of /api/v1, and a page for people describing the API.

apispec builds the document from the marshmallow schemas that validate the requests
(directory.hsds.schemas, directory.schemas.match.ProfileIn) and from the schemas that
describe the answers, so what the document says is what the API checks and returns.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, render_template
from marshmallow import Schema, fields

from .. import vocabulary
from ..hsds import schemas
from ..schemas.match import ProfileIn
from . import bp
from .hsds import HSDS_VERSION

Json = dict[str, Any]
ERRORS = {"$ref": "#/components/schemas/Errors"}


# --- the match answer (matcher.to_json), documented here ------------------------------------


class Reason(Schema):
    code = fields.String(required=True)
    text = fields.String(required=True)


class Suggestion(Schema):
    service_id = fields.String(required=True, metadata={"description": "The service's HSDS id."})
    name = fields.String(required=True)
    organization = fields.String(required=True)
    score = fields.Float(required=True)
    distance_km = fields.Float(required=True, allow_none=True)
    next_session = fields.String(
        required=True, allow_none=True,
        metadata={"description": "Local date and time, YYYY-MM-DDTHH:MM:SS"},
    )
    reasons = fields.List(fields.Nested(Reason), required=True)


class WhyNot(Schema):
    service_id = fields.String(required=True)
    name = fields.String(required=True)
    rule = fields.String(required=True)
    text = fields.String(required=True)


class MatchResult(Schema):
    results = fields.List(fields.Nested(Suggestion), required=True)
    considered = fields.Integer(required=True)
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    why_not = fields.List(fields.Nested(WhyNot), required=True)


# --- building the document ------------------------------------------------------------------

# Nested schemas are named after their class; list each one before the schemas that use it.
COMPONENTS: dict[str, type[Schema]] = {
    "Page": schemas.Page,
    "ApiDetails": schemas.ApiDetails,
    "Errors": schemas.Errors,
    "Taxonomy": schemas.Taxonomy,
    "TaxonomyTerm": schemas.TaxonomyTerm,
    "Organization": schemas.Organization,
    "ServiceSummary": schemas.ServiceSummary,
    "Service": schemas.Service,
    "ServiceMinimal": schemas.ServiceMinimal,
    "ServiceAtLocation": schemas.ServiceAtLocation,
    "ServiceAtLocationFull": schemas.ServiceAtLocationFull,
    "OrganizationWithServices": schemas.OrganizationWithServices,
    "OrganizationWithFullServices": schemas.OrganizationWithFullServices,
    "MatchResult": MatchResult,
}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page_of(*names: str) -> Json:
    items = _ref(names[0]) if len(names) == 1 else {"anyOf": [_ref(n) for n in names]}
    return {
        "allOf": [_ref("Page")],
        "type": "object",
        "properties": {"contents": {"type": "array", "items": items}},
        "required": ["contents"],
    }


def _id_parameter(kind: str) -> Json:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": f"The {kind}'s HSDS id (a UUID)."}


BAD_REQUEST = _json("A parameter was not valid; `errors` names it.", ERRORS)


def _list(summary: str, args: type[Schema], page: Json, tag: str) -> Json:
    answer = _json(summary, page)
    # format=ndjson: every item, one JSON document per line, no paging envelope.
    answer["content"]["application/x-ndjson"] = {"schema": page["properties"]["contents"]["items"]}
    return {"get": {"summary": summary, "tags": [tag],
                    "parameters": [{"in": "query", "schema": args}],
                    "responses": {"200": answer, "400": BAD_REQUEST}}}


def _one(summary: str, kind: str, answer: Json, tag: str, args: type[Schema] | None = None) -> Json:
    parameters: list[Json] = [_id_parameter(kind)]
    responses = {"200": _json(summary, answer),
                 "404": _json(f"No published {kind} has this id.", ERRORS)}
    if args is not None:
        parameters.append({"in": "query", "schema": args})
        responses["400"] = BAD_REQUEST
    return {"get": {"summary": summary, "tags": [tag], "parameters": parameters,
                    "responses": responses}}


def build_spec(app: Flask) -> Json:
    """The whole API's OpenAPI document (built once per app; it needs the vocabulary)."""
    spec = APISpec(
        title="Community Support Directory API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Open Referral UK (HSDS 3.0) read API for the directory's published services, "
                "and the match API that suggests services for a person. Open: no key. Every "
                "answer is JSON and carries `Access-Control-Allow-Origin: *`."
            ),
            "license": {"name": "Service data: see the directory's About page"},
        },
        tags=[
            {"name": "HSDS", "description": "Open Referral UK 3.0: services, venues, "
                                            "organisations and taxonomies."},
            {"name": "Match", "description": "Suggestions of services for one person."},
        ],
    )
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    with app.app_context():
        profile = ProfileIn(vocabulary.current())
    spec.components.schema("Profile", schema=profile)

    paths: dict[str, Json] = {
        "/api/v1/": {"get": {"summary": "What this API is", "tags": ["HSDS"],
                             "responses": {"200": _json("The HSDS version and profile.",
                                                        _ref("ApiDetails"))}}},
        "/api/v1/services": _list(
            "Published services, a page at a time", schemas.ServiceArgs,
            _page_of("ServiceSummary", "Service", "ServiceMinimal"), "HSDS"),
        "/api/v1/services/{id}": _one(
            "One fully nested service", "service", _ref("Service"), "HSDS"),
        "/api/v1/service_at_locations": _list(
            "Services at each of their venues", schemas.ServiceFilterArgs,
            _page_of("ServiceAtLocation", "ServiceAtLocationFull"), "HSDS"),
        "/api/v1/service_at_locations/{id}": _one(
            "One service at one venue, fully nested", "service_at_location",
            _ref("ServiceAtLocationFull"), "HSDS"),
        "/api/v1/organizations": _list(
            "Organisations with published services", schemas.OrganizationListArgs,
            _page_of("Organization", "OrganizationWithServices", "OrganizationWithFullServices"),
            "HSDS"),
        "/api/v1/organizations/{id}": _one(
            "One organisation with its services", "organization",
            {"anyOf": [_ref("OrganizationWithServices"), _ref("OrganizationWithFullServices")]},
            "HSDS", schemas.OrganizationArgs),
        "/api/v1/taxonomies": _list("Taxonomies", schemas.PageArgs, _page_of("Taxonomy"), "HSDS"),
        "/api/v1/taxonomies/{id}": _one("One taxonomy", "taxonomy", _ref("Taxonomy"), "HSDS"),
        "/api/v1/taxonomy_terms": _list(
            "Taxonomy terms", schemas.TaxonomyTermArgs, _page_of("TaxonomyTerm"), "HSDS"),
        "/api/v1/taxonomy_terms/{id}": _one(
            "One taxonomy term", "taxonomy_term", _ref("TaxonomyTerm"), "HSDS"),
        "/api/v1/match": {"post": {
            "summary": "Suggest services for one person",
            "tags": ["Match"],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ref("Profile")}}},
            "responses": {"200": _json("Suggestions, best first, and what was ruled out.",
                                       _ref("MatchResult")),
                          "400": _json("The profile was not valid; `errors` names each field.",
                                       ERRORS)},
        }},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "tags": ["HSDS"],
                                         "responses": {"200": _json("OpenAPI 3.1",
                                                                    {"type": "object"})}}},
    }
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    with app.app_context():
        return _what_validation_checks(spec.to_dict(), vocabulary.current())


ONE_LINE = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
TEXT = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"


def _what_validation_checks(doc: Json, vocab: vocabulary.Vocabulary) -> Json:
    """Say in the document what the schemas check in code: vocabulary ids, one-line text,
    24-hour times, "goals or text", and ranges that exclude their end, so that a request the
    document allows is one the API accepts (schemathesis checks both ways)."""
    schemas_ = doc["components"]["schemas"]
    profile = schemas_["Profile"]["properties"]
    for name, section in (("goals", "goals"), ("conditions", "conditions"), ("needs", "access")):
        profile[name]["items"] = {"type": "string", "enum": sorted(vocab.ids(section))}
    profile["readiness"]["enum"] = sorted(vocab.ids("readiness"))
    profile["text"]["pattern"] = TEXT
    profile["gender"]["pattern"] = ONE_LINE
    profile["exclude"]["items"]["pattern"] = ONE_LINE
    profile["languages"]["items"]["pattern"] = "^[A-Za-z]{2}$"
    schemas_["Profile"]["anyOf"] = [
        {"required": ["goals"], "properties": {"goals": {"minItems": 1}}},
        {"required": ["text"], "properties": {"text": {"pattern": "\\S"}}},
    ]
    for name in ("from", "to"):
        schemas_["WindowIn"]["properties"][name]["pattern"] = HHMM
    location = schemas_["LocationIn"]
    location["properties"]["postcode"]["pattern"] = ONE_LINE
    location["oneOf"] = [
        {"required": ["postcode"],
         "not": {"anyOf": [{"required": ["latitude"]}, {"required": ["longitude"]}]}},
        {"required": ["latitude", "longitude"], "not": {"required": ["postcode"]}},
    ]
    for item in doc["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "proximity":
                    parameter["schema"].pop("minimum", None)
                    parameter["schema"]["exclusiveMinimum"] = 0
    return doc


def current_spec() -> Json:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = build_spec(app)
    return app.extensions["openapi"]  # type: ignore[no-any-return]


@bp.get("/openapi.json")
def openapi() -> Json:
    return current_spec()


@bp.get("/docs")
def docs() -> str:
    """The API described for people, from the same document."""
    spec = current_spec()
    operations = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            operations.append({"method": method.upper(), "path": path, "op": op,
                               "parameters": op.get("parameters", [])})
    vocab = vocabulary.current()
    return render_template("api/docs.html", spec=spec, operations=operations,
                           version=HSDS_VERSION, vocab=vocab)
