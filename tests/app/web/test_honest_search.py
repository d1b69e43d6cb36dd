"""Honest search: a word is corrected only to one far more common in the catalogue and only
when the corrected query finds services with every word; the page says what it searched and
links to the search as typed; when only some words matched, it says so above the results."""

from __future__ import annotations

import re
from html import unescape

import pytest

from directory.search import Filters, run_search

from ..factories import make_service
from .test_search_pages import page


def shown(demo, query: str) -> dict:
    return demo.get(f"/search?format=json&{query}").get_json()


def test_underwater_basket_weaving_is_not_turned_into_something_else(demo):
    found = shown(demo, "q=underwater+basket+weaving")
    assert found["corrections"] == {} and found["searched_for"] is None
    assert found["total"] == 0
    body = page(demo, "/search?q=underwater+basket+weaving")
    assert "Results for ‘underwater basket weaving’" in body
    assert "based wear" not in body and 'id="no-results"' in body


@pytest.mark.parametrize(("typo", "fixed"), [("walkng", "walking"), ("lonly", "lonely"),
                                             ("chior", "choir"), ("benifits", "benefits")])
def test_a_typo_is_corrected_to_a_common_word_and_finds_something(demo, typo, fixed):
    found = shown(demo, f"q={typo}")
    assert found["searched_for"] == fixed and found["total"] > 0


def test_the_heading_shows_the_corrected_words_and_links_to_the_search_as_typed(demo):
    body = page(demo, "/search?q=walkng&place=NE4+8XJ")
    assert "<h1>Results for ‘walking’</h1>" in body and "walkng</h1>" not in body
    notice = re.search(r'<p id="showing-results-for">(.*?)</p>', body, re.S)[1]
    assert "Showing results for ‘<strong>walking</strong>’;" in notice
    link = unescape(re.search(r'id="search-instead" href="([^"]+)">‘walkng’</a>', notice)[1])
    assert link == "/search?q=walkng&exact=1&place=NE4+8XJ"
    as_typed = page(demo, link)
    assert "<h1>Results for ‘walkng’</h1>" in as_typed
    assert 'id="showing-results-for"' not in as_typed
    assert shown(demo, "q=walkng&exact=1")["total"] == 0
    # Filters applied from that page still search the words as typed.
    assert '<input type="hidden" name="exact" value="1">' in as_typed


def test_a_correction_rare_in_the_catalogue_is_not_made(db, app):
    # One listing says "grebe"; nobody's typo of "grebes" should be rewritten to a word that rare.
    make_service(db, "Fenham Birdwatchers", description="We look for the great crested grebe.")
    make_service(db, "Fenham Walkers", description="A gentle walk round the park.")
    with app.app_context():
        found = run_search("grebbe", Filters(), per_page=10)
    assert found.corrections == {} and found.total == 0


def test_when_no_service_has_every_word_the_page_says_so(db, app, client):
    make_service(db, "Fenham Choir", description="We sing together every week.",
                 activities=("choir-singing",), categories=("arts",))
    make_service(db, "Benwell Knit and Natter", description="Knitting and a cup of tea.",
                 activities=("crafts",), categories=("community",))
    with app.app_context():
        found = run_search("sing knitting", Filters(), per_page=10)
    assert found.any_word and found.total == 2
    body = client.get("/search?q=sing+knitting").get_data(as_text=True)
    notice = re.search(r'<p id="any-word">(.*?)</p>', body, re.S)[1]
    assert notice == ("No service mentions all of: <strong>sing knitting</strong>; showing "
                      "services that mention any of them.")
    assert body.index('id="any-word"') < body.index('id="results"')


def test_every_word_matching_says_nothing_of_the_kind(db, client):
    make_service(db, "Fenham Choir", description="We sing together every week.",
                 activities=("choir-singing",), categories=("arts",))
    body = client.get("/search?q=sing+together").get_data(as_text=True)
    assert 'id="any-word"' not in body
    assert client.get("/search?format=json&q=sing+together").get_json()["any_word_of"] is None


def test_the_simpler_search_says_so_too_when_the_index_is_missing(db, app, client):
    import shutil

    make_service(db, "Fenham Choir", description="We sing together every week.")
    make_service(db, "Benwell Knitters", description="Knitting and a cup of tea.")
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"], ignore_errors=True)
    found = client.get("/search?format=json&q=sing+knitting").get_json()
    assert found["search_notice"] and found["total"] == 2
    assert found["any_word_of"] == "sing knitting"
