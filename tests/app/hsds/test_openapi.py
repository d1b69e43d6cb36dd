"""The OpenAPI document: generated from the schemas that validate requests, and kept honest.

Schemathesis generates requests from the document and checks each answer against it: no
server error, only documented status codes and content types, every body as described.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from directory.hsds import schemas
from directory.schemas.match import ProfileIn

ISSUE_PARAMETERS = {
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "minimal",
    "full",
    "postcode",
    "proximity",
}


@pytest.fixture(scope="module")
def spec(demo_client) -> dict:
    response = demo_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_covers_the_whole_api(spec):
    assert spec["openapi"] == "3.1.0"
    assert set(spec["paths"]) == {
        "/api/v1/",
        "/api/v1/services",
        "/api/v1/services/{id}",
        "/api/v1/service_at_locations",
        "/api/v1/service_at_locations/{id}",
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/taxonomies",
        "/api/v1/taxonomies/{id}",
        "/api/v1/taxonomy_terms",
        "/api/v1/taxonomy_terms/{id}",
        "/api/v1/match",
        "/api/v1/openapi.json",
    }
    listed = {p["name"] for p in spec["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert listed >= ISSUE_PARAMETERS
    terms = {p["name"] for p in spec["paths"]["/api/v1/taxonomy_terms"]["get"]["parameters"]}
    assert {"taxonomy_id", "top_only", "parent_id"} <= terms


def test_the_parameters_are_the_validating_schemas_fields(spec, demo_app):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert set(parameters) == set(schemas.ServiceArgs().fields)
    assert parameters["per_page"]["schema"]["maximum"] == schemas.MAX_PER_PAGE
    # Any string is an id (ORUK): a feed's own ids need not be UUIDs.
    assert parameters["taxonomy_term_id"]["schema"]["type"] == "string"


def test_the_match_body_is_the_profile_schema_that_validates_it(spec, demo_app):
    body = spec["paths"]["/api/v1/match"]["post"]["requestBody"]["content"]["application/json"]
    profile = spec["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
    with demo_app.app_context():
        from directory import vocabulary

        fields = ProfileIn(vocabulary.current()).fields
    assert set(profile["properties"]) == {f.data_key or name for name, f in fields.items()}
    assert profile["properties"]["limit"]["maximum"] == 50
    assert profile["additionalProperties"] is False


def test_the_api_page_describes_every_endpoint_and_the_profile(demo_client, spec):
    page = demo_client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="profile"' in html and "sp-activity" in html
    for path in spec["paths"]:
        assert path in html
    assert "proximity" in html


OPERATIONS = [
    ("GET", "/api/v1/"),
    ("GET", "/api/v1/services"),
    ("GET", "/api/v1/services/{id}"),
    ("GET", "/api/v1/service_at_locations"),
    ("GET", "/api/v1/service_at_locations/{id}"),
    ("GET", "/api/v1/organizations"),
    ("GET", "/api/v1/organizations/{id}"),
    ("GET", "/api/v1/taxonomies"),
    ("GET", "/api/v1/taxonomies/{id}"),
    ("GET", "/api/v1/taxonomy_terms"),
    ("GET", "/api/v1/taxonomy_terms/{id}"),
    ("POST", "/api/v1/match"),
    ("GET", "/api/v1/openapi.json"),
]
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(demo_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)


def test_every_operation_is_exercised(spec):
    assert sorted(OPERATIONS) == sorted(
        (method.upper(), path) for path, item in spec["paths"].items() for method in item
    )


# schemathesis.pytest.from_fixture reads a pytest internal (Node._nodeid) that pytest 9.2 no
# longer has, so each operation's generated cases run through hypothesis directly.
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_api_keeps_to_its_document(api_schema, method, path):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    answers_as_documented()


@pytest.mark.parametrize(
    ("path", "listing"),
    [
        ("/api/v1/services/{id}", "/api/v1/services"),
        ("/api/v1/service_at_locations/{id}", "/api/v1/service_at_locations"),
        ("/api/v1/organizations/{id}", "/api/v1/organizations"),
        ("/api/v1/taxonomies/{id}", "/api/v1/taxonomies"),
        ("/api/v1/taxonomy_terms/{id}", "/api/v1/taxonomy_terms"),
    ],
)
def test_known_ids_answer_as_documented(api_schema, demo_client, path, listing):
    """Generated ids are almost never real ones: check real ones against the document too."""
    operation = api_schema[path]["GET"]
    for item in demo_client.get(f"{listing}?per_page=15").get_json()["contents"]:
        response = operation.Case(path_parameters={"id": item["id"]}).call_and_validate(
            checks=CHECKS
        )
        assert response.status_code == 200


def test_real_profiles_answer_as_documented(api_schema):
    operation = api_schema["/api/v1/match"]["POST"]
    profiles = [
        {"goals": ["get-more-active"], "location": {"postcode": "NE4 8DN"}},
        {
            "text": "lonely since my wife died",
            "location": {"latitude": 54.97, "longitude": -1.65},
            "availability": [{"day": "tue", "from": "09:00", "to": "17:00"}],
            "age": 70,
        },
        {"goals": ["manage-condition"], "needs": ["wheelchair-accessible"], "limit": 3},
    ]
    for profile in profiles:
        case = operation.Case(body=profile, media_type="application/json")
        assert case.call_and_validate(checks=CHECKS).status_code == 200
