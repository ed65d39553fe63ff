"""The body text lives in a column of its own (schema 4): hits, snippets and the article view still show it,
an index written before keeps serving until the next run rebuilds it, and a segment without bodies never
shows a neighbouring segment's text."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from conftest import EXAMPLES
from newssearch import index as index_module
from newssearch.articles import load_article
from newssearch.columns import all_document_fields, document_fields
from newssearch.index import build_schema, open_index, read_meta, update_index
from newssearch.search import SearchRequest, search
from newssearch.snippets import to_plain


def _schema_3() -> object:
    """The schema as indexes before schema 4 were written: the body stored with the other fields."""
    schema = build_schema()
    schema["body"].stored = True
    schema["body"].column_type = None
    return schema


def test_a_hit_found_in_its_body_shows_its_body_text(example_index: Path) -> None:
    page = search(example_index, SearchRequest(query="Wechselunterricht", kind="article"))
    assert [hit.path for hit in page.hits] == ["2021/03/2021-03-02_schulschliessungen.txt"]
    assert "Wechselunterricht" in [text for text, marked in page.hits[0].snippet if marked]
    with open_index(example_index).searcher() as searcher:
        number = searcher.document_number(id=page.hits[0].id)
        assert "body" not in searcher.stored_fields(number), "the body is kept outside the stored fields"
        assert "Wechselunterricht für den realistischsten" in document_fields(searcher.reader(), number)["body"]


def test_the_article_view_shows_the_body_and_every_comment(example_index: Path) -> None:
    with open_index(example_index).searcher() as searcher:
        documents = list(all_document_fields(searcher.reader()))
    article = next(doc for doc in documents if doc["kind"] == "article" and doc.get("comment_count"))
    view = load_article(open_index(example_index), article["id"])
    assert view is not None and view.body == article["body"] and view.body
    assert [comment.text for comment in view.comments] == [
        doc["body"] for doc in sorted(
            (doc for doc in documents if doc["kind"] == "comment" and doc["article_id"] == article["id"]),
            key=lambda doc: doc["position"],
        )
    ]
    assert all(comment.text for comment in view.comments)


def test_an_index_from_before_schema_4_is_searched_and_then_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "ix"
    with monkeypatch.context() as patched:
        patched.setattr(index_module, "build_schema", _schema_3)
        patched.setattr(index_module, "SCHEMA_VERSION", 3)
        update_index(index_dir, [EXAMPLES])
    old = open_index(index_dir)
    assert old.schema["body"].column_type is None
    page = search(index_dir, SearchRequest(query="Osterweiterung", kind="article"))
    assert page.hits and any("sterweiterung" in to_plain(hit.snippet) for hit in page.hits)
    with old.searcher() as searcher:
        assert all(doc["body"] == searcher.stored_fields(number)["body"]
                   for number, doc in zip(searcher.reader().all_doc_ids(), all_document_fields(searcher.reader())))

    report = update_index(index_dir, [EXAMPLES])
    assert report.rebuilt, "a schema change rebuilds the index on the next run"
    assert read_meta(index_dir)["analysis"].endswith(f"/{index_module.SCHEMA_VERSION}")
    new = open_index(index_dir)
    assert new.schema["body"].column_type is not None
    assert [hit.id for hit in search(index_dir, SearchRequest(query="Osterweiterung", kind="article")).hits] == [
        hit.id for hit in page.hits
    ]


def test_a_segment_without_bodies_never_shows_another_segments_text(tmp_path: Path) -> None:
    """Whoosh's own reader over several segments leaves out a segment without the column and looks its
    documents up in the segment before: an IndexError here, another page's text where that one is longer."""
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer() as writer:
        writer.add_document(id="a1", kind="article", article_id="a1", title="Erster Teil",
                            body="Die Ampel streitet über den Haushalt.")
    with ix.writer(merge=False) as writer:
        writer.add_document(id="a2", kind="article", article_id="a2", title="Nur ein Titel")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(reader.leaf_readers()) == 2
        texts = {doc["id"]: doc["body"] for doc in all_document_fields(reader)}
        assert texts == {"a1": "Die Ampel streitet über den Haushalt.", "a2": ""}
        second = searcher.document_number(id="a2")
        assert document_fields(reader, second)["title"] == "Nur ein Titel"
