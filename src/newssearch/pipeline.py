"""From page files to ready-to-write documents, in parallel worker processes.

Reading, decoding, parsing and above all the German analysis are the expensive part of indexing and need
no shared state, so worker processes do them and hand back documents whose text fields are already
analysed (Whoosh's posting tuples). The one writer process only adds postings. Results come back in page
order and at most a few chunks are in flight, so memory stays bounded however large the archive is.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time as time_module
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, Iterator

from whoosh import fields

from newssearch.dates import resolve_article_date
from newssearch.documents import Page, clean_line, parse_page
from newssearch.errors import DocumentError
from newssearch.sources import PageFile, read_page

CHUNK_PAGES = 16
INLINE_BELOW_PAGES = 200


class Preanalysed:
    """A text field's value analysed ahead of time: Whoosh's (term bytes, freq, weight, value bytes) tuples."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]) -> None:
        self.items = items


class GermanText(fields.TEXT):
    """A TEXT field that also accepts a ``Preanalysed`` value, so analysis can run in another process."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Preanalysed):
            return iter(value.items)
        return super().index(value, **kwargs)


def article_id_for(root: Path, relpath: str) -> str:
    """A short id that stays the same as long as the page keeps its place in its folder."""
    return hashlib.sha1(f"{root.as_posix()}\x00{relpath}".encode("utf-8")).hexdigest()[:16]


def page_documents(
    page: Page, root: Path, relpath: str, content_hash: str
) -> list[dict[str, object]]:
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
    return [{key: value for key, value in doc.items() if value not in (None, "")} for doc in documents]


@dataclass(frozen=True)
class Outcome:
    """What became of one page: ``unchanged``, ``skipped`` (with a reason) or ``documents`` to write."""

    kind: str
    reason: str = ""
    documents: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True)
class RootJob:
    """What every page of one folder is analysed with."""

    root: Path
    boilerplate: frozenset[str]
    changed_lines: frozenset[str]


def _touches(text: str, lines: frozenset[str]) -> bool:
    return bool(lines) and any(clean_line(line) in lines for line in text.split("\n"))


def preanalyse(documents: list[dict[str, object]], schema: fields.Schema) -> list[dict[str, object]]:
    """Run the analyzers of the text fields now; the writer then only adds the postings."""
    for document in documents:
        for name, value in list(document.items()):
            field = schema[name] if name in schema else None
            if isinstance(field, GermanText) and isinstance(value, str):
                document[name] = Preanalysed(list(field.index(value)))
                if field.stored:
                    document[f"_stored_{name}"] = value
    return documents


def analyse_page(job: RootJob, page: PageFile, known_hash: str | None, schema: fields.Schema | None) -> Outcome:
    """Read, decode, parse and (with a schema) analyse one page."""
    try:
        text = read_page(page)
        if known_hash == text.content_hash and not _touches(text.text, job.changed_lines):
            return Outcome("unchanged")
        parsed = parse_page(text.text, job.boilerplate)
        if parsed.is_empty:
            raise DocumentError(page.relpath, "kein Inhalt (nur Seitenbausteine)")
        documents = page_documents(parsed, job.root, page.relpath, text.content_hash)
    except DocumentError as error:
        return Outcome("skipped", reason=error.reason)
    if schema is not None:
        documents = preanalyse(documents, schema)
    return Outcome("documents", documents=tuple(documents))


_WORKER_SCHEMA: fields.Schema | None = None


def _end_with_parent(parent: int) -> None:
    """A worker must not outlive a writer that was killed (``kill -9``, power cut of the parent only)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: Linux ends us together with the parent
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time_module.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _start_worker(parent: int) -> None:
    global _WORKER_SCHEMA
    from newssearch.index import build_schema  # here, not at import: index imports this module

    _end_with_parent(parent)
    _WORKER_SCHEMA = build_schema()


def _analyse_chunk(job: RootJob, tasks: list[tuple[PageFile, str | None]]) -> list[Outcome]:
    return [analyse_page(job, page, known, _WORKER_SCHEMA) for page, known in tasks]


def default_jobs() -> int:
    """Worker processes: one per core but one, which the writer keeps busy."""
    return max(1, (os.cpu_count() or 1) - 1)


class Analyser:
    """Runs ``analyse_page`` over a folder's pages, in worker processes when that pays, in page order."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Analyser:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: a forked worker would inherit the writer's index lock and keep it alive
            # after the writer was killed; a spawned one holds nothing and ends when its parent goes.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
        return self._pool

    def run(
        self, job: RootJob, tasks: list[tuple[PageFile, str | None]]
    ) -> Iterator[tuple[PageFile, Outcome]]:
        """Outcomes in the order of ``tasks``; pages analysed in the writer process when there are few."""
        if self.jobs < 1 or len(tasks) < INLINE_BELOW_PAGES:
            for page, known in tasks:
                yield page, analyse_page(job, page, known, None)
            return
        pool = self._executor()
        chunks = [tasks[start : start + CHUNK_PAGES] for start in range(0, len(tasks), CHUNK_PAGES)]
        pending: deque[tuple[list[tuple[PageFile, str | None]], Future[list[Outcome]]]] = deque()
        window = 4 * self.jobs
        next_chunk = 0
        while next_chunk < len(chunks) or pending:
            while next_chunk < len(chunks) and len(pending) < window:
                chunk = chunks[next_chunk]
                pending.append((chunk, pool.submit(_analyse_chunk, job, chunk)))
                next_chunk += 1
            chunk, future = pending.popleft()
            for (page, _), outcome in zip(chunk, future.result()):
                yield page, outcome
