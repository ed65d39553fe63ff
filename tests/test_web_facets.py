"""Facet counts, the date histogram's buckets and layout, and marking words in the article view."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from newssearch.app import create_app
from newssearch.articles import load_article, mark, paragraphs, query_matchers
from newssearch.facets import MAX_MONTH_BARS, compute_facets, histogram, layout_chart
from newssearch.search import build_query as search_query
from newssearch.index import open_index, update_index
from newssearch.pipeline import article_id_for
from newssearch.search import SearchRequest, run_search

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "archiv"


@pytest.fixture(scope="module")
def examples_index(example_index: Path) -> whoosh_index.Index:
    """The session's index of examples/archiv (conftest), opened for the core functions."""
    return open_index(example_index)


def test_histogram_by_month_includes_empty_months() -> None:
    buckets = histogram([date(2022, 1, 26), date(2022, 1, 27), date(2022, 4, 2)])
    assert [(bucket.label, bucket.count) for bucket in buckets] == [
        ("Jan. 2022", 2), ("Feb. 2022", 0), ("März 2022", 0), ("Apr. 2022", 1),
    ]
    assert buckets[0].bound == "2022-01"
    assert (buckets[1].start, buckets[1].end) == (date(2022, 2, 1), date(2022, 2, 28))


def test_histogram_by_year_when_span_is_long() -> None:
    buckets = histogram([date(2019, 12, 31), date(2021, 3, 2), date(2023, 10, 21), date(2023, 1, 1)])
    assert [(bucket.label, bucket.count) for bucket in buckets] == [
        ("2019", 1), ("2020", 0), ("2021", 1), ("2022", 0), ("2023", 2),
    ]
    assert buckets[-1].bound == "2023"
    assert (buckets[-1].start, buckets[-1].end) == (date(2023, 1, 1), date(2023, 12, 31))


def test_histogram_switches_to_years_after_max_month_bars() -> None:
    first = date(2020, 1, 15)
    within = date(2020 + (MAX_MONTH_BARS - 1) // 12, (MAX_MONTH_BARS - 1) % 12 + 1, 1)
    assert not histogram([first, within])[0].by_year
    assert len(histogram([first, within])) == MAX_MONTH_BARS
    beyond = date(2020 + MAX_MONTH_BARS // 12, MAX_MONTH_BARS % 12 + 1, 1)
    assert histogram([first, beyond])[0].by_year


def test_histogram_of_a_filtered_year_shows_all_twelve_months() -> None:
    buckets = histogram([date(2022, 3, 14)], datetime(2022, 1, 1), datetime(2022, 12, 31, 23, 59))
    assert [bucket.short_label for bucket in buckets] == [
        "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
    ]
    assert sum(bucket.count for bucket in buckets) == 1


def test_histogram_of_nothing_is_empty() -> None:
    assert histogram([]) == ()
    assert layout_chart(()).bars == ()


def test_layout_chart_scales_to_busiest_and_keeps_small_bars_visible() -> None:
    chart = layout_chart(histogram([date(2022, 1, 1)] * 200 + [date(2022, 3, 1)]))
    heights = [bar.height for bar in chart.bars]
    assert heights == [chart.plot_height, 1, 2]
    assert chart.bars[1].bucket.count == 0
    assert all(bar.x + bar.width <= chart.width for bar in chart.bars)


def test_layout_chart_labels_years_without_overlap() -> None:
    chart = layout_chart(histogram([date(1950, 1, 1), date(2023, 1, 1)]))
    years = [label.x for label in chart.labels]
    assert [label.text for label in chart.labels][:3] == ["1950", "1960", "1970"]
    assert all(right - left >= 24 for left, right in zip(years, years[1:]))


def test_layout_chart_names_months_and_their_year() -> None:
    chart = layout_chart(histogram([date(2021, 11, 3), date(2022, 2, 1)]))
    assert [(label.text, label.row) for label in chart.labels] == [
        ("Nov", 1), ("Dez", 1), ("Jan", 1), ("Feb", 1), ("2021", 2), ("2022", 2),
    ]


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(query="Kiel"),
        SearchRequest(query="Kiel", kind="comment"),
        SearchRequest(query="Kiel ODER Nato ODER Hafen", kind="article", sort="newest"),
        SearchRequest(query="Ukraine", date_from=datetime(2022, 1, 1), date_to=datetime(2022, 12, 31, 23, 59)),
        SearchRequest(query="verherend", fuzzy=True),
        SearchRequest(query="Tagesordnung"),
        SearchRequest(query="Straße NICHT Sturmflut"),
    ],
)
def test_compute_facets_counts_match_result_total(examples_index: whoosh_index.Index, request_: SearchRequest) -> None:
    total = len(run_search(examples_index, replace(request_, page_size=100)).hits)
    facets = compute_facets(examples_index, request_)
    assert facets.total == total
    assert sum(bucket.count for bucket in facets.buckets) + facets.undated == total
    if request_.kind == "all":
        assert sum(facets.kinds.values()) == total
    else:
        assert facets.kinds[request_.kind] == total


def test_compute_facets_kind_counts_ignore_the_kind_filter(examples_index: whoosh_index.Index) -> None:
    everything = compute_facets(examples_index, SearchRequest(query="Kiel"))
    comments = compute_facets(examples_index, SearchRequest(query="Kiel", kind="comment"))
    assert comments.kinds == everything.kinds
    assert comments.total == everything.kinds["comment"]


def test_compute_facets_counts_undated_documents_apart(tmp_path: Path) -> None:
    folder = tmp_path / "archiv"
    (folder / "undatiert").mkdir(parents=True)
    (folder / "undatiert" / "leuchtturm.txt").write_text(
        "Leuchtturm am Hafen\n\nDer alte Leuchtturm bekommt einen neuen Anstrich.\n", encoding="utf-8"
    )
    update_index(tmp_path / "index", [folder])
    facets = compute_facets(open_index(tmp_path / "index"), SearchRequest(query="Leuchtturm"))
    assert (facets.total, facets.undated, facets.buckets) == (1, 1, ())


def test_search_query_is_what_run_search_runs(examples_index: whoosh_index.Index) -> None:
    fuzzy = SearchRequest(query="Verhandlugnen", fuzzy=True)
    with examples_index.searcher() as searcher:
        found = len(searcher.search(search_query(fuzzy, examples_index), limit=None))
    assert found == len(run_search(examples_index, fuzzy).hits) > 0


def test_load_article_reads_stored_fields_and_comments_in_page_order(examples_index: whoosh_index.Index) -> None:
    relpath = "2022/01/2022-01-26_nato-osterweiterung.txt"
    found = load_article(examples_index, article_id_for(EXAMPLES, relpath))
    assert found is not None
    assert found.title == "Historikerin: Streit um Nato-Osterweiterung reicht bis 1990 zurück"
    assert found.date == datetime(2022, 1, 26)
    assert found.date_source == "path"
    assert [comment.anchor for comment in found.comments] == ["k1", "k2", "k3", "k4"]
    assert found.comments[0].author == "Hannes Petersen"


def test_load_article_refuses_ids_that_are_no_article_id(examples_index: whoosh_index.Index) -> None:
    assert load_article(examples_index, "../../etc/passwd") is None
    assert load_article(examples_index, "ffffffffffffffff") is None


def test_mark_keeps_whitespace_and_marks_whole_compounds(examples_index: whoosh_index.Index) -> None:
    request = SearchRequest(query="Osterweiterung Kiel")
    matchers = query_matchers(examples_index, search_query(request, examples_index))
    text = "Die  Nato-Osterweiterung\nin Kiel, nicht in Kielce."
    assert mark(text, matchers) == [
        ("Die  ", False), ("Nato-Osterweiterung", True), ("\nin ", False), ("Kiel", True),
        (", nicht in Kielce.", False),
    ]


def test_mark_leaves_excluded_words_unmarked(examples_index: whoosh_index.Index) -> None:
    request = SearchRequest(query="Hafen NICHT Nordkai")
    matchers = query_matchers(examples_index, search_query(request, examples_index))
    assert [text for text, matched in mark("Der Hafen ohne Nordkai", matchers) if matched] == ["Hafen"]


def test_paragraphs_split_at_blank_lines_and_keep_lines() -> None:
    assert paragraphs("Erster Absatz\nzweite Zeile\n\n \nZweiter Absatz\n") == [
        ["Erster Absatz", "zweite Zeile"], ["Zweiter Absatz"],
    ]
    assert paragraphs("") == []


@pytest.mark.parametrize("params", ["q=Kiel&kind=comment", "q=Kiel&from=2023", "q=Ukraine&kind=article&to=2022-01"])
def test_search_page_total_is_the_number_of_listed_hits_under_filters(example_index: Path, params: str) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(example_index)}).test_client()
    html = client.get(f"/?{params}&limit=100").data.decode("utf-8")
    total = int(re.search(r'<span class="total">(\d+)</span>', html).group(1))  # type: ignore[union-attr]
    assert total == html.count('<li class="hit ')
