"""The analysed forms of an archive's words, kept beside its index in one SQLite file.

The indexer writes what the German analysis made of every word it met (index term and compound parts), the
other forms of those words' lemmas (so the query ``übermittelt`` finds ``übermitteln`` although only the latter
is in the archive) and the spellings of each word as the archive prints it (for "Meinten Sie …?"). A query
process looks words up here one at a time instead of loading a lemma dictionary: opening the file costs
milliseconds, and memory does not grow with the archive.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from whoosh.automata import fsa, lev

FILE_NAME = "analysis.sqlite"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    # parts: space-separated index terms of a compound's parts; NULL for a form the archive does not contain.
    "CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, term TEXT NOT NULL, parts TEXT) WITHOUT ROWID",
    # key: a word lowercased with umlauts expanded; word: how the archive prints it with umlauts or ß.
    "CREATE TABLE IF NOT EXISTS spellings (key TEXT PRIMARY KEY, word TEXT NOT NULL) WITHOUT ROWID",
    # Every word the archive contains, lowercased with umlauts expanded, in order: typo candidates are found
    # by walking a Levenshtein automaton along this sorted list (as Whoosh does along a field's terms).
    "CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY) WITHOUT ROWID",
    # The way back from an index term to the stored words that carry it, as their term or as a compound part:
    # a snippet analyses only the words of a hit that carry a query's terms, not every word it holds.
    "CREATE TABLE IF NOT EXISTS carriers (term TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (term, word))"
    " WITHOUT ROWID",
    # Where an indexing run appends its new pairs (cheap: no index to keep in order while the workers write);
    # the run's end moves them into ``carriers`` in term order.
    "CREATE TABLE IF NOT EXISTS carriers_new (term TEXT NOT NULL, word TEXT NOT NULL)",
)
# In ``meta``: set once ``carriers`` covers every stored word (a vocabulary written before the table existed
# is filled in when an indexing run next opens it; until then snippets analyse every word of a hit).
_CARRIERS_COMPLETE = "carriers_complete"

Analysis = tuple[str, tuple[str, ...]]


class Vocabulary:
    """One index's stored word analyses; ``version`` names the analysis chain that produced them."""

    def __init__(self, index_dir: Path, version: str, writable: bool = False) -> None:
        self.path = Path(index_dir) / FILE_NAME
        self.version = version
        self.writable = writable
        self._connection: sqlite3.Connection | None = None

    @classmethod
    def open_for_reading(cls, index_dir: Path, version: str) -> Vocabulary | None:
        """The stored vocabulary, or None when there is none or another analysis version wrote it."""
        vocabulary = cls(index_dir, version)
        if not vocabulary.path.is_file():
            return None
        try:
            if vocabulary._stored_version() != version:
                vocabulary.close()
                return None
        except sqlite3.Error:
            vocabulary.close()
            return None
        return vocabulary

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            if self.writable:
                connection = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
                # A new file hands the pages an indexing run's staging table used back to the file system.
                connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
                _prepare(connection)
            else:
                connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                             check_same_thread=False)
            self._connection = connection
        return self._connection

    def _stored_version(self) -> str | None:
        row = self._connect().execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        return row[0] if row else None

    def reset_if_stale(self) -> None:
        """Forget analyses made by another version of the chain (the index is rebuilt with the new one)."""
        connection = self._connect()
        if self._stored_version() != self.version:
            with connection:
                for table in ("words", "spellings", "keys", "carriers", "carriers_new"):
                    connection.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _SCHEMA:
                    connection.execute(statement)  # ``carriers`` stays complete: it is as empty as ``words``
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self.version,))

    def complete_carriers(self) -> None:
        """Make the way back from terms to words cover every stored word: at an indexing run's start (for a
        vocabulary from before it, or what a stopped run appended) and at its end."""
        connection = self._connect()
        _prepare(connection)
        with connection:
            _merge_carriers(connection)
        connection.executescript("PRAGMA incremental_vacuum;")  # stepped to the end, unlike execute()

    def _row(self, sql: str, key: str) -> tuple[str, ...] | None:
        """One row, or None: a vocabulary that cannot be read (locked too long, damaged) is like a missing one,
        and the analysis falls back to the stemmer."""
        try:
            return self._connect().execute(sql, (key,)).fetchone()  # type: ignore[no-any-return]
        except sqlite3.Error:
            return None

    def analysis(self, word: str) -> Analysis | None:
        """Index term and part terms of a word the archive contains."""
        row = self._row("SELECT term, parts FROM words WHERE word = ?", word)
        if row is None or row[1] is None:
            return None
        return row[0], tuple(row[1].split())

    def _rows_for(self, sql: str, words: Iterable[str]) -> Iterator[tuple[str, ...]]:
        """Rows of ``sql`` (with ``{}`` for the placeholders of ``IN (…)``) for many words, 500 per query."""
        wanted = list(words)
        connection = self._connect()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            yield from connection.execute(sql.format(",".join("?" * len(chunk))), chunk)

    def analyses_of(self, words: Iterable[str]) -> dict[str, Analysis]:
        """The stored full analyses of many words at once (a snippet's text has hundreds of words; one query
        per 500 of them instead of one per word)."""
        sql = "SELECT word, term, parts FROM words WHERE parts IS NOT NULL AND word IN ({})"
        try:
            return {word: (term, tuple(parts.split())) for word, term, parts in self._rows_for(sql, words)}
        except sqlite3.Error:
            return {}  # as for one word: an unreadable vocabulary is like a missing one

    def analyses(self) -> Iterator[tuple[str, Analysis]]:
        """Every stored full analysis (an indexing run keeps them in memory)."""
        for word, term, parts in self._connect().execute("SELECT word, term, parts FROM words WHERE parts IS NOT NULL"):
            yield word, (term, tuple(parts.split()))

    def words_carrying(self, terms: Iterable[str]) -> set[str] | None:
        """The stored words whose index term or one of whose part terms is among ``terms``; None when the
        vocabulary cannot say (written before it led terms back to words, an indexing run is adding words,
        or unreadable)."""
        try:
            if self._row("SELECT value FROM meta WHERE name = ?", _CARRIERS_COMPLETE) is None:
                return None
            if self._connect().execute("SELECT 1 FROM carriers_new LIMIT 1").fetchone() is not None:
                return None
            return {row[0] for row in self._rows_for("SELECT word FROM carriers WHERE term IN ({})", terms)}
        except sqlite3.Error:
            return None

    def term(self, word: str) -> str | None:
        """Index term of a word the archive contains or a form of one of its lemmas."""
        row = self._row("SELECT term FROM words WHERE word = ?", word)
        return row[0] if row else None

    def existing(self, words: Iterable[str]) -> set[str]:
        """Which of ``words`` the vocabulary has an entry for (to skip work already done)."""
        return {row[0] for row in self._rows_for("SELECT word FROM words WHERE word IN ({})", words)}

    def add(
        self,
        analysed: Iterable[tuple[str, Analysis]],
        joined: Iterable[tuple[str, str]],
        forms: Iterable[tuple[str, str]] = (),
        spellings: Iterable[tuple[str, str]] = (),
        keys: Iterable[str] = (),
    ) -> None:
        """Store, in one transaction, full analyses (replacing a bare form entry), the terms of hyphen-joined
        words of the archive and bare forms the archive lacks (neither replacing anything), how the archive
        prints typo keys it writes with umlauts or ß, and its words as typo candidates (lowercased, umlauts
        expanded). One transaction: a process killed while storing leaves all of it or none, never words
        without their typo keys. Only the archive's own words are led back to from their terms: a snippet
        never meets a form the archive lacks (about a third fewer rows)."""
        analysed, joined = list(analysed), list(joined)
        connection = self._connect()
        with connection:
            connection.executemany(
                "INSERT OR REPLACE INTO words VALUES (?, ?, ?)",
                ((word, term, " ".join(parts)) for word, (term, parts) in analysed),
            )
            connection.executemany("INSERT OR IGNORE INTO words VALUES (?, ?, NULL)", joined)
            connection.executemany("INSERT OR IGNORE INTO words VALUES (?, ?, NULL)", forms)
            connection.executemany(
                "INSERT INTO carriers_new VALUES (?, ?)",
                [(term, word) for word, (term, parts) in analysed for term in (term, *parts)]
                + [(term, word) for word, term in joined],
            )
            connection.executemany("INSERT OR IGNORE INTO spellings VALUES (?, ?)", spellings)
            connection.executemany("INSERT OR IGNORE INTO keys VALUES (?)", ((key,) for key in keys))

    def has_key(self, key: str) -> bool:
        """Whether the archive contains the word ``key`` (lowercased, umlauts expanded)."""
        return self._row("SELECT key FROM keys WHERE key = ?", key) is not None

    def keys_within(self, key: str, distance: int, prefix: int = 1) -> list[str]:
        """Archive words at most ``distance`` edits from ``key`` that share its first ``prefix`` letters.

        The automaton proposes the next string it could accept, the sorted key list answers with the first
        word at or after it; a few hundred index seeks, however many words the archive has."""
        dfa = lev.levenshtein_automaton(key, distance, prefix).to_dfa()
        statement = "SELECT key FROM keys WHERE key >= ? ORDER BY key LIMIT 1"

        def first_from(text: str) -> str | None:
            row = self._row(statement, text)
            return row[0] if row else None

        return list(fsa.find_all_matches(dfa, first_from))

    def spelling(self, key: str) -> str | None:
        """The archive's spelling with umlauts of a typo key (``gegenueber`` → ``gegenüber``), if any."""
        row = self._row("SELECT word FROM spellings WHERE key = ?", key)
        return row[0] if row else None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _prepare(connection: sqlite3.Connection) -> None:
    """Create what is missing of the tables, and fill in the way back from terms to words."""
    with connection:
        for statement in _SCHEMA:
            connection.execute(statement)
        _fill_carriers(connection)


def _fill_carriers(connection: sqlite3.Connection) -> None:
    """Lead the terms of every stored word back to it, once per vocabulary (see ``_CARRIERS_COMPLETE``)."""
    if connection.execute("SELECT 1 FROM meta WHERE name = ?", (_CARRIERS_COMPLETE,)).fetchone():
        return
    # Bare entries all count here: an older vocabulary does not tell the archive's hyphen-joined words from
    # forms it lacks, and a superset only means a few more words analysed.
    connection.execute("INSERT INTO carriers_new SELECT term, word FROM words")
    rows = connection.execute("SELECT word, parts FROM words WHERE parts IS NOT NULL AND parts != ''")
    connection.executemany(
        "INSERT INTO carriers_new VALUES (?, ?)", [(part, word) for word, parts in rows for part in parts.split()]
    )
    _merge_carriers(connection)
    connection.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (_CARRIERS_COMPLETE,))


def _merge_carriers(connection: sqlite3.Connection) -> None:
    """Move the appended pairs into ``carriers``, in its own order (a sorted insert touches each page once)."""
    connection.execute("INSERT OR IGNORE INTO carriers SELECT term, word FROM carriers_new ORDER BY term, word")
    connection.execute("DELETE FROM carriers_new")
