"""A listing nobody has confirmed for six months says so in search results and on its page."""

from __future__ import annotations

from datetime import date

from directory import search

from ..factories import make_service


def test_search_results_flag_listings_not_checked_for_six_months(make_app) -> None:
    app = make_app(TODAY="2026-11-25")
    with app.extensions["db"].sessions() as db:
        make_service(db, "Fresh Walkers", activities=("walking-group",), categories=("physical-activity",),
                     last_verified=date(2026, 6, 1))
        make_service(db, "Dusty Walkers", activities=("walking-group",), categories=("physical-activity",),
                     last_verified=date(2026, 5, 1))
    with app.app_context():
        search.rebuild_all(app)
    client = app.test_client()

    found = {r["name"]: r for r in client.get("/search?q=walkers&format=json").get_json()["results"]}
    assert found["Dusty Walkers"]["may_be_out_of_date"] is True
    assert found["Fresh Walkers"]["may_be_out_of_date"] is False

    page = client.get("/search?q=dusty+walkers").get_data(as_text=True)
    assert "May be out of date" in page and "1 May 2026" in page
