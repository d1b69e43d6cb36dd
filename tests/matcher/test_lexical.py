"""The built-in word match used when the app gives no full-text scores."""

import pytest

from matcher.lexical import relevance, shared_words, stem, terms


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("knitting", "knit"),
        ("walks", "walk"),
        ("stories", "story"),
        ("lunches", "lunch"),
        ("loved", "lov"),
        ("love", "lov"),
        ("class", "class"),
        ("bus", "bus"),
        ("hopes", "hop"),
    ],
)
def test_light_stemming_joins_the_forms_people_use(word, expected):
    assert stem(word) == expected


def test_stopwords_and_short_words_are_dropped():
    assert terms("He doesn't like it at all, but he used to love the river") == [
        "used",
        "lov",
        "river",
    ]


def test_rarer_shared_words_count_for_more():
    docs = {"a": "river walk", "b": "river fishing", "c": "river cafe"}
    scores = relevance("fishing by the river", docs)
    assert scores["b"].score > scores["a"].score == scores["c"].score > 0
    assert scores["b"].terms == ("fish", "river")


def test_no_words_no_relevance():
    assert all(m.score == 0 for m in relevance("the and of", {"a": "river"}).values())


def test_shared_words_are_quoted_as_the_person_wrote_them():
    assert shared_words("Loves Knitting and knitting", "A knit and natter group") == ("knitting",)
