"""Merged facts stand for their segments' facts, which are cut out of them when needed."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from directory.search import segment_facts
from directory.search.bulk import BulkWriter
from directory.search.index import SCHEMA

from .test_search_bulk import documents

KEPT = ("size", "live", "ids", "inactive", "status", "remote", "anywhere", "coverage",
        "terms", "by_lat", "points", "sessions", "shown")


def plain(facts: segment_facts.Facts) -> dict[str, Any]:
    assert {f.name for f in fields(facts) if not f.name.startswith("_")} >= set(KEPT)
    return {name: getattr(facts, name) for name in KEPT}


def commit(ix: Any, docs: list[dict[str, Any]], update: bool = False) -> None:
    writer = BulkWriter(ix)
    for doc in docs:
        (writer.update_document if update else writer.add_document)(**doc)
    writer.commit(merge=False)  # one new segment per commit


def read_afresh(ix: Any) -> dict[str, Any]:
    """What the facts are when nothing is cached: every segment read from stored fields."""
    segment_facts._segment_cache.clear()
    segment_facts._global_cache.clear()
    segment_facts._parts.clear()
    with ix.searcher() as searcher:
        return plain(segment_facts.facts_of(searcher))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the segments whose stored fields are read (from empty caches)."""
    monkeypatch.setattr(segment_facts, "_segment_cache", {})
    monkeypatch.setattr(segment_facts, "_global_cache", OrderedDict())
    monkeypatch.setattr(segment_facts, "_parts", {})
    read: list[int] = []
    real = segment_facts._read

    def counting(into: segment_facts.Facts, reader: Any, offset: int) -> None:
        read.append(reader.doc_count_all())
        real(into, reader, offset)

    monkeypatch.setattr(segment_facts, "_read", counting)
    return read


def test_updated_documents_are_cut_out_of_the_merged_facts(tmp_path: Path,
                                                           reads: list[int]) -> None:
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    docs = documents(120)
    commit(ix, docs[:80])
    commit(ix, docs[80:])
    with ix.searcher() as searcher:
        before = segment_facts.facts_of(searcher)
    assert reads == [80, 40]
    # Kept once: the segments' own facts went when they were merged.
    assert not segment_facts._segment_cache

    commit(ix, [{**doc, "name": f"renamed {doc['name']}"} for doc in docs[10:15]], update=True)
    with ix.searcher() as searcher:
        after = segment_facts.facts_of(searcher)
    assert reads == [80, 40, 5]  # the two old segments were cut out, with the deletions
    assert after is not before
    assert sum(name.startswith("renamed") for name in after.shown.values()) == 5
    assert len(after.live) == 120
    reads.clear()
    assert plain(after) == read_afresh(ix)
    assert reads == [80, 40, 5]


def test_a_segment_left_alone_is_cut_once_and_then_kept(tmp_path: Path, reads: list[int]) -> None:
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    docs = documents(30)
    commit(ix, docs[:20])
    commit(ix, docs[20:])
    with ix.searcher() as searcher:
        segment_facts.facts_of(searcher)
    writer = ix.writer()
    for doc in docs[20:]:
        writer.delete_by_term("id", doc["id"])
    writer.commit(merge=False)  # the second segment, all deleted, is dropped
    for _ in range(3):
        with ix.searcher() as searcher:
            alone = segment_facts.facts_of(searcher)
    assert reads == [20, 10]
    assert sorted(alone.ids.values()) == sorted(doc["id"] for doc in docs[:20])
    assert plain(alone) == read_afresh(ix)


def test_documents_alike_share_one_copy_of_their_terms_sessions_and_status(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    docs = [{**doc, "category": "arts,community", "condition": "copd", "status": "active",
             "extra": {"points": [[54.9, -1.6]], "sessions": [[0, 600, 660], [2, 600, 660]]}}
            for doc in documents(3)]
    commit(ix, docs)
    read_afresh(ix)  # from empty caches: every document read from its stored fields
    with ix.searcher() as searcher:
        facts = segment_facts.facts_of(searcher)
    a, b, c = sorted(facts.live)
    assert facts.terms[a] == {"category:arts", "category:community", "activity:walking",
                              "condition:copd"}
    assert facts.terms[a] is facts.terms[b] is facts.terms[c]
    assert facts.sessions[a] == ((0, 600, 660), (2, 600, 660))
    assert facts.sessions[a] is facts.sessions[b] is facts.sessions[c]
    assert facts.status[a] is facts.status[b] is facts.status[c]


def test_a_documents_venues_are_read_from_the_grid(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    docs = documents(4)
    docs[1]["extra"] = {"points": [[55.03, -1.44], [54.97, -1.61]]}
    docs[2]["extra"] = {}
    commit(ix, docs)
    with ix.searcher() as searcher:
        facts = segment_facts.facts_of(searcher)
        by_id = {v: d for d, v in facts.ids.items()}
        columns = facts.columns
        assert sorted(columns.points_of(by_id[docs[1]["id"]])) == [(54.97, -1.61), (55.03, -1.44)]
        assert columns.points_of(by_id[docs[0]["id"]]) == [(54.9, -1.6)]
        assert columns.points_of(by_id[docs[2]["id"]]) == []
        assert columns.points_of(facts.size + 5) == []
