"""Pure file checks: seed_data/synonyms.yaml and the benchmark catalogue generator.

No app, database or network: these read files and call bench/synthetic.py directly.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("categories", "activities", "conditions", "access", "goals", "intensity")
VENUE_ACCESS = {"wheelchair-accessible", "step-free", "accessible-toilet", "hearing-loop",
                "near-bus-stop", "parking"}


@cache
def vocabulary() -> dict[str, Any]:
    with (ROOT / "seed_data" / "vocabulary.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def vocabulary_ids() -> frozenset[str]:
    vocab = vocabulary()
    return frozenset(term["id"] for section in SECTIONS for term in vocab[section])


def section_ids(section: str) -> set[str]:
    return {term["id"] for term in vocabulary()[section]}


@cache
def synonyms() -> list[dict[str, Any]]:
    with (ROOT / "seed_data" / "synonyms.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def meanings(phrase: str) -> set[str]:
    """Every id that any entry saying `phrase` maps to."""
    return {m for entry in synonyms() if phrase in entry["say"] for m in entry["means"]}


@cache
def synthetic() -> ModuleType:
    path = ROOT / "bench" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("bench_synthetic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@cache
def small_catalogue() -> dict[str, list[dict[str, Any]]]:
    return synthetic().make_catalogue(300)


# --- synonyms.yaml -----------------------------------------------------------------------


def test_synonyms_is_a_list_of_say_means_entries():
    entries = synonyms()
    assert isinstance(entries, list)
    for entry in entries:
        assert isinstance(entry, dict) and set(entry) == {"say", "means"}, entry


def test_synonyms_has_at_least_70_entries():
    assert len(synonyms()) >= 70


def test_every_say_list_is_non_empty_lowercase_short_phrases():
    for entry in synonyms():
        say = entry["say"]
        assert isinstance(say, list) and say, entry
        for phrase in say:
            assert isinstance(phrase, str), (phrase, entry)  # catches YAML's `no`/`on` booleans
            assert phrase == phrase.lower() == phrase.strip() and phrase, phrase
            assert 1 <= len(phrase.split()) <= 4, phrase
        assert len(set(say)) == len(say), f"duplicate phrase in {say}"


def test_every_means_list_is_non_empty_and_uses_only_vocabulary_ids():
    known = vocabulary_ids()
    for entry in synonyms():
        means = entry["means"]
        assert isinstance(means, list) and means, entry
        assert len(set(means)) == len(means), entry
        unknown = [m for m in means if m not in known]
        assert not unknown, f"{entry['say'][:3]}... maps to unknown ids {unknown}"


def test_synonyms_cover_every_category_and_condition_and_most_activities():
    used = {m for entry in synonyms() for m in entry["means"]}
    assert section_ids("categories") <= used
    assert section_ids("conditions") <= used
    activities = section_ids("activities")
    assert len(activities & used) >= 0.8 * len(activities)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("breathless", {"copd", "asthma", "breathing-support"}),
        ("chest", {"copd", "asthma", "breathing-support"}),
        ("lungs", {"copd", "asthma", "breathing-support"}),
        ("puffer", {"copd", "asthma", "breathing-support"}),
        ("sugar", {"type-1-diabetes", "type-2-diabetes", "diabetes-education"}),
        ("money", {"welfare-rights", "benefits-advice", "debt-advice"}),
        ("skint", {"welfare-rights", "benefits-advice", "debt-advice"}),
        ("bills", {"welfare-rights", "debt-advice"}),
        ("debt", {"welfare-rights", "debt-advice"}),
        ("universal credit", {"welfare-rights", "benefits-advice"}),
        ("pip", {"welfare-rights", "benefits-advice"}),
        ("bailiffs", {"welfare-rights", "debt-advice"}),
        ("rent arrears", {"welfare-rights", "housing-advice"}),
        ("lonely", {"community", "social-group", "meet-people"}),
        ("on my own", {"community", "social-group", "meet-people"}),
        ("isolated", {"community", "social-group", "meet-people"}),
        ("low", {"mental-health", "depression"}),
        ("down", {"mental-health", "depression"}),
        ("a bit low", {"mental-health", "depression"}),
        ("down in the dumps", {"mental-health", "depression"}),
        ("nerves", {"mental-health", "anxiety"}),
        ("stress", {"mental-health", "anxiety-management"}),
        ("exercise", {"physical-activity"}),
        ("keep fit", {"physical-activity"}),
        ("bad back", {"chronic-pain"}),
        ("dodgy knees", {"arthritis"}),
        ("ticker", {"coronary-heart-disease", "heart-support"}),
        ("fags", {"stop-smoking"}),
        ("lost my wife", {"bereavement-support"}),
        ("can't get out", {"befriending"}),
        ("stuck in the house", {"befriending"}),
        ("brew and a chat", {"social-group"}),
        ("natter", {"social-group"}),
        ("allotment", {"gardening"}),
        ("sing", {"choir-singing"}),
        ("knit", {"crafts"}),
        ("computers", {"digital-skills"}),
        ("forms", {"benefits-advice"}),
        ("job centre", {"cv-job-search"}),
        ("cv", {"cv-job-search"}),
        ("english classes", {"english-language"}),
    ],
)
def test_required_mappings(phrase: str, expected: set[str]):
    assert expected <= meanings(phrase), f"{phrase!r} -> {sorted(meanings(phrase))}"


# --- bench/synthetic.py ---------------------------------------------------------------------


def test_catalogue_is_deterministic_for_n_and_seed():
    module = synthetic()
    first = json.dumps(module.make_catalogue(300), sort_keys=True)
    assert first == json.dumps(module.make_catalogue(300), sort_keys=True)
    assert first != json.dumps(module.make_catalogue(300, seed=8), sort_keys=True)


def test_catalogue_has_n_services_and_about_n_over_3_orgs_and_n_over_2_venues():
    catalogue = small_catalogue()
    assert set(catalogue) == {"organizations", "locations", "services"}
    assert len(catalogue["services"]) == 300
    assert 80 <= len(catalogue["organizations"]) <= 120
    assert 130 <= len(catalogue["locations"]) <= 170
    for key in ("organizations", "locations", "services"):
        ids = [record["id"] for record in catalogue[key]]
        assert len(set(ids)) == len(ids)


def test_catalogue_references_only_existing_organisations_and_venues():
    catalogue = small_catalogue()
    orgs = {o["id"] for o in catalogue["organizations"]}
    venues = {v["id"] for v in catalogue["locations"]}
    for service in catalogue["services"]:
        assert service["organization_id"] in orgs
        assert set(service["location_ids"]) <= venues
        for session in service["schedule"]:
            assert session["location_id"] is None or session["location_id"] in venues


def test_catalogue_uses_only_vocabulary_ids():
    catalogue = small_catalogue()
    category_of = {t["id"]: t["category"] for t in vocabulary()["activities"]}
    service_access = section_ids("access") - VENUE_ACCESS
    languages = set(vocabulary()["languages"])
    for venue in catalogue["locations"]:
        assert set(venue["access"]) <= VENUE_ACCESS
    for service in catalogue["services"]:
        assert 1 <= len(service["categories"]) <= 3
        assert set(service["categories"]) <= section_ids("categories")
        assert 1 <= len(service["activities"]) <= 4
        assert set(service["activities"]) <= section_ids("activities")
        assert {category_of[a] for a in service["activities"]} <= set(service["categories"])
        assert len(service["conditions"]) <= 3
        assert set(service["conditions"]) <= section_ids("conditions")
        assert set(service["access"]) <= service_access
        assert service["intensity"] in section_ids("intensity")
        assert set(service["languages"]) <= languages
        assert service["free"] == ("free" in service["access"])


def test_catalogue_sessions_end_after_they_start():
    days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    for service in small_catalogue()["services"]:
        if service["by_appointment"]:
            assert service["schedule"] == []
        assert len(service["schedule"]) <= 3
        for session in service["schedule"]:
            assert session["day"] in days
            assert "09:00" <= session["start"] < session["end"] <= "21:00", session


def test_catalogue_services_without_a_venue_are_remote():
    for service in small_catalogue()["services"]:
        remote = {"online", "telephone", "home-visit"} & set(service["access"])
        if not service["location_ids"]:
            assert remote, service["name"]
        if service["coverage_outward_codes"]:
            assert "home-visit" in service["access"]
