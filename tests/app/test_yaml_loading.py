"""The seed files parse to the same data with libyaml's parser as with PyYAML's own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from directory.vocabulary import load_yaml

SEED = Path(__file__).parents[2] / "seed_data"


@pytest.mark.parametrize("name", ["vocabulary.yaml", "synonyms.yaml"])
def test_seed_files_load_as_safe_load_reads_them(name: str) -> None:
    text = (SEED / name).read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_yaml_loading_refuses_python_objects() -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("!!python/object/apply:os.system ['true']")
