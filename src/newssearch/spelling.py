"""Typos: "Meinten Sie …?" suggestions drawn from the archive's own words, and fuzzy (edit-distance) search.

Both work on the ``words`` field, which holds whole words as written (umlauts expanded, not stemmed), so a
suggestion is a real word of the archive and never a stem.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from whoosh import qparser, query

from newssearch.analysis import STOP_WORDS, normalise

SPELLING_FIELD = "words"
MAX_EDITS = 2
_WORD = re.compile(r"(?<![\w:~\"])(\w[\w\-]*)(?![\w:~])")
_OPERATORS = {"AND", "OR", "NOT", "UND", "ODER", "NICHT", "ANDNOT", "ANDMAYBE"}


class GermanFuzzyTerm(query.FuzzyTerm):
    """A fuzzy term allowing two edits (Whoosh has no transposition edit: ``verherend`` is one, ``Verhandlugnen`` two)
    after a one-letter prefix, which keeps the term scan fast."""

    def __init__(self, fieldname: str, text: str, boost: float = 1.0, maxdist: int = MAX_EDITS,
                 prefixlength: int = 1, constantscore: bool = True) -> None:
        super().__init__(fieldname, text, boost, maxdist, prefixlength, constantscore)


def fuzzy_query(text: str, schema: Any) -> query.Query:
    """The query string with every word matched by edit distance against the archive's words."""
    parser = qparser.QueryParser(SPELLING_FIELD, schema, termclass=GermanFuzzyTerm, group=qparser.AndGroup)
    return parser.parse(text)


def suggest(searcher: Any, text: str, finds: Callable[[str], bool]) -> str | None:
    """A corrected query whose words all exist in the archive and which ``finds`` something, else None."""
    corrector = searcher.corrector(SPELLING_FIELD)
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        if word in _OPERATORS:
            return word
        key = normalise(word)
        if key in STOP_WORDS or searcher.doc_frequency(SPELLING_FIELD, key):
            return word
        found = corrector.suggest(key, limit=1, maxdist=MAX_EDITS, prefix=1)
        if not found:
            return word
        changed = True
        return found[0]

    corrected = _WORD.sub(replace, text)
    if changed and finds(corrected):
        return corrected
    return None
