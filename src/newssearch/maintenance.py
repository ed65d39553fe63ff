"""Looking after an index: ``stats`` (what is in it) and ``check`` (is it whole, and does it match the files)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newssearch.errors import DocumentError
from newssearch.index import open_index, read_meta
from newssearch.sources import find_page_files, read_page


@dataclass(frozen=True)
class IndexStats:
    """What an index holds."""

    index_dir: str
    articles: int
    comments: int
    first_date: datetime | None
    last_date: datetime | None
    undated: int
    date_sources: dict[str, int]
    roots: dict[str, int]
    segments: int
    size_bytes: int


def _size(index_dir: Path) -> int:
    return sum(path.stat().st_size for path in index_dir.iterdir() if path.is_file())


def index_stats(index_dir: Path) -> IndexStats:
    """Documents by kind, date range, where dates came from, pages per folder, size on disk."""
    ix = open_index(index_dir)
    kinds: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    roots: Counter[str] = Counter()
    dates = []
    undated = 0
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            kinds[stored.get("kind", "?")] += 1
            if stored.get("kind") == "article":
                sources[stored.get("date_source", "none")] += 1
                roots[stored.get("root", "?")] += 1
            if stored.get("date") is not None:
                dates.append(stored["date"])
            else:
                undated += 1
        segments = len(searcher.reader().leaf_readers()) if hasattr(searcher.reader(), "leaf_readers") else 1
    return IndexStats(
        index_dir=str(index_dir),
        articles=kinds["article"],
        comments=kinds["comment"],
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        undated=undated,
        date_sources=dict(sources),
        roots=dict(roots),
        segments=segments,
        size_bytes=_size(index_dir),
    )


@dataclass
class CheckReport:
    """Problems found by ``check``: damage inside the index, and pages that differ from their files."""

    documents: int = 0
    damaged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.damaged or self.changed or self.missing or self.unindexed)


def _read_everything(ix: Any, report: CheckReport) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Open every segment, read every stored document and walk every term's postings."""
    articles: dict[str, dict[str, Any]] = {}
    comments: list[dict[str, Any]] = []
    with ix.searcher() as searcher:
        reader = searcher.reader()
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        for number, (leaf, _) in enumerate(leaves, start=1):
            try:
                for docnum in leaf.all_doc_ids():
                    stored = leaf.stored_fields(docnum)
                    report.documents += 1
                    if stored.get("kind") == "article":
                        articles[stored["id"]] = stored
                    else:
                        comments.append(stored)
                for fieldname in leaf.indexed_field_names():
                    for text in leaf.lexicon(fieldname):
                        matcher = leaf.postings(fieldname, text)
                        while matcher.is_active():
                            matcher.value()
                            matcher.next()
                for fieldname in ("date", "kind", "position", "body"):
                    if leaf.has_column(fieldname):
                        list(leaf.column_reader(fieldname, translate=False))
            except Exception as error:  # noqa: BLE001 - any failure here means a damaged segment
                report.damaged.append(f"Segment {number}: {type(error).__name__}: {error}")
    return articles, comments


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_index(index_dir: Path) -> CheckReport:
    """Verify an index: every segment readable, comments linked to articles, stored hashes equal to the files."""
    report = CheckReport()
    ix = open_index(index_dir)
    articles, comments = _read_everything(ix, report)
    per_article = Counter(comment.get("article_id") for comment in comments)
    for comment in comments:
        if comment.get("article_id") not in articles:
            report.damaged.append(f"Kommentar {comment.get('id')} gehört zu keinem Artikel im Index")
    for article_id, article in articles.items():
        if article.get("comment_count", 0) != per_article.get(article_id, 0):
            report.damaged.append(
                f"{article.get('path')}: {per_article.get(article_id, 0)} Kommentare im Index, "
                f"{article.get('comment_count', 0)} auf der Seite"
            )
    meta = read_meta(index_dir)
    for name, expected in sorted((meta.get("checksums") or {}).items()):
        path = index_dir / name
        if not path.is_file():
            report.damaged.append(f"Segmentdatei {name} fehlt")
        elif _sha256(path) != expected:
            report.damaged.append(f"Segmentdatei {name} ist beschädigt (Prüfsumme stimmt nicht)")
    roots = meta.get("roots") or {}
    by_root: dict[str, dict[str, str]] = {}
    for article in articles.values():
        by_root.setdefault(article.get("root", ""), {})[article["path"]] = article.get("content_hash", "")
    for root, settings in roots.items():
        indexed = by_root.get(root, {})
        root_path = Path(root)
        if not root_path.is_dir():
            report.missing += [f"{root}/{relpath}" for relpath in sorted(indexed)]
            continue
        seen = set()
        for page in find_page_files(root_path, settings.get("pattern", "*.txt")):
            seen.add(page.relpath)
            if page.relpath not in indexed:
                if page.relpath not in (settings.get("skipped") or {}):
                    report.unindexed.append(str(page.path))
                continue
            try:
                if read_page(page).content_hash != indexed[page.relpath]:
                    report.changed.append(str(page.path))
            except DocumentError:
                report.changed.append(str(page.path))
        report.missing += [f"{root}/{relpath}" for relpath in sorted(set(indexed) - seen)]
    return report
