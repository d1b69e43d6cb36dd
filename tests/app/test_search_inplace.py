"""A segment's parts are read in place from its memory map, as whoosh's copies read them."""

from __future__ import annotations

import os
import pickle
import tracemalloc
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.structfile import BufferFile

from directory.search import index as search_index  # noqa: F401 - installs the in-place reads
from directory.search.bulk import BulkWriter
from directory.search.index import SCHEMA
from directory.search.inplace import InPlaceFile

from .test_search_bulk import documents

DATA = b"first line\nsecond\n" + pickle.dumps({"a": [1, 2, 3]}) + b"\x85\x01tail"


def both() -> tuple[BufferFile, InPlaceFile]:
    """The same bytes as whoosh reads them (its BufferFile copies them into a BytesIO) and
    in place."""
    return BufferFile(memoryview(DATA)), InPlaceFile(DATA, 0, len(DATA))


def test_reads_seeks_and_lines_give_what_a_bytesio_gives() -> None:
    for steps in (
        lambda f: [f.read(5), f.tell(), f.read(0), f.readline(), f.readline(), f.tell()],
        lambda f: [f.seek(4), f.read(3), f.seek(2, os.SEEK_CUR), f.read(2),
                   f.seek(-4, os.SEEK_END), f.read(), f.read(), f.tell()],
        lambda f: [f.seek(len(DATA) + 10), f.read(4), f.tell(), f.seek(0), f.read(-1)],
        lambda f: [f.seek(18), f.read_pickle(), f.read_varint(), f.read(None)],
        lambda f: [f.get(3, 4), f.get_byte(0), f.tell(), list(f)[:2]],
        lambda f: [f.readline(4), f.readline(), f.readline(0), f.seek(len(DATA) - 3),
                   f.readline(), f.readline(), f.seek(len(DATA) + 2), f.readline(), f.tell()],
    ):
        whooshs, in_place = both()
        assert steps(in_place) == steps(whooshs)


def test_a_pickle_longer_than_the_first_window_is_read_whole_and_the_rest_follows() -> None:
    data = b"x" + pickle.dumps([list(range(n)) for n in range(200)]) + b"after"
    for f in (BufferFile(memoryview(data)), InPlaceFile(data, 0, len(data))):
        f.seek(1)
        assert f.read_pickle() == [list(range(n)) for n in range(200)]
        assert f.read() == b"after"
    cut = InPlaceFile(data, 0, len(data) - 1000)  # the part ends inside the pickle
    cut.seek(1)
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        cut.read_pickle()


def test_a_subset_is_read_in_place_too_and_nothing_is_written() -> None:
    whole = InPlaceFile(b"ignored" + DATA + b"\nbeyond", 7, len(DATA))
    assert whole.readline() == b"first line\n"
    assert list(whole)[-1] == DATA[DATA.rindex(b"\n") + 1:]  # not a byte past the part
    part = whole.subset(11, 7)
    assert isinstance(part, InPlaceFile)
    assert part.readline(3) == b"sec"
    part.seek(0)
    assert part.read() == b"second\n"
    with pytest.raises(ValueError):
        part.seek(-1)
    with pytest.raises(OSError):
        part.write(b"x")
    part.close()
    with pytest.raises(ValueError):
        part.close()


def test_a_searcher_reads_its_segments_without_copying_them(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    writer = BulkWriter(ix)
    for doc in documents(3000):
        writer.add_document(**doc)
    writer.commit()
    segment = next(tmp_path.glob("*.seg"))
    assert segment.stat().st_size > 500_000
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        with ix.searcher() as searcher:
            reader = searcher.reader()
            found = [reader.stored_fields(d)["id"] for d in (0, 1500, 2999)]
            words = sum(1 for _ in reader.lexicon("description"))
            held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert found == ["svc-0", "svc-1500", "svc-2999"]
    assert words > 10
    # whoosh's own files would hold a copy of the terms, postings and stored fields.
    assert held < segment.stat().st_size / 10
