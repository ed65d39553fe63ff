"""The fast paths of a search answer exactly what Whoosh's own way of searching answers.

Counting and date order read posting blocks (``docsets``), filters and date order read column arrays
(``filters``, ``columns``), BM25F reads field lengths from an array (``ranking``), each segment searches
only the terms it holds (``pruning``) and remembers the terms it looked up (``term_infos``), posting lists
skip by bisection (``postings``), phrases compare position sets (``phrases``), and snippets analyse only the
words the vocabulary says may carry a query's terms. Checked on a real index of several segments with replaced pages
(deleted documents) and undated pages, against Whoosh's matchers, query filters and BM25F.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from archive_maker import write_archive
from conftest import EXAMPLES
from whoosh import fields, scoring
from whoosh import index as whoosh_index

from newssearch import facets as facets_module
from newssearch import pipeline, snippets
from newssearch import search as search_module
from newssearch.backend import open_backend
from newssearch.columns import all_document_fields
from newssearch.docsets import matching_docs
from newssearch.facets import compute_facets
from newssearch.filters import kind_and_dates
from newssearch.index import build_schema, open_index, update_index
from newssearch.postings import BisectingLeafMatcher
from newssearch.pruning import SegmentPruned
from newssearch.ranking import relevance
from newssearch.search import SearchRequest, parse_query, search
from newssearch.snippets import best_snippet, matched_spans
from newssearch.term_infos import remember_terms

QUERIES = [
    "Hafen",
    "Gemeinde Hafen",
    "Hafen ODER Schule",
    "Gemeinde NICHT Hafen",
    '"andere Verpflichtungen"',
    "Kita*",
    "titel:Stadtfest",
    "autor:Kiebitz",
    "Kita-Neubau",
    "Hafen UND (Schule ODER Gemeinde)",
    '"Gemeinde Hafen"',
    '"neue Aufstellflächen für Lastwagen"',
    '"zwei Jahre" Nordkai',
    '"Gemeinde Hafen"^2 ODER Stadtfest',
    "Hafen ODER Schule ODER Gemeinde",
    "(Hafen ODER Schule)^2 ODER Gemeinde",
    "Gemeinde^3 ODER Hafen",
    "Stadt ODER Hafen ODER Kita ODER Schule",
]


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several segments (two workers, small batches), replaced pages, example pages and an undated one."""
    base = tmp_path_factory.mktemp("abkuerzungen")
    folder = base / "archiv"
    pages = write_archive(folder, 70)
    shutil.copytree(EXAMPLES / "undatiert", folder / "undatiert")
    page = (EXAMPLES / "undatiert" / "stadtfest-abgesagt.txt").read_text("utf-8")
    # Without its comments the page has no date at all.
    (folder / "undatiert" / "ohne-kommentare.txt").write_text(page.split("Pflichtfelder")[0], "utf-8")
    index_dir = base / "ix"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "INLINE_BELOW_PAGES", 1)
        update_index(index_dir, [folder], jobs=2, batch_pages=20)
        for path in pages[:12]:
            path.write_text(path.read_text("utf-8").replace("Gemeinde", "Gemeinde Hafen"), "utf-8")
        update_index(index_dir, [folder], jobs=2, batch_pages=20)
    with open_index(index_dir).reader() as reader:
        assert len(reader.leaf_readers()) >= 3 and any(leaf.has_deletions() for leaf, _ in reader.leaf_readers())
    return index_dir


@pytest.mark.parametrize("text", QUERIES)
def test_documents_read_from_posting_blocks_are_the_ones_whoosh_matches(segmented_index: Path, text: str) -> None:
    ix = open_index(segmented_index)
    parsed = parse_query(text, ix.schema)
    with ix.searcher() as searcher:
        leaves = list(searcher.leaf_searchers())
        expected = [set(parsed.docs(leaf)) for leaf, _ in leaves]
        assert [matching_docs(SegmentPruned(parsed), leaf) for leaf, _ in leaves] == expected
        assert [matching_docs(parsed, leaf) for leaf, _ in leaves] == expected
    if text != "Kita*":
        assert any(expected), f"{text!r} should match something in the test archive"


@pytest.mark.parametrize("text", QUERIES)
def test_trimmed_queries_and_array_lengths_rank_and_score_as_whoosh_does(segmented_index: Path, text: str) -> None:
    ix = open_index(segmented_index)
    parsed = parse_query(text, ix.schema)
    with ix.searcher(weighting=scoring.BM25F()) as stock, ix.searcher(weighting=relevance()) as ours:
        expected = [(hit.docnum, hit.score) for hit in stock.search(parsed, limit=None)]
        remember_terms(ours.reader())
        for _ in range(2):  # the second time from the remembered term infos
            found = [(hit.docnum, hit.score) for hit in ours.search(SegmentPruned(parsed), limit=None)]
            assert sorted(found) == sorted(expected)
            assert [score for _, score in found] == [score for _, score in expected]
        assert ours.reader().doc_frequency("title", "gibtsnicht") == 0
        assert ("body", "gibtsnicht") not in ours.reader()


@pytest.mark.parametrize("text", QUERIES)
def test_the_total_counts_every_match_however_few_hits_a_page_shows(segmented_index: Path, text: str) -> None:
    """Whoosh's top-k search stops looking at fields that can no longer lift a document into the page once
    the page is full, and then counted fewer documents than match ("Spieler": 882 instead of 1,802). The total
    is every live document the query matches, by relevance and by date, whatever the page size."""
    ix = open_index(segmented_index)
    with ix.searcher() as searcher:
        matching = len(set(searcher.docs_for_query(parse_query(text, ix.schema))))
    for size in (1, 2, 5, 10):
        for sort in ("relevance", "newest"):
            assert search(segmented_index, SearchRequest(query=text, sort=sort, page_size=size)).total == matching


@pytest.mark.parametrize(
    "kind, low, high",
    [
        ("comment", None, None),
        ("article", datetime(2021, 6, 1), None),
        ("all", datetime(2021, 3, 1), datetime(2021, 12, 31, 23, 59, 59)),
        ("comment", None, datetime(2022, 1, 31)),
    ],
)
def test_column_filters_pass_the_documents_of_the_kind_and_dates_asked_for(
    segmented_index: Path, kind: str, low: datetime | None, high: datetime | None
) -> None:
    ix = open_index(segmented_index)
    with ix.searcher() as searcher:
        live = {docnum: fields for docnum, fields in zip(searcher.document_numbers(), searcher.documents())}

        def passes(fields: dict) -> bool:
            when = fields.get("date")
            if kind != "all" and fields["kind"] != kind:
                return False
            if low or high:
                return when is not None and (low is None or when >= low) and (high is None or when <= high)
            return True

        expected = {docnum for docnum, fields in live.items() if passes(fields)}
        assert 0 < len(expected) < len(live)
        column_filter = kind_and_dates(kind, low, high, searcher.reader())
        assert {docnum for docnum in live if docnum in column_filter} == expected
        for leaf, offset in searcher.leaf_searchers():
            local = {docnum - offset for docnum in live if offset <= docnum < offset + leaf.doc_count_all()}
            assert {d + offset for d in column_filter.restrict(leaf.reader(), local)} == expected & {
                d + offset for d in local
            }


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize(
    "kind, low, high",
    [
        ("all", None, None), ("comment", None, None), ("article", None, None),
        ("article", datetime(2021, 3, 1), datetime(2021, 12, 31, 23, 59)), ("all", datetime(2021, 6, 1), None),
        ("comment", None, datetime(2021, 6, 30, 23, 59)),
    ],
)
def test_facets_count_the_kinds_and_months_of_every_document_whoosh_matches(
    segmented_index: Path, text: str, kind: str, low: datetime | None, high: datetime | None
) -> None:
    """The page's kind counts and date histogram come from posting-block sets and column arrays; they are
    those of the documents Whoosh's own search finds, read from their stored fields (the kind counts with
    the date filter only, the months and undated hits of the chosen kind)."""
    ix = open_index(segmented_index)
    request = SearchRequest(query=text, kind=kind, date_from=low, date_to=high)
    with ix.searcher() as searcher:
        found = [searcher.stored_fields(docnum) for docnum in searcher.docs_for_query(parse_query(text, ix.schema))]

    def in_range(when: datetime | None) -> bool:
        if not (low or high):
            return True
        return when is not None and (low is None or when >= low) and (high is None or when <= high)

    dated_ok = [fields for fields in found if in_range(fields.get("date"))]
    chosen = [fields for fields in dated_ok if kind in ("all", fields["kind"])]
    days = [fields["date"] for fields in chosen if fields.get("date") is not None]
    months = Counter((day.year, day.month) for day in days)
    if text == "titel:Stadtfest" and kind == "all" and not (low or high):
        assert len(days) < len(chosen), "the page without comments has no date"
    with pytest.MonkeyPatch.context() as patch:  # as for an index without a date column: Whoosh's grouping
        patch.setattr(facets_module, "by_column", lambda *_: False)
        by_grouping = compute_facets(ix, request)
    backend = open_backend(segmented_index)
    for facets in (compute_facets(ix, request), backend.facets(request), backend.facets(request), by_grouping):
        assert facets.kinds == {name: sum(1 for fields in dated_ok if fields["kind"] == name)
                                for name in ("article", "comment")}
        assert (facets.total, facets.undated) == (len(chosen), len(chosen) - len(days))
        assert Counter({(bucket.start.year, bucket.start.month): bucket.count for bucket in facets.buckets}) == months
        assert not any(bucket.by_year for bucket in facets.buckets)
    backend.close()


def test_the_empty_page_counts_the_live_articles_and_comments(segmented_index: Path) -> None:
    ix = open_index(segmented_index)
    with ix.searcher() as searcher:
        live = Counter(fields["kind"] for fields in searcher.documents())
        assert searcher.reader().doc_count() < searcher.reader().doc_count_all(), "replaced pages left deletions"
    backend = open_backend(segmented_index)
    assert backend.counts() == backend.counts() == dict(live)
    backend.close()


def test_an_article_view_shows_the_live_comments_of_its_page_in_page_order(segmented_index: Path) -> None:
    """Replaced pages left their old article and comments deleted in earlier segments; the view shows the
    current ones, read by the article id alone."""
    ix = open_index(segmented_index)
    with ix.reader() as reader:
        live = list(all_document_fields(reader))
    backend = open_backend(segmented_index)
    articles = [fields for fields in live if fields["kind"] == "article"]
    assert sum(1 for fields in articles if fields["comment_count"]) >= 5
    assert any("Gemeinde Hafen" in fields["body"] for fields in articles), "a replaced page's new text"
    for article in articles:
        view = backend.article(article["article_id"])
        assert view is not None and (view.title, view.body) == (article["title"], article["body"])
        expected = sorted((fields for fields in live if fields["kind"] == "comment"
                           and fields["article_id"] == article["article_id"]), key=lambda fields: fields["position"])
        assert [(comment.position, comment.author) for comment in view.comments] == [
            (fields["position"], fields.get("author")) for fields in expected]
    backend.close()


def test_the_same_text_in_two_segments_scores_the_same_and_keeps_index_order(tmp_path: Path) -> None:
    """Unions add their parts' scores in query order in every segment: two copies of one page written by two
    runs tie to the last bit, so the earlier stays first, whatever else each segment holds."""
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    page = {"kind": "article", "title": "Neue Fähre für den Hafen", "lead": "Am Hafen legt eine neue Fähre an.",
            "body": "Der Hafen bekommt eine neue Fähre. Die Fähre fährt ab Mai, sagt der Hafenmeister."}
    with ix.writer() as writer:
        writer.add_document(id="erste", article_id="erste", **page)
        for number in range(6):
            writer.add_document(id=f"a{number}", kind="article", article_id=f"a{number}", title="Anderes",
                                body="Hafen " + "und Stadt " * number)
    with ix.writer(merge=False) as writer:
        writer.add_document(id="zweite", article_id="zweite", **page)
        for number in range(6):
            writer.add_document(id=f"b{number}", kind="article", article_id=f"b{number}",
                                title="Hafen " + "und Stadt " * number, body="Anderes")
    request = SearchRequest(query="Hafen Fähre ODER Hafenmeister", page_size=20)
    with ix.searcher(weighting=relevance()) as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        hits = [(searcher.stored_fields(hit.docnum)["id"], hit.score)
                for hit in searcher.search(SegmentPruned(parse_query(request.query, ix.schema)), limit=None)]
    copies = [(name, score) for name, score in hits if name in ("erste", "zweite")]
    assert [name for name, _ in copies] == ["erste", "zweite"] and copies[0][1] == copies[1][1]


def test_filtered_searches_leave_no_closed_reader_behind(tmp_path: Path) -> None:
    """Each search opens and closes a reader, and a date filter is kept with its reader: on a one-segment
    index (the reader is its own segment) a filter holding its segment kept every closed reader alive, with
    its columns (a gigabyte after a hundred page views of a 2,600-document archive)."""
    import gc

    from whoosh.reading import SegmentReader

    update_index(tmp_path / "ix", [EXAMPLES])
    ix = open_index(tmp_path / "ix")
    ix.optimize()
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 1
    request = SearchRequest(query="Hafen", date_from=datetime(2020, 1, 1), date_to=datetime(2023, 12, 31))
    for _ in range(20):
        assert search(tmp_path / "ix", request).total > 0
    gc.collect()
    assert sum(1 for item in gc.get_objects() if isinstance(item, SegmentReader)) <= 2


def test_a_word_boosted_to_zero_still_finds_its_documents(segmented_index: Path) -> None:
    """``Schule^0`` counts the same documents by relevance as by date (Whoosh's array union, used for a word in
    three or more fields of a small segment, dropped documents whose score added up to 0)."""
    by_relevance = search(segmented_index, SearchRequest(query="Schule^0", page_size=5))
    by_date = search(segmented_index, SearchRequest(query="Schule^0", sort="newest", page_size=5))
    assert by_relevance.total == by_date.total == search(segmented_index, SearchRequest(query="Schule")).total > 1


def test_a_searcher_kept_open_answers_each_month_and_kind_as_a_fresh_one_does(segmented_index: Path) -> None:
    """The page keeps its searcher open and its filters with it: asking for one half-year, another, the
    first again, and one kind in between gives every time what a fresh process finds."""
    backend = open_backend(segmented_index)
    first = (datetime(2021, 1, 1), datetime(2021, 6, 30, 23, 59))
    second = (datetime(2021, 7, 1), datetime(2021, 12, 31))
    asked = [("all", *first), ("all", *second), ("article", *first), ("all", *first), ("comment", None, None)]
    answers = []
    for kind, low, high in asked:
        request = SearchRequest(query="Gemeinde", kind=kind, date_from=low, date_to=high, page_size=50)
        kept = backend.search(request)
        fresh = search(segmented_index, request)
        assert [(hit.id, hit.score) for hit in kept.hits] == [(hit.id, hit.score) for hit in fresh.hits]
        assert kept.total == fresh.total > 0
        answers.append({hit.id for hit in kept.hits})
    assert answers[0] != answers[1] and answers[0] == answers[3] and answers[2] < answers[0]


@pytest.mark.parametrize(
    "kind, low, high",
    [("comment", None, None), ("article", datetime(2021, 6, 1), None), ("all", datetime(2021, 3, 1), datetime(2021, 12, 31))],
)
def test_filtered_relevance_ranks_counts_and_scores_as_whoosh_does_on_the_documents_that_pass(
    segmented_index: Path, kind: str, low: datetime | None, high: datetime | None
) -> None:
    """A kind or date filter checks each match against the segment's columns: the hits, their order and
    scores, and the total are Whoosh's unfiltered ranking with the documents that do not pass left out."""
    ix = open_index(segmented_index)
    for text in ("Hafen", "Hafen ODER Schule", "Gemeinde NICHT Hafen", '"andere Verpflichtungen"', "Kita*"):
        parsed = parse_query(text, ix.schema)
        with ix.searcher(weighting=scoring.BM25F()) as stock:
            expected = []
            for hit in stock.search(parsed, limit=None):
                when = hit.fields().get("date")
                if kind != "all" and hit["kind"] != kind:
                    continue
                if (low or high) and (when is None or (low and when < low) or (high and when > high)):
                    continue
                expected.append((hit["id"], hit.score))
        for page in (1, 2):
            found = search(segmented_index, SearchRequest(
                query=text, kind=kind, date_from=low, date_to=high, page=page, page_size=4
            ))
            assert found.total == len(expected), text
            assert [(hit.id, hit.score) for hit in found.hits] == expected[(page - 1) * 4 : page * 4], text
        with ix.searcher(weighting=relevance()) as ours:  # every document the results name passes, too
            results = search_module._by_relevance(ours, parsed, kind_and_dates(kind, low, high, ours.reader()), 4)
            assert {ours.stored_fields(docnum)["id"] for docnum in results.docs()} == {id_ for id_, _ in expected}


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_order_puts_undated_documents_last_and_counts_as_relevance_does(segmented_index: Path, sort: str) -> None:
    by_relevance = search(segmented_index, SearchRequest(query="Stadtfest ODER Hafen", page_size=100))
    page = search(segmented_index, SearchRequest(query="Stadtfest ODER Hafen", sort=sort, page_size=100))
    assert page.total == by_relevance.total and {h.id for h in page.hits} == {h.id for h in by_relevance.hits}
    dates = [hit.date for hit in page.hits]
    dated = [when for when in dates if when is not None]
    assert None in dates and dates == dated + [None] * (len(dates) - len(dated))
    assert dated == sorted(dated, reverse=sort == "newest")
    filtered = search(
        segmented_index,
        SearchRequest(query="Hafen", sort=sort, kind="comment", date_from=datetime(2021, 6, 1), page_size=100),
    )
    relevance_filtered = search(
        segmented_index, SearchRequest(query="Hafen", kind="comment", date_from=datetime(2021, 6, 1), page_size=100)
    )
    assert filtered.total == relevance_filtered.total > 0
    assert all(hit.kind == "comment" and hit.date >= datetime(2021, 6, 1) for hit in filtered.hits)


def _marked(segments: list[tuple[str, bool]]) -> list[str]:
    return [text for text, matched in segments if matched]


def test_marks_fall_on_whole_words_never_inside_a_longer_word(segmented_index: Path) -> None:
    ix = open_index(segmented_index)
    analyzer = ix.schema["body"].analyzer
    bau = [(analyzer, {token.text for token in analyzer("Bau", mode="query")})]
    text = "Der Bauer sah den Bau. Der Baum stand am Bau-Zaun."
    marked = [text[start:end] for start, end, _ in matched_spans(text, bau)]
    assert marked == ["Bau", "Bau-Zaun"]
    nato = [(analyzer, {token.text for token in analyzer("Nato", mode="query")})]
    text = "Beim Nato-Gipfel schwieg die Nato."
    marked = [text[start:end] for start, end, _ in matched_spans(text, nato)]
    assert marked == ["Nato-Gipfel", "Nato"]


def test_snippets_show_one_line_of_text_from_the_best_field(segmented_index: Path) -> None:
    ix = open_index(segmented_index)
    analyzer = ix.schema["body"].analyzer
    matchers = [(analyzer, {token.text for token in analyzer("Hafen", mode="query")})]
    lead = "Die Stadt plant.\n\nNichts Neues."
    body = "Am Hafen\u00a0wird gebaut.\r\n\r\nDer  Hafen   wächst, und der Hafenmeister freut sich."
    segments = best_snippet([lead, body], matchers)
    text = "".join(part for part, _ in segments)
    assert text == "Am Hafen wird gebaut. Der Hafen wächst, und der Hafenmeister freut sich."
    assert _marked(segments) == ["Hafen", "Hafen", "Hafenmeister"]


def test_bisecting_posting_reader_skips_to_the_documents_whoosh_skips_to(tmp_path: Path) -> None:
    """Over a posting list of many blocks, every skip lands where Whoosh's own reader lands."""
    schema = fields.Schema(body=fields.TEXT(phrase=True))
    ix = whoosh_index.create_in(tmp_path, schema)
    with ix.writer() as writer:
        for number in range(2000):
            words = ["Hafen"] * (1 + number % 4) if number % 3 == 0 or number % 7 == 0 else ["Schule"]
            writer.add_document(body=" ".join(words))
    with ix.reader() as reader:
        terms = reader._terms
        info = terms.term_info("body", b"hafen")
        assert info.doc_frequency() > 5 * 128, "the test needs a posting list of several blocks"
        fmt = schema["body"].format
        stock = terms._codec.postings_reader(terms._postfile, info, fmt)
        ours = BisectingLeafMatcher(terms._postfile, *info.extent(), fmt)
        assert type(stock) is not BisectingLeafMatcher
        targets = [0, 0, 1, 2, 60, 200, 201, 202, 203, 384, 385, 900, 901, 1399, 1400, 1999, 2005]
        for target in targets:
            if not stock.is_active():
                break
            stock.skip_to(target)
            ours.skip_to(target)
            assert ours.is_active() == stock.is_active()
            if stock.is_active():
                assert (ours.id(), ours.weight(), ours.value()) == (stock.id(), stock.weight(), stock.value())
        assert not ours.is_active()


def test_snippets_from_the_words_carrying_the_terms_match_analysing_every_word(
    segmented_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Snippets that analyse only the words the stored vocabulary names are the ones analysing every word
    of a hit gives, and the shortcut is taken."""
    requests = [SearchRequest(query=text, page_size=30) for text in QUERIES + ["Hafenmeister", "Nato"]]
    asked: list[object] = []
    real = search_module.carriers_function

    def counting(analyzer: object, terms: set[str], folder: Path) -> object:
        found = real(analyzer, terms, folder)  # type: ignore[arg-type]
        asked.append(found)
        return found

    monkeypatch.setattr(search_module, "carriers_function", counting)
    shortcut = [[hit.snippet for hit in search(segmented_index, request).hits] for request in requests]
    assert asked and all(found is not None for found in asked)
    snippets._WORD_TERMS.clear()
    monkeypatch.setattr(search_module, "carriers_function", lambda analyzer, terms, folder: None)
    every_word = [[hit.snippet for hit in search(segmented_index, request).hits] for request in requests]
    assert shortcut == every_word
    assert sum(matched for hits in shortcut for snippet in hits for _, matched in snippet) > 50
