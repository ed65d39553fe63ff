"""Facet counts for a search: how many hits are articles or comments, and when they appeared.

Counts are taken over the same query and filters as the results, so they add up to the total a user sees:
the date histogram's bars plus the undated hits make the total, and the kind counts are taken with the date
filter only (leaving the kind filter out), so the chosen kind's count is the total and the other kind shows
what switching would find.
"""

from __future__ import annotations

import calendar
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from whoosh import index as whoosh_index
from whoosh import sorting

from newssearch.columns import date_values
from newssearch.docsets import term_docs
from newssearch.search import SearchRequest, build_filter, build_query, by_column, pruned_query, segment_matches

# A histogram of at most this many months is drawn by month; a longer span by year.
MAX_MONTH_BARS = 36
# Chart geometry in SVG units (about pixels): labels keep their size whatever the number of bars.
CHART_WIDTH = 240
PLOT_HEIGHT = 80
LABEL_CHARS_WIDTH = 28  # room a year label needs
GERMAN_MONTHS = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.")
SHORT_MONTHS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")


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
    def short_label(self) -> str:
        """Three letters that fit under a month's bar, or the year."""
        return str(self.start.year) if self.by_year else SHORT_MONTHS[self.start.month - 1]

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
    def chart(self) -> Chart:
        """The date histogram laid out for drawing."""
        return layout_chart(self.buckets)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def histogram(
    days: Iterable[date], date_from: datetime | None = None, date_to: datetime | None = None
) -> tuple[Bucket, ...]:
    """Bars from the first to the last day (empty months or years included, so gaps show).

    A filter of at most a year is drawn whole, so narrowing to a year shows all its twelve months.
    """
    return histogram_of_counts(Counter(days), date_from, date_to)


def histogram_of_counts(
    per_day: Mapping[date, int], date_from: datetime | None = None, date_to: datetime | None = None
) -> tuple[Bucket, ...]:
    """``histogram`` of the days counted already (tens of thousands of matches fall on a few hundred days)."""
    counts: dict[int, int] = {}
    for day, count in per_day.items():
        key = _month_index(day)
        counts[key] = counts.get(key, 0) + count
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


# Whoosh keeps a moment as microseconds since the first day of year 1 (``whoosh.util.times``).
_MICROSECONDS_A_DAY = 86_400_000_000


def _day_number(number: int) -> date | None:
    """The day ``number`` days after 1 January of year 1, as ``whoosh.util.times.long_to_datetime`` reads the
    moments of that day (None out of range: an undated document's default is far beyond the year 9999)."""
    try:
        return date.fromordinal(number + 1)
    except (OverflowError, ValueError):
        return None


def compute_facets(ix: whoosh_index.Index, request: SearchRequest, searcher: Any = None) -> Facets:
    """Kind counts and the date histogram for ``request``, over every matching document.

    A long-running caller (the page) passes the searcher it keeps open. The matches are read as sets from
    posting blocks, as a date-ordered search reads them, and their kinds and dates from cached per-segment
    tables: walking Whoosh's matchers for every match took longer than the search itself (a third of a
    second for a word in 50,000 of the full corpus' documents)."""
    with nullcontext(searcher) if searcher is not None else ix.searcher() as searcher:
        search_filter = build_filter(replace(request, kind="all"), searcher.reader())
        if by_column(searcher, search_filter):
            kinds, per_day = _from_columns(searcher, pruned_query(request, ix, searcher.schema), search_filter, request)
        else:  # an index without the date column (written before schema 2)
            kinds, per_day = _from_matchers(searcher, build_query(request, ix, searcher.schema), search_filter, request)
    dated = {day: count for day, count in per_day.items() if day is not None}
    undated = per_day.get(None, 0)
    return Facets(
        total=sum(dated.values()) + undated,
        kinds=kinds,
        buckets=histogram_of_counts(dated, request.date_from, request.date_to),
        undated=undated,
    )


def kind_counts(searcher: Any) -> dict[str, int]:
    """How many articles and comments the index holds (the empty search page says so): the kind terms'
    documents per segment, kept while the segment is open, less the deleted ones."""
    counts = {"article": 0, "comment": 0}
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        for kind in counts:
            docs = term_docs(reader, "kind", kind)
            counts[kind] += len(docs) - len(docs & deleted)
    return counts


def _from_columns(
    searcher: Any, parsed: Any, search_filter: Any, request: SearchRequest
) -> tuple[dict[str, int], Counter[date | None]]:
    kinds = {"article": 0, "comment": 0}
    per_day_number: Counter[int] = Counter()
    for leaf, _, docs in segment_matches(searcher, parsed, search_filter):
        reader = leaf.reader()
        dates = date_values(reader)
        for kind in kinds:
            found = docs.intersection(term_docs(reader, "kind", kind))
            kinds[kind] += len(found)
            if found and request.kind in ("all", kind):
                per_day_number.update(map(_MICROSECONDS_A_DAY.__rfloordiv__, map(dates.__getitem__, found)))
    per_day: Counter[date | None] = Counter()
    for number, count in per_day_number.items():
        per_day[_day_number(number)] += count
    return kinds, per_day


def _from_matchers(
    searcher: Any, parsed: Any, search_filter: Any, request: SearchRequest
) -> tuple[dict[str, int], Counter[date | None]]:
    results = searcher.search(
        parsed,
        limit=None,
        scored=False,
        filter=search_filter,
        groupedby={"kind": sorting.FieldFacet("kind")},
        maptype=sorting.UnorderedList,
    )
    groups = results.groups("kind")
    kinds = {kind: len(groups.get(kind, ())) for kind in ("article", "comment")}
    chosen = [kind for kind in kinds if request.kind in ("all", kind)]
    column = searcher.reader().column_reader("date", translate=False)
    return kinds, Counter(
        _day_number(column[docnum] // _MICROSECONDS_A_DAY) for kind in chosen for docnum in groups.get(kind, ())
    )


@dataclass(frozen=True)
class Bar:
    """A histogram bar placed in the chart; ``slot`` is the clickable column it stands in."""

    bucket: Bucket
    slot_x: float
    slot_width: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Label:
    """Text under the bars: month names in the first row, years in the first or second."""

    x: float
    text: str
    row: int
    centred: bool


@dataclass(frozen=True)
class Chart:
    """The histogram laid out for an SVG of ``width`` × ``height`` units."""

    width: int
    plot_height: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]


def _year_step(slot: float) -> int:
    return next((step for step in (1, 2, 5, 10, 20, 50) if step * slot >= LABEL_CHARS_WIDTH), 100)


def _labels(buckets: tuple[Bucket, ...], slot: float) -> list[Label]:
    if buckets[0].by_year:
        step = _year_step(slot)
        return [
            Label(x=round((index + 0.5) * slot, 2), text=str(bucket.start.year), row=1, centred=True)
            for index, bucket in enumerate(buckets)
            if bucket.start.year % step == 0 or len(buckets) == 1
        ]
    labels: list[Label] = []
    names = slot >= 10
    if names:
        labels += [
            Label(
                x=round((index + 0.5) * slot, 2),
                text=bucket.short_label if slot >= 24 else bucket.short_label[0],
                row=1,
                centred=True,
            )
            for index, bucket in enumerate(buckets)
        ]
    januaries = [index for index, bucket in enumerate(buckets) if bucket.start.month == 1]
    # The first bar names its year too, unless a January follows too closely for both labels to fit.
    if not januaries or januaries[0] != 0 and januaries[0] * slot >= LABEL_CHARS_WIDTH:
        januaries.insert(0, 0)
    labels += [
        Label(x=round(index * slot, 2), text=str(buckets[index].start.year), row=2 if names else 1, centred=False)
        for index in januaries
    ]
    return labels


def layout_chart(buckets: tuple[Bucket, ...], width: int = CHART_WIDTH, plot_height: int = PLOT_HEIGHT) -> Chart:
    """Lay out the histogram: bars scaled to the busiest one (a non-empty bar stays visible), labels that fit."""
    if not buckets:
        return Chart(width=width, plot_height=plot_height, height=plot_height, bars=(), labels=())
    slot = width / len(buckets)
    bar_width = max(1.0, slot * 0.72)
    busiest = max(bucket.count for bucket in buckets) or 1
    bars = []
    for index, bucket in enumerate(buckets):
        height = max(2, round(bucket.count / busiest * plot_height)) if bucket.count else 1
        bars.append(
            Bar(
                bucket=bucket,
                slot_x=round(index * slot, 2),
                slot_width=round(slot, 2),
                x=round(index * slot + (slot - bar_width) / 2, 2),
                y=plot_height - height,
                width=round(bar_width, 2),
                height=height,
            )
        )
    labels = _labels(buckets, slot)
    rows = max(label.row for label in labels)
    return Chart(
        width=width, plot_height=plot_height, height=plot_height + 4 + 13 * rows, bars=tuple(bars), labels=tuple(labels)
    )
