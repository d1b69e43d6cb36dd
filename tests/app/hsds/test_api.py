"""The HSDS read API: paging, filters combined with AND, 400s that name the parameter, 404s."""

from __future__ import annotations

import json
import uuid

import pytest

from directory.models import ServiceStatus
from directory.vocabulary import taxonomy_uuid, term_uuid
from matcher.geo import Point, haversine_km

from .conftest import all_pages

WALKING = term_uuid("sp-activity", "walking-group")
ACTIVITIES = taxonomy_uuid("sp-activity")


def ids_of(client, query: str) -> list[str]:
    return [
        item["id"]
        for page in all_pages(client, f"/api/v1/services?{query}")
        for item in page["contents"]
    ]


def codes(service: dict, taxonomy: str) -> set[str]:
    return {
        a["taxonomy_term"]["code"]
        for a in service.get("attributes", [])
        if a["taxonomy_term"].get("taxonomy") == taxonomy
    }


def test_the_paging_envelope(demo_client, demo_ids):
    total = len(demo_ids[ServiceStatus.ACTIVE])
    first = demo_client.get("/api/v1/services?per_page=10").get_json()
    assert {k: first[k] for k in first if k != "contents"} == {
        "total_items": total,
        "total_pages": -(-total // 10),
        "page_number": 1,
        "size": 10,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = demo_client.get(f"/api/v1/services?per_page=10&page={first['total_pages']}").get_json()
    assert (
        last["last_page"]
        and not last["first_page"]
        and last["size"] == total - 10 * (first["total_pages"] - 1)
    )
    beyond = demo_client.get(
        f"/api/v1/services?per_page=10&page={first['total_pages'] + 1}"
    ).get_json()
    assert beyond["empty"] and beyond["contents"] == [] and beyond["size"] == 0
    assert demo_client.get("/api/v1/services?per_page=100").get_json()["size"] == 100


def test_only_active_services_are_published(demo_client, demo_ids):
    listed = set(ids_of(demo_client, "minimal=true"))
    assert listed == set(demo_ids[ServiceStatus.ACTIVE])
    hidden = [
        i
        for status in (
            ServiceStatus.PAUSED,
            ServiceStatus.CLOSED,
            ServiceStatus.DRAFT,
            ServiceStatus.PENDING,
        )
        for i in demo_ids[status]
    ]
    assert hidden
    for public_id in hidden:
        assert demo_client.get(f"/api/v1/services/{public_id}").status_code == 404


def test_a_taxonomy_term_filter_finds_exactly_the_services_with_that_term(demo_client):
    full = [i for p in all_pages(demo_client, "/api/v1/services?full=true") for i in p["contents"]]
    expected = {s["id"] for s in full if "walking-group" in codes(s, "sp-activity")}
    assert expected
    assert set(ids_of(demo_client, f"taxonomy_term_id={WALKING}")) == expected


def test_a_venue_access_term_finds_services_whose_venue_has_it(demo_client):
    loop = term_uuid("sp-access", "hearing-loop")
    found = ids_of(demo_client, f"taxonomy_term_id={loop}&full=true")
    assert found
    for public_id in found:
        service = demo_client.get(f"/api/v1/services/{public_id}").get_json()
        venues = [
            d["description"]
            for sal in service.get("service_at_locations", [])
            for d in sal["location"].get("accessibility", [])
        ]
        assert "hearing-loop" in codes(service, "sp-access") or "Hearing loop" in venues


def test_filters_combine_with_and(demo_client):
    walking = set(ids_of(demo_client, f"taxonomy_term_id={WALKING}"))
    searched = set(ids_of(demo_client, "search=walk"))
    org = demo_client.get(f"/api/v1/services/{sorted(walking)[0]}").get_json()["organization_id"]
    by_org = set(ids_of(demo_client, f"organization_id={org}"))
    both = ids_of(demo_client, f"taxonomy_term_id={WALKING}&search=walk&organization_id={org}")
    assert set(both) == walking & searched & by_org
    assert both
    assert set(ids_of(demo_client, f"taxonomy_id={ACTIVITIES}")) >= walking


def test_modified_after(demo_client, demo_ids):
    assert ids_of(demo_client, "modified_after=2999-01-01") == []
    everything = ids_of(demo_client, "modified_after=2000-01-01T00:00:00Z")
    assert len(everything) == len(demo_ids[ServiceStatus.ACTIVE])


def test_postcode_and_proximity_keep_services_within_reach_nearest_first(demo_client):
    origin = Point(54.9692, -1.6497)  # NE4 8DN, Benwell
    full = [
        i
        for p in all_pages(
            demo_client, "/api/v1/services?postcode=NE4+8DN&proximity=1500&full=true"
        )
        for i in p["contents"]
    ]
    assert full
    nearest = []
    for service in full:
        venues = [
            haversine_km(origin, Point(s["location"]["latitude"], s["location"]["longitude"]))
            for s in service.get("service_at_locations", [])
            if "latitude" in s["location"]
        ]
        covers = [a["name"] for a in service.get("service_areas", [])]
        assert (venues and min(venues) <= 1.6) or "NE4" in covers, service["name"]
        nearest.append(min(venues) if venues else float("inf"))  # home visits come last
    assert nearest == sorted(nearest)
    wider = ids_of(demo_client, "postcode=NE4+8DN&proximity=6000")
    assert len(wider) > len(full)


def test_taxonomy_terms_by_taxonomy_parent_and_top_level(demo_client):
    activities = [
        t
        for p in all_pages(demo_client, f"/api/v1/taxonomy_terms?taxonomy_id={ACTIVITIES}")
        for t in p["contents"]
    ]
    assert {t["taxonomy"] for t in activities} == {"sp-activity"}
    walking = next(t for t in activities if t["code"] == "walking-group")
    assert walking == {**walking, "id": WALKING, "term": "walking-group", "name": "Walking group"}
    physical = term_uuid("sp-category", "physical-activity")
    children = demo_client.get(f"/api/v1/taxonomy_terms?parent_id={physical}").get_json()[
        "contents"
    ]
    assert "walking-group" in {t["code"] for t in children}
    assert {t["parent_id"] for t in children} == {physical}
    top = [
        t
        for p in all_pages(demo_client, "/api/v1/taxonomy_terms?top_only=true")
        for t in p["contents"]
    ]
    assert top and all("parent_id" not in t for t in top)
    assert (
        demo_client.get(f"/api/v1/taxonomy_terms/{WALKING}").get_json()["code"] == "walking-group"
    )
    assert demo_client.get(f"/api/v1/taxonomies/{ACTIVITIES}").get_json()["name"] == "sp-activity"
    names = {t["name"] for t in demo_client.get("/api/v1/taxonomies").get_json()["contents"]}
    assert names == {"sp-category", "sp-activity", "sp-condition", "sp-access", "sp-intensity"}


def test_organizations_are_those_with_published_services(demo_client):
    orgs = [
        o for p in all_pages(demo_client, "/api/v1/organizations?full=true") for o in p["contents"]
    ]
    assert orgs and all(o["services"] for o in orgs)
    one = demo_client.get(f"/api/v1/organizations/{orgs[0]['id']}?full_service=true").get_json()
    assert one["services"] and "attributes" in one["services"][0]
    assert {s["status"] for o in orgs for s in o["services"]} == {"active"}


def test_service_at_locations_point_at_published_services_and_their_venues(demo_client):
    page = demo_client.get("/api/v1/service_at_locations?per_page=5").get_json()
    for item in page["contents"]:
        service = demo_client.get(f"/api/v1/services/{item['service_id']}").get_json()
        assert item["id"] in {s["id"] for s in service["service_at_locations"]}
        assert item["service"]["status"] == "active"
    near = demo_client.get("/api/v1/service_at_locations?postcode=NE4+8DN&proximity=800").get_json()
    assert 0 < near["total_items"] < page["total_items"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=two", "page"),
        ("per_page=1001", "per_page"),
        ("per_page=0", "per_page"),
        ("taxonomy_term_id=" + "x" * 501, "taxonomy_term_id"),
        ("modified_after=yesterday", "modified_after"),
        ("proximity=1000", "proximity"),
        ("postcode=NE4+8DN&proximity=-5", "proximity"),
        ("postcode=ZZ99+9ZZ", "postcode"),
        ("postcode=not+a+postcode", "postcode"),
        ("minimal=true&full=true", "minimal"),
        ("full=perhaps", "full"),
        ("format=xml", "format"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(demo_client, query, parameter):
    response = demo_client.get(f"/api/v1/services?{query}")
    assert response.status_code == 400
    assert response.is_json
    assert list(response.get_json()["errors"]) == [parameter]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/taxonomy_terms?top_only=maybe", "top_only"),
        ("/api/v1/taxonomy_terms?parent_id=", "parent_id"),
        ("/api/v1/organizations?per_page=1001", "per_page"),
        ("/api/v1/service_at_locations?postcode=XX1", "postcode"),
        ("/api/v1/taxonomies?page=-1", "page"),
    ],
)
def test_the_other_lists_name_bad_parameters_too(demo_client, url, parameter):
    response = demo_client.get(url)
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [parameter]


@pytest.mark.parametrize(
    ("url", "per_page"),
    [("/api/v1/services?format=ndjson&per_page=40&full=true", 40),
     ("/api/v1/services?format=ndjson&per_page=3&postcode=NE4+8DN&proximity=3000", 3),
     ("/api/v1/organizations?format=ndjson&per_page=5", 5)],
)
def test_ndjson_streams_every_result_one_per_line_without_paging(demo_client, url, per_page):
    response = demo_client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    paged = [item for page in all_pages(demo_client, url.replace("format=ndjson", "format=json"))
             for item in page["contents"]]
    assert len(lines) > per_page  # more than one page's worth, in order
    assert [json.loads(line) for line in lines] == paged


def test_full_services_always_say_where_they_are_even_when_nowhere(demo_client):
    items = [item for page in all_pages(demo_client, "/api/v1/services?full=true")
             for item in page["contents"]]
    assert all("service_at_locations" in item for item in items)
    remote = [item for item in items if item["service_at_locations"] == []]
    assert remote, "the demo has services with no venue (online, telephone, home visits)"


@pytest.mark.parametrize(
    "kind", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
)
@pytest.mark.parametrize("public_id", [str(uuid.UUID(int=1)), "not-an-id"])
def test_an_unknown_id_is_a_404_in_json(demo_client, kind, public_id):
    response = demo_client.get(f"/api/v1/{kind}/{public_id}")
    assert response.status_code == 404
    assert response.get_json() == {
        "errors": {
            "id": [f"No {kind.rstrip('s').replace('taxonomie', 'taxonomy')} with id {public_id}"]
        }
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/services",
        "/api/v1/services?page=0",
        f"/api/v1/services/{uuid.UUID(int=1)}",
        "/api/v1/no-such-thing",
        "/api/v1/openapi.json",
    ],
)
def test_every_api_answer_may_be_read_from_any_web_page(demo_client, url):
    response = demo_client.get(url)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.is_json
