"""Full-text search over services with whoosh. The database is the truth; the index follows it:
each document is derived from the read model's facts (documents.py), and while the index is
missing or damaged the same facts answer a plain SQL search (fallback.py)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh.index import Index
from whoosh.searching import Searcher

from ..models import Service, version
from ..service_facts import load_facts
from ..vocabulary import load_yaml
from . import index, query, sync
from .documents import digest, to_document
from .index import IndexMissing
from .query import NO_SYNONYMS, Filters, Hit, SearchPage, Synonyms

__all__ = [
    "Filters",
    "Hit",
    "IndexMissing",
    "SearchPage",
    "Synonyms",
    "catch_up",
    "check",
    "current_synonyms",
    "forget_searchers",
    "index_root",
    "init_app",
    "open_live",
    "prepare",
    "rebuild_all",
    "run_search",
]

log = logging.getLogger(__name__)
BATCH = 2000
PARALLEL_FROM = 5000


def init_app(app: Flask) -> None:
    sync.init_app(app, refresh_ids)
    categories = app.extensions["vocabulary"].ids("categories")
    app.extensions["synonyms"] = load_synonyms(Path(app.config["SYNONYMS_FILE"]), categories)


def load_synonyms(path: Path, broad: Iterable[str] = ()) -> Synonyms:
    """The lay-language synonym table (seed_data/synonyms.yaml); empty if the file is absent."""
    if not path.exists():
        return NO_SYNONYMS
    with path.open(encoding="utf-8") as handle:
        return Synonyms.from_entries(load_yaml(handle) or [], broad)


def current_synonyms(app: Flask | None = None) -> Synonyms:
    return (app or current_app).extensions["synonyms"]  # type: ignore[no-any-return]


def run_search(
    text: str,
    filters: Filters,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    app: Flask | None = None,
    correct: bool = True,
) -> SearchPage:
    """Search the live index (raises IndexMissing when it cannot be opened); correct=False
    searches the words as typed."""
    return query.search(
        live_searcher(app), text, filters, sort=sort, page=page, per_page=per_page,
        synonyms=current_synonyms(app), correct=correct,
    )


_searchers = threading.local()


def live_searcher(app: Flask | None = None) -> Searcher:
    """This thread's searcher on the live index, reopened only when the index has changed.

    Opening a searcher reads every segment's files, which costs more than most queries; a
    write (in this or another process) or a rebuild is noticed through whoosh's
    generation check and the `current` link, and only then is a fresh one opened. Changes
    committed on other machines are caught up with first (see catch_up).
    """
    catch_up(app or current_app._get_current_object())  # type: ignore[attr-defined]
    root = index_root(app)
    target = str(index.current_path(root).resolve())
    cache: dict[str, tuple[str, Searcher]] = _searchers.__dict__.setdefault("by_root", {})
    found = cache.pop(str(root), None)
    searcher: Searcher | None = None
    if found is not None:
        old_target, old = found
        if old_target == target:
            try:
                # reopen() shares unchanged segment readers with the old searcher, so the
                # old one is left for the garbage collector rather than closed.
                searcher = old if old.up_to_date() else index.reopen(old._ix, old)
            except Exception:  # the generation folder went away under us: reopen below
                searcher = None
        else:
            old.close()  # a rebuilt index: nothing is shared with the old generation
    if searcher is None:
        live = index.open_index(root)
        try:
            searcher = live.searcher()
        except Exception as err:  # a damaged index: a segment file missing or cut short
            raise IndexMissing(f"search index at {root} cannot be read ({err!r})") from err
    cache[str(root)] = (target, searcher)
    while len(cache) > 4:  # a process serves one index; tests make many
        cache.pop(next(iter(cache)))[1].close()
    return searcher


def prepare(app: Flask) -> int:
    """Build the live index's facts and columns now (what a first search would build), and
    return how many documents they hold; 0 when there is no index yet.

    No searcher is kept open: a server calls this before forking its workers, which then
    share the built tables and each open their own searcher (its files must not be shared).
    """
    catch_up(app)
    try:
        live = open_live(app)
    except IndexMissing:
        return 0
    with live.searcher() as searcher:
        from .segment_facts import facts_of

        facts = facts_of(searcher)
        facts.columns  # noqa: B018 - built here, kept with the facts
        return len(facts.live)


def forget_searchers() -> None:
    """Close this thread's searchers (a server's master does, before it forks workers)."""
    cache: dict[str, tuple[str, Searcher]] = _searchers.__dict__.setdefault("by_root", {})
    while cache:
        cache.pop(next(iter(cache)))[1].close()


def index_root(app: Flask | None = None) -> Path:
    return Path((app or current_app).config["SEARCH_INDEX_DIR"])


def open_live(app: Flask | None = None) -> Index:
    """The live index; raises IndexMissing if it was never built or was damaged."""
    return index.open_index(index_root(app))


def _documents(app: Flask, session: Session, ids: Iterable[str] | None = None) -> Iterator[dict]:  # type: ignore[type-arg]
    """Documents for every service (ids None) or for these public ids, in batches."""
    vocab = app.extensions["vocabulary"]
    if ids is None:
        last = 0
        while True:
            batch = session.scalars(
                select(Service.id).where(Service.id > last).order_by(Service.id).limit(BATCH)
            ).all()
            if not batch:
                return
            for facts in load_facts(session, batch):
                yield to_document(facts, vocab)
            last = batch[-1]
    else:
        wanted = list(ids)
        for start in range(0, len(wanted), BATCH):
            chunk = select(Service.id).where(Service.public_id.in_(wanted[start : start + BATCH]))
            for facts in load_facts(session, chunk):
                yield to_document(facts, vocab)


def refresh_ids(
    app: Flask, ids: set[str], since: int | None = None, upto: int | None = None
) -> None:
    """Re-read these services in a fresh session and update or delete their documents.

    When they are every change of the catalogue versions after since up to upto (one
    transaction's, just committed), the index is then in step with upto if it was with since.
    """
    with app.extensions["db"].sessions() as session:
        docs = list(_documents(app, session, ids))
    gone = ids - {doc["id"] for doc in docs}
    try:
        index.write_at(index_root(app), docs, gone, since=since, upto=upto)
    except Exception:  # the write is committed; catch_up or `directory check` sees the drift
        log.exception("search index update failed for %d services", len(ids))


def catch_up(app: Flask) -> None:
    """Bring this machine's index up to the database's catalogue version.

    One query when nothing has changed. Otherwise the change log names the services changed
    since the version the index records, and just those are re-read and rewritten. An index
    older than what the log keeps (or than the log itself), or ahead of the database (which
    was then restored from a backup), is rebuilt. Nothing happens before the index is first
    built (`directory reindex`).
    """
    root = index_root(app)
    have = index.read_version(root)
    if have is None:
        return
    with app.extensions["db"].sessions() as session:
        connection = session.connection()
        now, pruned = version.state(connection)
        if now == have:
            return
        if have < pruned or have > now:
            ids = None
        else:
            ids = version.changed_between(connection, have, now)
            docs = list(_documents(app, session, ids))
    if ids is None:
        log.warning("search index at catalogue version %d cannot catch up: rebuilding", have)
        rebuild_all(app)
        return
    gone = ids - {doc["id"] for doc in docs}
    try:
        index.write_at(root, docs, gone, since=have, upto=now)
    except Exception:  # searches go on with the index as it is, and try again next time
        log.exception("search index catch-up failed for %d services", len(ids))


def rebuild_all(app: Flask, procs: int | None = None) -> int:
    """Rebuild the whole index from the database into a new folder and swap it in.

    Large catalogues are read and indexed in several processes (one per core, from
    PARALLEL_FROM services), each taking a contiguous range of ids.
    """
    with app.extensions["db"].sessions() as session:
        # Read first: every document read afterwards is at least this new.
        at = version.current(session.connection())
        ids = list(session.scalars(select(Service.id).order_by(Service.id)))
    if procs is None:
        procs = min(os.cpu_count() or 1, 4) if len(ids) >= PARALLEL_FROM else 1
    if procs <= 1:
        index.rebuild(index_root(app), _documents_in(app, ids), version=at)
        return len(ids)
    size = -(-len(ids) // procs)
    parts = [ids[start : start + size] for start in range(0, len(ids), size)]
    producers = [partial(_child_documents, app, part) for part in parts]
    index.rebuild_parallel(index_root(app), producers, version=at)
    return len(ids)


def _documents_in(app: Flask, ids: list[int]) -> Iterator[dict]:  # type: ignore[type-arg]
    with app.extensions["db"].sessions() as session:
        for start in range(0, len(ids), BATCH):
            for facts in load_facts(session, ids[start : start + BATCH]):
                yield to_document(facts, app.extensions["vocabulary"])
            session.expunge_all()


def _child_documents(app: Flask, ids: list[int]) -> Iterator[dict]:  # type: ignore[type-arg]
    # A forked child must not share the parent's database connections.
    app.extensions["db"].engine.dispose(close=False)
    return _documents_in(app, ids)


@dataclass
class Drift:
    """Differences between the index and the database."""

    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not in the database
    stale: list[str] = field(default_factory=list)  # indexed content differs

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def summary(self) -> str:
        return (
            f"{len(self.missing)} missing, {len(self.extra)} extra, {len(self.stale)} out of date"
        )


def check(app: Flask) -> Drift:
    """Compare every indexed document with what the database says it should be, once this
    machine's index has caught up with changes made elsewhere."""
    catch_up(app)
    indexed = index.stored_digests(open_live(app))
    drift = Drift()
    with app.extensions["db"].sessions() as session:
        for doc in _documents(app, session):
            found = indexed.pop(doc["id"], None)
            if found is None:
                drift.missing.append(doc["id"])
            elif found != digest(doc):
                drift.stale.append(doc["id"])
    drift.extra = sorted(indexed)
    return drift
