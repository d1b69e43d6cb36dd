"""Reading one HSDS service (pure: no database): what is kept, what is an error, what a warning."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from directory.hsds.parse import TermIndex, parse_datetime, parse_service
from directory.hsds.records import Unreadable
from directory.models import Day, ServiceStatus, Taxonomy
from directory.vocabulary import HSDS_NAMESPACE, load_vocabulary, term_uuid

ROOT = Path(__file__).resolve().parents[3]
TERMS = TermIndex.from_vocabulary(load_vocabulary(ROOT / "seed_data" / "vocabulary.yaml"))
SERVICE_ID = "0415c970-251c-5dd5-a349-1b36a38c6d45"
ORG = {"id": "be7630a7-e9ae-5f7b-90c0-ec746c9d5fb1", "name": "Chest Friends", "description": "x"}


def service(**fields):
    return {
        "id": SERVICE_ID,
        "name": "Lungs Club",
        "status": "active",
        "organization": ORG,
        **fields,
    }


def parsed(**fields):
    result = parse_service(service(**fields), TERMS)
    assert result.errors == [], result.errors
    return result.record, [f"{w.field}: {w.reason}" for w in result.warnings]


def errors(raw) -> list[str]:
    result = parse_service(raw, TERMS)
    assert result.record is None
    return [f"{e.field}: {e.reason}" for e in result.errors]


def attribute(taxonomy: str, code: str, **term):
    return {"id": str(uuid.uuid4()), "taxonomy_term": {"taxonomy": taxonomy, "code": code, **term}}


@pytest.mark.parametrize(
    ("given", "status"),
    [
        ("active", ServiceStatus.ACTIVE),
        ("temporarily closed", ServiceStatus.PAUSED),
        ("inactive", ServiceStatus.PAUSED),
        ("defunct", ServiceStatus.CLOSED),
        ("Temporarily Closed", ServiceStatus.PAUSED),
    ],
)
def test_statuses_map_as_the_mapping_says(given, status):
    assert parsed(status=given)[0].status is status


def test_an_id_that_is_not_a_uuid_gets_the_uuid5_of_service_colon_id():
    record, _ = parsed(id="lungs-42")
    assert record.id == str(uuid.uuid5(HSDS_NAMESPACE, "service:lungs-42"))
    assert parsed(id=SERVICE_ID.upper())[0].id == SERVICE_ID


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        ("10:00:00", "11:30:00"),
        ("10:00", "11:30"),
        ("10:00Z", "11:30:00Z"),
        ("10:00:00+00:00", "11:30"),
    ],
)
def test_times_are_read_in_every_form_the_mapping_allows(opens, closes):
    record, _ = parsed(
        schedules=[
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "MO,th",
                "opens_at": opens,
                "closes_at": closes,
            }
        ]
    )
    assert [(s.day, s.starts_at, s.ends_at) for s in record.sessions] == [
        (Day.MON, time(10), time(11, 30)),
        (Day.THU, time(10), time(11, 30)),
    ]


def test_a_session_keeps_its_venue_through_service_at_location_id():
    sal, loc = str(uuid.uuid4()), str(uuid.uuid4())
    record, _ = parsed(
        service_at_locations=[
            {"id": sal, "location": {"id": loc, "name": "Hall", "location_type": "physical"}}
        ],
        schedules=[
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "TU",
                "opens_at": "10:00",
                "closes_at": "11:00",
                "service_at_location_id": sal,
            }
        ],
    )
    assert record.sessions[0].location_id == loc


def test_by_appointment_and_what_cannot_be_kept():
    record, warnings = parsed(
        schedules=[
            {"id": str(uuid.uuid4()), "description": "By appointment"},
            {
                "id": str(uuid.uuid4()),
                "freq": "MONTHLY",
                "byday": "1MO",
                "opens_at": "10:00",
                "closes_at": "11:00",
            },
            {"id": str(uuid.uuid4()), "description": "Open most days"},
        ]
    )
    assert record.by_appointment and record.sessions == ()
    assert warnings == [
        "schedules[1]: only weekly schedules are kept; this one is MONTHLY",
        "schedules[2]: only weekly schedules (freq WEEKLY, byday, opens_at, closes_at) are kept",
    ]


def test_our_terms_are_read_by_taxonomy_and_code_or_term_or_else_by_uuid():
    record, _ = parsed(
        attributes=[
            attribute("sp-activity", "walking-group"),
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {"taxonomy": "sp-category", "term": "community"},
            },
            {"id": str(uuid.uuid4()), "taxonomy_term_id": term_uuid("sp-condition", "copd")},
        ]
    )
    assert record.terms == (
        (Taxonomy.ACTIVITY, "walking-group"),
        (Taxonomy.CATEGORY, "community"),
        (Taxonomy.CONDITION, "copd"),
    )
    assert record.external_terms == ()


def test_an_unknown_term_of_our_own_taxonomy_is_an_error():
    assert errors(service(attributes=[attribute("sp-activity", "knitting-circle")])) == [
        "attributes[0].taxonomy_term: unknown sp-activity term 'knitting-circle'"
    ]


def test_terms_of_other_taxonomies_are_kept_with_their_taxonomy():
    term_id = str(uuid.uuid4())
    record, _ = parsed(
        attributes=[
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {
                    "id": term_id,
                    "name": "Lung health",
                    "code": "LH",
                    "taxonomy": "esd-service",
                    "parent_id": "not-a-uuid",
                    "term_uri": "https://example.org/terms/LH",
                },
            }
        ]
    )
    (kept,) = record.external_terms
    assert (kept.id, kept.name, kept.description, kept.code) == (
        term_id,
        "Lung health",
        "Lung health",
        "LH",
    )
    assert kept.taxonomy.name == "esd-service" and kept.parent_id is None
    assert kept.term_uri == "https://example.org/terms/LH"


def test_venue_access_is_read_from_accessibility_and_the_rest_kept_as_notes():
    record, _ = parsed(
        service_at_locations=[
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": str(uuid.uuid4()),
                    "name": "Hall",
                    "latitude": 54.97,
                    "longitude": -1.6,
                    "addresses": [
                        {
                            "address_1": "1 Road",
                            "city": "Benwell",
                            "postal_code": "ne48dn",
                            "country": "GB",
                            "address_type": "physical",
                            "state_province": "x",
                        }
                    ],
                    "accessibility": [
                        {"description": "Hearing loop"},
                        {"description": "wheelchair-accessible"},
                        {"description": "Ramp at the side door."},
                    ],
                },
            }
        ],
        attributes=[attribute("sp-access", "hearing-loop"), attribute("sp-access", "parking")],
    )
    (venue,) = record.locations
    assert venue.access == ("hearing-loop", "wheelchair-accessible")
    assert venue.access_notes == "Ramp at the side door."
    assert venue.postcode == "NE4 8DN" and venue.town == "Benwell"
    # said of the venue already, so not kept on the service; parking no venue says, so kept
    assert record.terms == ((Taxonomy.ACCESS, "parking"),)


def test_a_venue_without_a_position_is_placed_by_its_postcode():
    def locate(postcode):
        return (54.9692, -1.6497) if postcode == "NE4 8DN" else None

    raw = service(
        service_at_locations=[
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": "venue-1",
                    "name": "Hall",
                    "addresses": [{"address_1": "1 Road", "postal_code": "NE4 8DN"}],
                },
            }
        ]
    )
    (venue,) = parse_service(raw, TERMS, locate).record.locations
    assert (venue.latitude, venue.longitude) == (54.9692, -1.6497)
    assert venue.id == str(uuid.uuid5(HSDS_NAMESPACE, "location:venue-1"))


def test_costs_languages_ages_and_areas():
    record, warnings = parsed(
        cost_options=[
            {"id": str(uuid.uuid4()), "amount": 3.5, "currency": "GBP"},
            {"id": str(uuid.uuid4()), "option": "Concessions", "amount": 2},
        ],
        languages=[
            {"id": str(uuid.uuid4()), "code": "pol"},
            {"id": str(uuid.uuid4()), "name": "Welsh"},
            {"id": str(uuid.uuid4()), "code": "EN"},
            {"id": str(uuid.uuid4())},
            {"id": str(uuid.uuid4()), "code": "klingon"},
        ],
        minimum_age=18.0,
        maximum_age=65,
        service_areas=[
            {"id": str(uuid.uuid4()), "name": "ne9"},
            {"id": str(uuid.uuid4()), "name": "All of Gateshead"},
        ],
    )
    assert (record.is_free, record.cost) == (False, "£3.50; Concessions: £2")
    assert record.languages == ("cy", "en", "pl")
    assert (record.min_age, record.max_age) == (18, 65)
    assert record.coverage == ("NE9",)
    assert warnings == [
        "languages[4]: 'klingon' is not an ISO 639 language code; left out",
        "service_areas[1]: only postcode districts (e.g. NE9) are kept; left out",
    ]
    free, _ = parsed(
        cost_options=[
            {
                "id": str(uuid.uuid4()),
                "amount": 0,
                "option": "Free",
                "amount_description": "Free (NHS)",
            }
        ]
    )
    assert (free.is_free, free.cost) == (True, "Free (NHS)")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": ""}, "name: is missing"),
        ({"name": "x" * 201}, "name: is longer than 200 characters"),
        ({"status": None}, "status: is missing"),
        ({"organization": None}, "organization: is missing: every service needs an organization"),
        (
            {"organization_id": str(uuid.uuid4())},
            "organization_id: is not the id of the service's organization",
        ),
        (
            {"url": "javascript:alert(1)"},
            "url: 'javascript:alert(1)' is not a web address (http:// or https://)",
        ),
        ({"minimum_age": -1}, "minimum_age: must be from 0 to 150"),
        ({"maximum_age": "old"}, "maximum_age: must be a whole number of years"),
        ({"assured_date": "last week"}, "assured_date: 'last week' is not a date (YYYY-MM-DD)"),
        ({"last_modified": "soon"}, "last_modified: 'soon' is not a date and time"),
        ({"attributes": "walking"}, "attributes: must be a list"),
        (
            {
                "schedules": [
                    {"freq": "WEEKLY", "byday": "MO", "opens_at": "25:00", "closes_at": "26:00"}
                ]
            },
            "schedules[0].opens_at: '25:00' is not a time (HH:MM:SS)",
        ),
    ],
)
def test_what_makes_a_record_invalid(changes, problem):
    raw = service()
    for key, value in changes.items():
        if value is None:
            raw.pop(key)
        else:
            raw[key] = value
    assert problem in errors(raw)


def test_an_unreadable_or_shapeless_record_is_reported():
    assert errors(Unreadable("abc", "it answered 404")) == [": it answered 404"]
    assert errors(["a list"]) == [": is not a JSON object"]


def test_a_website_without_a_scheme_gets_https():
    assert parsed(url="www.example.org/lungs")[0].website == "https://www.example.org/lungs"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        ("2026-01-31T10:00:00Z", datetime(2026, 1, 31, 10, tzinfo=UTC)),
        ("2026-01-31t10:00:00.123456789+01:00", datetime(2026, 1, 31, 9, 0, 0, 123456, tzinfo=UTC)),
        ("0001-01-01T00:00:00+01:00", None),
        ("yesterday", None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


def test_assured_date_and_last_modified():
    record, _ = parsed(assured_date="2026-09-11", last_modified="2026-11-25T18:34:02.725Z")
    assert record.last_verified == date(2026, 9, 11)
    assert record.last_modified == datetime(2026, 11, 25, 18, 34, 2, 725000, tzinfo=UTC)
