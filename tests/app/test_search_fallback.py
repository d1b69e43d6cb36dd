"""The search used while the index is rebuilt (search.fallback), asked directly: its words,
its distance rules for venues, remote services and home visits, and its order."""

from __future__ import annotations

import pytest

from directory.models import CoverageArea, ServiceStatus, Taxonomy
from directory.search import fallback
from directory.search.query import Filters

from .factories import make_location, make_service, term

NE4 = (54.9790, -1.6560)  # beside Fenham Hall, the factories' default venue


@pytest.fixture
def services(db):
    far = make_location(db, "Camden Centre", town="London", postcode="NW1 2BB",
                        latitude=51.5390, longitude=-0.1426)
    unplaced = make_location(db, "Somewhere", latitude=None, longitude=None)
    make_service(db, "fenham walking group")  # near, and in lower case
    make_service(db, "Camden Walking Group", locations=(far,))
    online = make_service(db, "Walking Talk Online", locations=(far,))
    online.terms.append(term(db, Taxonomy.ACCESS, "online"))
    visits = make_service(db, "Walking Buddies at Home", locations=(unplaced,))
    visits.terms.append(term(db, Taxonomy.ACCESS, "home-visit"))
    visits.coverage_rows.append(CoverageArea(outward_code="NE4"))
    elsewhere = make_service(db, "Walking Buddies Sunderland", locations=(unplaced,))
    elsewhere.terms.append(term(db, Taxonomy.ACCESS, "home-visit"))
    elsewhere.coverage_rows.append(CoverageArea(outward_code="SR1"))
    make_service(db, "Walking Archive", status=ServiceStatus.CLOSED)
    db.commit()


def test_without_a_place_every_active_match_is_listed_by_name(db, services):
    page = fallback.search(db, "walking", Filters())
    assert [h.name for h in page.hits] == [
        "Camden Walking Group", "fenham walking group", "Walking Buddies at Home",
        "Walking Buddies Sunderland", "Walking Talk Online"]
    assert page.total == 5 and all(h.distance_km is None for h in page.hits)
    assert [h.remote for h in page.hits] == [False, False, False, False, True]


def test_a_distance_keeps_near_venues_remote_services_and_home_visits_to_the_district(
        db, services):
    page = fallback.search(db, "walking", Filters(origin=NE4, outward_code="ne4", within_km=5))
    # Nearest venue first; the online service's is in London; the visits have no venue.
    assert [h.name for h in page.hits] == [
        "fenham walking group", "Walking Talk Online", "Walking Buddies at Home"]
    near, online, visits = page.hits
    assert near.distance_km is not None and near.distance_km < 1
    assert visits.distance_km is None and not visits.remote
    assert online.remote and online.distance_km is not None and online.distance_km > 300


def test_by_distance_across_pages_with_ties_by_name(db, services):
    pages = [fallback.search(db, "walking", Filters(origin=NE4), sort="distance", per_page=2,
                             page=n) for n in (1, 2, 3)]
    assert {p.total for p in pages} == {5}
    hits = [h for p in pages for h in p.hits]
    # Camden and the online service share a venue: the same distance, so by name.
    assert [h.name for h in hits] == [
        "fenham walking group", "Camden Walking Group", "Walking Talk Online",
        "Walking Buddies at Home", "Walking Buddies Sunderland"]
    assert hits[1].distance_km == hits[2].distance_km
    assert hits[3].distance_km is None and hits[4].distance_km is None


def test_no_service_has_every_word_so_any_word_is_enough(db, services):
    page = fallback.search(db, "camden zither", Filters())
    assert [h.name for h in page.hits] == ["Camden Walking Group"]
    assert page.total == 1
