"""The whoosh index on disk: schema, opening, writing with retries, and atomic rebuilds.

Layout: SEARCH_INDEX_DIR/current is a symlink to a generation folder. `rebuild` writes a
new generation beside it and swaps the link atomically, so readers never see a half-built
index. Writers in several processes take whoosh's file lock in turn, waiting up to
WRITE_TIMEOUT seconds for it instead of failing.

Each generation records in VERSION_FILE the catalogue version (models.version) it is in
step with: every change up to that version is in it. `write_at` moves it on, under
SYNC_LOCK, only when the documents written complete the changes since the last value.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import Index
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from . import inplace
from .bulk import BulkWriter

inplace.install()  # segments' parts are read from their memory map, not copied per searcher

WRITE_TIMEOUT = 60.0
VERSION_FILE = "catalogue-version"
SYNC_LOCK = "sync.lock"

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


# Opening reads the newest table of contents; another process's commit may delete it (for
# a newer one) between whoosh finding it and reading it. Then the newer one is read.
OPEN_ATTEMPTS = 10


def open_index(root: Path) -> Index:
    """Open the live generation; raises IndexMissing when there is none."""
    path = current_path(root)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return whoosh_index.open_dir(str(path.resolve()))
        except FileNotFoundError as err:
            if attempt + 1 == OPEN_ATTEMPTS or not path.exists():
                raise IndexMissing(f"search index at {path} cannot be opened ({err})") from err
            time.sleep(0.01 * (attempt + 1))
        except Exception as err:  # whoosh raises several kinds for missing or corrupt folders
            raise IndexMissing(f"search index at {path} cannot be opened ({err})") from err
    raise AssertionError("unreachable")


def reopen(ix: Index, old: Searcher) -> Searcher:
    """A searcher on ix's latest commit that shares old's readers of unchanged segments.

    whoosh's own Searcher.refresh() matches segments by name alone, so a segment that has
    since had documents deleted (every update deletes the old version) kept its old reader
    and the replaced document was still found; it also kept segments merged away. Here a
    reader is shared only when its segment has the same name and the same deletions
    (documents are never undeleted, so the same count is the same set).
    """
    toc = ix._read_toc()
    readers = {
        (r.segment().segment_id(), r.segment().deleted_count()): r
        for r, _offset in old.reader().leaf_readers()
        if r.segment() is not None and not r.is_closed
    }
    fresh = [
        readers.get((segment.segment_id(), segment.deleted_count()))
        or SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        for segment in toc.segments
    ]
    if not fresh:
        reader = EmptyReader(toc.schema)
    elif len(fresh) == 1:
        reader = fresh[0]
    else:
        reader = MultiReader(fresh, generation=toc.generation)
    return Searcher(reader, fromindex=ix)


def ensure_index(root: Path) -> Index:
    """Open the live generation, creating an empty one when none exists yet."""
    if not current_path(root).exists():
        # First use: an empty index. Never discard what another process may have just made.
        _replace_generation(root, lambda _ix: None, discard_old=False)
    return open_index(root)


def write(ix: Index, docs: Iterable[dict[str, Any]], gone: Iterable[str]) -> None:
    """Add or replace documents and delete ids in one whoosh commit."""
    writer = BulkWriter(ix, timeout=WRITE_TIMEOUT, delay=0.05)
    try:
        for doc in docs:
            writer.update_document(**doc)
        for public_id in gone:
            writer.delete_by_term("id", public_id)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def read_version(root: Path) -> int | None:
    """The catalogue version the live index is in step with: None when there is no index,
    0 when it has never recorded one (every change since the start may be missing)."""
    try:
        return _version_in(current_path(root).resolve(strict=True))
    except FileNotFoundError:
        return None


def _version_in(folder: Path) -> int:
    try:
        return int((folder / VERSION_FILE).read_text(encoding="ascii"))
    except FileNotFoundError:
        return 0


def _record_version(folder: Path, value: int) -> None:
    temp = folder / f".{VERSION_FILE}-{uuid.uuid4().hex[:8]}"
    temp.write_text(str(value), encoding="ascii")
    os.replace(temp, folder / VERSION_FILE)


@contextmanager
def _sync_lock(folder: Path) -> Iterator[None]:
    with open(folder / SYNC_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_at(
    root: Path,
    docs: list[dict[str, Any]],
    gone: Iterable[str],
    *,
    since: int | None,
    upto: int | None,
) -> None:
    """Write documents read from the database at catalogue version upto or later.

    They hold every service the versions after `since` up to `upto` changed; the index is
    then in step with upto, if it was with since (or later). With since None they are only
    some changes: written, but the recorded version stays. Nothing is written when the
    index is already in step with upto, since documents read earlier could then replace
    newer ones.
    """
    ix = ensure_index(root)
    folder = Path(ix.storage.folder)
    with _sync_lock(folder):
        have = _version_in(folder)
        if upto is not None and have >= upto:
            return
        gone = list(gone)
        if docs or gone:
            write(ix, docs, gone)
        if since is not None and upto is not None and have >= since:
            _record_version(folder, upto)


def rebuild(root: Path, docs: Iterable[dict[str, Any]], version: int = 0) -> Path:
    """Build a complete new generation from docs (read at catalogue version `version` or
    later) and swap it in; returns its folder."""

    def fill(ix: Index) -> None:
        writer = BulkWriter(ix)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()

    return _replace_generation(root, fill, version=version)


def rebuild_parallel(
    root: Path, producers: Sequence[Callable[[], Iterable[dict[str, Any]]]], version: int = 0
) -> Path:
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

    return _replace_generation(root, fill, version=version)


def _replace_generation(
    root: Path, fill: Callable[[Index], None], discard_old: bool = True, version: int = 0
) -> Path:
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
        _record_version(folder, version)
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
        writer = BulkWriter(ix, _lk=False)
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
