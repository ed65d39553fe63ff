"""Kind and date range as a filter that narrows results without changing their scores.

A query-based filter first collects every document of the kind or date range (tens of thousands in a large
archive), which made filtered searches many times slower than plain ones. These filters check only the
documents a query matches, against each segment's kind postings and date column, read once per open
segment (``docsets``, ``columns``).
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from datetime import datetime
from typing import Any, Iterator

from whoosh import query
from whoosh.collectors import TopCollector
from whoosh.idsets import DocIdSet
from whoosh.util.times import datetime_to_long

from newssearch.columns import NO_DATE, date_values, has_column
from newssearch.docsets import term_docs


class ColumnFilter(DocIdSet):
    """Documents of one kind and/or in a date range; undated documents never pass a date range."""

    def __init__(self, reader: Any, kind: str | None, low: datetime | None, high: datetime | None) -> None:
        self.kind = kind
        self.dated = bool(low or high)
        self.low = datetime_to_long(low) if low else -NO_DATE
        self.high = min(datetime_to_long(high), NO_DATE - 1) if high else NO_DATE - 1
        leaves = sorted(((offset, leaf) for leaf, offset in reader.leaf_readers()), key=lambda pair: pair[0])
        self._offsets = [offset for offset, _ in leaves]
        # Weakly: a filter is kept with its reader (``kind_and_dates``), and a one-segment reader is its own
        # leaf; a strong reference would keep every closed reader of such an index alive.
        self._leaves = [weakref.ref(leaf) for _, leaf in leaves]
        self._count = reader.doc_count_all()
        self._per_leaf: list[tuple[frozenset[int] | None, Any] | None] = [None] * len(self._leaves)

    def _columns(self, index: int) -> tuple[frozenset[int] | None, Any]:
        """One segment's kind set and date array, fetched once per filter (Whoosh asks once per match)."""
        found = self._per_leaf[index]
        if found is None:
            reader = self._leaves[index]()
            kinds = term_docs(reader, "kind", self.kind) if self.kind is not None else None
            found = self._per_leaf[index] = (kinds, date_values(reader) if self.dated else None)
        return found

    def __contains__(self, docnum: object) -> bool:
        """For Whoosh's collector, which asks with whole-index document numbers."""
        if not isinstance(docnum, int) or not 0 <= docnum < self._count:
            return False
        index = bisect_right(self._offsets, docnum) - 1
        local = docnum - self._offsets[index]
        kinds, dates = self._columns(index)
        if kinds is not None and local not in kinds:
            return False
        return dates is None or self.low <= dates[local] <= self.high

    def columns_of(self, reader: Any) -> tuple[frozenset[int] | None, Any]:
        """The kind set and date array of the segment ``reader`` (None for what the filter does not check)."""
        kinds = term_docs(reader, "kind", self.kind) if self.kind is not None else None
        return kinds, date_values(reader) if self.dated else None

    def restrict(self, reader: Any, docs: set[int]) -> set[int]:
        """The members of ``docs`` (document numbers within the segment ``reader``) that pass."""
        if self.kind is not None and docs:
            docs = docs & term_docs(reader, "kind", self.kind)
        if self.dated and docs:
            dates, low, high = date_values(reader), self.low, self.high
            docs = {docnum for docnum in docs if low <= dates[docnum] <= high}
        return docs

    def __bool__(self) -> bool:
        return True  # Whoosh asks `if filter:`; counting the members to answer would defeat the purpose

    def __iter__(self) -> Iterator[int]:
        return (docnum for docnum in range(self._count) if docnum in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class ColumnTopCollector(TopCollector):  # type: ignore[misc]
    """Whoosh's top-k collector (every match scored and counted) within a ``ColumnFilter``, checking each match
    against its own segment's kind set and date array in the loop: ``ColumnFilter.__contains__``, which
    Whoosh's filtering collector asks, cost a Python call and a bisection per match."""

    def __init__(self, column_filter: ColumnFilter, **options: Any) -> None:
        super().__init__(**options)
        self.column_filter = column_filter
        self._checks: tuple[frozenset[int] | None, Any] = (None, None)

    def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
        super().set_subsearcher(subsearcher, offset)
        self._checks = self.column_filter.columns_of(subsearcher.reader())

    def all_ids(self) -> Iterator[int]:
        column_filter = self.column_filter
        return (docnum for docnum in super().all_ids() if docnum in column_filter)

    def matches(self) -> Iterator[int]:
        kinds, dates = self._checks
        low, high = self.column_filter.low, self.column_filter.high
        for docnum in super().matches():
            if (kinds is None or docnum in kinds) and (dates is None or low <= dates[docnum] <= high):
                yield docnum


# The column filters of an open reader, by kind and dates: a reader's segments never change, so a filter made
# once serves every later request for the same month or kind (a page of results, the next page, a new word).
_FILTERS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], ColumnFilter]] = weakref.WeakKeyDictionary()
_FILTERS_PER_READER = 64


def kind_and_dates(kind: str, low: datetime | None, high: datetime | None, reader: Any = None) -> Any:
    """The filter for a kind ("all", "article", "comment") and a date range, or None for no restriction.

    With a reader it checks column values (fast at any archive size; kept for the reader's next requests);
    without one, or for an index from before ``kind`` had a column, it is the equivalent ``Term`` and
    ``DateRange`` query.
    """
    dated = bool(low or high)
    if kind == "all" and not dated:
        return None
    if reader is not None and has_column(reader, "kind") and has_column(reader, "date"):
        made = _FILTERS.setdefault(reader, {})
        key = (kind, low, high)
        found = made.get(key)
        if found is None:
            if len(made) >= _FILTERS_PER_READER:
                made.clear()
            found = made[key] = ColumnFilter(reader, None if kind == "all" else kind, low, high)
        return found
    parts: list[query.Query] = []
    if kind != "all":
        parts.append(query.Term("kind", kind))
    if dated:
        parts.append(query.DateRange("date", low, high))
    return parts[0] if len(parts) == 1 else query.And(parts)
