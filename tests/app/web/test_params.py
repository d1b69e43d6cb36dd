"""Reading the results pages' GET parameters: shareable, forgiving, and plain about problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from directory.vocabulary import load_vocabulary
from directory.web.params import parse

VOCAB = load_vocabulary(Path(__file__).parents[3] / "seed_data" / "vocabulary.yaml")


def read(**args):
    return parse(MultiDict([(k, v) for k, vs in args.items() for v in (vs if isinstance(vs, list) else [vs])]), VOCAB)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("choir near Fenham within 2 km", ("choir", "Fenham", 2.0)),
        ("choir within 2km near Fenham", ("choir", "Fenham", 2.0)),
        ("walking group near NE4 8XJ", ("walking group", "NE4 8XJ", None)),
        ("swimming within 3 miles of Benwell", ("swimming", "Benwell", 4.83)),
        ("near Elswick", ("", "Elswick", None)),
        ("lunch club within 1 mile", ("lunch club", "", 1.61)),
        ("choir", ("choir", "", None)),
        ("nearly new sale", ("nearly new sale", "", None)),
    ],
)
def test_near_and_within_are_read_out_of_the_search_text(q, expected):
    p = read(q=q)
    assert (p.q, p.place, p.distance) == expected


def test_the_boxes_win_over_the_text():
    p = read(q="choir near Fenham within 2 km", place="Westerhope", distance="5")
    assert (p.q, p.place, p.distance) == ("choir near Fenham within 2 km", "Westerhope", 5.0)
    assert not p.read_from_text


def test_what_was_read_from_the_text_is_recorded_for_the_page():
    assert read(q="choir near Fenham within 2 km").read_from_text == {"distance": "2 km", "place": "Fenham"}


def test_repeatable_filters_keep_their_order_and_drop_duplicates_and_unknowns():
    p = read(access=["free", "drop-in", "free", "bogus"], day=["Monday", "tue", "someday"],
             time=["evening", "weekend"])
    assert p.access == ("free", "drop-in")
    assert p.days == ("mon", "tue")
    assert p.times == ("evening", "weekend")
    assert sum("We do not have a filter called" in n for n in p.notes) == 2


def test_urls_are_canonical_and_each_filter_can_be_removed():
    p = read(q="walk", place="Fenham", distance="2.50", access=["free", "drop-in"], page="3")
    assert p.query_string() == "q=walk&place=Fenham&distance=2.5&access=free&access=drop-in&page=3"
    assert p.without("access", "free") == "q=walk&place=Fenham&distance=2.5&access=drop-in"
    assert p.without("place") == "q=walk&distance=2.5&access=free&access=drop-in"
    assert p.with_page(1) == "q=walk&place=Fenham&distance=2.5&access=free&access=drop-in"


@pytest.mark.parametrize("distance", ["abc", "-1", "1e9", "0.001", "999", "5 miles"])
def test_an_unusable_distance_is_an_error_on_its_field(distance):
    p = read(place="Fenham", distance=distance)
    assert p.distance is None and "distance" in p.errors


def test_any_and_empty_distances_mean_no_limit():
    assert read(distance="").distance is None and read(distance="any").distance is None
    assert not read(distance="").errors


@pytest.mark.parametrize("page", ["0", "-2", "abc", "1.5", "9" * 5000])
def test_a_nonsense_page_is_the_first_page(page):
    assert read(page=page).page == 1
