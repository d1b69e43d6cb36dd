#!/usr/bin/env python3
"""Derive seed_data/gazetteer.csv from the GeoNames GB postal extract and places-extra.csv.

Usage: python3 seed_data/build_gazetteer.py [GEONAMES_GB_TXT]
(default ../shared/geo/geonames-GB.txt beside the repository). Standard library only.

Output columns: outward, place, region, county, latitude, longitude, accuracy, source.
GeoNames rows are kept as they are (CC BY 4.0, credit GeoNames); places-extra.csv adds
neighbourhoods of the demo area that GeoNames lacks, positioned at the centroid of their
postcode sector in Ordnance Survey Code-Point Open (OGL).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "geo" / "geonames-GB.txt"
FIELDS = ["outward", "place", "region", "county", "latitude", "longitude", "accuracy", "source"]


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    rows = []
    with source.open(encoding="utf-8") as handle:
        for cols in csv.reader(handle, delimiter="\t"):
            if len(cols) < 11 or not cols[1]:
                continue
            rows.append([cols[1], cols[2], cols[3], cols[5], cols[9], cols[10], cols[11], "geonames"])
    with (HERE / "places-extra.csv").open(encoding="utf-8") as handle:
        for extra in csv.DictReader(handle):
            rows.append([extra["outward"], extra["place"], "England", extra["county"],
                         extra["latitude"], extra["longitude"], "6", "local"])
    with (HERE / "gazetteer.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {HERE / 'gazetteer.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
