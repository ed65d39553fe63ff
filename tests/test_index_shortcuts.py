"""The indexer's shortcuts write exactly what Whoosh's own code would write, in Whoosh's own format."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES
from whoosh import fields
from whoosh import index as whoosh_index

from newssearch.documents import parse_page
from newssearch.index import INDEX_NAME, TEXT_FIELDS, build_schema
from newssearch.sources import PageFile, read_page


def _texts() -> list[str]:
    texts = ["Die Bürger*innen der Nato-Staaten und die Abgeordneten stritten über 5.000 Euro, gegenueber 3,5 %."]
    for path in sorted(EXAMPLES.rglob("*.txt")):
        page = parse_page(read_page(PageFile(root=EXAMPLES, path=path, relpath=path.name)).text)
        texts += [page.article.title, page.article.lead, page.article.body]
        texts += [comment.text for comment in page.comments]
    return [text for text in texts if text]


def test_text_fields_index_the_terms_positions_and_weights_whoosh_would() -> None:
    schema = build_schema()
    texts = _texts()
    assert len(texts) > 50
    for name in TEXT_FIELDS:
        field = schema[name]
        for text in texts:
            assert list(field.index(text)) == list(fields.TEXT.index(field, text)), (name, text[:60])


def test_the_index_names_only_whooshs_own_codec(example_index: Path) -> None:
    """Readers need nothing of newssearch to open the segments (the writer's codec saves as Whoosh's)."""
    tocs = list(example_index.glob(f"_{INDEX_NAME}_*.toc"))
    assert tocs and all(b"newssearch.segments" not in toc.read_bytes() for toc in tocs)
    ix = whoosh_index.open_dir(str(example_index), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        assert searcher.doc_count() > 0
        assert any(True for _ in searcher.documents(kind="article"))
