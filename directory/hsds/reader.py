"""Reading fields of incoming HSDS JSON: each problem is kept against the record's id and field.

Used by parse.py and its parts (venues.py, attributes.py, schedules.py). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ..models import SECTIONS, VENUE_ACCESS, Taxonomy
from ..vocabulary import Vocabulary, term_uuid
from .records import Problem
from .text import strip_invisible

EMAIL = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
# A bare web address as people type it: "www.x.org.uk", "linktr.ee/group" (no spaces, no @).
BARE_HOST = re.compile(r"^(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:[/?#]\S*)?$")
URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")
OUR_TAXONOMIES = {t.value: t for t in Taxonomy}
Locate = Callable[[str], "tuple[float, float] | None"]


@dataclass(frozen=True)
class TermIndex:
    """Our vocabulary as the importer needs it: known (taxonomy, code) pairs, by name and by id."""

    codes: frozenset[tuple[Taxonomy, str]]
    by_uuid: Mapping[str, tuple[Taxonomy, str]]
    venue_access: Mapping[str, str]  # casefolded label or code -> venue access code

    @classmethod
    def from_vocabulary(cls, vocab: Vocabulary) -> TermIndex:
        codes = frozenset(
            (taxonomy, item["id"]) for section, taxonomy in SECTIONS.items()
            for item in vocab.section(section)
        )
        venue = {}
        for code in VENUE_ACCESS:
            venue[code] = code
            venue[vocab.label("access", code).casefold()] = code
        return cls(codes, {term_uuid(t.value, c): (t, c) for t, c in codes}, venue)


class Reader:
    """Reads one service's JSON, collecting errors and warnings against its id."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, where: str, reason: str) -> None:
        self.errors.append(Problem(self.label, where, reason))

    def warn(self, where: str, reason: str) -> None:
        self.warnings.append(Problem(self.label, where, reason))

    def text(self, obj: Mapping[str, Any], key: str, where: str, limit: int | None = None) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(where, "must be a string")
            return ""
        value = value.strip()
        if limit is not None and len(value) > limit:
            self.error(where, f"is longer than {limit} characters")
            return ""
        return value

    def objects(self, obj: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, "must be a list")
            return []
        kept = []
        for n, item in enumerate(value):
            if isinstance(item, Mapping):
                kept.append(item)
            else:
                self.error(f"{where}[{n}]", "must be an object")
        return kept

    def problem(self, where: str, reason: str, drop: bool) -> None:
        """An error, or (drop) a warning that the field was left out."""
        if drop:
            self.warn(where, f"{reason}; left out")
        else:
            self.error(where, reason)

    def email(self, obj: Mapping[str, Any], key: str, where: str, drop: bool = False) -> str | None:
        """An email address, invisible characters removed; a bad one is an error, or with
        drop only a warning (the field is left out, the record kept)."""
        value = strip_invisible(self.text(obj, key, where, 254)).strip()
        if value and not EMAIL.match(value):
            self.problem(where, f"'{value}' is not an email address", drop)
            return None
        return value or None

    def url(self, obj: Mapping[str, Any], key: str, where: str, drop: bool = False) -> str | None:
        value = strip_invisible(self.text(obj, key, where, 500)).strip()
        if not value:
            return None
        if "://" not in value and "@" not in value and BARE_HOST.match(value):
            value = "https://" + value
        parts = urlsplit(value) if URI_CHARS.match(value) else None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            self.problem(where, f"'{value}' is not a web address (http:// or https://)", drop)
            return None
        return value

    def age(self, obj: Mapping[str, Any], key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.error(key, "must be a whole number of years")
            return None
        if not 0 <= value <= 150:
            self.error(key, "must be from 0 to 150")
            return None
        return int(value)


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (no zone means UTC)."""
    text = text.strip().upper()
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # Python keeps microseconds at most
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    try:
        return found.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return None


def optional_url(value: object) -> str | None:
    """A URL we can pass on, or None: a bad link in a term's metadata is not worth a skip."""
    if not isinstance(value, str) or len(value) > 500 or not URI_CHARS.match(value.strip()):
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None
