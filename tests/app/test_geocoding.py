"""Offline geocoding of full postcodes, outward codes and place names, and its errors."""

from __future__ import annotations

import pytest

from directory.geocoding import (
    GeocodingError,
    MalformedPostcode,
    UnknownPlace,
    UnknownPostcode,
    distance_km,
    normalise_postcode,
)
from directory.geocoding import current as current_geocoder


@pytest.fixture
def geocoder(app):
    with app.app_context():
        yield current_geocoder()


@pytest.mark.parametrize("text", ["NE4 8XJ", "ne4 8xj", "ne48xj", "  NE4   8XJ ", "nE4 8Xj"])
def test_postcodes_are_normalised_whatever_the_spacing_or_case(text):
    assert normalise_postcode(text) == "NE4 8XJ"


@pytest.mark.parametrize("text", ["NE4 8X", "NE4", "12345", "NE4 8XJJ", "", "Q1 1AA", "NE4 8XC"])
def test_malformed_full_postcodes_are_refused(text):
    with pytest.raises(MalformedPostcode):
        normalise_postcode(text)


@pytest.mark.parametrize(
    ("postcode", "true_position"),
    [
        # Published positions (ONS Postcode Directory) of each postcode's centre.
        ("NE4 8XJ", (54.975282, -1.659443)),
        ("SW1A 1AA", (51.501009, -0.141588)),
        ("NE1 4ST", (54.97392, -1.62108)),
    ],
)
def test_full_postcodes_resolve_to_their_own_position(geocoder, postcode, true_position):
    place = geocoder.resolve(postcode)
    assert place.kind == "postcode"
    assert place.label == postcode
    assert distance_km((place.latitude, place.longitude), true_position) < 0.2


def test_a_full_postcode_knows_its_outward_code(geocoder):
    assert geocoder.resolve("ne4 8xj").outward_code == "NE4"


def test_northern_ireland_postcodes_resolve_to_their_district(geocoder):
    place = geocoder.resolve("BT1 5GS")
    belfast = (54.5973, -5.9301)
    assert place.outward_code == "BT1"
    assert distance_km((place.latitude, place.longitude), belfast) < 5


@pytest.mark.parametrize(
    ("text", "near", "within_km"),
    [
        ("NE4", (54.975, -1.645), 3),
        ("ne26", (55.04, -1.45), 3),
        ("SW1A", (51.50, -0.14), 2),
        ("Fenham", (54.981, -1.653), 1.5),
        ("fenham", (54.981, -1.653), 1.5),
        ("Whitley Bay", (55.04, -1.447), 2),
        ("Arthurs Hill", (54.975, -1.632), 1.5),
        ("Arthur's Hill", (54.975, -1.632), 1.5),
        ("Newcastle upon Tyne", (54.973, -1.614), 2),
    ],
)
def test_outward_codes_and_place_names_give_their_area(geocoder, text, near, within_km):
    place = geocoder.resolve(text)
    assert distance_km((place.latitude, place.longitude), near) < within_km


def test_ambiguous_place_names_prefer_the_home_area(geocoder):
    # There are Kentons in Devon, Suffolk and Newcastle; the directory serves Newcastle.
    place = geocoder.resolve("Kenton")
    assert place.outward_code == "NE3"


def test_a_qualifier_picks_between_places_of_the_same_name(geocoder):
    assert geocoder.resolve("Kenton, Devon").outward_code == "EX6"


def test_a_postcode_in_no_postcode_area_is_a_clear_error(geocoder):
    with pytest.raises(GeocodingError, match="XX99 9ZZ"):
        geocoder.resolve("XX99 9ZZ")


@pytest.mark.parametrize("text", ["NE4 0ZZ", "NE99 9ZZ", "ZE9 9ZZ"])
def test_a_well_formed_but_unused_postcode_is_unknown(geocoder, text):
    with pytest.raises(UnknownPostcode, match="is not a known postcode"):
        geocoder.resolve(text)


def test_an_unknown_place_is_a_clear_error(geocoder):
    with pytest.raises(UnknownPlace, match="not a place"):
        geocoder.resolve("not a place")


@pytest.mark.parametrize("text", ["", "   ", "x" * 101])
def test_empty_or_absurd_input_is_refused(geocoder, text):
    with pytest.raises(GeocodingError):
        geocoder.resolve(text)


def test_postcode_like_text_that_is_not_a_postcode_is_called_malformed(geocoder):
    with pytest.raises(MalformedPostcode):
        geocoder.resolve("NE4 8X")


def test_the_online_geocoder_is_used_only_when_configured(make_app):
    calls = []

    def fake_online(text):
        calls.append(text)
        return (54.9800, -1.6500)

    app = make_app()
    with app.app_context():
        geocoder = current_geocoder()
        assert geocoder.online is None  # off by default
        geocoder.online = fake_online
        try:
            place = geocoder.resolve("Fenham")
        finally:
            geocoder.online = None
    assert calls == ["Fenham"]
    assert (place.latitude, place.longitude) == (54.98, -1.65)


def test_nearest_outward_code_of_a_point(geocoder):
    assert geocoder.nearest_outward(55.0397, -1.4471) == "NE26"


def test_nearest_outward_code_is_the_nearest_of_every_district_checked_one_by_one(geocoder):
    import random

    table = geocoder.gazetteer._load()
    rng = random.Random(16)
    for _ in range(400):
        lat, lon = rng.uniform(49.9, 60.8), rng.uniform(-8.2, 1.8)
        nearest = min(
            table, key=lambda c: (table[c][0] - lat) ** 2 + ((table[c][1] - lon) * 0.6) ** 2)
        assert geocoder.nearest_outward(lat, lon) == nearest
