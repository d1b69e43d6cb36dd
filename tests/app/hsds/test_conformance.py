"""Every answer of the HSDS API validates against the official ORUK 3.0 schemas, formats too."""

from __future__ import annotations

import pytest

from directory.models import ServiceStatus

from .conftest import all_pages, nulls, problems, validator

SERVICE = validator("oruk-3.0-compiled/service.json")
SERVICE_ITEM = validator("oruk-3.0-compiled/service_list.json")
HSDS_SERVICE = validator("hsds-3.0/schema/compiled/service_with_definitions.json")


def test_the_format_checker_is_really_checking_formats():
    bad = {
        "id": "not-a-uuid",
        "name": "x",
        "status": "active",
        "url": "no scheme",
        "email": "nobody",
    }
    found = " ".join(problems(SERVICE, bad))
    assert "'not-a-uuid' is not a 'uuid'" in found
    assert "is not a 'uri'" in found
    assert "is not a 'email'" in found


def test_every_demo_service_validates_against_the_oruk_service_schema(demo_client, demo_ids):
    active = demo_ids[ServiceStatus.ACTIVE]
    assert len(active) > 150
    for n, public_id in enumerate(active):
        body = demo_client.get(f"/api/v1/services/{public_id}").get_json()
        assert problems(SERVICE, body) == [], public_id
        assert nulls(body) == [], public_id
        if n % 5 == 0:  # the canonical HSDS schema too, for a fifth of them (it is slow)
            assert problems(HSDS_SERVICE, body) == [], public_id


def test_every_item_of_every_page_of_services_validates_against_the_list_item_schema(
    demo_client, demo_ids
):
    pages = all_pages(demo_client, "/api/v1/services", per_page=40)
    items = [item for page in pages for item in page["contents"]]
    assert len(pages) > 1
    assert sorted(item["id"] for item in items) == sorted(demo_ids[ServiceStatus.ACTIVE])
    for item in items:
        assert problems(SERVICE_ITEM, item) == [], item["id"]
        assert nulls(item) == []


@pytest.mark.parametrize("query", ["full=true", "minimal=true", "postcode=NE4+8DN&proximity=3000"])
def test_the_other_shapes_of_the_service_list_validate_too(demo_client, query):
    pages = all_pages(demo_client, f"/api/v1/services?{query}")
    items = [item for page in pages for item in page["contents"]]
    assert items
    for item in items:
        if query == "minimal=true":
            assert set(item) == {"id", "last_modified"}
        else:
            assert problems(SERVICE_ITEM, item) == [], item["id"]
        if query == "full=true":
            assert problems(SERVICE, item) == [], item["id"]


def test_services_at_locations_and_organizations_validate(demo_client):
    sal_item = validator("oruk-3.0-compiled/service_at_location_list.json")
    sal_full = validator("oruk-3.0-compiled/service_at_location.json")
    org_item = validator("oruk-3.0-compiled/organization_list.json")
    org_full = validator("oruk-3.0-compiled/organization.json")
    items = [
        i
        for page in all_pages(demo_client, "/api/v1/service_at_locations")
        for i in page["contents"]
    ]
    assert len(items) > 150
    for item in items:
        assert problems(sal_item, item) == [], item["id"]
    for item in items[:25]:
        body = demo_client.get(f"/api/v1/service_at_locations/{item['id']}").get_json()
        assert problems(sal_full, body) == [], item["id"]
        assert body["service"]["id"] == item["service_id"]
    orgs = [i for page in all_pages(demo_client, "/api/v1/organizations") for i in page["contents"]]
    for org in orgs:
        assert problems(org_item, org) == [], org["id"]
    for org in orgs[:25]:
        assert (
            problems(org_full, demo_client.get(f"/api/v1/organizations/{org['id']}").get_json())
            == []
        )


def test_the_root_names_the_hsds_uk_version_for_the_validator(demo_client):
    body = demo_client.get("/api/v1/").get_json()
    assert body["version"] == "HSDS-UK-3.0"
    assert body["openapi_url"] == "http://localhost/api/v1/openapi.json"
    assert body["profile"].startswith("http://localhost/api/v1/docs")
    assert demo_client.get(body["openapi_url"]).status_code == 200
