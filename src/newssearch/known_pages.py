"""What the index already holds of one folder: each page's article id and content hash.

An indexing run asks this for every page it finds, and at the end for the pages it did not find (they
vanished and are removed). The table lives in a temporary SQLite file beside the index, not in a dict, so
an archive of a million pages does not need a million entries in memory.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterator

from whoosh.query import And, Term

TEMP_PREFIX = ".known-pages-"


class KnownPages:
    """relpath → (article id, content hash) of the articles indexed from ``root``; remembers which were seen."""

    def __init__(self, ix: Any, root: Path, scratch_dir: Path) -> None:
        self._folder = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=scratch_dir)
        self._db = sqlite3.connect(Path(self._folder) / "pages.sqlite", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE pages (relpath TEXT PRIMARY KEY, article_id TEXT, hash TEXT, seen INTEGER DEFAULT 0)"
        )
        self._db.execute("BEGIN")
        with ix.searcher() as searcher:
            query = And([Term("root", root.as_posix()), Term("kind", "article")])
            rows = (
                (stored["path"], stored["article_id"], stored.get("content_hash", ""))
                for stored in map(searcher.stored_fields, searcher.docs_for_query(query))
            )
            self._db.executemany("INSERT OR REPLACE INTO pages (relpath, article_id, hash) VALUES (?, ?, ?)", rows)
        self._db.execute("COMMIT")

    def __enter__(self) -> KnownPages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def visit(self, relpath: str) -> tuple[str, str] | None:
        """The page's (article id, content hash) if it is indexed; marks it as still present."""
        row = self._db.execute("SELECT article_id, hash FROM pages WHERE relpath = ?", (relpath,)).fetchone()
        if row is not None:
            self._db.execute("UPDATE pages SET seen = 1 WHERE relpath = ?", (relpath,))
        return row

    def count(self) -> int:
        """How many pages of the folder the index holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM pages").fetchone()[0])

    def unvisited(self) -> Iterator[tuple[str, str]]:
        """(relpath, article id) of indexed pages no longer found."""
        yield from self._db.execute("SELECT relpath, article_id FROM pages WHERE seen = 0 ORDER BY relpath")

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._folder, ignore_errors=True)
