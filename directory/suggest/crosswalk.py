"""The crosswalk data files in seed_data/crosswalks/, read into plain rules. Loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ..models import SECTIONS, Taxonomy

FOLDER = Path(__file__).resolve().parents[2] / "seed_data" / "crosswalks"
VOCABULARY = FOLDER.parent / "vocabulary.yaml"
FOREIGN_FILES = ("openactive.yaml", "esd.yaml", "oruk-v1.yaml")


@dataclass(frozen=True)
class Phrase:
    taxonomy: Taxonomy
    code: str
    words: str  # as written in the file, for the evidence
    strong: bool


@dataclass(frozen=True)
class Crosswalks:
    phrases: tuple[Phrase, ...]
    foreign: dict[str, tuple[tuple[Taxonomy, str], ...]]  # casefolded label -> our terms
    foreign_confidence: dict[str, float]  # casefolded label -> confidence of its file
    categories: dict[str, str]  # activity -> its category
    labels: dict[tuple[Taxonomy, str], str]


@cache
def load() -> Crosswalks:
    vocab = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    where: dict[str, Taxonomy] = {}
    labels: dict[tuple[Taxonomy, str], str] = {}
    for section, taxonomy in SECTIONS.items():
        for item in vocab[section]:
            where.setdefault(item["id"], taxonomy)
            labels[(taxonomy, item["id"])] = item["label"]
    categories = {a["id"]: a["category"] for a in vocab["activities"]}
    keywords = yaml.safe_load((FOLDER / "keywords.yaml").read_text(encoding="utf-8"))
    phrases = []
    for section, taxonomy in (("activities", Taxonomy.ACTIVITY),
                              ("conditions", Taxonomy.CONDITION), ("access", Taxonomy.ACCESS)):
        for code, lists in keywords[section].items():
            if (taxonomy, code) not in labels:
                raise ValueError(f"crosswalks/keywords.yaml: {code} is not a {section} id")
            for strength in ("strong", "weak"):
                phrases += [Phrase(taxonomy, code, str(w), strength == "strong")
                            for w in lists.get(strength) or []]
    foreign: dict[str, tuple[tuple[Taxonomy, str], ...]] = {}
    confidence: dict[str, float] = {}
    for name in FOREIGN_FILES:
        data = yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))
        for label, codes in data["terms"].items():
            unknown = [c for c in codes or [] if c not in where]
            if unknown:
                raise ValueError(f"crosswalks/{name}: {', '.join(unknown)} not in the vocabulary")
            key = str(label).casefold()
            foreign[key] = tuple(dict.fromkeys((where[c], c) for c in codes or []))
            confidence[key] = float(data["confidence"])
    return Crosswalks(tuple(phrases), foreign, confidence, categories, labels)
