"""The results pages on the demo catalogue: lay words find the right groups, filters narrow
and come off one by one, pages turn, and the JSON twin lists what the HTML lists."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask

from directory import geocoding

from .conftest import result_ids


def get_json(client, url: str) -> dict:
    response = client.get(url + ("&" if "?" in url else "?") + "format=json")
    assert response.status_code == 200
    return response.get_json()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_breathless_finds_copd_and_breathing_groups_first(demo, facts):
    top = result_ids(page(demo, "/search?q=breathless"))[:3]
    assert len(top) == 3
    for service_id in top:
        f = facts[service_id]
        assert {"breathing-support", "pulmonary-rehab"} & f.activities or "copd" in f.conditions, f.name


def test_money_worries_finds_welfare_rights_advice(demo, facts):
    top = result_ids(page(demo, "/search?q=money+worries"))[:3]
    assert top and all("welfare-rights" in facts[i].categories for i in top), [facts[i].name for i in top]


def test_a_misspelt_search_finds_walking_groups_and_says_what_it_searched(demo, facts):
    body = page(demo, "/search?q=walkng+group")
    top = result_ids(body)[:3]
    assert top and all("walking-group" in facts[i].activities for i in top), [facts[i].name for i in top]
    assert "Showing results for" in body and "walkng" in body


def test_choir_near_fenham_within_2_km_lists_only_choirs_that_close(demo, demo_app: Flask, facts):
    with demo_app.app_context():
        fenham = geocoding.current().resolve("Fenham")
    origin = (fenham.latitude, fenham.longitude)
    body = page(demo, "/search?q=choir+near+Fenham+within+2+km")
    assert "We took ‘near Fenham’ and ‘within 2 km’ from what you typed" in body
    assert 'value="Fenham"' in body and 'value="choir"' in body
    data = get_json(demo, "/search?q=choir+near+Fenham+within+2+km")
    assert data["query"]["q"] == "choir" and data["query"]["distance_km"] == 2
    ids = [r["id"] for r in data["results"]]
    assert ids, "a choir meets within 2 km of Fenham"
    for service_id in ids:
        f = facts[service_id]
        assert "choir-singing" in f.activities, f"{f.name} is not a choir"
        assert any(geocoding.distance_km(origin, v) <= 2.0 for v in f.venues), f.name


def test_near_and_within_miles_are_read_from_the_text(demo):
    data = get_json(demo, "/search?q=walking+within+3+miles+of+Benwell")
    assert data["query"]["q"] == "walking"
    assert data["query"]["place"] == "Benwell"
    assert data["query"]["distance_km"] == pytest.approx(4.83, abs=0.01)


def test_the_place_box_wins_over_near_in_the_text(demo):
    data = get_json(demo, "/search?q=choir+near+Fenham&place=Westerhope")
    assert data["query"]["place"] == "Westerhope"
    assert data["query"]["q"] == "choir near Fenham"


def test_remote_services_are_never_excluded_by_distance_and_say_so(demo, facts):
    body = page(demo, "/search?place=Fenham&distance=0.1&access=online")
    ids = result_ids(body)
    assert ids and all("online" in facts[i].access for i in ids)
    assert "Online" in body
    data = get_json(demo, "/search?place=Fenham&distance=0.1&access=online")
    assert all(r["remote"] for r in data["results"])


def test_a_filter_narrows_the_results_and_its_link_removes_it(demo, facts):
    everything = get_json(demo, "/search?q=walk")
    narrowed = get_json(demo, "/search?q=walk&access=wheelchair-accessible&day=tue")
    assert 0 < narrowed["total"] < everything["total"]
    body = page(demo, "/search?q=walk&access=wheelchair-accessible&day=tue")
    for service_id in result_ids(body):
        assert "wheelchair-accessible" in facts[service_id].access
    remove_day = "/search?q=walk&amp;access=wheelchair-accessible"
    remove_access = "/search?q=walk&amp;day=tue"
    assert f'href="{remove_day}"' in body and f'href="{remove_access}"' in body
    assert "Remove filter: </span>Tuesday" in body
    assert get_json(demo, remove_day.replace("&amp;", "&"))["total"] >= narrowed["total"]


def test_each_filter_type_narrows(demo, facts):
    total = get_json(demo, "/search")["total"]
    checks = {
        "category=arts": lambda f: "arts" in f.categories,
        "activity=walking-group": lambda f: "walking-group" in f.activities,
        "condition=copd": lambda f: "copd" in f.conditions,
        "access=women-only": lambda f: "women-only" in f.access,
        "access=free&access=drop-in": lambda f: {"free", "drop-in"} <= f.access,
    }
    for query, holds in checks.items():
        data = get_json(demo, f"/search?{query}")
        assert 0 < data["total"] < total, query
        assert all(holds(facts[r["id"]]) for r in data["results"]), query


def test_days_and_times_narrow(demo):
    total = get_json(demo, "/search")["total"]
    for query in ("day=sat", "day=sat&day=sun", "time=evening", "time=weekend", "time=morning&day=mon"):
        assert 0 < get_json(demo, f"/search?{query}")["total"] < total, query


def test_the_results_say_how_many_and_show_the_facts_of_each(demo):
    body = page(demo, "/search?q=breathless&place=NE4+8XJ")
    assert "services found near NE4 8XJ" in body
    assert "Run by Benwell Breathers" in body
    assert "km (" in body and "miles) away" in body
    assert "Next session" in body and "Cost" in body


def test_pages_turn_and_do_not_repeat_services(demo):
    first = get_json(demo, "/search")
    second = get_json(demo, "/search?page=2")
    assert first["total"] > 20 and first["pages"] == -(-first["total"] // 10)
    assert len(first["results"]) == 10
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    body = page(demo, "/search?page=2")
    assert 'aria-label="Pagination"' in body
    assert 'href="/search?page=3"' in body and 'href="/search"' in body  # next, and page 1
    assert 'aria-current="page"' in body


def test_a_page_past_the_end_shows_the_last_page(demo):
    body = page(demo, "/search?q=walk&page=9999")
    assert "so we are showing the last one" in body
    assert result_ids(body)


def test_no_results_say_so_and_suggest_wider_searches(demo):
    body = page(demo, "/search?q=choir&place=Whitley+Bay&distance=1&day=sun")
    assert "We could not find any services that match your search" in body
    assert "Search within 2 km of Whitley Bay" in body or "Search within 5 km" in body
    assert "Search at any distance" in body
    assert "Remove the filter ‘Sunday’" in body


def test_the_json_twin_lists_the_same_services_as_the_html(demo):
    for query in ("q=walk", "q=breathless&place=Fenham", "category=arts&page=2",
                  "q=choir+near+Fenham+within+2+km", "access=free&sort=next"):
        html_ids = result_ids(page(demo, f"/search?{query}"))
        data = get_json(demo, f"/search?{query}")
        assert html_ids == [r["id"] for r in data["results"]], query
        assert set(data) >= {"total", "page", "pages", "results"}
        for r in data["results"]:
            assert set(r) >= {"id", "name", "organization", "distance_km", "remote",
                              "next_session", "cost", "access"}


def test_sorting_by_distance_puts_the_nearest_first(demo):
    data = get_json(demo, "/search?q=walk&place=Fenham&sort=distance")
    near = [r["distance_km"] for r in data["results"] if not r["remote"]]
    assert near == sorted(near)


def test_sorting_by_next_session_puts_the_soonest_first(demo):
    data = get_json(demo, "/search?sort=next")
    times = [r["next_session"] for r in data["results"]]
    assert None not in times and times == sorted(times)


def test_category_pages_list_that_categorys_services_with_filters(demo, facts):
    body = page(demo, "/categories/physical-activity")
    assert "<h1>Physical activity</h1>" in body
    data = get_json(demo, "/categories/physical-activity?day=sat")
    assert data["total"] and all(
        "physical-activity" in facts[r["id"]].categories for r in data["results"])
    active = sum(1 for f in facts.values() if f.status == "active" and "physical-activity" in f.categories)
    assert get_json(demo, "/categories/physical-activity")["total"] == active
    assert demo.get("/categories/no-such-category").status_code == 404


def test_home_page_tiles_link_to_their_category_pages(demo):
    body = page(demo, "/")
    assert 'href="/categories/welfare-rights"' in body
    assert 'action="/search"' in body
    assert "What are you looking for?" in body and "Postcode or town" in body


def test_removal_links_keep_every_other_parameter(demo):
    body = page(demo, "/search?q=walk&place=Fenham&distance=5&access=free&day=mon&time=morning&sort=distance")
    links = [href for href in _hrefs(body) if href.startswith("/search?")]
    removals = {frozenset(parse_qsl(urlsplit(h.replace("&amp;", "&")).query)) for h in links}
    full = {("q", "walk"), ("place", "Fenham"), ("distance", "5"), ("access", "free"), ("day", "mon"),
            ("time", "morning"), ("sort", "distance")}
    for gone in [("place", "Fenham"), ("distance", "5"), ("access", "free"), ("day", "mon"), ("time", "morning")]:
        assert frozenset(full - {gone}) in removals, gone


def _hrefs(body: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', body)


@pytest.mark.parametrize(("typo", "shown"), [("walkng+group", "walking group"), ("swiming", "swimming"),
                                             ("monney+advice", "money advice")])
def test_a_corrected_search_shows_words_not_stems(demo, typo, shown):
    body = page(demo, f"/search?q={typo}")
    assert f"Showing results for ‘<strong>{shown}</strong>’" in body
