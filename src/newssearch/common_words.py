"""Analyses of the most frequent German words, worked out once per machine.

An indexing process analyses every distinct word the first time it meets it (lemma lookup, compound
search): about 40 µs a word, some 55,000 words per worker in 1,000 pages, and both workers meet many of the
same. Most of those words are everyday German that every archive holds. What the chain makes of a word
depends only on the word tables and the analysis code, so after the machine's first large indexing run
the analyses of wordfreq's 300,000 most frequent words are worked out (in parallel, about ten seconds) and
stored in the table cache (``table_cache``), under a name that changes with the code and the tables. Every
later indexing process loads them in about a quarter of a second and analyses only the rarer words itself.
The table also holds each word's lemma where it differs from the word: storing a run's words looks up the
other forms of their lemmas (``lemma_forms``). A missing, stale or unreadable table only means that every
word is analysed as before.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import whoosh

from newssearch import table_cache

COMMON_WORDS = 300_000
# A run that indexed this many pages prepares the table for the next ones (the CLI asks ``should_prepare``).
PREPARE_FROM_PAGES = 500
_CODE = ("analysis.py", "decompound.py", "lexicon.py", "common_words.py", "lemma_forms.py")
_CHUNK_WORDS = 5_000

Analysis = tuple[str, tuple[str, ...]]
_Chunk = TypeVar("_Chunk")
_Result = TypeVar("_Result")
# word → its index term, or (term, part terms) for a compound: a tuple per entry only where one is needed.
_table: dict[str, Any] | None = None
# word → its lemma (``lexicon.lemma``), for the common words whose lemma is another word.
_lemmas: dict[str, str] = {}


def _fingerprint() -> str:
    """The analysis code and the tables this process runs with, read when the module is imported (with the
    modules it names), so a file changed on disk later (an update while a run goes on) cannot give a table
    the name of code that did not compute it."""
    fingerprint = hashlib.blake2b(digest_size=8)
    folder = Path(__file__).parent
    for name in _CODE:
        fingerprint.update((folder / name).read_bytes())
    for package in ("simplemma", "wordfreq"):
        try:
            fingerprint.update(f"{package} {version(package)}".encode())
        except PackageNotFoundError:
            fingerprint.update(package.encode())
    fingerprint.update(repr(whoosh.__version__).encode())
    return fingerprint.hexdigest()


_FINGERPRINT = _fingerprint()


def fingerprint() -> str:
    """Names the analysis code and the tables this process runs with (for the tables derived from them)."""
    return _FINGERPRINT


def file_name(limit: int | None = None) -> str:
    """The table's name in the cache: it changes with the analysis code, the word tables, the stemmer's
    Whoosh and Python's ``marshal`` format, so a stale table is never read."""
    return f"analyses-de-{limit or COMMON_WORDS}-{_FINGERPRINT}-{table_cache.python_tag()}.marshal"


def analysis(word: str) -> Analysis | None:
    """The stored analysis of a normalised word, or None when it is not among the common words (or the
    table is not prepared)."""
    found = (_table if _table is not None else _load()).get(word)
    if found is None:
        return None
    return (found, ()) if type(found) is str else found  # marshal keeps the (term, parts) tuples


def lemma(word: str) -> str | None:
    """The lemma of a common word (``lexicon.lemma``), or None when it is not among the common words."""
    table = _table if _table is not None else _load()
    return _lemmas.get(word, word) if word in table else None


def _load() -> dict[str, Any]:
    global _table, _lemmas
    loaded = table_cache.stored_table(file_name())
    if isinstance(loaded, tuple) and len(loaded) == 2 and all(isinstance(part, dict) for part in loaded):
        _table, _lemmas = loaded
    else:
        _table, _lemmas = {}, {}
    return _table


def is_prepared(limit: int | None = None) -> bool:
    """Whether the table is in the cache (or the cache is off, so there is nothing to prepare)."""
    folder = table_cache.cache_dir()
    return folder is None or (folder / file_name(limit)).is_file()


def should_prepare(pages_indexed: int) -> bool:
    """Whether an indexing run of this many new or changed pages should prepare the table now (not when
    the cache cannot be written: the work would be lost, and repeated after every large run)."""
    return pages_indexed >= PREPARE_FROM_PAGES and not is_prepared() and table_cache.writable()


def prepare(limit: int | None = None, jobs: int = 0) -> int:
    """Work out and store the analyses of wordfreq's ``limit`` most frequent words, in ``jobs`` processes
    (0: here); the number of words stored, 0 when the cache is off or cannot be written."""
    if not table_cache.writable():
        return 0
    from newssearch import lexicon

    frequencies = lexicon.frequency_table()
    ranked = sorted(frequencies, key=frequencies.__getitem__, reverse=True)[: limit or COMMON_WORDS]
    words = [word for word in ranked if word.isalpha()]
    chunks = [words[start : start + _CHUNK_WORDS] for start in range(0, len(words), _CHUNK_WORDS)]
    table: dict[str, Any] = {}
    lemmas: dict[str, str] = {}
    for analysed, other_lemmas in map_in_processes(_analyse, chunks, jobs):
        table.update(analysed)
        lemmas.update(other_lemmas)
    name = file_name(limit)
    if not table_cache.store_table(name, (table, lemmas)):
        return 0
    remove_stale(name, f"analyses-de-{limit or COMMON_WORDS}-*-{table_cache.python_tag()}.marshal")
    return len(table)


def map_in_processes(function: Callable[[_Chunk], _Result], chunks: list[_Chunk], jobs: int) -> Iterator[_Result]:
    """``function`` of every chunk, in order, worked out in ``jobs`` spawned processes (0: here)."""
    if jobs < 1:
        yield from map(function, chunks)
        return
    from newssearch.pipeline import end_with_parent

    context = multiprocessing.get_context("spawn")
    # Like the indexing workers, these end when the command is killed instead of working on unseen.
    with ProcessPoolExecutor(jobs, context, initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(function, chunks)


def remove_stale(current: str, pattern: str) -> None:
    """Delete the tables matching ``pattern`` but ``current``: written by other code or package versions for
    this Python (8–10 MB each), which this installation never reads; other Pythons' tables may be in use."""
    folder = table_cache.cache_dir()
    if folder is None:
        return
    for path in folder.glob(pattern):
        if path.name != current:
            try:
                path.unlink()
            except OSError:
                pass


def forget() -> None:
    """Read the table again at the next lookup (after ``prepare`` in the same process)."""
    global _table, _lemmas
    _table, _lemmas = None, {}


def _analyse(words: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The compact entries of ``words``, analysed by the full chain, and their lemmas that are other words."""
    from newssearch import lexicon
    from newssearch.analysis import analyse_word

    entries: dict[str, Any] = {}
    lemmas: dict[str, str] = {}
    for word in words:
        term, parts = analyse_word(word)
        entries[word] = (term, parts) if parts else term
        found = lexicon.lemma(word)
        if found != word:
            lemmas[word] = found
    return entries, lemmas
