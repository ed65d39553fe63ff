"""Benchmark: the German analysis chain against Whoosh's ``LanguageAnalyzer("de")`` on the same text.

Reports, in one run (every figure from a fresh process, so caches and tables start cold):

* analyzer speed: init, words/s on the first pass (empty caches) and on a second, cached pass;
* indexing time and peak memory for N pages written by ``../shared/corpus/make_archive.py``;
* wall time and peak memory of fresh ``newssearch query`` processes on the example archive.

Budget (issue #3): a fresh query process under 0.5 s and 150 MB; indexing with the full chain at most 1.5×
the stock analyzer's time. Usage::

    .venv/bin/python benchmarks/bench_analysis.py [--pages 1000] [--repeat 1] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MAKE_ARCHIVE = SHARED / "corpus" / "make_archive.py"
ARTICLES = SHARED / "corpus" / "fang-covid" / "articles.jsonl.gz"
EXAMPLES = REPO / "examples" / "archiv"
QUERIES = ("Erweiterung", "übermittelt", "Schulschließungen", "Verhandlugnen", '"Nato Osterweiterung"')
TEXT_BYTES = 1_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _analyzer(chain: str) -> Any:
    if chain == "stock":
        from whoosh.analysis import LanguageAnalyzer

        return LanguageAnalyzer("de")
    from newssearch.analysis import german_analyzer

    return german_analyzer()


def worker_speed(chain: str, text_file: str) -> dict[str, Any]:
    """Init, first-pass and cached words/s of one chain over one text, in index mode as the indexer runs it."""
    text = Path(text_file).read_text(encoding="utf-8")
    started = time.perf_counter()
    analyzer = _analyzer(chain)
    list(analyzer("Die Verhandlungen über Schutzhelme wurden übermittelt.", positions=True, chars=True))
    init = time.perf_counter() - started
    from whoosh.analysis import RegexTokenizer

    words = sum(1 for _ in RegexTokenizer()(text))
    passes = []
    for _ in range(2):
        started = time.perf_counter()
        for _ in analyzer(text, positions=True, chars=True, mode="index"):
            pass
        passes.append(time.perf_counter() - started)
    return {"init_s": init, "words": words, "pass1_words_s": words / passes[0], "pass2_words_s": words / passes[1],
            "peak_mb": _peak_mb()}


STOCK_PATCH = """
from whoosh.analysis import LanguageAnalyzer
import newssearch.analysis
newssearch.analysis.german_analyzer = lambda: LanguageAnalyzer("de")
"""


def worker_index(chain: str, archive: str, jobs: str) -> dict[str, Any]:
    """Index a folder from scratch with one chain; wall and CPU seconds (this process and its workers),
    peak memory. ``jobs``: worker processes, ``default`` as the CLI runs, 0 to analyse in the writer.
    The stock chain is swapped in by a ``sitecustomize`` (see ``_spawn``), so spawned workers use it too."""
    from newssearch import analysis, index

    assert (chain == "stock") == (analysis.german_analyzer.__name__ == "<lambda>"), "stock patch not active"
    with tempfile.TemporaryDirectory() as folder:
        wall = time.perf_counter()
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        workers = None if jobs == "default" else int(jobs)
        report = index.update_index(Path(folder) / "index", [Path(archive)], jobs=workers)
        own_after = resource.getrusage(resource.RUSAGE_SELF)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = sum(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                  for before, after in ((own, own_after), (children, children_after)))
        return {"wall_s": time.perf_counter() - wall, "cpu_s": cpu, "documents": report.articles + report.comments,
                "peak_mb": _peak_mb(), "worker_peak_mb": children_after.ru_maxrss / 1024}


def worker_query(index_dir: str, query: str) -> dict[str, Any]:
    """Run one ``newssearch query`` process; its wall time and peak memory (max RSS of the child)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "newssearch", "query", "--index", index_dir, query],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": wall, "peak_mb": child.ru_maxrss / 1024, "exit": done.returncode,
            "first_line": done.stdout.splitlines()[0] if done.stdout else done.stderr.strip()}


def _spawn(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process; for the stock chain with ``sitecustomize`` putting Whoosh's
    analyzer in place of ours in that process and in every indexing worker it spawns."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as patch:
        if "stock" in args:
            Path(patch, "sitecustomize.py").write_text(STOCK_PATCH, encoding="utf-8")
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [patch, env.get("PYTHONPATH")]))
        done = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True,
                              check=True, cwd=REPO, env=env)
    return json.loads(done.stdout.splitlines()[-1])


def _best(runs: list[dict[str, Any]], key: str, high: bool = False) -> dict[str, Any]:
    return (max if high else min)(runs, key=lambda run: run[key])


def _corpus_text(folder: Path) -> Path:
    """About 1 MB of real German news text (fang-covid articles)."""
    target = folder / "corpus.txt"
    parts, size = [], 0
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            parts.append(text)
            size += len(text.encode("utf-8"))
            if size >= TEXT_BYTES:
                break
    target.write_text("\n\n".join(parts), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages for the indexing benchmark (0: skip)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the best is reported")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        kind, *rest = options.worker
        result = {"speed": worker_speed, "index": worker_index, "query": worker_query}[kind](*rest)
        print(json.dumps(result))
        return
    if not ARTICLES.is_file():
        print(f"skipped: the shared corpus is not beside the repository ({ARTICLES})")
        return
    results: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        text = _corpus_text(folder)
        for chain in ("stock", "german"):
            runs = [_spawn("speed", chain, str(text)) for _ in range(options.repeat)]
            results[f"speed_{chain}"] = _best(runs, "pass1_words_s", high=True)
        if options.pages:
            archive = folder / "archive"
            subprocess.run([sys.executable, str(MAKE_ARCHIVE), str(archive), "--articles", str(options.pages)],
                           check=True, capture_output=True)
            for jobs in ("default", "0"):
                for chain in ("stock", "german"):
                    runs = [_spawn("index", chain, str(archive), jobs) for _ in range(options.repeat)]
                    results[f"index_{chain}_{jobs}"] = _best(runs, "wall_s")
                german, stock = results[f"index_german_{jobs}"], results[f"index_stock_{jobs}"]
                results[f"index_ratio_{jobs}"] = {"wall": german["wall_s"] / stock["wall_s"],
                                                  "cpu": german["cpu_s"] / stock["cpu_s"]}
        example_index = folder / "example-index"
        subprocess.run([sys.executable, "-m", "newssearch", "index", str(EXAMPLES), "--index", str(example_index),
                        "--quiet"], check=True, cwd=REPO)
        results["query"] = {
            query: _best([_spawn("query", str(example_index), query) for _ in range(options.repeat)], "wall_s")
            for query in QUERIES
        }
    if options.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
        return
    print(f"load average at start: {results['load_average']:.2f} (2 cores; other jobs skew wall times)")
    print("\nanalyzer speed, 1 MB of fang-covid news (index mode, fresh process each)")
    print(f"{'chain':<28}{'init s':>8}{'pass 1 w/s':>13}{'pass 2 w/s':>13}{'peak MB':>9}")
    for chain, name in (("stock", 'LanguageAnalyzer("de")'), ("german", "newssearch german_analyzer")):
        row = results[f"speed_{chain}"]
        print(f"{name:<28}{row['init_s']:>8.2f}{row['pass1_words_s']:>13,.0f}{row['pass2_words_s']:>13,.0f}"
              f"{row['peak_mb']:>9.0f}")
    if options.pages:
        print(f"\nindexing {options.pages} pages from make_archive.py "
              f"({results['index_stock_0']['documents']} documents), fresh process each")
        print(f"{'chain':<28}{'workers':>9}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'worker MB':>10}")
        for jobs in ("default", "0"):
            for chain, name in (("stock", 'LanguageAnalyzer("de")'), ("german", "newssearch german_analyzer")):
                row = results[f"index_{chain}_{jobs}"]
                print(f"{name:<28}{jobs:>9}{row['wall_s']:>8.1f}{row['cpu_s']:>8.1f}{row['peak_mb']:>9.0f}"
                      f"{row['worker_peak_mb']:>10.0f}")
            ratio = results[f"index_ratio_{jobs}"]
            print(f"{'ratio german / stock':<28}{jobs:>9}{ratio['wall']:>7.2f}×{ratio['cpu']:>7.2f}×  (budget 1.5×)")
    print("\nfresh `newssearch query` process on examples/archiv (budget 0.5 s, 150 MB)")
    for query, row in results["query"].items():
        print(f"{query:<28}{row['wall_s']:>7.2f} s{row['peak_mb']:>7.0f} MB  exit {row['exit']}  {row['first_line']}")


if __name__ == "__main__":
    main()
