"""The real seed page beside the repository: one article, four comments, every field where it belongs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import SEED, needs_shared

from newssearch.columns import all_document_fields
from newssearch.index import open_index, update_index
from newssearch.search import SearchRequest, search

pytestmark = needs_shared(SEED)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("seed-index")
    report = update_index(target, [SEED])
    assert report.skipped == []
    return target


def _documents(index_dir: Path) -> list[dict]:
    with open_index(index_dir).searcher() as searcher:
        return sorted(all_document_fields(searcher.reader()), key=lambda doc: doc.get("position", 0))


def test_seed_has_one_article_and_four_comments(seed_index: Path) -> None:
    documents = _documents(seed_index)
    article, comments = documents[0], documents[1:]
    assert article["kind"] == "article" and [doc["kind"] for doc in comments] == ["comment"] * 4
    assert [(doc["author"], doc["date"]) for doc in comments] == [
        ("David Ender", datetime(2022, 1, 27, 22, 29)),
        ("Ole Bayern", datetime(2022, 1, 27, 16, 30)),
        ("aurel aurelis", datetime(2022, 1, 27, 16, 0)),
        ("Ingo Kerp", datetime(2022, 1, 27, 15, 10)),
    ]
    assert all(doc["article_id"] == article["id"] for doc in comments)
    assert comments[1]["body"].endswith("VG Ole")


def test_seed_article_fields(seed_index: Path) -> None:
    article = _documents(seed_index)[0]
    assert article["title"] == "Keine Zusage an Moskau für Ende der Nato-Ausweitung"
    assert article["kicker"] == "Blinken"
    assert article["caption"].startswith("Verteidigungsministerin Lambrecht hat abgekündigt")
    assert article["caption"].count("Schutzhelme") == 1 and "Foto:" not in article["caption"]
    assert article["credit"] == "Friso Gentsch/dpa"
    assert article["places"] == "WASHINGTON/BRÜSSEL"
    assert article["lead"].startswith("Russland hat den USA und der Nato Vorschläge")
    assert article["date"] == datetime(2022, 1, 26) and article["date_source"] == "comments"


def test_seed_boilerplate_is_not_searchable(seed_index: Path) -> None:
    for word in ("Druckausgabe", "Pflichtfelder", "Online-Abo"):
        assert search(seed_index, SearchRequest(query=word)).total == 0, word


def test_seed_osterweiterung_finds_the_article(seed_index: Path) -> None:
    page = search(seed_index, SearchRequest(query="Osterweiterung"))
    assert page.total >= 1 and page.hits[0].kind == "article"
    marked = [text for text, matched in page.hits[0].snippet if matched]
    assert "Nato-Osterweiterung" in marked
