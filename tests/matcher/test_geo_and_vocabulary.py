"""Distances on the earth, and the vocabulary built from the parsed YAML mapping."""

from pathlib import Path

import pytest
from builders import NEWCASTLE, VOCAB, north_of

from matcher import Point, Vocabulary
from matcher.geo import haversine_km

ROOT = Path(__file__).resolve().parents[2]


def test_a_degree_of_latitude_is_about_111_km():
    assert haversine_km(Point(54, -1.6), Point(55, -1.6)) == pytest.approx(111.195, abs=0.001)


def test_distance_is_symmetric_and_zero_at_the_same_point():
    other = Point(55.01, -1.45)
    assert haversine_km(NEWCASTLE, other) == haversine_km(other, NEWCASTLE)
    assert haversine_km(NEWCASTLE, NEWCASTLE) == 0


def test_north_of_gives_the_asked_distance():
    assert haversine_km(NEWCASTLE, north_of(NEWCASTLE, 6.2)) == pytest.approx(6.2)


def test_vocabulary_reads_goals_with_the_categories_and_activities_that_serve_them():
    goal = VOCAB.goals["meet-people"]
    assert goal.serves == {"community", "arts"} and "walking-group" in goal.activities
    assert VOCAB.activity_category["walking-group"] == "physical-activity"
    assert {"get-more-active", "sort-money"} <= VOCAB.goal_ids
    assert "copd" in VOCAB.condition_ids and "free" in VOCAB.access_ids


def test_labels_fall_back_to_the_id():
    assert VOCAB.label("copd") == "COPD"
    assert VOCAB.label("get-more-active") == "Get more active"
    assert VOCAB.label("unheard-of") == "unheard-of"


def test_the_shipped_vocabulary_file_loads():
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load((ROOT / "seed_data" / "vocabulary.yaml").read_text(encoding="utf-8"))
    vocab = Vocabulary.from_dict(data)
    assert len(vocab.goals) >= 15 and "ro" in vocab.languages
    assert all(vocab.goals[g].activities <= set(vocab.activities) for g in vocab.goals)


def test_an_empty_mapping_gives_an_empty_vocabulary():
    vocab = Vocabulary.from_dict({})
    assert not vocab.goals and not vocab.languages and vocab.version == 1


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"goals": "walk"},
        {"goals": [{"label": "no id"}]},
        {"goals": [{"id": "g", "serves": "arts"}]},
    ],
)
def test_malformed_vocabulary_is_a_value_error(bad):
    with pytest.raises(ValueError):
        Vocabulary.from_dict(bad)
