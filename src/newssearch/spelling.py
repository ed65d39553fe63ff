"""Typos: "Meinten Sie …?" suggestions drawn from the archive's own words, and fuzzy (edit-distance) search.

Both work on the archive's word list that the indexer keeps in its vocabulary (``analysis.sqlite``): whole
words as written, lowercased, umlauts expanded. So a suggestion is a real word of the archive, never a stem,
and the index needs no second, unstemmed copy of every text (that field cost a third of indexing time).
Fuzzy search widens each query word to itself OR the archive words near it, and those are analysed like any
query word, so a near word also finds its other inflected forms and the compounds it is part of.
A suggestion is shown as the archive prints the word, in the user's casing, and without umlauts if the user
typed none.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from whoosh.support.levenshtein import damerau_levenshtein

from newssearch.analysis import STOP_WORDS, expand_umlauts, normalise
from newssearch.vocabulary import Vocabulary

MAX_EDITS = 2
SHORT_WORD = 4  # a word this short allows one edit only: two would make "Kiel" match "Kohl" and "Ziel"
MAX_CANDIDATES = 5  # suggestions tried per unknown word
MAX_NEAR_WORDS = 20  # archive words one fuzzy query word may stand for
MAX_FUZZY_WORDS = 10  # query words widened; the rest are searched as typed
_WORD = re.compile(r"(?<![\w:~\"])(\w[\w\-]*)(?![\w:~])")
_HYPHEN = re.compile(r"(-+)")
_PLAIN_WORD = re.compile(r"^\w+$")
_OPERATORS = {"AND", "OR", "NOT", "UND", "ODER", "NICHT", "ANDNOT", "ANDMAYBE"}
_TRANSLITERATED = re.compile(r"ae|oe|ue|ss", re.IGNORECASE)
_UMLAUTS = re.compile(r"[äöüÄÖÜß]")


def typo_key(word: str) -> str:
    """How the vocabulary's word list writes a word: lowercased, umlauts and ß expanded."""
    return expand_umlauts(normalise(word))


def near_words(
    words: Vocabulary, key: str, limit: int, frequency: Callable[[str], int] | None = None
) -> list[str]:
    """Archive words near ``key``: fewest edits first (a swap of two letters counts as one, so ``Polizie``
    is nearer ``Polizei`` than ``Politik``), then the most frequent (or alphabetical) first.

    The first letter must match (typos rarely hit it, and it keeps the walk along the word list short)."""
    if len(key) < 3:
        return []
    most = 1 if len(key) <= SHORT_WORD else MAX_EDITS
    near = [word for word in words.keys_within(key, most) if word != key and _PLAIN_WORD.match(word)]
    ranked = sorted(
        (damerau_levenshtein(key, word), -frequency(word) if frequency else 0, word) for word in near
    )
    return [word for _, _, word in ranked[:limit]]


def _printed(key: str, words: Vocabulary | None) -> str:
    return (words.spelling(key) if words is not None else None) or key


def fuzzy_text(text: str, words: Vocabulary) -> str:
    """The query string with each word widened to ``(word OR near words of the archive)``.

    Quotes are dropped, so a phrase's words are matched one by one; a word after a field prefix
    (``titel:Wort``) stays as typed."""
    widened = 0

    def alternatives(piece: str) -> str:
        nonlocal widened
        key = typo_key(piece)
        if widened >= MAX_FUZZY_WORDS or not key or key in STOP_WORDS:
            return piece
        near = near_words(words, key, MAX_NEAR_WORDS)
        if not near:
            return piece
        widened += 1
        return "(" + " OR ".join([piece, *(_printed(word, words) for word in near)]) + ")"

    def widen(match: re.Match[str]) -> str:
        word = match.group(1)
        if word in _OPERATORS:
            return word
        pieces = [piece for piece in _HYPHEN.split(word) if piece and not piece.startswith("-")]
        return " ".join(alternatives(piece) for piece in pieces)

    return _WORD.sub(widen, text.replace('"', " "))


def styled(suggestion: str, typed: str, words: Vocabulary | None = None) -> str:
    """A suggested word as the user would write it: ``verhandlungen`` for ``Verhandlugnen`` → ``Verhandlungen``.

    The archive's spelling (with umlauts) unless the user writes ae/oe/ue/ss, then the user's casing."""
    word = _printed(suggestion, words)
    if not _UMLAUTS.search(typed) and _TRANSLITERATED.search(typed):
        word = expand_umlauts(word)
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def suggest(
    text: str, words: Vocabulary, frequency: Callable[[str], int], finds: Callable[[str], bool]
) -> str | None:
    """A corrected query whose words all exist in the archive and which ``finds`` something, else None.

    Each word the archive does not contain gets its best candidate (fewest edits, then the word found in the
    most documents by ``frequency``); if that corrected query finds nothing, the next candidates of a single
    unknown word are tried."""
    options: dict[str, list[str]] = {}
    for piece in _query_pieces(text):
        key = typo_key(piece)
        if key and key not in STOP_WORDS and piece not in options and not words.has_key(key):
            near = near_words(words, key, MAX_CANDIDATES, frequency)
            options[piece] = [styled(found, piece, words) for found in near]
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


def _query_pieces(text: str) -> Iterable[str]:
    """The hyphen pieces of the query's words, operators and field names left out."""
    for match in _WORD.finditer(text):
        word = match.group(1)
        if word not in _OPERATORS:
            yield from (piece for piece in _HYPHEN.split(word) if piece and not piece.startswith("-"))


def document_frequency(
    words: Vocabulary, reader: Any, analyzer: Any, fields: Iterable[str]
) -> Callable[[str], int]:
    """How many documents contain an archive word (its index term in any of ``fields``), for ranking."""
    names = tuple(fields)

    def frequency(key: str) -> int:
        terms = [token.text for token in analyzer(_printed(key, words), mode="query")]
        return max((sum(reader.doc_frequency(name, term) for name in names) for term in terms), default=0)

    return frequency
