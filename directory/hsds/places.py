"""The county of a postcode district, for the `state_province` that HSDS addresses require."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from ..geocoding import FULL_POSTCODE, compact


@lru_cache(maxsize=4)
def _counties(gazetteer: str) -> dict[str, str]:
    """outward code -> its most common county in the gazetteer (GeoNames)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    with Path(gazetteer).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("county"):
                seen[row["outward"].upper()][row["county"]] += 1
    return {outward: counts.most_common(1)[0][0] for outward, counts in seen.items()}


def county_finder(gazetteer: str | Path) -> CountyFinder:
    return CountyFinder(str(gazetteer))


class CountyFinder:
    """county_of("NE4 8DN") -> "Tyne and Wear"; "" when the district is unknown."""

    def __init__(self, gazetteer: str) -> None:
        self._gazetteer = gazetteer

    def __call__(self, postcode: str) -> str:
        code = compact(postcode or "")
        match = FULL_POSTCODE.match(code)
        outward = match[1] if match else code
        return _counties(self._gazetteer).get(outward, "") if outward else ""
