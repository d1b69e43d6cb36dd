"""Writing documents into whoosh with less Python per word: what index.py's writers use.

whoosh spends most of an index build in Python for every word of every document. Three
parts of that are redone here, each giving exactly the index whoosh's own code gives
(tests/app/test_search_bulk.py compares every posting, length and stored field):

- Text is analysed once per distinct word, not once per occurrence: a field's value is
  split with the analyser's own tokenizer and each word's result (lowercased, stop word
  dropped, stemmed), found by running the analyser itself on that word, is remembered.
  whoosh then takes the words as a list and leaves its analyser out.
- The pool of postings groups them by term as they come, and sorts the terms, not every
  posting (documents come in order, so each term's postings already are).
- Field lengths, read back once per posting while the segment is written, are read once
  per document and field instead (whoosh looked for a lengths file on disk for every
  posting of a field that keeps none).
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import Analyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import TEXT, Schema
from whoosh.writing import PostingPool, SegmentWriter

# A writer's postings held in memory before a sorted run goes to disk (whoosh's own pool
# keeps about as many under a 256 MB estimate of their size).
POOL_POSTINGS = 1_500_000
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
    """Postings grouped by (field, term) as they come, so that only the terms are sorted.

    whoosh's pool sorts every posting as a tuple. Documents arrive in order of number, so
    each term's postings are already in order; what comes out is the same sequence.
    """

    def __init__(self, tempstore: Any, segment: Any) -> None:
        super().__init__(tempstore, segment)
        self._terms: dict[tuple[str, bytes], list[tuple[Any, ...]]] = {}
        self._count = 0

    def add(self, item: tuple[Any, ...]) -> None:
        found = self._terms.get((item[0], item[1]))
        if found is None:
            self._terms[(item[0], item[1])] = [item]
        else:
            found.append(item)
        self._count += 1
        if self._count >= POOL_POSTINGS:
            self.save()

    def _in_order(self) -> list[tuple[Any, ...]]:
        terms, self._terms, self._count = self._terms, {}, 0
        ordered = self.current
        for key in sorted(terms):
            ordered.extend(terms[key])
        return ordered  # type: ignore[no-any-return]

    def save(self) -> None:
        self.current = self._in_order()
        super().save()  # sorts them again: one comparison each, as they are in order

    def items(self, maxfiles: int = 128) -> Any:
        if not self.runs:
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
