"""The Whoosh index: schema, opening, and bringing it up to date with one or more archive folders.

An article and each of its reader comments are separate documents linked by ``article_id``. Running the
indexer again re-reads only pages whose bytes changed, adds new pages and removes pages that disappeared,
so an index never holds a page twice.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time as time_module
from contextlib import contextmanager
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from whoosh import columns, fields, index
from whoosh.index import LockError
from whoosh.util.filelock import FileLock
from whoosh.query import Term

from newssearch import analysis
from newssearch.boilerplate import BoilerplateLearner, sample_stride
from newssearch.errors import (
    DocumentError, FolderError, IndexLockedError, IndexMissingError, IndexWriteError,
)
from newssearch.known_pages import TEMP_PREFIX as KNOWN_PAGES_PREFIX
from newssearch.known_pages import KnownPages
from newssearch.pipeline import BatchEnd, GermanText, RootJob, SegmentWorkers, default_jobs
from newssearch.segments import WORKER_TEMP_MARK, SegmentWriter, commit_with, listed_segments, remove_unlisted
from newssearch.sources import PageFile, find_page_files, read_page, readable_name

INDEX_NAME = "newssearch"
META_FILE = "newssearch.json"
META_VERSION = 1
# Bump when the schema changes in a way old indexes cannot serve; the next `index` run then rebuilds.
# 4: the body text in a column of its own (``body_column``).
SCHEMA_VERSION = 4

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


class ColumnDate(fields.DATETIME):
    """A date stored and kept in a sortable column, but not indexed as terms: date filters, sorting and the
    histogram all read the column, and the eight range terms per document Whoosh would index for a date
    were a tenth of all postings."""

    def __init__(self) -> None:
        super().__init__(stored=True, sortable=True)
        self.indexed = False


def body_column() -> columns.Column:
    """Where the body text is kept: an uncompressed column, one UTF-8 value per document, outside the stored
    fields. Whoosh compresses each document's stored fields as one piece, and every hit shown decompressed its
    whole body: 46 µs for the 8 KB of a date-ordered hit, against 13 µs for its other fields plus reading the
    body from this column. Offsets are written for every segment, so opening one reads them in one piece."""
    return columns.VarBytesColumn(write_offsets_cutoff=0)


def build_schema() -> fields.Schema:
    """The schema: one German analyzer for every text field, dates sortable, ids for links and updates; the
    body stored in its own column (``columns.document_fields`` puts it back into a hit's fields)."""
    analyzer = analysis.german_analyzer()

    def text(boost: float, stored: bool = True) -> fields.TEXT:
        return GermanText(
            analyzer=analyzer, stored=stored, phrase=True, field_boost=boost, multitoken_query="phrase"
        )

    body = text(FIELD_BOOSTS["body"], stored=False)
    body.column_type = body_column()  # TEXT's own ``sortable`` would choose the column type itself

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True, sortable=True),
        article_id=fields.ID(stored=True),
        root=fields.ID(stored=True),
        path=fields.STORED(),
        content_hash=fields.STORED(),
        date=ColumnDate(),
        date_source=fields.STORED(),
        position=fields.STORED(),
        comment_count=fields.STORED(),
        credit=fields.STORED(),
        article_title=fields.STORED(),
        **{name: body if name == "body" else text(boost) for name, boost in FIELD_BOOSTS.items()},
    )


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
    rebuilt: bool = False
    skipped: list[Skipped] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]
EventCallback = Callable[[str, str], None]  # (what happened: neu/geändert/entfernt/übersprungen, page path)
# Pages per commit: about 1.5 minutes of work on two cores. Fewer, larger batches mean fewer segments (each
# query builds matchers in every segment: 4 instead of 8 segments at 16,571 pages cut the p95 of queries
# meeting their words for the first time by a fifth); a stopped run loses at most one batch of work, never
# the index.
BATCH_PAGES = 10_000
WRITER_LIMIT_MB = 256  # Whoosh's posting pool of the writer in this process
WORKER_LIMIT_MB = 128  # and of each indexing worker
LOCK_NAME = "newssearch.lock"


def current_index_name(index_dir: Path) -> str:
    """The index generation readers should open (switched atomically by a rebuild)."""
    name = read_meta(index_dir).get("indexname")
    return name if isinstance(name, str) and name else INDEX_NAME


def open_index(index_dir: Path) -> index.Index:
    """Open an existing index for searching; a clear error when there is none."""
    if not index_dir.is_dir():
        raise IndexMissingError(f"Index '{index_dir}' nicht gefunden: erst 'newssearch index ORDNER' ausführen")
    try:
        name = current_index_name(index_dir)
        if not index.exists_in(str(index_dir), indexname=name):
            raise IndexMissingError(
                f"'{index_dir}' enthält keinen newssearch-Index: erst 'newssearch index ORDNER' ausführen"
            )
        opened = index.open_dir(str(index_dir), indexname=name)
        analysis.prepare_for_query(index_dir)
        return opened
    except IndexMissingError:
        raise
    except (OSError, ValueError, EOFError) as error:
        raise IndexMissingError(f"Index '{index_dir}' ist nicht lesbar: {error}") from None


def read_meta(index_dir: Path) -> dict[str, Any]:
    try:
        meta = json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_meta(index_dir: Path, meta: dict[str, Any]) -> None:
    """Write the metadata atomically: a crash leaves the old or the new file, never half of one."""
    temporary = index_dir / (META_FILE + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(meta, handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, index_dir / META_FILE)


def _remove_generation(index_dir: Path, name: str) -> None:
    """Delete the files of an index generation no reader is pointed at any more."""
    for path in index_dir.iterdir():
        if path.name.startswith((f"_{name}_", f"{name}_")):
            try:
                path.unlink()
            except OSError:
                pass


def _remove_worker_files(index_dir: Path) -> None:
    """Remove the temporary folders of indexing workers and runs (left behind when a run was stopped),
    and the writer's own (``newssearch.tmp``; a run that commits nothing does not create and clear it)."""
    for pattern in (f"*{WORKER_TEMP_MARK}*", f"{KNOWN_PAGES_PREFIX}*", f"{INDEX_NAME}*.tmp"):
        for folder in index_dir.glob(pattern):
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)


def _remove_orphans(index_dir: Path, keep: str) -> None:
    """Remove generations left by an interrupted rebuild (anything but the current one) and the temporary
    folders of indexing workers that were stopped."""
    _remove_worker_files(index_dir)
    prefix = f"{INDEX_NAME}-"
    others = {
        path.name.lstrip("_").split("_", 1)[0]
        for path in index_dir.iterdir()
        if path.name.lstrip("_").startswith(prefix)
    }
    for name in others - {keep}:
        _remove_generation(index_dir, name)


def _checksums(index_dir: Path, ix: index.Index, known: dict[str, str]) -> dict[str, str]:
    """SHA-256 of each file of the committed segments; segment files never change once committed, so a
    mismatch found by ``check`` means damage on disk. Files already hashed are not read again; files of
    segments still being written by indexing workers are not listed yet and not read."""
    found: dict[str, str] = {}
    prefixes = tuple(f"{segment.segment_id()}." for segment in listed_segments(ix))
    for path in sorted(index_dir.glob(f"{ix.indexname}_*")):
        if not path.name.startswith(prefixes) or not path.is_file():
            continue
        if path.name not in known:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            known[path.name] = digest.hexdigest()
        found[path.name] = known[path.name]
    return found


@contextmanager
def _index_lock(index_dir: Path, wait: float) -> Iterator[None]:
    """One writer per index folder. The OS drops the lock when its process dies, so a killed run leaves none."""
    lock = FileLock(str(index_dir / LOCK_NAME))
    deadline = time_module.monotonic() + max(wait, 0.0)
    while not lock.acquire(blocking=False):
        if time_module.monotonic() >= deadline:
            raise IndexLockedError(
                f"Index '{index_dir}' wird gerade von einem anderen Vorgang geschrieben"
                + (f" (nach {wait:g} s Warten aufgegeben)" if wait else "")
                + "; später erneut versuchen oder --wait SEKUNDEN angeben"
            )
        time_module.sleep(0.1)
    try:
        yield
    finally:
        lock.release()


def learn_boilerplate(pages: Iterable[PageFile], count: int) -> frozenset[str]:
    """Lines that recur on many pages of this folder (learnt from an evenly spread sample of ``count``)."""
    learner = BoilerplateLearner()
    for page in islice(pages, 0, None, sample_stride(count)):
        try:
            learner.add(read_page(page).text)
        except DocumentError:
            continue
    return learner.lines()


def _write_error(index_dir: Path, error: OSError) -> IndexWriteError:
    reasons = {errno.ENOSPC: "Datenträger voll", errno.EDQUOT: "Speicherkontingent erschöpft",
               errno.EACCES: "keine Schreibrechte", errno.EPERM: "keine Schreibrechte",
               errno.EROFS: "Datenträger nur lesbar", errno.EFBIG: "Datei zu groß für den Datenträger"}
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    return IndexWriteError(
        f"Index '{index_dir}' kann nicht geschrieben werden ({reason}); der zuletzt gespeicherte Stand bleibt gültig"
    )


class _Batches:
    """A writer that commits every ``size`` changed pages, so a long run keeps its progress when it is stopped.

    Each commit is atomic in Whoosh (a new table of contents replaces the old one by rename), and a page's
    deletion and re-adding always land in the same commit: readers see whole pages, never half an update.
    A commit also lists the segments indexing workers wrote for the batch. It does not delete unlisted
    files as Whoosh's own commit does (those may be the next batch's segments, still being written);
    ``tidy`` does that once the workers are done.
    """

    def __init__(self, ix: index.Index, size: int, on_commit: Callable[[], None]) -> None:
        self.ix = ix
        self.size = size
        self.on_commit = on_commit
        self.pending = 0
        self._writer: Any = None

    @property
    def writer(self) -> Any:
        if self._writer is None:
            try:
                # Separate segment files, not one compound file: Whoosh copies a compound file's parts into
                # memory every time a searcher opens, which made queries slow and their memory grow with the
                # archive; separate files are read in place.
                self._writer = SegmentWriter(self.ix, limitmb=WRITER_LIMIT_MB, compound=False)
            except LockError:
                raise IndexLockedError("Index wird gerade von einem anderen Programm geschrieben") from None
        return self._writer

    def page_done(self) -> None:
        self.pending += 1
        if self.pending >= self.size:
            self.commit()

    def commit(self, segments: tuple[Any, ...] = ()) -> None:
        if self._writer is None and not segments:
            return
        commit_with(self.writer, segments)
        self._writer = None
        self.pending = 0
        self.on_commit()

    def tidy(self) -> None:
        """Delete files no committed segment lists (left by a stopped run, or merged away)."""
        remove_unlisted(self.ix)

    def cancel(self) -> None:
        if self._writer is not None:
            try:
                self._writer.cancel()
            except OSError:
                pass
            self._writer = None


def update_index(
    index_dir: Path,
    roots: Iterable[Path],
    pattern: str = "*.txt",
    progress: ProgressCallback | None = None,
    *,
    rebuild: bool = False,
    wait: float = 0.0,
    batch_pages: int = BATCH_PAGES,
    events: EventCallback | None = None,
    jobs: int | None = None,
    allow_empty: bool = False,
) -> IndexReport:
    """Bring the index at ``index_dir`` up to date with every page below ``roots``.

    Pages are only re-parsed when their bytes changed (or the learnt boilerplate did); pages whose files
    vanished are removed with their comments. One unreadable page never stops the run: it is reported.
    A rebuild (asked for, or needed because the analysis changed) writes a new index generation beside the
    old one and switches readers over in one atomic step when it is complete.
    """
    report = IndexReport()
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _write_error(index_dir, error) from None
    with _index_lock(index_dir, wait):
        meta = read_meta(index_dir)
        current = current_index_name(index_dir)
        exists = index.exists_in(str(index_dir), indexname=current)
        _remove_orphans(index_dir, keep=current)
        version = f"{getattr(analysis, 'ANALYSIS_VERSION', '1')}/{SCHEMA_VERSION}"
        stale_analysis = str(meta.get("analysis", "1")) != version or meta.get("vocabulary_complete") is False
        fresh = rebuild or (exists and stale_analysis)
        _refuse_overlaps([root.resolve() for root in roots], () if rebuild else (meta.get("roots") or {}))
        if exists and fresh and not rebuild:
            _refuse_lost_folders(meta.get("roots") or {})
        name = f"{INDEX_NAME}-{time_module.strftime('%Y%m%d%H%M%S')}-{os.getpid()}" if fresh and exists else current
        try:
            if fresh or not exists:
                ix = index.create_in(str(index_dir), build_schema(), indexname=name)
            else:
                ix = index.open_dir(str(index_dir), indexname=name)
        except OSError as error:
            raise _write_error(index_dir, error) from None
        report.rebuilt = fresh
        roots_meta: dict[str, Any] = {} if fresh else dict(meta.get("roots") or {})
        analysis.prepare_for_index(index_dir)

        checksums: dict[str, str] = dict(meta.get("checksums") or {}) if not fresh else {}

        def meta_now(vocabulary_complete: bool) -> dict[str, Any]:
            return {**meta, "indexname": name, "roots": roots_meta, "analysis": version, "version": META_VERSION,
                    "checksums": _checksums(index_dir, ix, checksums),
                    "vocabulary_complete": vocabulary_complete}

        def save_meta() -> None:
            if name == current:  # a new generation becomes visible only when it is complete
                _write_meta(index_dir, meta_now(vocabulary_complete=False))

        batches = _Batches(ix, batch_pages, save_meta)
        workers = SegmentWorkers(
            default_jobs() if jobs is None else jobs, index_dir, name, batch_pages, limitmb=WORKER_LIMIT_MB,
            preload=fresh or not exists,  # every page will be analysed: the word tables are needed anyway
        )
        try:
            problems: list[DocumentError] = []
            plan = [(root.resolve(), pattern) for root in roots]
            if fresh and not rebuild:
                # A rebuild the analysis forces must keep every folder indexed so far, with its own pattern.
                given = {root for root, _ in plan}
                for earlier, settings in (meta.get("roots") or {}).items():
                    if Path(earlier) not in given and Path(earlier).is_dir():
                        plan.append((Path(earlier), str(settings.get("pattern", pattern))))
            # Pages are only counted here (for the progress bar and the sample); each folder is walked again
            # as it is indexed, so no list of every page is kept.
            work = [(root, glob, sum(1 for _ in find_page_files(root, glob, problems))) for root, glob in plan]
            report.skipped += [Skipped(path=problem.path, reason=problem.reason) for problem in problems]
            workers.start_for(count for _, _, count in work)
            total = sum(count for _, _, count in work)
            done = 0
            for root, glob, count in work:
                done = _update_root(
                    ix, batches, workers, root, count, glob, roots_meta, report, progress, events, done, total,
                    allow_empty,
                )
            batches.commit()
            workers.close()
            batches.tidy()
            _remove_worker_files(index_dir)
            _write_meta(index_dir, meta_now(vocabulary_complete=False))
        except OSError as error:
            workers.close(wait=False)
            batches.cancel()
            analysis.stop_recording()
            raise _write_error(index_dir, error) from None
        except BaseException:
            workers.close(wait=False)
            batches.cancel()
            analysis.stop_recording()
            raise
        if name != current:
            _remove_generation(index_dir, current)
        analysis.persist_vocabulary(index_dir)
        # Only now is every analysed word of the committed pages stored for queries; a run killed before
        # this point makes the next run analyse everything again (see `fresh` above).
        _write_meta(index_dir, meta_now(vocabulary_complete=True))
    report.articles, report.comments = count_documents(ix)
    return report


def _refuse_overlaps(given: list[Path], indexed: Iterable[str]) -> None:
    """Stop before anything is written when a folder lies inside another folder of the same index: its pages
    would be indexed twice, under two paths."""
    for number, folder in enumerate(given):
        for other in given[number + 1:]:
            if folder != other and (folder.is_relative_to(other) or other.is_relative_to(folder)):
                inner, outer = (folder, other) if folder.is_relative_to(other) else (other, folder)
                raise FolderError(f"Ordner '{inner}' liegt in '{outer}': bitte nur '{outer}' angeben")
    for folder in given:
        for earlier in map(Path, indexed):
            if folder == earlier:
                continue
            if folder.is_relative_to(earlier):
                raise FolderError(
                    f"Ordner '{folder}' liegt im schon indexierten Ordner '{earlier}': "
                    f"bitte '{earlier}' indexieren (nur Geändertes wird neu gelesen)"
                )
            if earlier.is_relative_to(folder):
                raise FolderError(
                    f"Ordner '{folder}' enthält den schon indexierten Ordner '{earlier}': "
                    f"'newssearch index --rebuild {folder}' baut den Index mit '{folder}' neu auf"
                )


def _refuse_lost_folders(indexed: Iterable[str]) -> None:
    """A rebuild the analysis forces re-reads every folder of the index: one that is missing now (an unmounted
    drive) would lose its pages, so the run stops and lets the user decide."""
    for earlier in map(Path, indexed):
        if not earlier.is_dir():
            raise FolderError(
                f"der Index muss neu aufgebaut werden (neue Wortanalyse oder abgebrochener Lauf), aber der Ordner "
                f"'{earlier}' fehlt, und seine Seiten gingen dabei verloren: den Ordner wieder erreichbar machen "
                "oder 'newssearch index --rebuild' mit den übrigen Ordnern aufrufen"
            )


def count_documents(ix: index.Index) -> tuple[int, int]:
    """Live (not deleted) articles and comments; term statistics would still count deleted ones."""
    with ix.searcher() as searcher:
        return tuple(  # type: ignore[return-value]
            sum(1 for _ in searcher.docs_for_query(Term("kind", kind))) for kind in ("article", "comment")
        )


def _update_root(
    ix: index.Index,
    batches: _Batches,
    workers: SegmentWorkers,
    root: Path,
    count: int,
    pattern: str,
    roots_meta: dict[str, Any],
    report: IndexReport,
    progress: ProgressCallback | None,
    events: EventCallback | None,
    done: int,
    total: int,
    allow_empty: bool = False,
) -> int:
    boilerplate = learn_boilerplate(find_page_files(root, pattern), count)
    previous = roots_meta.get(root.as_posix())
    previous_lines = set(previous.get("boilerplate", [])) if isinstance(previous, dict) else set()
    # Only pages holding a line whose boilerplate verdict changed must be parsed again.
    job = RootJob(root, boilerplate, frozenset(previous_lines ^ set(boilerplate)))
    skipped: dict[str, str] = {}
    with KnownPages(ix, root, Path(ix.storage.folder)) as known_pages:
        tasks = ((page, known_pages.visit(page.relpath)) for page in find_page_files(root, pattern))
        for item in workers.run(job, tasks, count):
            if isinstance(item, BatchEnd):
                batches.commit(item.segments)
                continue
            (page, known), outcome = item
            done += 1
            if progress:
                progress(done, total)
            if outcome.kind == "unchanged":
                report.unchanged += 1
                continue
            if outcome.kind == "skipped":
                shown = readable_name(str(page.path))
                report.skipped.append(Skipped(path=shown, reason=outcome.reason))
                skipped[page.relpath] = outcome.reason
                if events:
                    events("übersprungen", f"{shown}: {outcome.reason}")
                continue
            writer = batches.writer
            if known:
                writer.delete_by_term("article_id", known[0])
                report.updated += 1
            else:
                report.added += 1
            if events:
                events("geändert" if known else "neu", readable_name(str(page.path)))
            if outcome.kind == "documents":  # parsed here; a worker has written the other kind already
                for document in outcome.documents:
                    writer.add_document(**document)
                batches.page_done()
        held = known_pages.count() if count == 0 else 0
        kept_all = held > 0 and not allow_empty
        if kept_all:
            # An unmounted drive, an emptied folder or a mistyped --glob must not empty the index.
            report.skipped.append(Skipped(path=str(root), reason=(
                f"keine Seiten gefunden (Muster '{pattern}'); die {held} Seiten dieses Ordners "
                "bleiben im Index (zum Entfernen: 'newssearch index --allow-empty')"
            )))
        else:
            for relpath, article_id in known_pages.unvisited():
                batches.writer.delete_by_term("article_id", article_id)
                report.removed += 1
                if events:
                    events("entfernt", readable_name(str(root / relpath)))
    if not kept_all:  # otherwise the folder's pattern and boilerplate stay as its pages were indexed
        roots_meta[root.as_posix()] = {"boilerplate": sorted(boilerplate), "pattern": pattern, "skipped": skipped}
    return done
