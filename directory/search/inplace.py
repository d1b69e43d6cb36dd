"""Read the parts of a whoosh segment in place, from the segment's memory map.

whoosh keeps each segment as one compound file, memory-mapped, and hands out its parts
(the term index, the postings, the stored fields, ...) as `BufferFile`s; but a
`BufferFile` makes an `io.BytesIO` of its part, and a BytesIO of a memoryview is a copy.
So every searcher held a private copy of every part it had read: at 100,000 services
about 30 MB of terms, 30 MB of postings and, once a stored field was read, 50 MB of
stored fields, in every worker, while the same bytes sat in the page cache, shared.

`InPlaceFile` reads and seeks on the memoryview itself. Its `read` stands where
`StructFile.read` stood (one Python call either way) and returns the same bytes, so
searches read what they read before, from the same offsets. `install()` makes whoosh's
compound storage hand these out; anything else (a segment that is not memory-mapped, a
writer's files) is left to whoosh.
"""

from __future__ import annotations

import io
import os
import pickle
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class InPlaceFile(BufferFile):  # type: ignore[misc]
    """A read-only part of a memory-mapped segment, read without copying it.

    Reads slice the map itself (one bytes object each, made in C) at the part's offset;
    the memoryview is there for what whoosh's BufferFile offers on top (arrays, subsets).
    """

    def __init__(self, source: Any, offset: int, length: int, name: str | None = None,
                 onclose: Any = None) -> None:
        self._source = source  # the segment's mmap (or any bytes-like object)
        self._base = offset
        self._buf = memoryview(source)[offset:offset + length]
        self._name = name
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False
        self.file = self  # what pickle.load and friends are given to read from
        self._pos = 0
        self._size = length

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = self._size if size is None or size < 0 else min(start + size, self._size)
        if end <= start:
            return b""
        self._pos = end
        return self._source[self._base + start:self._base + end]  # type: ignore[no-any-return]

    def read_pickle(self) -> Any:
        """The pickled object at the position (whoosh keeps a pickled header before each
        block of postings): unpickled from a BytesIO of the bytes just after the position,
        so the unpickler reads in C rather than calling read() a score of times."""
        window = 4096
        while True:
            end = min(self._pos + window, self._size)
            found = io.BytesIO(self._source[self._base + self._pos:self._base + end])
            try:
                value = pickle.load(found)
            except (EOFError, pickle.UnpicklingError):
                if self._pos + window >= self._size:
                    raise
                window *= 8
                continue
            self._pos += found.tell()
            return value

    def get(self, position: int, length: int) -> bytes:
        start = min(max(position, 0), self._size)
        end = min(start + max(length, 0), self._size)
        return self._source[self._base + start:self._base + end]  # type: ignore[no-any-return]

    def readline(self, size: int | None = -1) -> bytes:
        start = min(self._pos, self._size)
        newline = self._source.find(b"\n", self._base + start, self._base + self._size)
        end = self._size if newline < 0 else newline + 1 - self._base
        if size is not None and size >= 0:
            end = min(end, start + size)
        self._pos = max(end, self._pos)
        return self._source[self._base + start:self._base + end]  # type: ignore[no-any-return]

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._pos
        elif whence == os.SEEK_END:
            offset += self._size
        if offset < 0:
            raise ValueError(f"negative seek position {offset}")
        self._pos = offset
        return offset

    def tell(self) -> int:
        return self._pos

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line

    def subset(self, position: int, length: int, name: str | None = None) -> InPlaceFile:
        start = min(max(position, 0), self._size)
        end = min(start + max(length, 0), self._size)
        return InPlaceFile(self._source, self._base + start, end - start, name=name or self._name)

    def write(self, *_args: Any, **_kwargs: Any) -> None:
        raise OSError("a segment's part is read-only")

    truncate = write

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.is_closed:
            raise ValueError("this file is already closed")
        if self.onclose:
            self.onclose(self)
        self.is_closed = True


def _open_file(self: compound.CompoundStorage, name: str, *args: Any, **kwargs: Any) -> Any:
    if self._source is None:
        return _whooshs_open_file(self, name, *args, **kwargs)
    if self.is_closed:
        raise compound.StorageError("Storage was closed")
    offset, length = self.range(name)
    return InPlaceFile(self._source, offset, length, name=name)


_whooshs_open_file = compound.CompoundStorage.open_file


def install() -> None:
    """Make whoosh's compound storage hand out parts read in place (idempotent)."""
    compound.CompoundStorage.open_file = _open_file
