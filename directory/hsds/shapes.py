"""Which shape a feed is in, and ORUK v1 services read as HSDS 3 services.

Councils on Open Place (and other ORUK v1 publishers) serve lists of v1 services, or pages
of them as `{"content": [...], "totalElements": n, "last": bool}`. A v1 service is turned
here into the HSDS 3 fields parse.py already reads, so one parser checks both; what v1 says
that has no HSDS 3 home (attending_type, deliverable_type, fees, regular_schedules, ...)
is moved to where it belongs, and the fields nobody can use are counted, never dropped
without a word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

HSDS3_LIST = "HSDS/ORUK 3.0 list of services"
HSDS3_PAGE = "HSDS/ORUK 3.0 page of services"
HSDS3_SERVICE = "HSDS/ORUK 3.0 service"
V1_LIST = "ORUK v1 list of services"
V1_PAGE = "ORUK v1 page of services (content/totalElements/last)"
V1_SERVICE = "ORUK v1 service"

# Fields only ORUK v1 has; one of them on a service says the feed is v1.
V1_MARKS = ("attending_type", "attending_access", "deliverable_type", "regular_schedules",
            "service_taxonomys", "eligibilitys", "fees", "pc_metadata")
# HSDS 3 fields that v1 never has.
V3_MARKS = ("schedules", "attributes", "cost_options", "phones", "last_modified",
            "organization_id", "metadata")

# What attending_type / attending_access say in our access vocabulary (spec: remote modes).
ATTENDING = {"online": "online", "phone": "telephone", "telephone": "telephone",
             "home visit": "home-visit", "home-visit": "home-visit"}
ACCESS = {"drop-in": "drop-in", "drop in": "drop-in", "self referral": "self-referral",
          "self-referral": "self-referral", "appointment": "booking-required",
          "booking": "booking-required", "referral": "professional-referral"}
DELIVERABLE_TAXONOMY = "ORUK v1 deliverable_type"
AUDIENCE_TAXONOMY = "ORUK v1 target audience"
WEEKDAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
            "friday": "FR", "saturday": "SA", "sunday": "SU"}
# v1 and pc_* fields we read; every other field of a v1 service is counted as unused.
V1_READ = {"id", "name", "description", "url", "email", "status", "fees", "attending_type",
           "attending_access", "deliverable_type", "assured_date", "organization",
           "pc_attendingAccess_additionalInfo", "pc_targetAudience", "contacts",
           "regular_schedules", "service_at_locations", "service_taxonomys", "eligibilitys",
           "languages", "cost_options", "service_areas", "alternate_name", "accreditations",
           "wait_time", "application_process", "fees_description", "eligibility_description"}


def is_v1_service(item: object) -> bool:
    return (isinstance(item, Mapping) and any(k in item for k in V1_MARKS)
            and not any(k in item for k in V3_MARKS))


def detect(document: object) -> tuple[str, list[object]]:
    """(the shape's name, its services) for a parsed JSON document; ValueError if neither."""
    if isinstance(document, list):
        v1 = any(is_v1_service(x) for x in document[:50])
        return (V1_LIST if v1 else HSDS3_LIST), document
    if isinstance(document, Mapping):
        if isinstance(document.get("content"), list):
            return V1_PAGE, document["content"]
        if isinstance(document.get("contents"), list):
            return HSDS3_PAGE, document["contents"]
        if "id" in document and "name" in document:
            return (V1_SERVICE if is_v1_service(document) else HSDS3_SERVICE), [document]
    raise ValueError("expected a JSON list of HSDS services, a page with 'contents' (HSDS 3) "
                     "or one with 'content' (ORUK v1)")


# HSDS 3 service fields with no place in the directory (counted in the import summary).
V3_UNUSED = ("interpretation_services", "accreditations", "licenses", "alert", "funding",
             "program", "required_documents", "assurer_email", "fees")


def count_unused(raw: Mapping[str, Any], counts: Counter[str]) -> None:
    """Count the fields of one service that carry a value we do not read."""
    if is_v1_service(raw):
        unused = [k for k in raw if k not in V1_READ or k == "accreditations"]
    else:
        unused = [k for k in V3_UNUSED if k in raw and not (k == "fees" and
                                                            raw.get("fees_description"))]
    for key in unused:
        if raw.get(key) not in (None, "", [], {}):
            counts[key] += 1


def v1_to_hsds3(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A v1 service as the HSDS 3 service parse.py reads; unknown fields pass through."""
    out = {k: v for k, v in raw.items() if k not in V1_READ or k in (
        "id", "name", "description", "url", "email", "status", "assured_date", "alternate_name",
        "wait_time", "application_process", "fees_description", "eligibility_description")}
    out["organization"] = _organization(raw.get("organization"))
    attributes: list[dict[str, Any]] = []
    for value, table in ((raw.get("attending_type"), ATTENDING),
                         (raw.get("attending_access"), ACCESS)):
        code = table.get(str(value or "").strip().casefold())
        if code:
            attributes.append(_term("sp-access", code))
    for name in _texts(raw.get("deliverable_type")):
        attributes.append(_foreign(DELIVERABLE_TAXONOMY, name))
    for item in raw.get("pc_targetAudience") or []:
        if isinstance(item, Mapping) and str(item.get("audienceType") or "").strip():
            attributes.append(_foreign(AUDIENCE_TAXONOMY, str(item["audienceType"]).strip()))
    for item in raw.get("service_taxonomys") or []:
        taxonomy = item.get("taxonomy") if isinstance(item, Mapping) else None
        if isinstance(taxonomy, Mapping) and taxonomy.get("name"):
            attributes.append({"taxonomy_term": {
                "id": taxonomy.get("id"), "name": taxonomy.get("name"), "code": taxonomy.get("id"),
                "taxonomy": taxonomy.get("vocabulary") or "ORUK v1 taxonomy"}})
    if attributes:
        out["attributes"] = attributes
    if str(raw.get("fees") or "").strip() and not raw.get("fees_description"):
        out["fees_description"] = raw["fees"]
    extra = str(raw.get("pc_attendingAccess_additionalInfo") or "").strip()
    if extra and not raw.get("application_process"):
        out["application_process"] = extra
    if isinstance(raw.get("cost_options"), list):
        out["cost_options"] = raw["cost_options"]
    out.update(_eligibility(raw.get("eligibilitys")))
    if raw.get("languages"):
        out["languages"] = [{"name": x.get("language")} if isinstance(x, Mapping) else x
                            for x in raw["languages"]]
    if raw.get("service_areas"):
        out["service_areas"] = [{"name": x.get("service_area")} if isinstance(x, Mapping) else x
                                for x in raw["service_areas"]]
    if raw.get("contacts"):
        out["contacts"] = [_contact(c) for c in raw["contacts"]]
    if raw.get("regular_schedules"):
        out["schedules"] = [_schedule(s) for s in raw["regular_schedules"]]
    if raw.get("service_at_locations"):
        out["service_at_locations"] = [_sal(s) for s in raw["service_at_locations"]]
    return out


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip()]
    return []


def _term(taxonomy: str, code: str) -> dict[str, Any]:
    return {"taxonomy_term": {"taxonomy": taxonomy, "code": code}}


def _foreign(taxonomy: str, name: str) -> dict[str, Any]:
    return {"taxonomy_term": {"name": name, "code": name, "taxonomy": taxonomy}}


def _organization(org: object) -> object:
    if not isinstance(org, Mapping):
        return org
    out = dict(org)
    if "website" not in out and out.get("url"):
        out["website"] = out.pop("url")
    else:
        out.pop("url", None)
    return out


def _eligibility(items: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(items, list):
        return out
    texts = [str(e.get("eligibility")).strip() for e in items
             if isinstance(e, Mapping) and str(e.get("eligibility") or "").strip()]
    mins = [e["minimum_age"] for e in items if isinstance(e, Mapping)
            and isinstance(e.get("minimum_age"), int)]
    maxes = [e["maximum_age"] for e in items if isinstance(e, Mapping)
             and isinstance(e.get("maximum_age"), int)]
    if texts:
        out["eligibility_description"] = "; ".join(texts)
    if mins:
        out["minimum_age"] = min(mins)
    if maxes:
        out["maximum_age"] = max(maxes)
    return out


def _contact(contact: object) -> object:
    if not isinstance(contact, Mapping):
        return contact
    out = dict(contact)
    if isinstance(out.get("phones"), list):
        out["phones"] = [{"number": p.get("number")} if isinstance(p, Mapping) else p
                         for p in out["phones"]]
    return out


def _schedule(schedule: object) -> object:
    if not isinstance(schedule, Mapping):
        return schedule
    out = dict(schedule)
    day = WEEKDAYS.get(str(out.pop("weekday", "") or "").strip().casefold())
    if day and not out.get("byday"):
        out["byday"] = day
        out.setdefault("freq", "WEEKLY")
    return out


def _sal(sal: object) -> object:
    if not isinstance(sal, Mapping):
        return sal
    out = dict(sal)
    location = out.get("location")
    if isinstance(location, Mapping):
        loc = dict(location)
        if "addresses" not in loc and isinstance(loc.get("physical_addresses"), list):
            loc["addresses"] = [dict(a, address_type="physical") for a in loc.pop(
                "physical_addresses") if isinstance(a, Mapping)]
        if "accessibility" not in loc and isinstance(loc.get("accessibility_for_disabilities"),
                                                     list):
            loc["accessibility"] = [{"description": a.get("accessibility")} for a in loc.pop(
                "accessibility_for_disabilities") if isinstance(a, Mapping)]
        out["location"] = loc
    if isinstance(out.get("regular_schedules"), list):
        out["schedules"] = [_schedule(s) for s in out.pop("regular_schedules")]
    return out
