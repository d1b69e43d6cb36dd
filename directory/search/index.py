"""The whoosh index on disk: schema, opening, writing with retries, and atomic rebuilds.

Layout: SEARCH_INDEX_DIR/current is a symlink to a generation folder. `rebuild` writes a
new generation beside it and swaps the link atomically, so readers never see a half-built
index. Writers in several processes take whoosh's file lock in turn, waiting up to
WRITE_TIMEOUT seconds for it instead of failing.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import Index
from whoosh.writing import SegmentWriter

WRITE_TIMEOUT = 60.0

# English stemming everywhere; no word positions (we never run phrase queries, and leaving
# them out makes indexing a quarter faster).
_ENGLISH = StemmingAnalyzer()


def _text(boost: float = 1.0, stored: bool = False) -> TEXT:
    return TEXT(analyzer=_ENGLISH, phrase=False, field_boost=boost, stored=stored)


SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    digest=ID(stored=True),
    status=ID(stored=True),
    # Field boosts: a word in the name counts most, then the activities, then the rest.
    name=_text(4.0, stored=True),
    activities=_text(2.5),
    topics=_text(1.5),
    organization=_text(1.2),
    description=_text(),
    places=_text(),
    category=KEYWORD(commas=True, stored=True),
    activity=KEYWORD(commas=True, stored=True),
    condition=KEYWORD(commas=True, stored=True),
    access=KEYWORD(commas=True, stored=True),
    day=KEYWORD(commas=True, stored=True),
    organization_id=ID(stored=True),
    extra=STORED,
)


class IndexMissing(RuntimeError):
    """The search index folder is absent or unreadable: run `directory reindex`."""


def current_path(root: Path) -> Path:
    return root / "current"


def open_index(root: Path) -> Index:
    """Open the live generation; raises IndexMissing when there is none."""
    path = current_path(root)
    try:
        return whoosh_index.open_dir(str(path.resolve()))
    except Exception as err:  # whoosh raises several kinds for missing or corrupt folders
        raise IndexMissing(f"search index at {path} cannot be opened ({err})") from err


def ensure_index(root: Path) -> Index:
    """Open the live generation, creating an empty one when none exists yet."""
    if not current_path(root).exists():
        # First use: an empty index. Never discard what another process may have just made.
        _replace_generation(root, lambda _ix: None, discard_old=False)
    return open_index(root)


def write(ix: Index, docs: Iterable[dict[str, Any]], gone: Iterable[str]) -> None:
    """Add or replace documents and delete ids in one whoosh commit."""
    writer = ix.writer(timeout=WRITE_TIMEOUT, delay=0.05)
    try:
        for doc in docs:
            writer.update_document(**doc)
        for public_id in gone:
            writer.delete_by_term("id", public_id)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def rebuild(root: Path, docs: Iterable[dict[str, Any]]) -> Path:
    """Build a complete new generation from docs and swap it in; returns its folder."""

    def fill(ix: Index) -> None:
        writer = ix.writer(limitmb=256)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()

    return _replace_generation(root, fill)


def rebuild_parallel(root: Path, producers: list[Callable[[], Iterable[dict[str, Any]]]]) -> Path:
    """Like rebuild, with each producer's documents read and indexed in its own process.

    Each child (forked, so it inherits the app) writes one segment without taking the lock;
    this process, holding the new index's lock, lists their segments in one commit, as
    whoosh's own multiprocessing writer does, but without shipping every document through
    this process first. Reading the database is then parallel too.
    """

    def fill(ix: Index) -> None:
        parent = ix.writer()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        folder = ix.storage.folder
        children = [context.Process(target=_write_part, args=(folder, make, results))
                    for make in producers]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=3600) for _ in children]
        for child in children:
            child.join()
        failures = [detail for ok, detail in outcomes if not ok]
        if failures:
            parent.cancel()
            raise RuntimeError(f"building the search index failed: {failures[0]}")
        parent._close_segment()
        parent._commit_toc([segment for _ok, segment in outcomes if segment.doc_count_all()])
        parent._finish()

    return _replace_generation(root, fill)


def _replace_generation(root: Path, fill: Callable[[Index], None], discard_old: bool = True) -> Path:
    """Create a new generation, let fill() write it, and swap it in; returns its folder.

    The live index's lock is held meanwhile, so writes made during the build wait and then
    land in the new generation instead of being lost with the old one.
    """
    root.mkdir(parents=True, exist_ok=True)
    old_writer = None
    if current_path(root).exists():
        try:
            old_writer = open_index(root).writer(timeout=WRITE_TIMEOUT, delay=0.05)
        except IndexMissing:
            old_writer = None
    folder = root / f"gen-{uuid.uuid4().hex[:12]}"
    try:
        folder.mkdir()
        fill(whoosh_index.create_in(str(folder), SCHEMA))
        old = _swap_in(root, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if old_writer is not None:
            old_writer.cancel()
    if discard_old and old is not None and old != folder:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def _write_part(folder: str, make: Callable[[], Iterable[dict[str, Any]]], results: Any) -> None:
    """In a child process: index make()'s documents as one segment and send it back."""
    try:
        ix = whoosh_index.open_dir(folder)
        writer = SegmentWriter(ix, _lk=False, limitmb=256)
        for doc in make():
            writer.add_document(**doc)
        results.put((True, writer._finalize_segment()))
    except BaseException as err:  # reported to the parent, which fails the whole rebuild
        results.put((False, repr(err)))


def _swap_in(root: Path, folder: Path) -> Path | None:
    """Point `current` at folder atomically; returns the previous generation, if any."""
    link = current_path(root)
    previous = link.resolve() if link.is_symlink() else None
    temp = root / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(folder.name, temp)
    os.replace(temp, link)
    return previous


def stored_digests(ix: Index) -> dict[str, str]:
    """public id -> content digest of every indexed document."""
    with ix.searcher() as searcher:
        return {fields["id"]: fields["digest"] for fields in searcher.all_stored_fields()}
