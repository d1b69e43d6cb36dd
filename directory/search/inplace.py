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

import os
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class InPlaceFile(BufferFile):  # type: ignore[misc]
    """A read-only part of a memory-mapped segment, read without copying it."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False
        self.file = self  # what pickle.load and friends are given to read from
        self._pos = 0
        self._size = len(buf)

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = self._size if size is None or size < 0 else min(start + size, self._size)
        if end <= start:
            return b""
        self._pos = end
        return self._buf[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        rest = self._buf[self._pos:].tobytes()
        cut = rest.find(b"\n") + 1 or len(rest)
        if size is not None and size >= 0:
            cut = min(cut, size)
        self._pos += cut
        return rest[:cut]

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
        return iter(self._buf.tobytes().splitlines(keepends=True))

    def subset(self, position: int, length: int, name: str | None = None) -> InPlaceFile:
        return InPlaceFile(self._buf[position:position + length], name=name or self._name)

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
    return InPlaceFile(memoryview(self._source)[offset:offset + length], name=name)


_whooshs_open_file = compound.CompoundStorage.open_file


def install() -> None:
    """Make whoosh's compound storage hand out parts read in place (idempotent)."""
    compound.CompoundStorage.open_file = _open_file
