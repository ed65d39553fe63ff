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
