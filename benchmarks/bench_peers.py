"""newssearch against its peers (issue #6): indexing and query speed, memory and size, in one run.

Usage: python benchmarks/bench_peers.py [--sizes 1000 5000 16571] [--out FILE] [--engines ...]

For each size, writes an archive with ../shared/corpus/make_archive.py into a temp folder and measures, each in
its own fresh subprocess and one after another: newssearch (``update_index``, ``run_search``, the real CLI for
the cold query), stock Whoosh (the baseline for ratios), SQLite FTS5, tantivy, and the floor (read every page
and split it with one regular expression). Prints Markdown tables with ratios to stock Whoosh and to the floor,
and appends the raw figures as JSON lines to ``--out``. The method is in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
MAKER = SHARED / "corpus" / "make_archive.py"
ENGINES = ("floor", "newssearch", "whoosh", "fts5", "tantivy")
LABELS = {
    "floor": "floor (read + one regex)",
    "newssearch": "newssearch",
    "whoosh": "stock Whoosh",
    "fts5": "SQLite FTS5",
    "tantivy": "tantivy",
}
CLASSES = ("word", "and", "phrase", "date", "newest")
DRAWN_CLASSES = CLASSES[:4]  # "all 300" is over these; "newest" runs the single words again, by date
CLASS_LABELS = {
    "word": "word", "and": "2-word AND", "phrase": "phrase", "date": "word + month", "newest": "word, newest first",
}
PER_CLASS = 75  # 4 drawn classes × 75 = 300 queries, plus the 75 single words sorted newest first
PROBES = (
    ("Maske",), ("Masken",), ("Gesundheitsamt",), ("Gesundheitsämter",), ("Straße",), ("Strasse",),
    ("Impfung",), ("Robert", "Koch"),
)
WORDS = re.compile(r"\w+")
DAY_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
SAMPLE_SECONDS = 0.05
TANTIVY_TOKENIZER = "de_bench"
WARMUP_EVERY = 10
# Indexing runs of newssearch and stock Whoosh per size, taking turns at going first: one pair of runs moves by
# up to 10 % with the host's other tenants, which at 1,000 pages is the whole margin. Larger sizes take
# minutes per pair and their margin is wide, so one run each.
INDEX_REPEATS = 5
REPEAT_UP_TO_PAGES = 2000
PAIRED = ("newssearch", "whoosh")

Query = dict[str, Any]  # {"kind": word|and|phrase|date|newest, "words": [...], "month": "YYYY-MM" or None}


# --- the archive as the peers see it: one document per page file -------------------------------------------


def page_files(archive: Path) -> list[Path]:
    """Every page below ``archive`` in a stable order, so that every engine and the query drawing agree."""
    return sorted(archive.rglob("*.txt"))


def page_date(path: Path) -> datetime | None:
    """The day in the file name (``YYYY-MM-DD_id.txt``); undated pages have none."""
    found = DAY_IN_NAME.search(path.name)
    return datetime(int(found[1]), int(found[2]), int(found[3])) if found else None


def read_pages(archive: Path) -> Iterator[tuple[str, str, str, datetime | None]]:
    """(relative path, title = first line, whole page text, date) for each page."""
    for path in page_files(archive):
        text = path.read_bytes().decode("utf-8", errors="replace")
        yield path.relative_to(archive).as_posix(), text.split("\n", 1)[0], text, page_date(path)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """First and last moment of ``YYYY-MM``."""
    year, number = (int(part) for part in month.split("-"))
    following = date(year + number // 12, number % 12 + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)
    return datetime(year, number, 1), datetime(last.year, last.month, last.day, 23, 59, 59)


def query_string(query: Query, quote_each: bool = False) -> str:
    """The query as a user types it: words (all required) or a quoted phrase; FTS5 wants each word quoted."""
    words = query["words"]
    if query["kind"] == "phrase":
        return '"' + " ".join(words) + '"'
    return " ".join(f'"{word}"' for word in words) if quote_each else " ".join(words)


# --- query drawing ------------------------------------------------------------------------------------------


def draw_queries(archive: Path, seed: int) -> list[Query]:
    """300 queries from the archive's own text with a fixed seed, the same for every engine.

    Single words come from the mid-frequency band (in 0.5–5 % of pages: selective, never rare), AND pairs and
    month-filtered words from one random page each (so they have hits), phrases are two adjacent content words.
    """
    from whoosh.lang.stopwords import stoplists

    stop = frozenset(stoplists["de"])
    paths = page_files(archive)
    total = len(paths)
    df: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for path in paths:
        words = WORDS.findall(path.read_text("utf-8", errors="replace"))
        for word in words:  # in text order: a set's order would change with the hash seed
            surface.setdefault(word.lower(), word)
        df.update({word.lower() for word in words})

    def content(word: str, shortest: int = 4) -> bool:
        return word.isalpha() and len(word) >= shortest and word.lower() not in stop

    def in_band(word: str, low: float, high: float) -> bool:
        return max(2, math.ceil(low * total)) <= df[word.lower()] <= high * total

    def mid(word: str) -> bool:
        return content(word) and in_band(word, 0.005, 0.05)

    rng = random.Random(seed)
    band = sorted(surface[word] for word in df if mid(surface[word]))
    dated = [path for path in paths if page_date(path)]
    queries: list[Query] = [{"kind": "word", "words": [word], "month": None}
                            for word in rng.sample(band, min(PER_CLASS, len(band)))]

    def page_words(path: Path) -> list[str]:
        return WORDS.findall(path.read_text("utf-8", errors="replace"))

    def from_pages(pool: list[Path], pick: Callable[[Path], Query | None]) -> None:
        seen: set[str] = set()
        for _ in range(PER_CLASS * 40):
            if len(seen) == PER_CLASS or not pool:
                return
            query = pick(rng.choice(pool))
            if query and json.dumps(query) not in seen:
                seen.add(json.dumps(query))
                queries.append(query)

    def pair(path: Path) -> Query | None:
        words = sorted({word for word in page_words(path) if mid(word)})
        return {"kind": "and", "words": rng.sample(words, 2), "month": None} if len(words) >= 2 else None

    def phrase(path: Path) -> Query | None:
        text = path.read_text("utf-8", errors="replace")
        tokens = list(WORDS.finditer(text))
        pairs = [
            [first[0], second[0]] for first, second in zip(tokens, tokens[1:])
            if text[first.end():second.start()] == " "
            and all(content(word, 3) and in_band(word, 0.005, 0.30) for word in (first[0], second[0]))
        ]
        return {"kind": "phrase", "words": rng.choice(pairs), "month": None} if pairs else None

    def in_month(path: Path) -> Query | None:
        words = sorted({word for word in page_words(path) if mid(word)})
        day = page_date(path)
        if not words or day is None:
            return None
        return {"kind": "date", "words": [rng.choice(words)], "month": day.strftime("%Y-%m")}

    from_pages(paths, pair)
    from_pages(paths, phrase)
    from_pages(dated, in_month)
    queries += [{**query, "kind": "newest"} for query in queries if query["kind"] == "word"]
    return queries


# --- the engines: build an index, open it, run a query, count a probe's hits ---------------------------------


BREAKDOWN_PARTS = (
    "plain words, relevance", "plain words, newest first", "month words, with their month", "month words, no filter",
    "plain words, relevance (JSON)", "plain words, newest first, scored (JSON)",
)

FACETS_PART = "plain words, the page's facets"


class Engine:
    """One engine as the child process drives it."""

    name = ""

    def build(self, archive: Path, index_dir: Path) -> dict[str, Any]:
        raise NotImplementedError

    def open(self, index_dir: Path) -> None:
        raise NotImplementedError

    def run(self, query: Query) -> int:
        """Top 10 with their stored fields; returns how many came back."""
        raise NotImplementedError

    def count(self, query: Query) -> dict[str, int]:
        """Pages matching the query (not timed)."""
        raise NotImplementedError

    def cold_command(self, index_dir: Path, query: Query) -> list[str]:
        """A fresh process that opens the index, runs one query and prints the top 10."""
        raise NotImplementedError

    def breakdown(self, queries: list[Query]) -> dict[str, list[float]]:
        """Extra timings (ms) of this engine's own parts, taken after the timed pass (none by default)."""
        return {}


class Floor(Engine):
    """The least any indexer must do: read every page and find its words."""

    name = "floor"

    def build(self, archive: Path, index_dir: Path) -> dict[str, Any]:
        tokens = sum(len(WORDS.findall(text)) for _, _, text, _ in read_pages(archive))
        return {"tokens": tokens}


class Newssearch(Engine):
    """The product as a user runs it: full German analysis, articles and comments as separate documents."""

    name = "newssearch"

    def build(self, archive: Path, index_dir: Path) -> dict[str, Any]:
        from newssearch.index import update_index

        report = update_index(index_dir, [archive])
        return {"articles": report.articles, "comments": report.comments, "skipped": len(report.skipped)}

    def open(self, index_dir: Path) -> None:
        from newssearch import search
        from newssearch.backend import open_backend
        from newssearch.index import open_index

        self.search = search
        self.ix = open_index(index_dir)
        # As `newssearch serve` answers: one backend that keeps its searcher open between requests.
        self.backend = open_backend(index_dir)

    def run(self, query: Query) -> int:
        start, end = month_bounds(query["month"]) if query["month"] else (None, None)
        sort = "newest" if query["kind"] == "newest" else "relevance"
        # As the page asks: it shows no scores, so date-ordered hits are not scored (JSON output scores them).
        request = self.search.SearchRequest(
            query=query_string(query), date_from=start, date_to=end, sort=sort, page_size=10, scores=False
        )
        return len(self.backend.search(request).hits)

    def breakdown(self, queries: list[Query]) -> dict[str, list[float]]:
        """Three pairs of requests on the same words, each with and without snippets (without: the search, its
        count, the hits' stored fields and the set-up of the words to mark): the plain class's words by
        relevance and newest first, as the page asks and again as JSON output asks (date-ordered hits scored
        too), and the month class's words with and without their month. The main
        table's classes hold different words and show different hits; this says whether date order and the
        month filter themselves cost, or the snippets of the hits they show. The words were met in the timed
        pass already, and the two requests of a pair take turns at going first (the second is met warmer),
        so these figures compare with each other, not with the timed pass."""
        pairs: dict[tuple[str, str], list[tuple[Any, Any]]] = {
            (BREAKDOWN_PARTS[0], BREAKDOWN_PARTS[1]): [], (BREAKDOWN_PARTS[2], BREAKDOWN_PARTS[3]): [],
            (BREAKDOWN_PARTS[4], BREAKDOWN_PARTS[5]): [],
        }
        for query in queries:
            text = query_string(query)
            if query["kind"] == "word":
                pairs[BREAKDOWN_PARTS[0], BREAKDOWN_PARTS[1]].append((
                    self.search.SearchRequest(query=text, page_size=10, scores=False),
                    self.search.SearchRequest(query=text, sort="newest", page_size=10, scores=False),
                ))
                pairs[BREAKDOWN_PARTS[4], BREAKDOWN_PARTS[5]].append((
                    self.search.SearchRequest(query=text, page_size=10),
                    self.search.SearchRequest(query=text, sort="newest", page_size=10),
                ))
            elif query["kind"] == "date" and query["month"]:
                start, end = month_bounds(query["month"])
                pairs[BREAKDOWN_PARTS[2], BREAKDOWN_PARTS[3]].append((
                    self.search.SearchRequest(query=text, date_from=start, date_to=end, page_size=10, scores=False),
                    self.search.SearchRequest(query=text, page_size=10, scores=False),
                ))
        snippet = self.search._snippet
        timings: dict[str, list[float]] = {}
        try:
            for label, make in (("with snippets", snippet), ("without snippets", lambda *args, **kwargs: ())):
                self.search._snippet = make
                for parts, requests in pairs.items():
                    for number, pair in enumerate(requests):
                        turn = (0, 1) if number % 2 == 0 else (1, 0)
                        for side in turn:
                            started = time.perf_counter()
                            self.backend.search(pair[side])
                            elapsed = (time.perf_counter() - started) * 1000
                            timings.setdefault(f"{parts[side]}; {label}", []).append(elapsed)
        finally:
            self.search._snippet = snippet
        # The page also counts each search's kinds and months (its facets): the plain words once more.
        for first, _ in pairs[BREAKDOWN_PARTS[0], BREAKDOWN_PARTS[1]]:
            started = time.perf_counter()
            self.backend.facets(first)
            timings.setdefault(FACETS_PART, []).append((time.perf_counter() - started) * 1000)
        return timings

    def count(self, query: Query) -> dict[str, int]:
        with self.ix.searcher() as searcher:
            docnums = list(searcher.docs_for_query(self.search.parse_query(query_string(query), self.ix.schema)))
            pages = {searcher.stored_fields(docnum)["article_id"] for docnum in docnums}
        return {"pages": len(pages), "documents": len(docnums)}

    def cold_command(self, index_dir: Path, query: Query) -> list[str]:
        script = Path(sys.executable).with_name("newssearch")
        prefix = [str(script)] if script.exists() else [sys.executable, "-m", "newssearch"]
        return prefix + ["query", query_string(query), "--index", str(index_dir), "--json"]


WHOOSH_COLD = """
import json, sys
from whoosh import index
from whoosh.qparser import AndGroup, QueryParser
ix = index.open_dir(sys.argv[1])
with ix.searcher() as searcher:
    parsed = QueryParser("text", ix.schema, group=AndGroup).parse(sys.argv[2])
    print(json.dumps([hit.fields() for hit in searcher.search(parsed, limit=10)], ensure_ascii=False))
"""


class StockWhoosh(Engine):
    """Whoosh as its documentation sets it up for German: the baseline of every ratio."""

    name = "whoosh"

    def build(self, archive: Path, index_dir: Path) -> dict[str, Any]:
        from whoosh import fields, index
        from whoosh.analysis import LanguageAnalyzer

        schema = fields.Schema(
            path=fields.ID(stored=True), title=fields.STORED(),
            text=fields.TEXT(analyzer=LanguageAnalyzer("de")), date=fields.DATETIME(sortable=True),
        )
        index_dir.mkdir(parents=True, exist_ok=True)
        writer = index.create_in(str(index_dir), schema).writer(limitmb=256)
        for relpath, title, text, day in read_pages(archive):
            writer.add_document(path=relpath, title=title, text=text, **({"date": day} if day else {}))
        writer.commit()
        return {}

    def open(self, index_dir: Path) -> None:
        from whoosh import index
        from whoosh.qparser import AndGroup, QueryParser

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("text", self.ix.schema, group=AndGroup)

    def run(self, query: Query) -> int:
        from whoosh.query import DateRange

        parsed = self.parser.parse(query_string(query))
        limit = DateRange("date", *month_bounds(query["month"])) if query["month"] else None
        order = {"sortedby": "date", "reverse": True} if query["kind"] == "newest" else {}
        return len([hit.fields() for hit in self.searcher.search(parsed, limit=10, filter=limit, **order)])

    def count(self, query: Query) -> dict[str, int]:
        return {"pages": sum(1 for _ in self.searcher.docs_for_query(self.parser.parse(query_string(query))))}

    def cold_command(self, index_dir: Path, query: Query) -> list[str]:
        return [sys.executable, "-c", WHOOSH_COLD, str(index_dir), query_string(query)]


FTS5_TOP10 = (
    "SELECT meta.path, meta.title FROM pages JOIN meta ON meta.id = pages.rowid "
    "WHERE pages MATCH ?{} ORDER BY {} LIMIT 10"
)
FTS5_COLD = f"""
import json, sqlite3, sys
connection = sqlite3.connect(sys.argv[1] + "/pages.db")
print(json.dumps(connection.execute({FTS5_TOP10.format("", "pages.rank")!r}, (sys.argv[2],)).fetchall(), ensure_ascii=False))
"""


class Fts5(Engine):
    """SQLite's full-text search: contentless FTS5 table plus a table of stored fields and dates."""

    name = "fts5"

    def build(self, archive: Path, index_dir: Path) -> dict[str, Any]:
        import sqlite3

        index_dir.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(index_dir / "pages.db")
        connection.execute(
            "CREATE VIRTUAL TABLE pages USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2')"
        )
        connection.execute("CREATE TABLE meta(id INTEGER PRIMARY KEY, path TEXT, title TEXT, date TEXT)")
        with connection:
            for number, (relpath, title, text, day) in enumerate(read_pages(archive), start=1):
                connection.execute("INSERT INTO pages(rowid, text) VALUES (?, ?)", (number, text))
                connection.execute(
                    "INSERT INTO meta VALUES (?, ?, ?, ?)",
                    (number, relpath, title, day.date().isoformat() if day else None),
                )
        connection.close()
        return {}

    def open(self, index_dir: Path) -> None:
        import sqlite3

        self.connection = sqlite3.connect(index_dir / "pages.db")

    def run(self, query: Query) -> int:
        order = "meta.date IS NULL, meta.date DESC" if query["kind"] == "newest" else "pages.rank"
        if query["month"]:
            start, end = (moment.date().isoformat() for moment in month_bounds(query["month"]))
            sql = FTS5_TOP10.format(" AND meta.date BETWEEN ? AND ?", order)
            return len(self.connection.execute(sql, (query_string(query, True), start, end)).fetchall())
        return len(self.connection.execute(FTS5_TOP10.format("", order), (query_string(query, True),)).fetchall())

    def count(self, query: Query) -> dict[str, int]:
        sql = "SELECT count(*) FROM pages WHERE pages MATCH ?"
        return {"pages": self.connection.execute(sql, (query_string(query, True),)).fetchone()[0]}

    def cold_command(self, index_dir: Path, query: Query) -> list[str]:
        return [sys.executable, "-c", FTS5_COLD, str(index_dir), query_string(query, True)]


TANTIVY_COLD = f"""
import json, sys
from tantivy import Filter, Index, TextAnalyzerBuilder, Tokenizer
ix = Index.open(sys.argv[1])
ix.register_tokenizer({TANTIVY_TOKENIZER!r}, TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40))
                      .filter(Filter.lowercase()).filter(Filter.stemmer("german")).build())
searcher = ix.searcher()
hits = searcher.search(ix.parse_query(sys.argv[2], ["text"], conjunction_by_default=True), 10, count=False).hits
print(json.dumps([searcher.doc(address).to_dict() for _, address in hits], ensure_ascii=False))
"""


class Tantivy(Engine):
    """tantivy's Python bindings with a German analyzer: simple tokenizer → lowercase → Snowball German."""

    name = "tantivy"

    @staticmethod
    def analyzer() -> Any:
        from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

        builder = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40))
        return builder.filter(Filter.lowercase()).filter(Filter.stemmer("german")).build()

    def build(self, archive: Path, index_dir: Path) -> dict[str, Any]:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="raw")
        builder.add_text_field("text", tokenizer_name=TANTIVY_TOKENIZER)
        builder.add_date_field("date", indexed=True, fast=True)
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = tantivy.Index(builder.build(), path=str(index_dir))
        ix.register_tokenizer(TANTIVY_TOKENIZER, self.analyzer())
        writer = ix.writer(heap_size=256_000_000)
        for relpath, title, text, day in read_pages(archive):
            document = tantivy.Document(path=relpath, title=title, text=text)
            if day:
                document.add_date("date", day)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        ix.reload()
        return {"segments": ix.searcher().num_segments}

    def open(self, index_dir: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.ix = tantivy.Index.open(str(index_dir))
        self.ix.register_tokenizer(TANTIVY_TOKENIZER, self.analyzer())
        self.searcher = self.ix.searcher()

    def _parse(self, query: Query) -> Any:
        parsed = self.ix.parse_query(query_string(query), ["text"], conjunction_by_default=True)
        if not query["month"]:
            return parsed
        tantivy = self.tantivy
        dates = tantivy.Query.range_query(self.ix.schema, "date", tantivy.FieldType.Date,
                                          *month_bounds(query["month"]))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, dates)])

    def run(self, query: Query) -> int:
        order = {"order_by_field": "date"} if query["kind"] == "newest" else {}
        hits = self.searcher.search(self._parse(query), 10, count=False, **order).hits
        return len([self.searcher.doc(address).to_dict() for _, address in hits])

    def count(self, query: Query) -> dict[str, int]:
        found = self.searcher.search(self._parse(query), 1, count=True)
        return {"pages": found.count}  # type: ignore[attr-defined]  # missing from tantivy 0.27's stubs only

    def cold_command(self, index_dir: Path, query: Query) -> list[str]:
        return [sys.executable, "-c", TANTIVY_COLD, str(index_dir), query_string(query)]


ENGINE_TYPES: dict[str, type[Engine]] = {kind.name: kind for kind in (Floor, Newssearch, StockWhoosh, Fts5, Tantivy)}


# --- the child: one phase of one engine in a fresh process ---------------------------------------------------


def probe_queries() -> list[Query]:
    return [{"kind": "phrase" if len(words) > 1 else "word", "words": list(words), "month": None} for words in PROBES]


def child_index(engine: Engine, archive: Path, index_dir: Path) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    extra = engine.build(archive, index_dir)
    return {"seconds": time.perf_counter() - started, "own_cpu_s": time.process_time() - cpu, **extra}


def child_query(engine: Engine, index_dir: Path, queries: list[Query]) -> dict[str, Any]:
    """Open once, warm up on every 10th query (untimed), time every query once, then count the probes.

    A full untimed pass would double the run time of a slow engine at the largest size for little gain: what
    warms up is the process (imports, readers, caches), and a user rarely repeats a query anyway.
    """
    started = time.perf_counter()
    engine.open(index_dir)
    opened = time.perf_counter() - started
    for query in queries[::WARMUP_EVERY]:
        engine.run(query)
    timings: dict[str, dict[str, list[float]]] = {kind: {"wall": [], "cpu": [], "returned": []} for kind in CLASSES}
    for query in queries:
        wall, cpu = time.perf_counter(), time.process_time()
        returned = engine.run(query)
        record = timings[query["kind"]]
        record["wall"].append((time.perf_counter() - wall) * 1000)
        record["cpu"].append((time.process_time() - cpu) * 1000)
        record["returned"].append(returned)
    probes = {query_string(probe): engine.count(probe) for probe in probe_queries()}
    return {"open_s": opened, "timings": timings, "probes": probes, "breakdown": engine.breakdown(queries)}


def peak_rss_of_this_process() -> float | None:
    """VmHWM: exact peak RSS of this process since it was exec'd.

    Not ru_maxrss, which Linux carries over from the pre-exec image, i.e. from the (possibly large) parent.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return None


def child_main(args: argparse.Namespace) -> int:
    engine = ENGINE_TYPES[args.engine]()
    if args.child == "index":
        result = child_index(engine, Path(args.archive), Path(args.index))
    else:
        queries = json.loads(Path(args.queries).read_text("utf-8"))
        result = child_query(engine, Path(args.index), queries)
    result["peak_rss_process_mb"] = peak_rss_of_this_process()
    Path(args.result).write_text(json.dumps(result), "utf-8")
    return 0


# --- the parent: running a child and watching its time, CPU and memory ----------------------------------------


@dataclass
class Measured:
    """What the parent saw of one child process (and its descendants)."""

    wall_s: float
    cpu_s: float  # user + system of the child and every descendant it waited for (getrusage via wait4: exact)
    tree_rss_mb: float  # the largest sum of RSS over the child and its descendants, sampled every 50 ms
    foreign_cpu_s: float  # machine-wide busy CPU during the run not spent by us: load from other tenants
    returncode: int
    stdout: str
    stderr: str


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 1e6


def _busy_cpu_s() -> float:
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(value) for value in handle.readline().split()[1:]]
    busy = values[0] + values[1] + values[2] + sum(values[5:8])  # user nice system irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def measure(command: list[str], scratch: Path) -> Measured:
    """Run ``command`` to its end while sampling the process tree's memory every 50 ms."""
    out_path, err_path = scratch / "child.out", scratch / "child.err"
    busy, own = _busy_cpu_s(), time.process_time()
    started = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], _rss_mb(_descendants(process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    foreign = _busy_cpu_s() - busy - cpu - (time.process_time() - own)
    return Measured(
        wall_s=wall, cpu_s=cpu, tree_rss_mb=peak[0], foreign_cpu_s=max(foreign, 0.0), returncode=process.returncode,
        stdout=out_path.read_text("utf-8", errors="replace"), stderr=err_path.read_text("utf-8", errors="replace"),
    )


def rounded(value: Any) -> Any:
    """Four significant figures: more would be noise, and the result files stay small enough to keep."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def latency(values: list[float]) -> dict[str, float]:
    """Median, p95 (nearest rank), mean and max of one timed pass."""
    ordered = sorted(values)
    if not ordered:
        return {}
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": statistics.median(ordered), "p95": p95, "mean": statistics.fmean(ordered), "max": ordered[-1]}


def summarise_queries(raw: dict[str, Any]) -> dict[str, Any]:
    """Per class and for all 300: latency (wall and CPU, ms), results returned, zero-hit queries."""
    classes: dict[str, Any] = {}
    every: dict[str, list[float]] = {"wall": [], "cpu": []}
    for kind, record in raw["timings"].items():
        classes[kind] = {
            "n": len(record["wall"]), "wall_ms": latency(record["wall"]), "cpu_ms": latency(record["cpu"]),
            "returned": sum(record["returned"]), "zero_hit": sum(1 for n in record["returned"] if not n),
        }
        if kind in DRAWN_CLASSES:
            every["wall"] += record["wall"]
            every["cpu"] += record["cpu"]
    classes["all"] = {"n": len(every["wall"]), "wall_ms": latency(every["wall"]), "cpu_ms": latency(every["cpu"])}
    breakdown = {part: latency(times) for part, times in (raw.get("breakdown") or {}).items()}
    return {"open_s": raw["open_s"], "classes": classes, "probes": raw["probes"], "breakdown": breakdown}


def source_fingerprint() -> str | None:
    """A hash of newssearch's source files: others edit src/ during long runs, and figures must not mix versions."""
    spec = importlib.util.find_spec("newssearch")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent
    digest = hashlib.sha1()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "machine": f"{platform.system()} {platform.machine()}",
             "cpus": str(os.cpu_count())}
    for name in ("newssearch", "Whoosh-Reloaded", "tantivy"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    import sqlite3

    found["sqlite"] = sqlite3.sqlite_version
    found["newssearch source"] = source_fingerprint() or "missing"
    return found


class Run:
    """One size: the archive, the queries, and every measurement, written out as JSON lines as they come."""

    def __init__(
        self, size: int, scratch: Path, out: Path, run_id: str, seed: int, engines: list[str], index_repeats: int = 1
    ) -> None:
        self.size, self.scratch, self.out, self.run_id, self.seed = size, scratch, out, run_id, seed
        self.engines = engines
        self.index_repeats = max(1, index_repeats)
        self.index_runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
        self.archive = scratch / "archive"
        self.results: dict[str, dict[str, Any]] = {engine: {} for engine in (*engines, "all")}

    def log(self, message: str) -> None:
        print(f"[{self.size}] {message}", file=sys.stderr, flush=True)

    def record(self, engine: str, phase: str, figures: dict[str, Any], source: str | None = None) -> None:
        """Keep and append one measurement; newssearch's carry the fingerprint of the source they ran."""
        if engine == "newssearch":
            figures = {**figures, "source": source}
        self.results[engine][phase] = figures
        line = {"bench": "peers", "run": self.run_id, "size": self.size, "engine": engine, "phase": phase,
                **rounded(figures)}
        with open(self.out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")

    def child(self, *arguments: str) -> tuple[Measured, dict[str, Any] | None]:
        result = self.scratch / "result.json"
        result.unlink(missing_ok=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments, "--result", str(result)]
        measured = measure(command, self.scratch)
        if measured.returncode != 0 or not result.exists():
            self.log(f"FAILED ({measured.returncode}): {measured.stderr.strip()[-2000:]}")
            return measured, None
        return measured, json.loads(result.read_text("utf-8"))

    def prepare(self) -> None:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(MAKER), str(self.archive), "--articles", str(self.size)],
                       check=True, stderr=subprocess.DEVNULL)
        files = page_files(self.archive)
        self.pages, self.bytes = len(files), sum(path.stat().st_size for path in files)
        self.queries = draw_queries(self.archive, self.seed)
        self.queries_file = self.scratch / "queries.json"
        self.queries_file.write_text(json.dumps(self.queries), "utf-8")
        per_class = Counter(query["kind"] for query in self.queries)
        self.log(f"archive: {self.pages} pages, {self.bytes / 1e6:.2f} MB; queries {dict(per_class)} "
                 f"({time.perf_counter() - started:.1f} s)")
        digest = hashlib.sha1(json.dumps(self.queries).encode()).hexdigest()[:12]
        self.input = {"pages": self.pages, "mb": self.bytes / 1e6, "queries": dict(per_class), "seed": self.seed,
                      "queries_sha1": digest}

    def index(self, engine: str, attempt: int = 0) -> None:
        index_dir = self.scratch / f"index-{engine}"
        shutil.rmtree(index_dir, ignore_errors=True)  # every run builds from nothing
        source = source_fingerprint()
        measured, result = self.child("index", "--engine", engine, "--archive", str(self.archive),
                                      "--index", str(index_dir))
        phase = "index-run" if self.repeats_pair() and engine in PAIRED else "index"
        if result is None:
            failure = {"error": measured.stderr.strip()[-500:], "attempt": attempt, "source": source}
            self.index_runs[engine].append(failure)
            self.record(engine, phase, self.index_runs[engine][-1], source)
            return
        seconds = result.pop("seconds")
        figures = {
            **self.input, "seconds": seconds, "pages_per_s": self.pages / seconds,
            "mb_per_s": self.bytes / 1e6 / seconds, "cpu_s": measured.cpu_s, "process_wall_s": measured.wall_s,
            "peak_rss_tree_sampled_mb": measured.tree_rss_mb,
            "index_mb": folder_bytes(index_dir) / 1e6 if index_dir.exists() else 0.0,
            "foreign_cpu_s": measured.foreign_cpu_s, **result,
        }
        figures["peak_rss_mb"] = max(figures["peak_rss_tree_sampled_mb"], figures["peak_rss_process_mb"] or 0.0)
        figures["attempt"] = attempt
        self.index_runs[engine].append({**figures, "source": source} if engine == "newssearch" else figures)
        self.record(engine, phase, figures, source)
        self.log(f"index {engine}: {seconds:.2f} s, CPU {measured.cpu_s:.2f} s, "
                 f"peak RSS {figures['peak_rss_mb']:.0f} MB, foreign CPU {measured.foreign_cpu_s:.1f} s")

    def repeats_pair(self) -> bool:
        """Whether newssearch and stock Whoosh index more than once each (both must be measured)."""
        return self.index_repeats > 1 and all(engine in self.engines for engine in PAIRED)

    def settle_index(self, engine: str) -> None:
        """After repeated runs, the engine's figures are those of its median run (by time), with every run's
        time beside them; the index of its last run is the one the queries use."""
        runs = self.index_runs[engine]
        if not self.repeats_pair() or not runs:
            return
        done = [figures for figures in runs if "error" not in figures]
        if not done:
            self.record(engine, "index", runs[0], runs[0].get("source"))
            return
        # Of an even number of runs, the faster of the middle two.
        middle = sorted(done, key=lambda figures: figures["seconds"])[(len(done) - 1) // 2]
        self.record(engine, "index", {**middle, "runs_s": [figures["seconds"] for figures in done],
                                      "failed_runs": len(runs) - len(done)}, middle.get("source"))

    def query(self, engine: str) -> None:
        index_dir = self.scratch / f"index-{engine}"
        source = source_fingerprint()
        measured, result = self.child("query", "--engine", engine, "--index", str(index_dir),
                                      "--queries", str(self.queries_file))
        if result is None:
            self.record(engine, "query", {"error": measured.stderr.strip()[-500:]}, source)
            return
        figures = {**summarise_queries(result), "peak_rss_tree_sampled_mb": measured.tree_rss_mb,
                   "peak_rss_process_mb": result["peak_rss_process_mb"], "warmup_every": WARMUP_EVERY,
                   "process_wall_s": measured.wall_s, "foreign_cpu_s": measured.foreign_cpu_s}
        self.record(engine, "query", figures, source)
        everything = figures["classes"]["all"]["wall_ms"]
        self.log(f"queries {engine}: all median {everything['median']:.2f} ms, p95 {everything['p95']:.2f} ms "
                 f"({measured.wall_s:.1f} s)")

    def cold(self, engine: str, runs: int = 3) -> None:
        index_dir = self.scratch / f"index-{engine}"
        query = next(query for query in self.queries if query["kind"] == "word")
        command = ENGINE_TYPES[engine]().cold_command(index_dir, query)
        source = source_fingerprint()
        measured = [measure(command, self.scratch) for _ in range(runs)]
        failed = [m for m in measured if m.returncode not in (0, 1) or not m.stdout.strip()]
        if failed:
            self.log(f"cold {engine} FAILED: {failed[0].stderr.strip()[-2000:]}")
            self.record(engine, "cold", {"error": failed[0].stderr.strip()[-500:]}, source)
            return
        walls = [m.wall_s for m in measured]
        self.record(engine, "cold", {"median_s": statistics.median(walls), "runs_s": walls,
                                     "foreign_cpu_s": sum(m.foreign_cpu_s for m in measured)}, source)
        self.log(f"cold {engine}: {statistics.median(walls):.3f} s")

    def measure_all(self) -> None:
        """Engines one at a time (never two measured processes at once): indexing, then queries, then cold."""
        self.prepare()
        for engine in self.engines:
            self.index(engine)
        # Repeated only as a pair: the point is the ratio of the two under the same load.
        paired = list(PAIRED) if all(engine in self.engines for engine in PAIRED) else []
        for attempt in range(1, self.index_repeats if paired else 1):
            for engine in paired if attempt % 2 == 0 else paired[::-1]:  # who goes first alternates
                self.index(engine, attempt)
        for engine in paired:
            self.settle_index(engine)
        searchable = [engine for engine in self.engines if engine != "floor" and "error" not in
                      self.results[engine].get("index", {"error": ""})]
        for engine in searchable:
            self.query(engine)
        for engine in searchable:
            self.cold(engine)


# --- the report -----------------------------------------------------------------------------------------------


def number(value: float | None) -> str:
    """Three significant figures, thousands separated; a dash when there is nothing to show."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f}"


def speed(factor: float | None) -> str:
    """A speed factor; below 1 as ``1/N`` (N times slower), which reads better than 0.00240."""
    if factor is None or factor >= 1:
        return number(factor)
    return f"1/{number(1 / factor)}"


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def get(results: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def report(run: Run) -> str:
    """Markdown for one size: indexing, warm and cold queries, ratios to stock Whoosh and the floor, probes."""
    results = run.results
    engines = [engine for engine in run.engines if "index" in results[engine]]
    newssearch = results.get("newssearch", {}).get("index", {})
    docs = (f"; newssearch: {newssearch['articles']:,} articles + {newssearch['comments']:,} comments as documents"
            if "articles" in newssearch else "")
    parts = [f"## {run.pages:,} pages ({run.bytes / 1e6:.2f} MB of page files{docs})"]

    def index_figure(engine: str, key: str) -> Any:
        return get(results, engine, "index", key)

    floor_s, whoosh_s = index_figure("floor", "seconds"), index_figure("whoosh", "seconds")
    rows = []
    for engine in engines:
        if "error" in results[engine]["index"]:
            rows.append([LABELS[engine], "failed"] + ["–"] * 10)
            continue
        seconds = index_figure(engine, "seconds")
        rows.append([LABELS[engine]] + [number(index_figure(engine, key)) for key in (
            "seconds", "pages_per_s", "mb_per_s", "cpu_s", "peak_rss_mb", "peak_rss_tree_sampled_mb",
            "peak_rss_process_mb")] + [
            number(index_figure(engine, "index_mb")) if engine != "floor" else "–",
            speed(ratio(whoosh_s, seconds)), number(ratio(seconds, floor_s)),
            number(index_figure(engine, "foreign_cpu_s")),
        ])
    repeated = [engine for engine in PAIRED if len(get(results, engine, "index", "runs_s") or ()) > 1]
    parts.append("### Indexing\n\n" + table(
        ["engine", "index s", "pages/s", "MB/s", "CPU s", "peak RSS MB", "tree RSS MB (sampled)",
         "main process VmHWM MB", "index MB", "speed × stock Whoosh", "time × floor",
         "foreign CPU s"], rows))
    if len(repeated) == len(PAIRED):
        mine, theirs = (get(results, engine, "index", "runs_s") for engine in PAIRED)
        failed = sum(get(results, engine, "index", "failed_runs") or 0 for engine in PAIRED)
        line = (
            f"{LABELS['newssearch']} and {LABELS['whoosh']} each indexed {len(mine)} times, taking turns at going "
            "first (their rows are the median run; the others once): "
            f"{LABELS['newssearch']} {', '.join(number(value) for value in mine)} s; "
            f"{LABELS['whoosh']} {', '.join(number(value) for value in theirs)} s"
        )
        if failed:  # the runs no longer pair up
            line += f"; {failed} run(s) failed, see the JSON file."
        else:
            pairs = [ratio(whoosh, ours) for ours, whoosh in zip(mine, theirs)]
            line += (f"; speed × stock Whoosh per pair {', '.join(speed(value) for value in pairs)} "
                     f"(median {speed(statistics.median(value for value in pairs if value is not None))}).")
        parts.append(line)

    def query_figure(engine: str, kind: str, key: str = "wall_ms", stat: str = "median") -> float | None:
        return get(results, engine, "query", "classes", kind, key, stat)

    searchable = [engine for engine in engines if "error" not in results[engine].get("query", {"error": ""})]
    rows = []
    for engine in searchable:
        cells = [f"{number(query_figure(engine, kind))} / {number(query_figure(engine, kind, stat='p95'))}"
                 for kind in (*CLASSES, "all")]
        rows.append([LABELS[engine], number(get(results, engine, "query", "open_s")), *cells,
                     number(query_figure(engine, "all", "cpu_ms")),
                     number(get(results, engine, "query", "peak_rss_tree_sampled_mb")),
                     number(get(results, engine, "cold", "median_s"))])
    counts = Counter(query["kind"] for query in run.queries)
    parts.append(
        f"### Queries (ms, median / p95; open once, warm up on every {WARMUP_EVERY}th query, time each query once; "
        "top 10 with stored fields)\n\n"
        + table(["engine", "open s", *(f"{CLASS_LABELS[kind]} ({counts[kind]})" for kind in CLASSES),
                 f"all {sum(1 for query in run.queries if query['kind'] in DRAWN_CLASSES)} (without newest first)",
                 "all: CPU ms median", "query process RSS MB",
                 "cold query s (fresh process, median of 3)"], rows))

    rows = []
    for engine in searchable:
        cells = [speed(ratio(index_figure("whoosh", "seconds"), index_figure(engine, "seconds"))),
                 speed(ratio(index_figure("whoosh", "cpu_s"), index_figure(engine, "cpu_s"))),
                 number(ratio(index_figure(engine, "peak_rss_mb"), index_figure("whoosh", "peak_rss_mb"))),
                 number(ratio(index_figure(engine, "index_mb"), index_figure("whoosh", "index_mb")))]
        cells += [speed(ratio(query_figure("whoosh", kind), query_figure(engine, kind))) for kind in (*CLASSES, "all")]
        cells += [speed(ratio(query_figure("whoosh", "all", stat="p95"), query_figure(engine, "all", stat="p95"))),
                  speed(ratio(get(results, "whoosh", "cold", "median_s"), get(results, engine, "cold", "median_s")))]
        rows.append([LABELS[engine], *cells])
    parts.append(
        "### Ratios to stock Whoosh, same run (speed: Whoosh time ÷ engine time, > 1 = faster, 1/N = N times "
        "slower; memory and size: engine ÷ Whoosh, > 1 = larger)\n\n"
        + table(["engine", "indexing speed", "indexing CPU", "indexing peak RSS", "index size",
                 *(f"{CLASS_LABELS[kind]} median" for kind in CLASSES), "all median", "all p95", "cold query"], rows))

    breakdown = get(results, "newssearch", "query", "breakdown") or {}
    if breakdown:
        def cell(part: str, label: str) -> str:
            figures = breakdown.get(f"{part}; {label}", {})
            return f"{number(figures.get('median'))} / {number(figures.get('p95'))}"

        parts.append(
            "### newssearch: what date order and the month filter cost (the same words again after the timed "
            "pass, the two requests of a pair taking turns at going first; ms median / p95)\n\n"
            + table(["requests (75 words each)", "with snippets", "without snippets (search, count, stored fields)"],
                    [[part, cell(part, "with snippets"), cell(part, "without snippets")] for part in BREAKDOWN_PARTS]))
        facets = breakdown.get(FACETS_PART)
        if facets:
            parts.append(
                f"The page also counts the kinds and months of every match of a search (its facets): for the plain "
                f"words {number(facets.get('median'))} ms median, {number(facets.get('p95'))} ms p95, "
                f"{number(facets.get('max'))} ms at most, on top of the search."
            )

    rows = [[LABELS[engine],
             " / ".join(str(get(results, engine, "query", "classes", kind, "returned")) for kind in CLASSES),
             " / ".join(str(get(results, engine, "query", "classes", kind, "zero_hit")) for kind in CLASSES)]
            for engine in searchable]
    parts.append("### Sanity: results returned per class (max 10 each) and zero-hit queries, "
                 + " / ".join(CLASS_LABELS[kind] for kind in CLASSES) + "\n\n"
                 + table(["engine", "returned", "zero-hit"], rows))

    probes = list(get(results, searchable[0], "query", "probes") or {}) if searchable else []
    rows = []
    for probe in probes:
        row = [probe]
        for engine in searchable:
            found = get(results, engine, "query", "probes", probe) or {}
            documents = f" ({found['documents']:,} docs)" if "documents" in found else ""
            row.append(f"{found.get('pages', 0):,}{documents}")
        rows.append(row)
    parts.append("### Probe queries: pages found (newssearch: pages, and its documents incl. comments)\n\n"
                 + table(["query", *(LABELS[engine] for engine in searchable)], rows))
    failures = [f"{LABELS[engine]} {phase}: {figures['error'].splitlines()[-1] if figures['error'] else '?'}"
                for engine in run.engines for phase, figures in results[engine].items() if "error" in figures]
    if failures:
        parts.append("**Failed:** " + "; ".join(failures))
    sources = {phase: figures.get("source") for phase, figures in results.get("newssearch", {}).items()}
    if len(set(sources.values())) > 1:
        changed = ", ".join(f"{phase} {source}" for phase, source in sources.items())
        parts.append(f"**Warning:** newssearch's source changed during this size ({changed}): its figures mix "
                     "versions (an index built by one version and searched by another may miss hits). Rerun.")
    return "\n\n".join(parts)


PREPARE_COMMON_WORDS = """
import time
from newssearch import common_words, lemma_forms
from newssearch.pipeline import default_jobs
started = time.perf_counter()
if common_words.is_prepared() and lemma_forms.is_prepared():
    print("newssearch: the common words' analyses and the lemmas' forms are in the table cache already "
          "(one-time step, not timed).")
else:
    words = 0 if common_words.is_prepared() else common_words.prepare(jobs=default_jobs())
    forms = 0 if lemma_forms.is_prepared() else lemma_forms.prepare(jobs=default_jobs())
    print(f"newssearch: one-time step as after a machine's first large run: {words:,} common words analysed, "
          f"{forms:,} lemma forms worked out and cached in {time.perf_counter() - started:.1f} s "
          "(not part of any figure below).")
"""


def prepare_common_words() -> str:
    """What ``newssearch index`` does once per machine after its first large run (``common_words``,
    ``lemma_forms``), done before the timed runs, as the word tables' cache is: every figure is of a machine
    in regular use."""
    done = subprocess.run([sys.executable, "-c", PREPARE_COMMON_WORDS], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="Articles per archive (max 16571).")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--seed", type=int, default=6, help="Seed of the query drawing.")
    parser.add_argument("--index-repeats", type=int, default=None,
                        help=f"Indexing runs each of newssearch and stock Whoosh, alternating (default {INDEX_REPEATS} "
                             f"up to {REPEAT_UP_TO_PAGES:,} articles, else 1).")
    parser.add_argument("--out", type=Path, default=None, help="JSON lines file (default results/peers-DATE.jsonl).")
    for hidden in ("--child", "--engine", "--archive", "--index", "--queries", "--result"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_repeats is not None and args.index_repeats < 1:
        parser.error("--index-repeats: at least 1")
    if args.child:
        return child_main(args)
    if not MAKER.exists():
        print(f"skipped: {MAKER} is missing (the internal corpus lives in ../shared beside the repository)")
        return 0
    out = args.out or HERE / "results" / f"peers-{date.today().isoformat()}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    run_id = datetime.now().isoformat(timespec="seconds")
    engines = [engine for engine in ENGINES if engine in args.engines]
    found = versions()
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"bench": "peers", "run": run_id, "phase": "run", "sizes": args.sizes,
                                 "engines": engines, "seed": args.seed, "versions": found}) + "\n")
    print(f"# newssearch and its peers ({run_id}; {', '.join(f'{k} {v}' for k, v in found.items())})\n")
    if "newssearch" in engines:
        print(f"{prepare_common_words()}\n", flush=True)
    for size in args.sizes:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="bench-peers-") as scratch:
            repeats = args.index_repeats if args.index_repeats is not None else (
                INDEX_REPEATS if size <= REPEAT_UP_TO_PAGES else 1)
            run = Run(size, Path(scratch), out, run_id, args.seed, engines, repeats)
            run.measure_all()
            print(report(run), flush=True)
        took = time.perf_counter() - started
        run.record("all", "size", {"seconds": took})
        run.log(f"done in {took:.0f} s")
        print(f"\n_{size:,} articles: whole size took {took:.0f} s._\n", flush=True)
    print(f"Raw figures appended to {out}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
