"""Typos: "Meinten Sie …?" suggestions drawn from the archive's own words, and fuzzy (edit-distance) search.

Both work on the ``words`` field, which holds whole words as written (umlauts expanded, not stemmed), so a
suggestion is a real word of the archive and never a stem. A suggestion is shown as the archive prints the
word (``Verhandlungen``, ``gegenüber``), in the user's casing, and without umlauts if the user typed none.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from whoosh import qparser, query

from newssearch.analysis import STOP_WORDS, expand_umlauts, normalise, spelling_of

SPELLING_FIELD = "words"
MAX_EDITS = 2
MAX_CANDIDATES = 5
_WORD = re.compile(r"(?<![\w:~\"])(\w[\w\-]*)(?![\w:~])")
_HYPHEN = re.compile(r"(-+)")
_OPERATORS = {"AND", "OR", "NOT", "UND", "ODER", "NICHT", "ANDNOT", "ANDMAYBE"}
_TRANSLITERATED = re.compile(r"ae|oe|ue|ss", re.IGNORECASE)
_UMLAUTS = re.compile(r"[äöüÄÖÜß]")


class GermanFuzzyTerm(query.FuzzyTerm):
    """A fuzzy term allowing two edits (Whoosh has no transposition edit: ``verherend`` is one, ``Verhandlugnen`` two)
    after a one-letter prefix, which keeps the term scan fast."""

    def __init__(self, fieldname: str, text: str, boost: float = 1.0, maxdist: int = MAX_EDITS,
                 prefixlength: int = 1, constantscore: bool = True) -> None:
        super().__init__(fieldname, text, boost, maxdist, prefixlength, constantscore)


def _without_phrases(node: query.Query) -> query.Query:
    """The ``words`` field keeps no positions, so a phrase's words are matched fuzzily one by one."""
    if isinstance(node, query.Phrase):
        return query.And([GermanFuzzyTerm(node.fieldname, word, boost=node.boost) for word in node.words])
    if node.is_leaf():
        return node
    return node.apply(_without_phrases)


def fuzzy_query(text: str, schema: Any) -> query.Query:
    """The query string with every word matched by edit distance against the archive's words."""
    parser = qparser.QueryParser(SPELLING_FIELD, schema, termclass=GermanFuzzyTerm, group=qparser.AndGroup)
    return _without_phrases(parser.parse(text))


def candidates(reader: Any, key: str, limit: int = MAX_CANDIDATES) -> list[str]:
    """Archive words near ``key`` (a ``words`` term): one edit before two, then the most frequent first."""
    found: list[str] = []
    for distance in range(1, MAX_EDITS + 1):
        near = [
            term.decode("utf-8") if isinstance(term, bytes) else term
            for term in reader.terms_within(SPELLING_FIELD, key, distance, prefix=1)
        ]
        near = [term for term in near if term != key and term not in found]
        near.sort(key=lambda term: (-reader.doc_frequency(SPELLING_FIELD, term), term))
        found.extend(near)
        if len(found) >= limit:
            break
    return found[:limit]


def styled(suggestion: str, typed: str) -> str:
    """A suggested word as the user would write it: ``verhandlungen`` for ``Verhandlugnen`` → ``Verhandlungen``.

    The archive's spelling (with umlauts) unless the user writes ae/oe/ue/ss, then the user's casing."""
    word = spelling_of(suggestion) or suggestion
    if not _UMLAUTS.search(typed) and _TRANSLITERATED.search(typed):
        word = expand_umlauts(word)
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def suggest(searcher: Any, text: str, finds: Callable[[str], bool]) -> str | None:
    """A corrected query whose words all exist in the archive and which ``finds`` something, else None.

    Each unknown word gets its best candidate; if the corrected query finds nothing, the next candidates of
    a single unknown word are tried."""
    reader = searcher.reader()
    options: dict[str, list[str]] = {}

    def unknown(piece: str) -> bool:
        key = expand_umlauts(normalise(piece))
        return bool(key) and key not in STOP_WORDS and not reader.doc_frequency(SPELLING_FIELD, key)

    for match in _WORD.finditer(text):
        word = match.group(1)
        if word in _OPERATORS:
            continue
        for piece in _HYPHEN.split(word):
            if piece and not piece.startswith("-") and unknown(piece) and piece not in options:
                key = expand_umlauts(normalise(piece))
                options[piece] = [styled(found, piece) for found in candidates(reader, key)]
    if not options or not all(options.values()):
        return None

    def corrected(choice: dict[str, str]) -> str:
        def replace(match: re.Match[str]) -> str:
            word = match.group(1)
            if word in _OPERATORS:
                return word
            return "".join(choice.get(piece, piece) for piece in _HYPHEN.split(word))

        return _WORD.sub(replace, text)

    first = {piece: found[0] for piece, found in options.items()}
    attempts = [first]
    if len(options) == 1:
        (piece, found), = options.items()
        attempts += [{piece: other} for other in found[1:]]
    for choice in attempts:
        candidate = corrected(choice)
        if finds(candidate):
            return candidate
    return None
