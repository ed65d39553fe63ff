"""Indexing real page files into a real Whoosh index: linked documents, dates, re-runs, skipped files."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES, PageWriter, page_text

from newssearch.columns import all_document_fields
from newssearch.index import open_index, update_index
from newssearch.search import SearchRequest, search


def _stored(index_dir: Path) -> list[dict]:
    with open_index(index_dir).searcher() as searcher:
        return list(all_document_fields(searcher.reader()))


def _ids(index_dir: Path, query: str) -> list[str]:
    return [hit.id for hit in search(index_dir, SearchRequest(query=query, page_size=100)).hits]


def test_update_index_links_comments_to_their_article(example_index: Path) -> None:
    documents = _stored(example_index)
    articles = {doc["id"]: doc for doc in documents if doc["kind"] == "article"}
    comments = [doc for doc in documents if doc["kind"] == "comment"]
    assert len(articles) == len(list(EXAMPLES.rglob("*.txt")))
    assert comments and all(doc["article_id"] in articles for doc in comments)
    for article_id, article in articles.items():
        mine = [doc for doc in comments if doc["article_id"] == article_id]
        assert article["comment_count"] == len(mine)
        assert all(doc["article_title"] == article["title"] and doc["path"] == article["path"] for doc in mine)


def test_update_index_dates_every_example_page_with_its_source(example_index: Path) -> None:
    """The example archive's manifest (examples/archiv/README.md) names each page's date and its source."""
    manifest = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    articles = [doc for doc in _stored(example_index) if doc["kind"] == "article"]
    sources = {doc["date_source"] for doc in articles}
    assert {"page", "path", "comments"} <= sources
    for doc in articles:
        assert doc["date"] is not None, doc["path"]
        assert doc["path"] in manifest
        row = next(line for line in manifest.splitlines() if doc["path"] in line)
        assert doc["date"].date().isoformat() in row, row
        assert doc["date_source"] in row, row


def test_update_index_learns_recurring_lines_as_boilerplate(example_index: Path) -> None:
    manifest = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert search(example_index, SearchRequest(query='"Zeitungs-App"')).total == 0
    assert search(example_index, SearchRequest(query="Druckausgabe")).total == 0
    assert search(example_index, SearchRequest(query="Pflichtfelder")).total == 0
    assert "Zeitungs-App" in manifest  # the line is really on the pages


def test_update_index_again_updates_changed_and_removes_deleted_pages(write_page: PageWriter, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    comment = "Leserin 03.05.22 08:15\nGute Nachricht für den Stadtteil.\n"
    write_page("2022/05/2022-05-02_hafen.txt", page_text("Hafen wird erweitert", "Der Hafen wächst.", comments=comment))
    gone = write_page("2022/05/2022-05-03_markt.txt", page_text("Wochenmarkt zieht um", "Der Markt zieht um."))
    write_page("2022/05/2022-05-04_bad.txt", page_text("Freibad öffnet", "Das Freibad öffnet früher."))
    first = update_index(index_dir, [tmp_path / "archiv"])
    assert (first.added, first.updated, first.removed, first.unchanged) == (3, 0, 0, 0)
    assert (first.articles, first.comments) == (3, 1)

    write_page("2022/05/2022-05-02_hafen.txt", page_text("Hafen wird nicht erweitert", "Der Ausbau ist gestoppt."))
    gone.unlink()
    second = update_index(index_dir, [tmp_path / "archiv"])
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 1, 1, 1)
    assert (second.articles, second.comments) == (2, 0)
    assert _ids(index_dir, "Wochenmarkt") == []
    assert _ids(index_dir, "Stadtteil") == []
    assert len(_ids(index_dir, "gestoppt")) == 1

    third = update_index(index_dir, [tmp_path / "archiv"])
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 0, 0, 2)


def test_update_index_skips_broken_files_and_indexes_the_rest(write_page: PageWriter, tmp_path: Path) -> None:
    write_page("leer.txt", b"")
    write_page("bild.txt", bytes(range(256)) * 16)
    write_page("nur-formular.txt", "Pflichtfelder\n")
    write_page("gut.txt", page_text("Neue Radwege für Laboe", "Die Gemeinde baut zwei Radwege."))
    report = update_index(tmp_path / "index", [tmp_path / "archiv"])
    assert report.added == 1
    reasons = {Path(item.path).name: item.reason for item in report.skipped}
    assert set(reasons) == {"leer.txt", "bild.txt", "nur-formular.txt"}
    assert "leer" in reasons["leer.txt"] and "Binärdaten" in reasons["bild.txt"]
    assert _ids(tmp_path / "index", "Radwege")
