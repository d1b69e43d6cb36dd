"""Full-text search over services with whoosh. The database is the truth; the index follows it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh.index import Index

from ..models import Location, Service
import yaml

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
    "check",
    "current_synonyms",
    "index_root",
    "init_app",
    "open_live",
    "rebuild_all",
    "run_search",
]

log = logging.getLogger(__name__)
BATCH = 500


def init_app(app: Flask) -> None:
    sync.init_app(app, refresh_ids)
    app.extensions["synonyms"] = load_synonyms(Path(app.config["SYNONYMS_FILE"]))


def load_synonyms(path: Path) -> Synonyms:
    """The lay-language synonym table (seed_data/synonyms.yaml); empty if the file is absent."""
    if not path.exists():
        return NO_SYNONYMS
    with path.open(encoding="utf-8") as handle:
        return Synonyms.from_entries(yaml.safe_load(handle) or [])


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
) -> SearchPage:
    """Search the live index (raises IndexMissing when it cannot be opened)."""
    ix = open_live(app)
    with ix.searcher() as searcher:
        return query.search(
            searcher, text, filters, sort=sort, page=page, per_page=per_page,
            synonyms=current_synonyms(app),
        )


def index_root(app: Flask | None = None) -> Path:
    return Path((app or current_app).config["SEARCH_INDEX_DIR"])


def open_live(app: Flask | None = None) -> Index:
    """The live index; raises IndexMissing if it was never built or was damaged."""
    return index.open_index(index_root(app))


def _load_options() -> list:  # type: ignore[type-arg]
    return [
        selectinload(Service.organization),
        selectinload(Service.terms),
        selectinload(Service.sessions),
        selectinload(Service.locations).selectinload(Location.access_terms),
    ]


def _documents(app: Flask, session: Session, ids: Iterable[str] | None = None) -> Iterator[dict]:  # type: ignore[type-arg]
    vocab = app.extensions["vocabulary"]
    query = select(Service).options(*_load_options()).order_by(Service.id)
    if ids is None:
        last = 0
        while True:
            batch = session.scalars(query.where(Service.id > last).limit(BATCH)).all()
            if not batch:
                return
            for service in batch:
                yield to_document(service, vocab)
            last = batch[-1].id
            session.expunge_all()
    else:
        wanted = list(ids)
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            for service in session.scalars(query.where(Service.public_id.in_(chunk))):
                yield to_document(service, vocab)


def refresh_ids(app: Flask, ids: set[str]) -> None:
    """Re-read these services in a fresh session and update or delete their documents."""
    with app.extensions["db"].sessions() as session:
        docs = list(_documents(app, session, ids))
    gone = ids - {doc["id"] for doc in docs}
    try:
        ix = index.ensure_index(index_root(app))
        index.write(ix, docs, gone)
    except Exception:  # the write is committed; `directory check` reports the drift
        log.exception("search index update failed for %d services", len(ids))


def rebuild_all(app: Flask) -> int:
    """Rebuild the whole index from the database into a new folder and swap it in."""
    count = 0

    def counted() -> Iterator[dict]:  # type: ignore[type-arg]
        nonlocal count
        with app.extensions["db"].sessions() as session:
            for doc in _documents(app, session):
                count += 1
                yield doc

    index.rebuild(index_root(app), counted())
    return count


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
    """Compare every indexed document with what the database says it should be."""
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
