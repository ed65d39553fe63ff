"""The other forms of every lemma, with their index terms, worked out once per machine.

With the words of an archive, an indexing run stores the other forms of their lemmas and what the chain
makes of each (``analysis._store_learnt``), so that a query for ``übermittelt`` finds ``übermitteln``. A
worker found them by a pass over the whole lemma dictionary and ran the full chain on some 50,000 forms, at
every store: about 0.45 s a worker at 1,000 pages. Both depend only on the word tables and the analysis
code, so the machine's first large run works them out for every lemma (a few seconds, with the common
words' analyses: ``common_words``) into the table cache, under the same fingerprint. Forms that are their
lemma plus a regular ending are left out, as before: the query process stems them right unaided. A missing,
stale or unreadable table only means the forms are worked out as before; what is stored is the same.
"""

from __future__ import annotations

from typing import Any, Iterable

from newssearch import common_words, table_cache

_CHUNK_FORMS = 20_000

# lemma → "form term form term …" (a tuple of the same strings where one contains a space).
_table: dict[str, Any] | None = None


def file_name() -> str:
    """The table's name in the cache: it changes with everything the common words' table's name does."""
    return f"lemma-forms-de-{common_words.fingerprint()}-{table_cache.python_tag()}.marshal"


def forms(lemmas: Iterable[str]) -> dict[str, str] | None:
    """form → index term for the other forms of ``lemmas`` (lower case), or None when the table is not
    prepared (or unreadable)."""
    table = _table if _table is not None else _load()
    if not table:
        return None
    found: dict[str, str] = {}
    for lemma in lemmas:
        entry = table.get(lemma)
        if entry is not None:
            pieces = entry.split(" ") if type(entry) is str else entry
            found.update(zip(pieces[::2], pieces[1::2]))
    return found


def _load() -> dict[str, Any]:
    global _table
    loaded = table_cache.stored_table(file_name())
    _table = loaded if isinstance(loaded, dict) else {}
    return _table


def is_prepared() -> bool:
    """Whether the table is in the cache (or the cache is off, so there is nothing to prepare)."""
    folder = table_cache.cache_dir()
    return folder is None or (folder / file_name()).is_file()


def should_prepare(pages_indexed: int) -> bool:
    """Whether an indexing run of this many new or changed pages should prepare the table now (as
    ``common_words.should_prepare``)."""
    return pages_indexed >= common_words.PREPARE_FROM_PAGES and not is_prepared() and table_cache.writable()


def prepare(jobs: int = 0) -> int:
    """Work out and store every lemma's other forms with their terms, in ``jobs`` processes (0: here); the
    number of forms stored, 0 when the cache is off or cannot be written."""
    if not table_cache.writable():
        return 0
    from newssearch import analysis, lexicon

    by_lemma: dict[str, list[str]] = {}
    for form, lemma in analysis.irregular_forms(lexicon.all_lemmas()):
        by_lemma.setdefault(lemma, []).append(form)
    words = sorted({form for forms_of_lemma in by_lemma.values() for form in forms_of_lemma})
    chunks = [words[start : start + _CHUNK_FORMS] for start in range(0, len(words), _CHUNK_FORMS)]
    terms: dict[str, str] = {}
    for worked_out in common_words.map_in_processes(_terms, chunks, jobs):
        terms.update(worked_out)
    table: dict[str, Any] = {}
    for lemma, forms_of_lemma in by_lemma.items():
        pieces = tuple(piece for form in sorted(set(forms_of_lemma)) for piece in (form, terms[form]))
        table[lemma] = pieces if any(" " in piece for piece in pieces) else " ".join(pieces)
    name = file_name()
    if not table_cache.store_table(name, table):
        return 0
    common_words.remove_stale(name, f"lemma-forms-de-*-{table_cache.python_tag()}.marshal")
    return len(terms)


def forget() -> None:
    """Read the table again at the next lookup (after ``prepare`` in the same process)."""
    global _table
    _table = None


def _terms(words: list[str]) -> dict[str, str]:
    from newssearch.analysis import conflate

    return {word: conflate(word) for word in words}
