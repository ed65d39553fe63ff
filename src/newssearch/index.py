"""The Whoosh index: schema, opening, and bringing it up to date with one or more archive folders.

An article and each of its reader comments are separate documents linked by ``article_id``. Running the
indexer again re-reads only pages whose bytes changed, adds new pages and removes pages that disappeared,
so an index never holds a page twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Callable, Iterable

from whoosh import fields, index
from whoosh.index import LockError
from whoosh.query import And, Term

from newssearch import analysis
from newssearch.boilerplate import BoilerplateLearner, sample_stride
from newssearch.dates import resolve_article_date
from newssearch.documents import Page, clean_line, parse_page
from newssearch.errors import DocumentError, IndexLockedError, IndexMissingError
from newssearch.sources import PageFile, find_page_files, read_page

INDEX_NAME = "newssearch"
META_FILE = "newssearch.json"
META_VERSION = 1

# Field weights for BM25F: the title says most about a page, then kicker and lead, then the body, then the caption.
FIELD_BOOSTS = {
    "title": 3.0,
    "kicker": 2.0,
    "lead": 2.0,
    "places": 1.5,
    "body": 1.0,
    "author": 1.0,
    "caption": 0.5,
}
TEXT_FIELDS = tuple(FIELD_BOOSTS)


def build_schema() -> fields.Schema:
    """The schema: one German analyzer for every text field, dates sortable, ids for links and updates."""
    analyzer = analysis.german_analyzer()

    def text(boost: float) -> fields.TEXT:
        return fields.TEXT(
            analyzer=analyzer, stored=True, phrase=True, field_boost=boost, multitoken_query="phrase"
        )

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        article_id=fields.ID(stored=True),
        root=fields.ID(stored=True),
        path=fields.ID(stored=True),
        content_hash=fields.STORED(),
        date=fields.DATETIME(stored=True, sortable=True),
        date_source=fields.ID(stored=True),
        position=fields.NUMERIC(stored=True, sortable=True),
        comment_count=fields.STORED(),
        credit=fields.STORED(),
        article_title=fields.STORED(),
        words=fields.TEXT(analyzer=analysis.spelling_analyzer(), stored=False, phrase=False),
        **{name: text(boost) for name, boost in FIELD_BOOSTS.items()},
    )


def article_id_for(root: Path, relpath: str) -> str:
    """A short id that stays the same as long as the page keeps its place in its folder."""
    return hashlib.sha1(f"{root.as_posix()}\x00{relpath}".encode("utf-8")).hexdigest()[:16]


def page_documents(page: Page, root: Path, relpath: str, content_hash: str) -> list[dict[str, object]]:
    """The Whoosh documents of one page: its article first, then its comments in page order."""
    article = page.article
    aid = article_id_for(root, relpath)
    day, source = resolve_article_date(
        article.printed_date, relpath, (comment.posted for comment in page.comments), article.full_text()
    )
    common = {"article_id": aid, "root": root.as_posix(), "path": relpath}
    article_doc: dict[str, object] = {
        **common,
        "id": aid,
        "kind": "article",
        "title": article.title,
        "kicker": article.kicker,
        "lead": article.lead,
        "body": article.body,
        "caption": article.caption,
        "credit": article.credit,
        "places": "/".join(article.places) or None,
        "date": datetime.combine(day, time()) if day else None,
        "date_source": source,
        "content_hash": content_hash,
        "comment_count": len(page.comments),
    }
    documents = [article_doc]
    for comment in page.comments:
        documents.append(
            {
                **common,
                "id": f"{aid}-k{comment.position}",
                "kind": "comment",
                "title": comment.title,
                "body": comment.text,
                "author": comment.author,
                "article_title": article.title,
                "date": comment.posted,
                "date_source": "page" if comment.posted else "none",
                "position": comment.position,
            }
        )
    for document in documents:
        document["words"] = "\n".join(str(document.get(name) or "") for name in TEXT_FIELDS)
    return [{key: value for key, value in doc.items() if value not in (None, "")} for doc in documents]


@dataclass
class Skipped:
    """A page that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    articles: int = 0
    comments: int = 0
    skipped: list[Skipped] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]


def open_index(index_dir: Path) -> index.Index:
    """Open an existing index for searching; a clear error when there is none."""
    if not index_dir.is_dir():
        raise IndexMissingError(f"Index '{index_dir}' nicht gefunden: erst 'newssearch index ORDNER' ausführen")
    try:
        if not index.exists_in(str(index_dir), indexname=INDEX_NAME):
            raise IndexMissingError(
                f"'{index_dir}' enthält keinen newssearch-Index: erst 'newssearch index ORDNER' ausführen"
            )
        opened = index.open_dir(str(index_dir), indexname=INDEX_NAME)
        analysis.prepare_for_query(index_dir)
        return opened
    except IndexMissingError:
        raise
    except (OSError, ValueError, EOFError) as error:
        raise IndexMissingError(f"Index '{index_dir}' ist nicht lesbar: {error}") from None


def _open_or_create(index_dir: Path) -> index.Index:
    index_dir.mkdir(parents=True, exist_ok=True)
    if index.exists_in(str(index_dir), indexname=INDEX_NAME):
        return index.open_dir(str(index_dir), indexname=INDEX_NAME)
    return index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)


def _read_meta(index_dir: Path) -> dict[str, object]:
    try:
        meta = json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_meta(index_dir: Path, meta: dict[str, object]) -> None:
    temporary = index_dir / (META_FILE + ".tmp")
    temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, index_dir / META_FILE)


def learn_boilerplate(pages: list[PageFile]) -> frozenset[str]:
    """Lines that recur on many pages of this folder (learnt from an evenly spread sample)."""
    learner = BoilerplateLearner()
    for page in pages[:: sample_stride(len(pages))]:
        try:
            learner.add(read_page(page).text)
        except DocumentError:
            continue
    return learner.lines()


def _indexed_pages(ix: index.Index, root: Path) -> dict[str, tuple[str, str]]:
    """relpath → (article id, content hash) of the articles already indexed from ``root``."""
    found: dict[str, tuple[str, str]] = {}
    with ix.searcher() as searcher:
        query = And([Term("root", root.as_posix()), Term("kind", "article")])
        for docnum in searcher.docs_for_query(query):
            stored = searcher.stored_fields(docnum)
            found[stored["path"]] = (stored["article_id"], stored.get("content_hash", ""))
    return found


def update_index(
    index_dir: Path,
    roots: Iterable[Path],
    pattern: str = "*.txt",
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Bring the index at ``index_dir`` up to date with every page below ``roots``.

    Pages are only re-parsed when their bytes changed (or the learnt boilerplate did); pages whose files
    vanished are removed with their comments. One unreadable page never stops the run: it is reported.
    """
    report = IndexReport()
    ix = _open_or_create(index_dir)
    analysis.prepare_for_index(index_dir)
    meta = _read_meta(index_dir)
    roots_meta = meta.setdefault("roots", {})
    assert isinstance(roots_meta, dict)
    try:
        writer = ix.writer(limitmb=256)
    except LockError:
        raise IndexLockedError(f"Index '{index_dir}' wird gerade von einem anderen Vorgang geschrieben") from None
    try:
        for root in roots:
            root = root.resolve()
            _update_root(ix, writer, root, pattern, roots_meta, report, progress)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    meta["version"] = META_VERSION
    _write_meta(index_dir, meta)
    analysis.persist_vocabulary(index_dir)
    report.articles, report.comments = count_documents(ix)
    return report


def count_documents(ix: index.Index) -> tuple[int, int]:
    """Live (not deleted) articles and comments; term statistics would still count deleted ones."""
    with ix.searcher() as searcher:
        return tuple(  # type: ignore[return-value]
            sum(1 for _ in searcher.docs_for_query(Term("kind", kind))) for kind in ("article", "comment")
        )


def _touches(text: str, lines: set[str]) -> bool:
    return bool(lines) and any(clean_line(line) in lines for line in text.split("\n"))


def _update_root(
    ix: index.Index,
    writer: object,
    root: Path,
    pattern: str,
    roots_meta: dict[str, object],
    report: IndexReport,
    progress: ProgressCallback | None,
) -> None:
    pages = list(find_page_files(root, pattern))
    boilerplate = learn_boilerplate(pages)
    previous = roots_meta.get(root.as_posix())
    previous_lines = set(previous.get("boilerplate", [])) if isinstance(previous, dict) else set()
    # Only pages holding a line whose boilerplate verdict changed must be parsed again.
    changed_lines = previous_lines ^ set(boilerplate)
    indexed = _indexed_pages(ix, root)
    for done, page in enumerate(pages, start=1):
        known = indexed.pop(page.relpath, None)
        try:
            text = read_page(page)
            if known and known[1] == text.content_hash and not _touches(text.text, changed_lines):
                report.unchanged += 1
                continue
            parsed = parse_page(text.text, boilerplate)
            if parsed.is_empty:
                raise DocumentError(page.relpath, "kein Inhalt (nur Seitenbausteine)")
            documents = page_documents(parsed, root, page.relpath, text.content_hash)
        except DocumentError as error:
            report.skipped.append(Skipped(path=str(page.path), reason=error.reason))
            continue
        finally:
            if progress:
                progress(done, len(pages))
        if known:
            writer.delete_by_term("article_id", known[0])  # type: ignore[attr-defined]
            report.updated += 1
        else:
            report.added += 1
        for document in documents:
            writer.add_document(**document)  # type: ignore[attr-defined]
    for article_id, _ in indexed.values():
        writer.delete_by_term("article_id", article_id)  # type: ignore[attr-defined]
        report.removed += 1
    roots_meta[root.as_posix()] = {"boilerplate": sorted(boilerplate), "pattern": pattern}
