"""One copy of each equal value, for facts kept as long as a worker lives.

Read from the database or an index's stored fields, every record brings its own copy of
values thousands of others hold too (a set of terms, a status, a session's times, a county's
name); a set costs about 200 bytes even empty. `Shared` hands back the first copy it was
given of each value, so equal values are held once. Only for values whose equal copies are
interchangeable (strings, times, frozen sets and tuples of them), never for numbers
(1 == 1.0 == True), and only for immutable ones.
"""

from __future__ import annotations

from typing import Any


class Shared:
    """Call with a value to get the copy of it already held (or this one, now held)."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self._values.setdefault(value, value)

    def __len__(self) -> int:
        return len(self._values)
