"""The engine interface: one backend object serves many requests and follows updates and rebuilds."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES, PageWriter, page_text

from newssearch.backend import SearchBackend, WhooshBackend, open_backend
from newssearch.index import update_index
from newssearch.search import SearchRequest


def test_backend_sees_updates_and_rebuilds_without_reopening(tmp_path: Path, write_page: PageWriter) -> None:
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES])
    backend: SearchBackend = open_backend(index_dir)
    assert isinstance(backend, WhooshBackend)
    assert backend.search(SearchRequest(query="Osterweiterung")).total > 0
    assert backend.search(SearchRequest(query="Leuchtturmwärter")).total == 0
    write_page("2023-04-01_turm.txt", page_text("Neuer Leuchtturmwärter in Kiel", "Er tritt am Montag an."))
    update_index(index_dir, [tmp_path / "archiv"])
    assert backend.search(SearchRequest(query="Leuchtturmwärter")).total == 1
    update_index(index_dir, [tmp_path / "archiv"], rebuild=True)
    assert backend.search(SearchRequest(query="Osterweiterung")).total == 0  # the rebuild kept only this folder
    assert backend.search(SearchRequest(query="Leuchtturmwärter")).total == 1
    assert backend.counts() == {"article": 1, "comment": 0}


def test_backend_marks_query_words_in_any_text(example_index: Path) -> None:
    backend = open_backend(example_index)
    marker = backend.marker(SearchRequest(query="Osterweiterung NOT Ukraine"))
    segments = marker("Ein Ende der Nato-Osterweiterung für die Ukraine", "body")
    assert [text for text, matched in segments if matched] == ["Nato-Osterweiterung"]
    assert "".join(text for text, _ in segments) == "Ein Ende der Nato-Osterweiterung für die Ukraine"
    assert backend.marker(None)("Text", "body") == [("Text", False)]
    # A field prefix marks that field only.
    narrowed = backend.marker(SearchRequest(query="dachzeile:Wirtschaft"))
    assert narrowed("Der Wirtschaftsausschuss tagt", "body") == [("Der Wirtschaftsausschuss tagt", False)]
    assert narrowed("Wirtschaft", "kicker") == [("Wirtschaft", True)]
    article = backend.article(backend.search(SearchRequest(query="Osterweiterung", kind="article")).hits[0].id)
    assert article is not None and article.comments


def test_the_page_server_threads_share_one_backend_and_get_what_one_thread_gets(example_index: Path) -> None:
    """``newssearch serve`` answers from several threads with one backend and its kept searcher (searches,
    facets, counts and article views). Whoosh reads a segment file with a seek and then a read on one shared
    handle: two searches at once read each other's bytes (unpickling errors, wrong hits) unless the backend
    lets one search through at a time."""
    import sys
    import threading
    from datetime import datetime

    backend = open_backend(example_index)
    words = ["Hafen", "Schule", "Gemeinde", "Stadtfest", "Ukraine", "Nato", "Kita", "Fähre", "Drohnen", "Corona"]
    def request(number: int) -> SearchRequest:
        text = words[number % 10] if number % 2 == 0 else f"{words[number % 10]} {words[(number * 3 + 1) % 10]}"
        return SearchRequest(query=text, sort="newest" if number % 3 == 0 else "relevance",
                             date_from=datetime(2021, 1, 1) if number % 4 == 0 else None, page_size=20)

    requests = [request(number) for number in range(30)]
    expected = [(page.total, [(hit.id, hit.snippet) for hit in page.hits]) for page in map(backend.search, requests)]
    # The page's facets, its counts and its article view read the same kept searcher.
    expected_facets = [backend.facets(asked) for asked in requests]
    counts = backend.counts()
    article_ids = sorted({hit.article_id for page in map(backend.search, requests) for hit in page.hits})
    expected_articles = {article_id: backend.article(article_id) for article_id in article_ids}
    failures: list[str] = []

    def ask(seed: int) -> None:
        for step in range(60):
            number = (seed * 7 + step * 11) % len(requests)
            try:
                page = backend.search(requests[number])
                if (page.total, [(hit.id, hit.snippet) for hit in page.hits]) != expected[number]:
                    failures.append(f"{requests[number].query}: andere Treffer")
                if backend.facets(requests[number]) != expected_facets[number]:
                    failures.append(f"{requests[number].query}: andere Facetten")
                article_id = article_ids[(seed + step) % len(article_ids)]
                if backend.article(article_id) != expected_articles[article_id] or backend.counts() != counts:
                    failures.append(f"{article_id}: anderer Artikel oder andere Zahlen")
            except Exception as error:  # noqa: BLE001 - any error here is the failure this test is about
                failures.append(f"{requests[number].query}: {error!r}")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a busy server does
    try:
        threads = [threading.Thread(target=ask, args=(seed,)) for seed in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[:5]
