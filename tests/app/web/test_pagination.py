"""The pagination macro: first, last and the current page's neighbours, gaps as an ellipsis,
and never a loop over every page number."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask


def render(app: Flask, page: int, pages: int) -> str:
    with app.test_request_context():
        module = app.jinja_env.get_template("_macros/pagination.html").module
        return str(module.pagination(page, pages, lambda n: f"q=walk&page={n}",
                                     "/search"))


def shown(html: str) -> list[int | str]:
    """The list as read: page numbers, and "…" for each ellipsis."""
    items = re.findall(r'item--ellipsis|aria-label="Page (\d+)"', html)
    return [int(n) if n else "…" for n in items]


def test_one_page_needs_no_pagination(app):
    assert "nhsuk-pagination" not in render(app, 1, 1)


def test_two_pages_show_both_and_a_way_on(app):
    html = render(app, 1, 2)
    assert shown(html) == [1, 2]
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert 'href="/search?q=walk&amp;page=2"' in html
    assert 'aria-current="page">1<' in html


@pytest.mark.parametrize(("page", "expected"), [
    (1, [1, 2, "…", 7]),
    (3, [1, 2, 3, 4, "…", 7]),
    (4, [1, "…", 3, 4, 5, "…", 7]),
    (6, [1, "…", 5, 6, 7]),
    (7, [1, "…", 6, 7]),
])
def test_seven_pages_show_the_ends_and_the_neighbours(app, page, expected):
    assert shown(render(app, page, 7)) == expected


@pytest.mark.parametrize(("page", "expected"), [
    (1, [1, 2, "…", 500]),
    (250, [1, "…", 249, 250, 251, "…", 500]),
    (500, [1, "…", 499, 500]),
])
def test_five_hundred_pages_show_five_numbers_at_most(app, page, expected):
    html = render(app, page, 500)
    assert shown(html) == expected
    assert ('rel="prev"' in html) == (page > 1) and ('rel="next"' in html) == (page < 500)


def test_the_page_count_costs_nothing(app):
    started = time.perf_counter()
    assert shown(render(app, 5, 10**8)) == [1, "…", 4, 5, 6, "…", 10**8]
    assert time.perf_counter() - started < 1  # a loop over 10^8 pages would take minutes
