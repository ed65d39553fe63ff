"""From page files to written index segments, in parallel worker processes.

Reading, parsing, the German analysis and Whoosh's posting work are all per page and need no shared state,
so each worker process does all of them and writes its own segment; the parent, which holds the index lock,
only deletes replaced pages and lists the workers' segments in the index (one atomic commit per batch).
On two cores both workers are busy all the time; a single writer process was the bottleneck before.
Outcomes come back in page order and at most two batches are in flight, so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time as time_module
import queue
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from itertools import islice
from operator import sub
from pickle import dumps
from typing import Any, Iterable, Iterator

from whoosh import fields, formats
from whoosh.system import pack_uint

from newssearch import analysis, lexicon
from newssearch.analysis import index_postings
from newssearch.dates import resolve_article_date
from newssearch.documents import Page, clean_line, parse_page
from newssearch.errors import DocumentError
from newssearch.segments import SegmentWriter, worker_storage
from newssearch.sources import PageFile, read_page

CHUNK_PAGES = 16
INLINE_BELOW_PAGES = 200


class GermanText(fields.TEXT):
    """The text fields' type: a TEXT field whose postings come from the German analyzer's cached plans
    (``analysis.index_postings``) when the field stores positions, as every newssearch text field does.
    Indexes written before schema 3 name this class too."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        collected = None
        if isinstance(value, str) and set(kwargs) <= {"mode"} and kwargs.get("mode", "index") == "index":
            if type(self.format) is formats.Positions:
                collected = index_postings(self.analyzer, value)
        if collected is None:
            yield from super().index(value, **kwargs)
            return
        field_boost = self.format.field_boost
        for text, (positions, weight) in collected.items():
            # Positions.encode inlined (one call less per term of every document): the count, then the
            # pickled gaps between positions.
            gaps = [positions[0], *map(sub, positions[1:], positions)] if len(positions) > 1 else positions
            yield text.encode("utf-8"), len(positions), weight * field_boost, pack_uint(len(gaps)) + dumps(gaps, 2)


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
    """What became of one page: ``unchanged``, ``skipped`` (with a reason), ``documents`` for the caller to
    write, or ``written`` (a worker already wrote its ``articles`` + ``comments`` into its own segment)."""

    kind: str
    reason: str = ""
    documents: tuple[dict[str, object], ...] = ()
    comments: int = 0


@dataclass(frozen=True)
class RootJob:
    """What every page of one folder is analysed with."""

    root: Path
    boilerplate: frozenset[str]
    changed_lines: frozenset[str]


# A page to index, with its (article id, content hash) when the index holds it already.
Task = tuple[PageFile, "tuple[str, str] | None"]


@dataclass(frozen=True)
class BatchEnd:
    """The pages yielded before this marker are written: commit them together with these worker segments."""

    segments: tuple[Any, ...]


def _touches(text: str, lines: frozenset[str]) -> bool:
    return bool(lines) and any(clean_line(line) in lines for line in text.split("\n"))


def analyse_page(job: RootJob, page: PageFile, known_hash: str | None) -> Outcome:
    """Read, decode and parse one page into its documents (unless its bytes are unchanged)."""
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
    return Outcome("documents", documents=tuple(documents))


def end_with_parent(parent: int) -> None:
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


def _segment_worker(
    parent: int, index_dir: str, indexname: str, limitmb: int, inbox: Any, outbox: Any, preload: bool = False,
    position: int = 0,
) -> None:
    """One worker process: pages in, a segment of its own out at the end of every batch.

    Whoosh lets several writers without the index lock write segments side by side (its own multiprocess
    writer does so); only the parent, which holds the lock, lists them in the index's table of contents.
    With ``preload`` the word tables are loaded before the first pages arrive (the parent is still learning
    the folder's boilerplate then)."""
    end_with_parent(parent)
    if preload:
        lexicon.load_tables()
    ix = worker_storage(index_dir).open_index(indexname)
    writer: Any = None
    try:
        for message in iter(inbox.get, None):
            if message[0] == "chunk":
                _, number, job, tasks = message
                outcomes = []
                for page, known in tasks:
                    outcome = analyse_page(job, page, known[1] if known else None)
                    if outcome.kind == "documents":
                        if writer is None:
                            writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False)
                        for document in outcome.documents:
                            writer.add_document(**document)
                        outcome = Outcome("written", comments=len(outcome.documents) - 1)
                    outcomes.append(outcome)
                outbox.put(("chunk", number, outcomes))
            else:
                # Every worker ends a batch at the same moment. Half of them store the words they learnt
                # before writing their segment and half after, so no two write the vocabulary's one SQLite
                # file at once (one would wait), and the later ones skip the forms the earlier ones stored.
                store_first = position % 2 == 0
                if store_first:
                    analysis.store_learnt()
                segment = None
                if writer is not None:
                    segment = writer._finalize_segment()
                    writer._finish()
                    writer = None
                outbox.put(("segment", message[1], (position, segment)))
                if not store_first:
                    analysis.store_learnt()
    except BaseException as error:  # reported to the parent, which stops the run with a clear message
        if writer is not None:
            try:
                writer.cancel()
            except BaseException:  # the same full disk again: the parent reports the first error
                pass
        outbox.put(("error", None, error if isinstance(error, OSError) else RuntimeError(repr(error))))
        return
    # The parent has had every answer and waits for this process to end: store the last words now and skip
    # Python's teardown of the word tables (millions of objects freed one by one, a tenth of a second or more).
    if writer is None:
        analysis.store_learnt()
        outbox.close()
        outbox.join_thread()  # whatever is still buffered reaches the pipe first
        os._exit(0)


def default_jobs() -> int:
    """Worker processes: one per core. With workers the parent only lists segments and deletes old pages."""
    return max(1, os.cpu_count() or 1)


class SegmentWorkers:
    """Reads, parses, analyses and writes a folder's pages in worker processes, each into its own segment.

    Pages are dealt out in chunks, round robin, and a batch of ``batch_pages`` pages ends with every worker
    closing its segment, so a batch is one commit whose pages are whole. The next batch is handed out before
    the caller commits the last one, so the workers never wait for a commit. With ``jobs`` 0, or few pages,
    the pages are parsed here and the caller writes their documents itself.
    """

    def __init__(
        self, jobs: int, index_dir: Path, indexname: str, batch_pages: int, limitmb: int, preload: bool = False
    ) -> None:
        self.jobs = jobs
        self.preload = preload
        self.index_dir = index_dir
        self.indexname = indexname
        self.batch_pages = max(1, batch_pages)
        self.limitmb = limitmb
        self._workers: list[Any] = []
        self._inboxes: list[Any] = []
        self._outbox: Any = None
        self._received: dict[tuple[str, int], list[Any]] = {}
        self._sent = 0

    def __enter__(self) -> SegmentWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(wait=exc[0] is None)

    def close(self, wait: bool = True) -> None:
        """Let the workers end (they store what they analysed as they go); stop them at once after an error."""
        for inbox, worker in zip(self._inboxes, self._workers):
            if wait and worker.is_alive():
                inbox.put(None)
            else:
                worker.kill()
        for worker in self._workers:
            worker.join(timeout=None if wait else 5)
        self._workers, self._inboxes = [], []

    def start_for(self, counts: Iterable[int]) -> None:
        """Start the workers now if a folder with these page counts will use them, so that starting them
        (and, with ``preload``, loading their word tables) overlaps the parent's own preparations."""
        if self.jobs >= 1 and not self._workers and any(count >= INLINE_BELOW_PAGES for count in counts):
            self._start()

    def _start(self) -> None:
        # Spawned, not forked: a forked worker would inherit the writer's index lock and keep it alive
        # after the writer was killed; a spawned one holds nothing and ends when its parent goes.
        context = multiprocessing.get_context("spawn")
        self._outbox = context.Queue()
        for position in range(self.jobs):
            inbox = context.Queue()
            worker = context.Process(
                target=_segment_worker,
                args=(
                    os.getpid(), str(self.index_dir), self.indexname, self.limitmb, inbox, self._outbox, self.preload,
                    position,
                ),
                daemon=True,
            )
            worker.start()
            self._inboxes.append(inbox)
            self._workers.append(worker)

    def _send_batch(self, job: RootJob, tasks: list[Task]) -> tuple[list[int], int]:
        """Deal one batch's chunks out to the workers and ask each to close its segment after them."""
        numbers = []
        for position, start in enumerate(range(0, len(tasks), CHUNK_PAGES)):
            number = self._sent
            self._sent += 1
            self._inboxes[position % self.jobs].put(("chunk", number, job, tasks[start : start + CHUNK_PAGES]))
            numbers.append(number)
        batch = self._sent
        self._sent += 1
        for inbox in self._inboxes:
            inbox.put(("finish", batch))
        return numbers, batch

    def _receive(self, kind: str, number: int, count: int = 1) -> list[Any]:
        """Wait for ``count`` answers of one kind and number; a worker's error (a full disk) or death stops
        the run."""
        key = (kind, number)
        while len(self._received.get(key, ())) < count:
            try:
                answer, answered, value = self._outbox.get(timeout=0.5)
            except queue.Empty:
                dead = [worker for worker in self._workers if not worker.is_alive()]
                if dead:
                    raise OSError(f"ein Indexierungs-Prozess endete unerwartet (Code {dead[0].exitcode})") from None
                continue
            if answer == "error":
                raise value
            self._received.setdefault((answer, answered), []).append(value)
        return self._received.pop(key)

    def run(self, job: RootJob, tasks: Iterable[Task], count: int) -> Iterator[tuple[Task, Outcome] | BatchEnd]:
        """Outcomes in the order of ``tasks`` (``count`` of them), a ``BatchEnd`` after each batch's last page.

        Tasks are taken from the iterable a batch at a time: at most two batches are held here."""
        tasks = iter(tasks)
        if self.jobs < 1 or count < INLINE_BELOW_PAGES:
            for task in tasks:
                yield task, analyse_page(job, task[0], task[1][1] if task[1] else None)
            return
        if not self._workers:
            self._start()
        current = list(islice(tasks, self.batch_pages))
        sent = self._send_batch(job, current)
        while current:
            following = list(islice(tasks, self.batch_pages))
            next_sent = self._send_batch(job, following) if following else None
            numbers, finish = sent
            for position, number in enumerate(numbers):
                chunk = current[position * CHUNK_PAGES : (position + 1) * CHUNK_PAGES]
                (outcomes,) = self._receive("chunk", number)
                yield from zip(chunk, outcomes)
            # In the workers' order, not the order they finished in: the same archive gets the same document
            # numbers, and equally scored hits the same order, in every run.
            segments = sorted(self._receive("segment", finish, count=self.jobs), key=lambda answer: answer[0])
            yield BatchEnd(tuple(segment for _, segment in segments if segment is not None))
            current, sent = following, next_sent  # type: ignore[assignment]
