"""Incremental indexing: how long a second run over an unchanged archive takes, against the first run.

Usage: python benchmarks/bench_incremental.py [--pages 1000]
Writes an archive with ../shared/corpus/make_archive.py into a temp folder, then times in one process:
the first full run (the baseline), a second run with nothing changed, and a run after 1 % of pages changed.
Prints the times and the ratios to the first run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newssearch.index import update_index

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def timed(index_dir: Path, archive: Path) -> tuple[float, object]:
    started = time.perf_counter()
    report = update_index(index_dir, [archive])
    return time.perf_counter() - started, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    maker = SHARED / "corpus" / "make_archive.py"
    if not maker.exists():
        print(f"skipped: {maker} is missing (internal test data beside the repository)")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        archive, index_dir = Path(scratch) / "archiv", Path(scratch) / "index"
        subprocess.run([sys.executable, str(maker), str(archive), "--articles", str(args.pages)], check=True)
        first, report = timed(index_dir, archive)
        second, again = timed(index_dir, archive)
        pages = sorted(archive.rglob("*.txt"))
        for path in pages[:: 100]:
            path.write_text(path.read_text("utf-8") + "\nNachtrag 01.01.22 12:00\nEin neuer Kommentar.\n", "utf-8")
        third, changed = timed(index_dir, archive)
    print(f"pages: {args.pages}; first run: added {report.added}; second: unchanged {again.unchanged}; "
          f"third: updated {changed.updated}")
    print(f"{'run':<34} {'seconds':>8} {'ratio to first run':>20}")
    for label, seconds in (("first run (baseline)", first), ("second run, nothing changed", second),
                           ("third run, 1 % of pages changed", third)):
        print(f"{label:<34} {seconds:>8.2f} {seconds / first:>20.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
