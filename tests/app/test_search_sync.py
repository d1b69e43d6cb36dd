"""The search index follows every committed write, and can be rebuilt without a gap."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from directory import search
from directory.models import ServiceStatus
from directory.search import index

from .factories import make_location, make_service


def indexed(app) -> dict[str, dict]:
    with search.open_live(app).searcher() as searcher:
        return {f["id"]: f for f in searcher.all_stored_fields()}


def test_a_new_service_is_indexed_when_committed(app, db):
    service = make_service(db, "Scotswood Strollers")
    assert indexed(app)[service.public_id]["name"] == "Scotswood Strollers"


def test_nothing_is_indexed_when_a_transaction_rolls_back(app, db):
    make_service(db, "Kept")
    service = make_service(db, "Renamed then rolled back")
    service.name = "Should not appear"
    db.flush()
    db.rollback()
    assert indexed(app)[service.public_id]["name"] == "Renamed then rolled back"


def test_edits_and_status_changes_reach_the_index(app, db):
    service = make_service(db, "Benwell Bootcamp")
    service.name = "Benwell Gentle Circuits"
    service.status = ServiceStatus.PAUSED
    db.commit()
    doc = indexed(app)[service.public_id]
    assert (doc["name"], doc["status"]) == ("Benwell Gentle Circuits", "paused")
    assert search.check(app).clean


def test_a_deleted_service_leaves_the_index(app, db):
    service = make_service(db)
    public_id = service.public_id
    db.delete(service)
    db.commit()
    assert public_id not in indexed(app)


def test_renaming_a_venue_reindexes_its_services(app, db):
    hall = make_location(db, "Old Hall")
    first = make_service(db, "Choir", locations=(hall,))
    second = make_service(db, "Lunch club", locations=(hall,))
    hall.name = "Riverside Community Hall"
    db.commit()
    assert search.check(app).clean
    with search.open_live(app).searcher() as searcher:
        from whoosh.query import Term

        hits = {h["id"] for h in searcher.search(Term("places", "riversid"), limit=None)}
    assert hits == {first.public_id, second.public_id}


def test_rebuild_swaps_in_a_new_generation_and_removes_the_old(app, db):
    make_service(db)
    root = search.index_root(app)
    before = (root / "current").resolve()
    assert search.rebuild_all(app) == 1
    after = (root / "current").resolve()
    assert after != before and not before.exists()
    assert search.check(app).clean


def test_a_reader_opened_before_a_rebuild_keeps_working(app, db):
    service = make_service(db)
    searcher = search.open_live(app).searcher()
    search.rebuild_all(app)
    assert searcher.document(id=service.public_id)["name"] == service.name
    searcher.close()


def test_check_reports_missing_and_extra_documents(app, db):
    service = make_service(db)
    index.write(search.open_live(app), [], [service.public_id])
    index.write(search.open_live(app), [{"id": "ghost", "digest": "x", "name": "Ghost"}], [])
    drift = search.check(app)
    assert drift.missing == [service.public_id]
    assert drift.extra == ["ghost"]


WRITER = textwrap.dedent(
    """
    import sys
    from directory import create_app
    from directory.models import Organization, Service, ServiceStatus
    config = dict(TESTING=True, SECRET_KEY="x", INSTANCE_PATH=sys.argv[1], DATABASE_URL=sys.argv[2],
                  SEARCH_INDEX_DIR=sys.argv[3])
    app = create_app(config)
    with app.extensions["db"].sessions() as session:
        org = Organization(name="Writer " + sys.argv[4])
        for n in range(int(sys.argv[5])):
            session.add(Service(name=f"{sys.argv[4]} group {n}", organization=org,
                                status=ServiceStatus.ACTIVE))
            session.commit()
    """
)


def test_two_writer_processes_at_once_lose_no_updates(app, tmp_path):
    search.rebuild_all(app)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    args = [app.config["DATABASE_URL"], app.config["SEARCH_INDEX_DIR"]]
    procs = [
        subprocess.Popen([sys.executable, str(script), str(tmp_path / f"inst{n}"), *args, f"w{n}", "15"],
                         cwd=Path(__file__).parents[2], stderr=subprocess.PIPE, text=True)
        for n in (1, 2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    names = {doc["name"] for doc in indexed(app).values()}
    assert names == {f"w{n} group {i}" for n in (1, 2) for i in range(15)}
    assert search.check(app).clean


def test_opening_while_another_process_commits_reads_the_newer_generation(app, monkeypatch):
    # Another process's commit deleted the table of contents whoosh had just found (seen in
    # CI as a traceback from a writer process): opening tries again, and reads the newer one.
    search.rebuild_all(app)
    real, calls = index.whoosh_index.open_dir, []

    def racing(path):
        calls.append(path)
        if len(calls) < 3:
            raise FileNotFoundError(2, "No such file or directory", f"{path}/_MAIN_20.toc")
        return real(path)

    monkeypatch.setattr(index.whoosh_index, "open_dir", racing)
    root = Path(app.config["SEARCH_INDEX_DIR"])
    assert index.open_index(root).doc_count() >= 0
    assert len(calls) == 3
    # A folder that is really gone is still "missing", after a bounded number of tries.
    calls.clear()

    def gone(path):
        calls.append(path)
        raise FileNotFoundError(2, "No such file or directory", path)

    monkeypatch.setattr(index.whoosh_index, "open_dir", gone)
    with pytest.raises(index.IndexMissing):
        index.open_index(root)
    assert len(calls) == index.OPEN_ATTEMPTS


def test_a_cached_searcher_sees_later_writes_and_rebuilds(app, db):
    from directory.search import Filters, run_search

    make_service(db, "Elswick Knit and Natter", activities=("crafts",), categories=("community",))
    with app.app_context():
        assert [h.name for h in run_search("knit", Filters()).hits] == ["Elswick Knit and Natter"]
        make_service(db, "Benwell Knitting Circle", activities=("crafts",), categories=("community",))
        assert run_search("knit", Filters()).total == 2
        search.rebuild_all(app)
        assert run_search("knit", Filters()).total == 2


def test_a_parallel_rebuild_gives_the_same_index_as_a_serial_one(app, db):
    for n in range(7):
        make_service(db, f"Group {n}", sessions=((("mon", "tue", "wed")[n % 3], "10:00", "11:00"),))
    assert search.rebuild_all(app, procs=1) == 7
    serial = indexed(app)
    assert search.rebuild_all(app, procs=3) == 7
    assert indexed(app) == serial
    assert search.check(app).clean
    assert len(list((search.index_root(app)).glob("gen-*"))) == 1
