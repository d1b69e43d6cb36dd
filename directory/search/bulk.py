"""Writing documents into whoosh with less Python per word: what index.py's writers use.

whoosh spends most of an index build in Python for every word of every document. Three
parts of that are redone here, each giving exactly the index whoosh's own code gives
(tests/app/test_search_bulk.py compares every posting, length and stored field):

- Text is analysed once per distinct word, not once per occurrence: a field's value is
  split with the analyser's own tokenizer and each word's result (lowercased, stop word
  dropped, stemmed), found by running the analyser itself on that word, is remembered.
  whoosh then takes the words as a list and leaves its analyser out.
- The pool of postings groups them by term as they come, and sorts the terms, not every
  posting (documents come in order, so each term's postings already are); it holds them
  in arrays, so a whole build's postings fit in memory instead of spilling to disk.
- Field lengths, read back once per posting while the segment is written, are read once
  per document and field instead (whoosh looked for a lengths file on disk for every
  posting of a field that keeps none).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import TEXT, Schema
from whoosh.writing import PostingPool, SegmentWriter

# A writer's postings held in memory (12 bytes each) before a sorted run goes to disk:
# about 300,000 documents' worth.
POOL_POSTINGS = 20_000_000
# Distinct words a writer remembers per analyser; forgotten all at once beyond this.
KEPT_WORDS = 200_000


def analysed(analyzer: Analyzer, value: str, seen: dict[str, tuple[str, ...]]) -> list[str]:
    """The terms analyzer makes of value, in order: what whoosh would index. seen holds
    what earlier words came to (for this analyser only)."""
    tokenizer = analyzer.items[0]  # type: ignore[attr-defined]
    terms: list[str] = []
    for match in tokenizer.expression.finditer(value):
        word = match.group(0)
        found = seen.get(word)
        if found is None:
            # The filters after the tokenizer look at one word at a time, so the analyser
            # run on the word alone gives what it gives for the word in its sentence.
            found = tuple(t.text for t in analyzer(word, mode="index") if not t.stopped)
            if len(seen) >= KEPT_WORDS:
                seen.clear()
            seen[word] = found
        terms.extend(found)
    return terms


# Filters that look at one word at a time (and drop or change it), nothing else.
_WORD_BY_WORD = (LowercaseFilter, StopFilter, StemFilter)


def _analysed_fields(schema: Schema) -> list[tuple[str, Analyzer, bool]]:
    """(name, analyser, stored) of the text fields whose analyser can be run word by word:
    a tokenizer that matches words (not gaps), then only word-by-word filters, for a field
    that keeps no positions (a dropped stop word would move the words after it)."""
    found = []
    for name, field in schema.items():
        items = getattr(field.analyzer, "items", None) if isinstance(field, TEXT) else None
        if (items and type(items[0]) is RegexTokenizer and not items[0].gaps
                and all(type(f) in _WORD_BY_WORD for f in items[1:])
                and not field.format.supports("positions")
                and not field.format.supports("characters")):
            found.append((name, field.analyzer, bool(field.stored)))
    return found


class BulkWriter(SegmentWriter):  # type: ignore[misc]
    """A SegmentWriter (same arguments) that writes the same segment with less work."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = _GroupingPool(self._tempstorage, self.newsegment)
        # Fields sharing an analyser share what its words came to (the writer holds the
        # analysers, so their ids stay theirs).
        seen: dict[int, dict[str, tuple[str, ...]]] = {}
        self._analysed = [(name, analyzer, stored, seen.setdefault(id(analyzer), {}))
                          for name, analyzer, stored in _analysed_fields(self.schema)]

    def add_document(self, **fields: Any) -> None:
        for name, analyzer, stored, seen in self._analysed:
            value = fields.get(name)
            if isinstance(value, str):
                fields[name] = analysed(analyzer, value, seen)
                if stored:  # stored as given, not as its list of terms
                    fields.setdefault(f"_stored_{name}", value)
        super().add_document(**fields)

    def per_document_reader(self) -> Any:
        return _Lengths(super().per_document_reader(), self.schema, self.docnum)


class _GroupingPool(PostingPool):  # type: ignore[misc]
    """Postings grouped by (field, term) as they come, so that only the terms are sorted,
    each kept as two numbers in arrays rather than as a tuple of five objects.

    whoosh's pool sorts every posting as a tuple, and beyond its memory budget writes them
    to disk and merges them back, in Python, one posting at a time (at 50,000 documents
    that spill took more time than the rest of the commit). Documents arrive in order of
    number, so each term's postings already are in order, and a posting's weight and
    value come from a handful of distinct pairs: 12 bytes a posting, not about 200.
    """

    def __init__(self, tempstore: Any, segment: Any) -> None:
        super().__init__(tempstore, segment)
        self._terms: dict[tuple[str, bytes], tuple[array[int], array[int]]] = {}
        self._pairs: dict[tuple[type, Any, bytes | None], int] = {}
        self._values: list[tuple[Any, bytes | None]] = []
        self._count = 0

    def add(self, item: tuple[Any, ...]) -> None:
        fieldname, text, docnum, weight, value = item
        found = self._terms.get((fieldname, text))
        if found is None:
            found = self._terms[(fieldname, text)] = (array("q"), array("I"))
        pair = self._pairs.get((type(weight), weight, value))
        if pair is None:
            pair = self._pairs[(type(weight), weight, value)] = len(self._values)
            self._values.append((weight, value))
        found[0].append(docnum)
        found[1].append(pair)
        self._count += 1
        if self._count >= POOL_POSTINGS:
            self.save()

    def _in_order(self) -> Iterator[tuple[Any, ...]]:
        terms, values = self._terms, self._values
        self._terms, self._count = {}, 0
        for key in sorted(terms):
            fieldname, text = key
            docnums, pairs = terms[key]
            for docnum, pair in zip(docnums, pairs, strict=True):
                weight, value = values[pair]
                yield fieldname, text, docnum, weight, value

    def save(self) -> None:
        self.current.extend(self._in_order())
        super().save()  # sorts them again: one comparison each, as they are in order

    def items(self, maxfiles: int = 128) -> Any:
        if not self.runs and not self.current:
            return self._in_order()
        return super().items(maxfiles)


class _Lengths:
    """A per-document reader's field lengths, each field's read once for every document."""

    def __init__(self, reader: Any, schema: Schema, count: int) -> None:
        self._reader, self._schema, self._count = reader, schema, count
        self._known: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if fieldname not in self._known:
            # Only scorable fields keep lengths; for the others whoosh gives the default.
            self._known[fieldname] = (
                [self._reader.doc_field_length(d, fieldname, 0) for d in range(self._count)]
                if self._schema[fieldname].scorable else None
            )
        known = self._known[fieldname]
        return default if known is None else known[docnum]

    def close(self) -> None:
        self._reader.close()
