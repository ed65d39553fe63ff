"""Facet counts for a search: how many hits are articles or comments, and when they appeared.

Counts are taken over the same query and filters as the results, so they add up to the total a user sees:
the date histogram's bars plus the undated hits make the total, and the kind counts are taken with the date
filter only (leaving the kind filter out), so the chosen kind's count is the total and the other kind shows
what switching would find.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Iterable

from whoosh import index as whoosh_index
from whoosh import query, sorting
from whoosh.util.times import long_to_datetime

from newssearch.search import _QUOTES, SearchRequest, _filter, parse_query
from newssearch.spelling import fuzzy_query

# A histogram of at most this many months is drawn by month; a longer span by year.
MAX_MONTH_BARS = 36
GERMAN_MONTHS = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.")


@dataclass(frozen=True)
class Bucket:
    """One bar of the date histogram: a month or a year and how many hits fall into it."""

    start: date
    end: date
    count: int
    by_year: bool

    @property
    def label(self) -> str:
        """``März 2022`` or ``2022``."""
        if self.by_year:
            return str(self.start.year)
        return f"{GERMAN_MONTHS[self.start.month - 1]} {self.start.year}"

    @property
    def bound(self) -> str:
        """The value for the ``from``/``to`` parameters that selects exactly this bar (``2022-03`` or ``2022``)."""
        return str(self.start.year) if self.by_year else f"{self.start.year}-{self.start.month:02d}"


@dataclass(frozen=True)
class Facets:
    """Counts that belong to one results page."""

    total: int
    kinds: dict[str, int]
    buckets: tuple[Bucket, ...]
    undated: int

    @property
    def by_year(self) -> bool:
        return bool(self.buckets) and self.buckets[0].by_year

    @property
    def busiest(self) -> int:
        """The highest bar, which the histogram scales to."""
        return max((bucket.count for bucket in self.buckets), default=0)


def search_query(request: SearchRequest, schema: Any) -> query.Query:
    """The Whoosh query ``run_search`` runs for ``request`` (with fuzzy spellings when asked for)."""
    parsed = parse_query(request.query, schema)
    if request.fuzzy:
        parsed = query.Or([parsed, fuzzy_query(request.query.translate(_QUOTES), schema)])
    return parsed


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def histogram(days: Iterable[date], date_from: datetime | None = None, date_to: datetime | None = None) -> tuple[Bucket, ...]:
    """Bars from the first to the last day (empty months or years included, so gaps show).

    A filter of at most a year is drawn whole, so narrowing to a year shows all its twelve months.
    """
    counts: dict[int, int] = {}
    for day in days:
        key = _month_index(day)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return ()
    first, last = min(counts), max(counts)
    if date_from and date_to and _month_index(date_to.date()) - _month_index(date_from.date()) < 12:
        first = min(first, _month_index(date_from.date()))
        last = max(last, _month_index(date_to.date()))
    if last - first < MAX_MONTH_BARS:
        return tuple(
            Bucket(
                start=_month_start(key),
                end=_month_start(key).replace(day=calendar.monthrange(key // 12, key % 12 + 1)[1]),
                count=counts.get(key, 0),
                by_year=False,
            )
            for key in range(first, last + 1)
        )
    years: dict[int, int] = {}
    for key, count in counts.items():
        years[key // 12] = years.get(key // 12, 0) + count
    return tuple(
        Bucket(start=date(year, 1, 1), end=date(year, 12, 31), count=years.get(year, 0), by_year=True)
        for year in range(first // 12, last // 12 + 1)
    )


def _day(raw: int) -> date | None:
    """A date column's raw value as a day; undated documents hold a default that is no valid time."""
    try:
        return long_to_datetime(raw).date()
    except (OverflowError, ValueError):
        return None


def compute_facets(ix: whoosh_index.Index, request: SearchRequest) -> Facets:
    """Kind counts and the date histogram for ``request``, in one pass over every matching document."""
    parsed = search_query(request, ix.schema)
    with ix.searcher() as searcher:
        results = searcher.search(
            parsed,
            limit=None,
            scored=False,
            filter=_filter(replace(request, kind="all")),
            groupedby={"kind": sorting.FieldFacet("kind")},
            maptype=sorting.UnorderedList,
        )
        groups = results.groups("kind")
        kinds = {kind: len(groups.get(kind, ())) for kind in ("article", "comment")}
        chosen = [kind for kind in kinds if request.kind in ("all", kind)]
        column = searcher.reader().column_reader("date", translate=False)
        days = [_day(column[docnum]) for kind in chosen for docnum in groups.get(kind, ())]
    dated = [day for day in days if day is not None]
    return Facets(
        total=len(days),
        kinds=kinds,
        buckets=histogram(dated, request.date_from, request.date_to),
        undated=len(days) - len(dated),
    )
