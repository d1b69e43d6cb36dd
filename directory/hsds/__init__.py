"""Open Referral UK (HSDS 3.0): our services out as HSDS JSON, HSDS feeds in.

spec/hsds-mapping.md says how our fields and vocabulary map. The parts:

- serialise.py: rows -> HSDS JSON (the API and the export);
- parse.py: HSDS JSON -> checked ServiceRecords (records.py), errors and warnings per field;
- importer.py: ServiceRecords -> rows, upserted by id in batches through the app's sessions;
- feed.py: a file or an HSDS API's pages as a stream of services;
- queries.py: the read queries behind the API; export.py: `directory export-hsds`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..geocoding import Geocoder, GeocodingError, is_full_postcode
from .export import write_export
from .feed import Feed, FeedError, fetch_json, open_source, source_label, walk_api
from .importer import Importer, ImportReport, ImportStopped, VocabularyMissing
from .records import Problem

__all__ = [
    "Feed",
    "FeedError",
    "ImportReport",
    "ImportStopped",
    "Importer",
    "Problem",
    "VocabularyMissing",
    "fetch_json",
    "open_source",
    "postcode_locator",
    "source_label",
    "walk_api",
    "write_export",
]


def postcode_locator(geocoder: Geocoder) -> Callable[[str], tuple[float, float] | None]:
    """Position of a full UK postcode, for venues that come without one (None if unknown)."""

    def locate(postcode: str) -> tuple[float, float] | None:
        if not is_full_postcode(postcode):
            return None
        try:
            place = geocoder.resolve_postcode(postcode)
        except GeocodingError:
            return None
        return place.latitude, place.longitude

    return locate
