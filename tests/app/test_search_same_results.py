"""Search and matching give the same answers as before they were made faster.

tests/data/perf-golden.json holds what the search and the match gave, before the columnar
facts, the venue grid and the other speed-ups, on a small seeded synthetic catalogue, for
the benchmarks' own queries (bench/search.py) and people (bench/match.py). Every result
set, its order, scores, distances and totals must come out the same.

To write the file again (only when a change is meant to alter results):
    .venv/bin/python tests/app/test_search_same_results.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "perf-golden.json"
SIZE = 1500
NOW = datetime(2026, 11, 30, 10, 30)
TODAY = date(2026, 11, 30)
sys.path.insert(0, str(ROOT / "bench"))


def _instance(folder: Path, database_url: str | None = None) -> Any:
    import catalogue_db

    catalogue_db.BENCH_DIR = folder
    app, _timings = catalogue_db.instance_for(SIZE, database_url=database_url)
    return app


def collect(app: Any) -> dict[str, Any]:
    """Every answer the golden file records, as plain JSON."""
    from match import make_profiles
    from search import make_queries

    from directory import search
    from directory.api.match import match_json
    from directory.search import query
    from directory.search.query import Filters

    searches: list[Any] = []
    matches: list[Any] = []
    with app.app_context():
        searcher = search.live_searcher(app)
        synonyms = search.current_synonyms(app)
        runs: list[tuple[str, str, dict[str, Any], int]] = []
        for n, (_kind, text, filters) in enumerate(make_queries(160)):
            runs.append(("relevance", text, filters, 1))
            if n % 4 == 2:
                runs.append(("distance", text, filters, 1))
            if n % 5 == 0:
                runs.append(("relevance", text, filters, 2))
            if n % 7 == 0:
                runs.append(("relevance", text, {**filters, "statuses": ("active", "paused")}, 1))
        runs.append(("relevance", "", {"origin": (51.51, -0.12)}, 1))  # distance, no limit
        runs.append(("distance", "walking", {"origin": (53.48, -2.24), "within_km": 150.0}, 1))
        runs.append(("next", "walking", {"origin": (51.51, -0.12), "within_km": 5.0}, 1))
        for sort, text, filters, page in runs:
            found = query.search(searcher, text, Filters(**filters), sort=sort, page=page,
                                 synonyms=synonyms, now=NOW)
            searches.append({
                "query": [sort, text, {k: list(v) if isinstance(v, tuple) else v
                                       for k, v in sorted(filters.items())}, page],
                "total": found.total,
                "hits": [[h.id, h.score, h.distance_km, h.remote,
                          h.next_session.isoformat() if h.next_session else None]
                         for h in found.hits],
                "words": found.words,
            })
        vocab = app.extensions["vocabulary"]
        people = make_profiles(60, sorted(vocab.ids("goals")), sorted(vocab.ids("conditions")))
        for profile in people:
            with app.test_request_context():
                answer = match_json(profile, TODAY)
            matches.append(json.loads(json.dumps(answer, sort_keys=True, default=str)))
    return {"size": SIZE, "searches": searches, "matches": matches}


@pytest.fixture(scope="module")
def answers(
    tmp_path_factory: pytest.TempPathFactory, template_db: Any
) -> Iterator[dict[str, Any]]:
    # On the suite's database server (a fresh database from its template), as every test.
    folder = tmp_path_factory.mktemp("perf-golden")
    app = _instance(folder, template_db.url_for(folder))
    try:
        yield collect(app)
    finally:
        app.extensions["db"].engine.dispose()
        template_db.release(folder)


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_golden_file_covers_every_query_kind(golden: dict[str, Any]) -> None:
    searches = golden["searches"]
    assert len(searches) > 200
    assert sum(1 for s in searches if s["hits"]) > 150  # most find something
    assert {s["query"][0] for s in searches} == {"relevance", "distance", "next"}
    assert any(s["total"] > 100 for s in searches)
    assert sum(1 for m in golden["matches"] if m["results"]) > 40


def test_search_answers_are_unchanged(answers: dict[str, Any], golden: dict[str, Any]) -> None:
    assert len(answers["searches"]) == len(golden["searches"])
    for got, want in zip(answers["searches"], golden["searches"], strict=True):
        assert got == want, f"search {want['query']} changed"


def test_match_answers_are_unchanged(answers: dict[str, Any], golden: dict[str, Any]) -> None:
    assert len(answers["matches"]) == len(golden["matches"])
    for n, (got, want) in enumerate(zip(answers["matches"], golden["matches"], strict=True)):
        assert got == want, f"match of person {n} changed"


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        result = collect(_instance(Path(folder)))
    GOLDEN.write_text(json.dumps(result, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}: {len(result['searches'])} searches, {len(result['matches'])} matches")
