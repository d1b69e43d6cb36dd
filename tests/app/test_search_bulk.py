"""The index's own writer (search/bulk.py) writes exactly the segment whoosh's writer does."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.writing import SegmentWriter

from directory.search import bulk
from directory.search.index import SCHEMA

WORDS = ("walking", "walks", "the", "a", "of", "Group", "groups", "e.g.", "café", "naïve",
         "COPD", "it's", "men's", "x", "7", "10.30am", "knit*", "singers", "singing", "an",
         "and", "Tai-chi", "yoga", "   ", ",", "runner", "running", "über", "to", "be")


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def documents(count: int, seed: int = 5) -> list[dict[str, Any]]:
    """Documents shaped like the index's, with stop words, punctuation and repeats."""
    rng = random.Random(seed)
    return [{
        "id": f"svc-{n}", "digest": f"d{n}", "status": rng.choice(("active", "paused")),
        "name": _text(rng, 3), "activities": _text(rng, 2), "topics": _text(rng, 4),
        "organization": rng.choice(("Age UK", "The Men's Shed", "")), "places": _text(rng, 2),
        "description": _text(rng, rng.randint(0, 40)),
        "category": ",".join(rng.sample(("arts", "community", "physical-activity"), 2)),
        "activity": "walking", "condition": rng.choice(("", "copd")), "access": "free",
        "day": "mon,wed", "organization_id": str(n % 7), "extra": {"points": [[54.9, -1.6]]},
    } for n in range(count)]


def dump(folder: Path) -> list[dict[str, Any]]:
    """Everything a search can read back, segment by segment: postings with their values
    and what each block records, lengths, stored fields, deletions."""
    ix = whoosh_index.open_dir(str(folder))
    names = [n for n in ix.schema.names() if ix.schema[n].scorable]
    with ix.searcher() as searcher:
        return [{
            "postings": [(f, t, _info(reader.term_info(f, t)),
                          [(m.id(), m.value(), _block(m)) for m in _each(reader.postings(f, t))])
                         for f, t in reader.all_terms()],
            "stored": [reader.stored_fields(d) for d in range(reader.doc_count_all())],
            "lengths": [[reader.doc_field_length(d, f) for f in names]
                        for d in range(reader.doc_count_all())],
            "totals": [(reader.field_length(f), reader.max_field_length(f)) for f in names],
            "deleted": [reader.is_deleted(d) for d in range(reader.doc_count_all())],
        } for reader, _offset in searcher.reader().leaf_readers()]


def _info(info: Any) -> tuple[Any, ...]:
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id())


def _block(matcher: Any) -> tuple[Any, ...]:
    # What a block records of its documents' lengths and weights (used to skip blocks);
    # a segment with deletions wraps its matchers in a filter.
    block = getattr(matcher, "child", matcher)
    return (block.block_min_length(), block.block_max_length(), block.block_max_weight())


def _each(matcher: Any) -> Any:
    while matcher.is_active():
        yield matcher
        matcher.next()


def build(folder: Path, schema: Schema, writer_class: type,
          batches: list[list[dict[str, Any]]]) -> Path:
    """Write each batch in its own commit (later ones replace documents by id and merge)."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema)
    for n, batch in enumerate(batches):
        writer = writer_class(ix)
        for doc in batch:
            (writer.update_document if n else writer.add_document)(**doc)
        writer.commit()
    return folder


def test_bulk_writer_writes_the_same_index_as_whoosh(tmp_path: Path) -> None:
    docs = documents(400)
    later = [{**doc, "description": doc["name"]} for doc in docs[::9]]
    batches = [docs, later, docs[5:7]]
    assert dump(build(tmp_path / "bulk", SCHEMA, bulk.BulkWriter, batches)) == \
        dump(build(tmp_path / "whoosh", SCHEMA, SegmentWriter, batches))


def test_bulk_writer_spilling_runs_to_disk_writes_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "POOL_POSTINGS", 500)
    docs = documents(300, seed=9)
    assert dump(build(tmp_path / "bulk", SCHEMA, bulk.BulkWriter, [docs])) == \
        dump(build(tmp_path / "whoosh", SCHEMA, SegmentWriter, [docs]))


def test_fields_keeping_positions_are_left_to_whoosh(tmp_path: Path) -> None:
    # A dropped stop word moves the positions of the words after it: such a field must not
    # be given whoosh as a list of terms.
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=StemmingAnalyzer()),
                    title=TEXT(analyzer=StemmingAnalyzer(), phrase=False, stored=True),
                    extra=STORED)
    rng = random.Random(3)
    docs = [{"id": str(n), "body": _text(rng, 12), "title": _text(rng, 4)} for n in range(50)]
    assert [name for name, *_ in bulk._analysed_fields(schema)] == ["title"]
    assert dump(build(tmp_path / "bulk", schema, bulk.BulkWriter, [docs])) == \
        dump(build(tmp_path / "whoosh", schema, SegmentWriter, [docs]))


def test_words_are_analysed_as_whoosh_analyses_them_in_a_sentence() -> None:
    analyzer = SCHEMA["description"].analyzer
    text = "The walking groups of Men's Sheds, e.g. knit* and café x 10.30am"
    assert bulk.analysed(analyzer, text, {}) == [
        t.text for t in analyzer(text, mode="index") if not t.stopped]
    assert bulk.analysed(analyzer, text, {})[:2] == ["walk", "group"]
