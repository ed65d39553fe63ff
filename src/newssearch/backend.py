"""The one interface between the front ends (CLI, web page) and the search engine behind them.

A query model goes in (``SearchRequest``), typed results come out (``SearchPage``, ``Facets``,
``ArticleView``, marked text). ``WhooshBackend`` is today's engine; a second one (an OpenSearch cluster, see
``docs/scaling.md``) implements the same protocol without touching the CLI or the page.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Protocol

from whoosh import index as whoosh_index

from newssearch.articles import ArticleView, load_article, mark, query_matchers
from newssearch.errors import QueryError
from newssearch.facets import Facets, compute_facets, kind_counts
from newssearch.index import current_index_name, open_index
from newssearch.ranking import relevance
from newssearch.search import SearchPage, SearchRequest, build_query, run_search, searched_fields
from newssearch.snippets import Segment

Marker = Callable[[str, str], list[Segment]]  # (a text, the field it is from) → segments, the query's words marked


class SearchBackend(Protocol):
    """What the CLI and the page need from an engine."""

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of hits, with honest totals and a suggestion when nothing is found."""

    def facets(self, request: SearchRequest) -> Facets:
        """Kind counts and the date histogram under the request's query and filters."""

    def counts(self) -> dict[str, int]:
        """How many articles and comments the archive holds."""

    def article(self, article_id: str) -> ArticleView | None:
        """An article with its comments in page order; None when there is no such article."""

    def marker(self, request: SearchRequest | None) -> Marker:
        """A function that marks the request's words in a text of a given field, in the fields the query
        searched (``dachzeile:Wirtschaft`` marks the kicker only; nothing without a request)."""


class WhooshBackend:
    """The local Whoosh index, opened once and reopened when an indexing run committed something new.

    Safe to share between threads (the web server's): searches on the kept searcher take turns, because
    Whoosh reads a segment file with a seek and then a read on one shared handle, and two searches at once
    read each other's bytes. Python runs one thread at a time anyway, and the files are in the page cache,
    so taking turns costs the server next to nothing. Reopening also follows a rebuild to its new generation.
    """

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._searching = threading.Lock()
        self._index: whoosh_index.Index | None = None
        self._state: tuple[str, int] | None = None
        self._searcher: Any = None
        self._retired: list[Any] = []

    def _open(self) -> tuple[whoosh_index.Index, Any]:
        """The index and the kept searcher, as one consistent pair, reopened when the index changed."""
        with self._lock:
            if self._index is not None and self._state is not None and self._searcher is not None:
                try:
                    if (current_index_name(self.index_dir), self._index.latest_generation()) == self._state:
                        return self._index, self._searcher
                except OSError:
                    pass
            opened = open_index(self.index_dir)
            # A request in another thread may still be using the old searcher: close it one change later.
            for old in self._retired:
                old.close()
            self._retired = [self._searcher] if self._searcher is not None else []
            self._index, self._state = opened, (opened.indexname, opened.latest_generation())
            self._searcher = opened.searcher(weighting=relevance())
            return opened, self._searcher

    def _current(self) -> whoosh_index.Index:
        # Taking turns here too: reopening retires the kept searcher, which a request in another thread may
        # be reading just then.
        with self._searching:
            return self._open()[0]

    def close(self) -> None:
        """Close the kept searchers (their open segment files)."""
        with self._lock:
            for searcher in [*self._retired, self._searcher]:
                if searcher is not None:
                    searcher.close()
            self._retired, self._searcher, self._state = [], None, None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    def search(self, request: SearchRequest) -> SearchPage:
        # One searcher for every request until the index changes, used by one thread at a time (taken inside
        # the turn, so a searcher retired while a request waited is not the one it searches).
        with self._searching:
            ix, searcher = self._open()
            return run_search(ix, request, searcher=searcher)

    def facets(self, request: SearchRequest) -> Facets:
        with self._searching:  # on the kept searcher, taking turns as searches do
            ix, searcher = self._open()
            return compute_facets(ix, request, searcher=searcher)

    def counts(self) -> dict[str, int]:
        with self._searching:
            _, searcher = self._open()
            return kind_counts(searcher)

    def article(self, article_id: str) -> ArticleView | None:
        with self._searching:
            ix, searcher = self._open()
            return load_article(ix, article_id, searcher=searcher)

    def marker(self, request: SearchRequest | None) -> Marker:
        if request is None:
            return lambda text, field: [(text, False)] if text else []
        ix = self._current()
        try:
            parsed = build_query(request, ix)
            matchers, searched = query_matchers(ix, parsed), searched_fields(parsed)
        except QueryError:
            matchers, searched = [], frozenset()
        return lambda text, field: mark(text, matchers if field in searched else [])


def open_backend(index_dir: Path) -> SearchBackend:
    """The engine for an index location (today always the local Whoosh index)."""
    return WhooshBackend(index_dir)
