"""Whatever arrives in the address bar, the public pages answer with a normal page and a
message, never a 500; a missing search index is a clear 503."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import result_ids

LONG = "walking " * 625  # 5,000 characters


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("place=ZZ9+9ZZ", "&#39;ZZ9 9ZZ&#39; is not a valid UK postcode"),
        ("place=Nowhereville&distance=2", "We could not find a place called"),
        ("place=NE4+9ZZ", "NE4 9ZZ is not a known postcode"),
        ("q=walk&distance=abc&place=Fenham", "Enter the distance as a number of kilometres"),
        ("distance=-3&place=Fenham", "Enter the distance as a number of kilometres"),
        ("distance=9999&place=Fenham", "Enter a distance between"),
        ("distance=5", "To search within a distance, enter a postcode or town"),
        ("page=9999", "so we are showing the last one"),
        ("page=abc", "That page number did not make sense"),
        ("page=-1", "That page number did not make sense"),
        (f"q={quote(LONG)}", "Your search was very long"),
        ("q=%22", "We could not find any words to search for"),
        ("q=*", "We could not find any words to search for"),
        ("q=(", "We could not find any words to search for"),
        ("q=AND", "We could not find any words to search for"),
        ("q=choir+AND+(walk*+OR+%22lunch", "services found"),
        ("q=title:walk^3~", "services found"),
        ("access=not-a-thing", "We do not have a filter called"),
        ("day=someday", "We do not have a filter called"),
        ("time=midnight", "We do not have a filter called"),
        ("sort=banana", "We did not recognise that way of sorting"),
        ("sort=distance", "To sort by distance, enter a postcode or town"),
        ("category=%ff", "We do not have a filter called"),
        ("place=" + "x" * 300, "Enter a postcode or town"),
        ("q=near+me", "To search near you, enter your postcode"),
    ],
)
def test_bad_input_gives_a_normal_page_with_a_message(demo, query, message):
    response = demo.get(f"/search?{query}")
    assert response.status_code == 200, query
    body = response.get_data(as_text=True)
    assert message in body, query
    assert "<h1" in body and "Traceback" not in body


def test_a_nul_character_is_refused_naming_its_field(demo):
    # Changed with the hardening issue: a NUL is never text, so it is refused, not looked up.
    response = demo.get("/search?category=%00%ff")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "category" in body and "contains a NUL character" in body
    assert "<h1" in body and "Traceback" not in body


@pytest.mark.parametrize("query", ["place=ZZ9+9ZZ", "distance=abc", "page=9999", f"q={quote(LONG)}",
                                   "q=%22*(AND", "access=zzz&day=x&time=y&sort=z&page=q"])
def test_bad_input_to_the_json_twin_is_answered_too(demo, query):
    response = demo.get(f"/search?{query}&format=json")
    assert response.status_code == 200
    data = response.get_json()
    assert data["errors"] or data["messages"]


def test_an_unknown_place_is_reported_beside_its_field_and_the_search_goes_on(demo):
    body = demo.get("/search?q=walk&place=ZZ9+9ZZ&distance=2").get_data(as_text=True)
    assert 'id="place-error"' in body and 'href="#place"' in body  # linked from the summary
    assert 'aria-describedby="place-hint place-error"' in body
    assert "There is a problem" in body
    assert "We have searched everywhere instead" in body
    assert result_ids(body)  # searched without distance


def test_a_bad_distance_is_reported_beside_its_field(demo):
    body = demo.get("/search?place=Fenham&distance=abc").get_data(as_text=True)
    assert 'id="distance-error"' in body and 'href="#distance"' in body
    assert 'value="abc"' in body  # shown back so it can be corrected
    assert result_ids(body)


def test_a_long_query_is_cut_not_refused(demo):
    response = demo.get(f"/search?q={quote(LONG)}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and len(body) < 200_000
    assert result_ids(body)


def test_query_text_is_escaped_in_the_page(demo):
    body = demo.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_without_a_search_index_pages_fall_back_and_say_so(client):
    # No index was ever built for this app: search falls back to the database and says so.
    for path in ("/search?q=walk", "/categories/arts"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Search is being rebuilt" in response.get_data(as_text=True)
    response = client.get("/search?q=walk&format=json")
    assert response.status_code == 200 and response.get_json()["search_notice"]
    assert client.get("/").status_code == 200  # the home page needs no index
