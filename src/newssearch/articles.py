"""One article with its reader comments, read back from the index's stored fields, and the words to mark in it.

The article view never reads a page file: everything comes from the index, so a request cannot reach a file
outside it, and the page shows exactly what was searched.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query

from newssearch.columns import document_fields
from newssearch.search import index_folder
from newssearch.search import query_matchers as search_matchers
from newssearch.snippets import Matcher, Segment, matched_spans

ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class CommentView:
    """A reader comment as the page printed it; ``anchor`` is its place in the article view (``k3``)."""

    position: int
    author: str | None
    posted: datetime | None
    title: str | None
    text: str

    @property
    def anchor(self) -> str:
        return f"k{self.position}"


@dataclass(frozen=True)
class ArticleView:
    """An article's stored fields and its comments in page order."""

    id: str
    path: str
    title: str
    kicker: str | None
    caption: str | None
    credit: str | None
    places: tuple[str, ...]
    lead: str | None
    body: str
    date: datetime | None
    date_source: str
    comments: tuple[CommentView, ...]


def load_article(ix: whoosh_index.Index, article_id: str, searcher: Any = None) -> ArticleView | None:
    """The article with this id and its comments, or None when the index has no such article (on
    ``searcher`` when a long-running caller keeps one open)."""
    if not ARTICLE_ID.match(article_id):
        return None
    with nullcontext(searcher) if searcher is not None else ix.searcher() as searcher:
        reader = searcher.reader()
        number = searcher.document_number(id=article_id)  # unique: a comment's id adds -k and its position
        if number is None:
            return None
        stored = document_fields(reader, number)
        if stored.get("kind") != "article":
            return None
        # The page's documents by their article id alone, the comments told apart by their stored kind: asking
        # Whoosh for the id and the kind together walked every comment of the archive (40 ms a view at
        # 16,571 pages, growing with the archive).
        page = (document_fields(reader, found) for found in searcher.document_numbers(article_id=article_id))
        comments = sorted(
            (found for found in page if found.get("kind") == "comment"), key=lambda found: found.get("position", 0)
        )
    return ArticleView(
        id=article_id,
        path=stored.get("path", ""),
        title=stored.get("title") or "",
        kicker=stored.get("kicker"),
        caption=stored.get("caption"),
        credit=stored.get("credit"),
        places=tuple(place for place in (stored.get("places") or "").split("/") if place),
        lead=stored.get("lead"),
        body=stored.get("body") or "",
        date=stored.get("date"),
        date_source=stored.get("date_source", "none"),
        comments=tuple(
            CommentView(
                position=int(found.get("position", 0)),
                author=found.get("author"),
                posted=found.get("date"),
                title=found.get("title"),
                text=found.get("body") or "",
            )
            for found in comments
        ),
    )


def query_matchers(ix: whoosh_index.Index, parsed: query.Query) -> list[Matcher]:
    """What to mark in an article for a query: its stemmed words, and whole words for fuzzy matches."""
    with ix.searcher() as searcher:
        return search_matchers(searcher.reader(), searcher.schema, parsed, index_folder(ix))


def mark(text: str, matchers: list[Matcher]) -> list[Segment]:
    """The whole text as segments (text, is_match), whitespace kept, the query's words marked."""
    segments: list[Segment] = []
    cursor = 0
    for start, end, _ in matched_spans(text, matchers):
        if start > cursor:
            segments.append((text[cursor:start], False))
        segments.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        segments.append((text[cursor:], False))
    return segments


def paragraphs(text: str) -> list[list[str]]:
    """A stored text's paragraphs (split at blank lines), each as its lines."""
    return [block.strip("\n").split("\n") for block in _PARAGRAPH_BREAK.split(text.strip()) if block.strip()]

