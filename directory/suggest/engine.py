"""Suggest our vocabulary for a service from its own words. Pure: text in, suggestions out.

Phrases from seed_data/crosswalks/keywords.yaml are found on word stems (Snowball English),
so "walks" and "walking" both hear "walk"; terms of other taxonomies the service carries
(OpenActive, LGA/ESD, ORUK v1 deliverable types) are looked up by label. Each suggestion
says how confident it is and which words led to it. A phrase in the name counts more than
one in the description; several phrases for one term count more than one; an activity
brings its category.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

from ..models import HIGH_CONFIDENCE, Taxonomy
from .crosswalk import Crosswalks, load

STRONG_NAME, STRONG_TEXT, WEAK_NAME, WEAK_TEXT = 0.9, 0.8, 0.6, 0.45
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Suggestion:
    taxonomy: Taxonomy
    code: str
    confidence: float
    evidence: str  # the words that led to it, e.g. '"walking group" in the description'
    source: str  # "name", "description" or "taxonomy"
    rule: str  # what made it, for decisions in bulk: "phrase:walking group", "term:Walking"

    @property
    def key(self) -> tuple[Taxonomy, str]:
        return (self.taxonomy, self.code)


def words(text: str) -> list[str]:
    return [w.replace("'", "") for w in WORD.findall(text.casefold().replace("\u2019", "'"))]


def stems(text: str) -> list[str]:
    return _stemmer.stemWords(words(text))


# A stem shared by words of very different length is a different word ("mind" is not
# "mindfulness"): a text word may differ in length from the phrase's by this much at most.
SLACK = 3


def _phrase_index(cw: Crosswalks) -> dict[tuple[str, ...], list[int]]:
    index: dict[tuple[str, ...], list[int]] = {}
    for n, phrase in enumerate(cw.phrases):
        index.setdefault(tuple(stems(phrase.words)), []).append(n)
    return index


_INDEX: dict[int, tuple[dict[tuple[str, ...], list[int]], int, list[list[int]]]] = {}


def _found(cw: Crosswalks, text: str) -> set[int]:
    """Which crosswalk phrases occur in text (by stems, on word boundaries)."""
    cached = _INDEX.get(id(cw))
    if cached is None:
        index = _phrase_index(cw)
        lengths = [[len(w) for w in words(p.words)] for p in cw.phrases]
        cached = _INDEX[id(cw)] = (index, max(len(k) for k in index), lengths)
    index, longest, lengths = cached
    surface = words(text)
    found = _stemmer.stemWords(surface)
    hits: set[int] = set()
    for i in range(len(found)):
        for size in range(1, min(longest, len(found) - i) + 1):
            for n in index.get(tuple(found[i : i + size]), ()):
                if all(abs(len(surface[i + k]) - lengths[n][k]) <= SLACK
                       for k in range(min(size, len(lengths[n])))):
                    hits.add(n)
    return hits


NEGATIONS = ("no", "not", "without", "nor")


def _negated(cw: Crosswalks, text: str) -> set[int]:
    """Phrases said only after "no"/"not" ("no booking required"): never a suggestion."""
    hits: set[int] = set()
    for neg in NEGATIONS:
        for part in re.split(rf"\b{neg}\b", text, flags=re.IGNORECASE)[1:]:
            hits |= _found(cw, " ".join(part.split()[:4]))
    return hits - _found(cw, re.sub(rf"\b(?:{'|'.join(NEGATIONS)})\b\s+(?:\S+\s+){{0,3}}", " ",
                                    text, flags=re.IGNORECASE))


def suggest(
    name: str,
    description: str,
    foreign_terms: Iterable[str] = (),
    crosswalks: Crosswalks | None = None,
) -> list[Suggestion]:
    """Suggested terms, most confident first (ties by taxonomy and code)."""
    cw = crosswalks or load()
    best: dict[tuple[Taxonomy, str], Suggestion] = {}
    votes: dict[tuple[Taxonomy, str], set[str]] = {}

    def offer(s: Suggestion) -> None:
        votes.setdefault(s.key, set()).add(s.source)
        if s.key not in best or s.confidence > best[s.key].confidence:
            best[s.key] = s

    for field, text, strong, weak in (("name", name, STRONG_NAME, WEAK_NAME),
                                      ("description", description, STRONG_TEXT, WEAK_TEXT)):
        negated = _negated(cw, text)
        for n in sorted(_found(cw, text)):
            p = cw.phrases[n]
            if n in negated:
                continue
            offer(Suggestion(p.taxonomy, p.code, strong if p.strong else weak,
                             f'"{p.words}" in its {field}', field, f"phrase:{p.words}"))
    for label in foreign_terms:
        folded = label.strip().casefold()
        for taxonomy, code in cw.foreign.get(folded, ()):
            offer(Suggestion(taxonomy, code, cw.foreign_confidence[folded],
                             f'"{label.strip()}" in its taxonomy terms', "taxonomy",
                             f"term:{label.strip()}"))
    out: dict[tuple[Taxonomy, str], Suggestion] = {}
    for key, s in best.items():
        # The name, the description and the taxonomy terms agreeing make a reading firmer;
        # weak words alone never reach HIGH_CONFIDENCE, so they only ever wait for review.
        confidence = min(0.95, s.confidence + 0.15 * (len(votes[key]) - 1))
        if s.confidence < HIGH_CONFIDENCE:
            confidence = min(confidence, HIGH_CONFIDENCE - 0.05)
        out[key] = Suggestion(s.taxonomy, s.code, round(confidence, 2), s.evidence, s.source,
                              s.rule)
    for s in list(out.values()):
        if s.taxonomy is Taxonomy.ACTIVITY:
            parent = (Taxonomy.CATEGORY, cw.categories[s.code])
            if parent not in out or out[parent].confidence < s.confidence:
                out[parent] = Suggestion(parent[0], parent[1], s.confidence, s.evidence,
                                         s.source, s.rule)
    return sorted(out.values(), key=lambda s: (-s.confidence, s.taxonomy.value, s.code))
