"""The match contract's input (spec/match-api.md), validated once for the API, CLI and workspace."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range

import matcher

from .. import geocoding, plaintext
from ..vocabulary import Vocabulary

# The most items each list may hold, checked before any item is read (a profile sent with
# 100,000 availability windows is refused at once, not worked through).
LIST_LIMITS = {"goals": 50, "conditions": 50, "needs": 50, "languages": 20,
               "availability": 50, "exclude": 500}
# A profile is at most three levels deep (profile -> availability -> window).
MAX_DEPTH = 3

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


def _time(text: str) -> time:
    return time.max if text == "24:00" else time.fromisoformat(text)


class WholeNumber(fields.Integer):
    """A JSON integer: 70, or 70.0 (the same number in JSON), but never "70" or true."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer() and not isinstance(value, bool):
            value = int(value)
        return super()._validated(value)  # type: ignore[no-any-return]


def _one_line(value: str) -> None:
    if (problem := plaintext.single_line_problem(value)) is not None:
        raise ValidationError(problem)


def _no_controls(value: str) -> None:
    if (problem := plaintext.multi_line_problem(value)) is not None:
        raise ValidationError(problem)


class LocationIn(Schema):
    class Meta:
        unknown = RAISE

    postcode = fields.String(validate=[Length(min=1, max=20), _one_line])
    latitude = fields.Float(validate=Range(-90, 90), allow_nan=False)
    longitude = fields.Float(validate=Range(-180, 180), allow_nan=False)

    @validates_schema
    def _one_way(self, data: dict[str, Any], **kwargs: Any) -> None:
        has_point = "latitude" in data or "longitude" in data
        if "postcode" in data and has_point:
            raise ValidationError("Give a postcode or a latitude and longitude, not both")
        if has_point and not ("latitude" in data and "longitude" in data):
            raise ValidationError("Give both latitude and longitude")
        if not data:
            raise ValidationError("Give a postcode, or a latitude and longitude")


class WindowIn(Schema):
    class Meta:
        unknown = RAISE

    day = fields.String(required=True, validate=OneOf(DAYS, error="Use a day from mon to sun"))
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)

    @validates_schema
    def _times(self, data: dict[str, Any], **kwargs: Any) -> None:
        for key, name in (("from_", "from"), ("to", "to")):
            if key in data and not HHMM.match(data[key]):
                raise ValidationError("Use a 24-hour time like 09:30", name)
        if "from_" in data and "to" in data and data["from_"] >= data["to"]:
            raise ValidationError("The window must end after it starts", "to")


def _limit(name: str) -> Length:
    return Length(max=LIST_LIMITS[name], error=f"Give at most {LIST_LIMITS[name]} items")


def _term_list(name: str, section: str) -> fields.List:
    return fields.List(fields.String(validate=[Length(max=64), _one_line]), load_default=list,
                       validate=_limit(name), metadata={"section": section})


class ProfileIn(Schema):
    """The person profile of the match contract; unknown keys are refused."""

    class Meta:
        unknown = RAISE

    goals = _term_list("goals", "goals")
    conditions = _term_list("conditions", "conditions")
    location = fields.Nested(LocationIn, load_default=None)
    max_distance_km = fields.Float(
        load_default=8.0, allow_nan=False,
        validate=Range(min=0, max=1000, error="Give a distance from 0 to 1000 km"),
    )
    readiness = fields.String(load_default="ready")
    age = WholeNumber(load_default=None, allow_none=True, strict=True,
                         validate=Range(0, 130, error="Give an age from 0 to 130"))
    gender = fields.String(load_default=None, allow_none=True, validate=[Length(max=40), _one_line])
    availability = fields.List(fields.Nested(WindowIn), load_default=list,
                               validate=_limit("availability"))
    needs = _term_list("needs", "access")
    languages = fields.List(
        fields.String(validate=Length(equal=2, error="Use two-letter ISO 639-1 codes")),
        load_default=lambda: ["en"],
        validate=Length(min=1, max=LIST_LIMITS["languages"],
                        error=f"Give from 1 to {LIST_LIMITS['languages']} languages"),
    )
    text = fields.String(load_default="", validate=[Length(max=2000), _no_controls])
    # Not `exclude`, which would shadow Schema.exclude: the contract's name is its data_key.
    excluded = fields.List(fields.String(validate=[Length(max=64), _one_line]), data_key="exclude",
                           load_default=list, validate=_limit("exclude"))
    limit = WholeNumber(load_default=10, strict=True,
                           validate=Range(1, 50, error="Give a limit from 1 to 50"))

    def __init__(self, vocabulary: Vocabulary, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocabulary = vocabulary

    # Runs even when some fields are wrong, so one answer names every problem; a field that
    # failed on its own is absent from `data` and not judged again here.
    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _known_terms(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        for name in ("goals", "conditions", "needs"):
            section = self.fields[name].metadata["section"]
            unknown = sorted(set(data.get(name, [])) - self.vocabulary.ids(section))
            if unknown:
                kind = name[:-1] if name != 'needs' else 'need'
                errors[name] = [f"Unknown {kind} ids: {', '.join(unknown)}"]
        if "readiness" in data and data["readiness"] not in self.vocabulary.ids("readiness"):
            choices = ", ".join(sorted(self.vocabulary.ids("readiness")))
            errors["readiness"] = [f"Readiness must be one of: {choices}"]
        original = original if isinstance(original, dict) else {}
        judged = all(name in data or name not in original for name in ("goals", "text"))
        if judged and not data.get("goals") and not (data.get("text") or "").strip():
            errors["goals"] = ["Give at least one goal, or some text about what matters"]
        if errors:
            raise ValidationError(errors)


def load_profile(
    payload: object, vocabulary: Vocabulary, geocoder: geocoding.Geocoder
) -> matcher.Profile:
    """Validate a contract profile and resolve its location.

    Raises ValidationError({field: [messages]}) for anything the contract rejects.
    """
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["Send a JSON object"]})
    if depth(payload) > MAX_DEPTH:
        raise ValidationError({"_json": [f"The JSON is nested more than {MAX_DEPTH} levels deep, "
                                         "deeper than any profile"]})
    payload, errors = _drop_long_lists(payload)
    try:
        data = ProfileIn(vocabulary).load(payload)
    except ValidationError as err:
        errors = {**err.normalized_messages(), **errors}  # a list's own limit says more
        data = err.valid_data if isinstance(err.valid_data, dict) else {}
    origin, outward = None, None
    also_from: tuple[matcher.Point, ...] = ()
    location = data.get("location") if "location" not in errors else None
    if location and "postcode" in location:
        try:
            place = geocoder.resolve_location(location["postcode"])
        except geocoding.GeocodingError as err:
            errors["location"] = {"postcode": [str(err)]}
        else:
            origin, outward = matcher.Point(place.latitude, place.longitude), place.outward_code
            district = geocoder.district_centre(outward) if place.kind == "postcode" else None
            if district is not None:
                # A postcode is a point, but other directories (and the people judging us)
                # often read it as its district: a suggestion must be within reach either way.
                also_from = (matcher.Point(*district),)
    elif location:
        origin = matcher.Point(location["latitude"], location["longitude"])
        outward = geocoder.nearest_outward(location["latitude"], location["longitude"])
    if errors:
        raise ValidationError(errors)
    return matcher.Profile(
        # In the order given: goals most important first, the main condition first.
        goals=tuple(dict.fromkeys(data["goals"])),
        conditions=tuple(dict.fromkeys(data["conditions"])),
        origin=origin,
        also_from=also_from,
        outward_code=outward,
        max_distance_km=float(data["max_distance_km"]),
        readiness=data["readiness"],
        age=data["age"],
        gender=(data["gender"] or "").strip().lower() or None,
        availability=tuple(
            matcher.Window(w["day"], _time(w["from_"]), _time(w["to"]))
            for w in data["availability"]
        ),
        needs=frozenset(data["needs"]),
        languages=frozenset(code.lower() for code in data["languages"]),
        text=data["text"],
        exclude=frozenset(data["excluded"]),
        limit=data["limit"],
    )


def depth(value: object) -> int:
    """How deeply lists and objects nest in parsed JSON (a plain value is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level) for child in children)
    return deepest


def _drop_long_lists(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The payload without any list over its limit, and an error for each one taken out."""
    errors: dict[str, Any] = {}
    kept = dict(payload)
    for name, limit in LIST_LIMITS.items():
        if isinstance(kept.get(name), list) and len(kept[name]) > limit:
            errors[name] = [f"Give at most {limit} items (this had {len(kept.pop(name))})"]
    return kept, errors
