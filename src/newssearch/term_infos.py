"""Term lookups remembered per open segment.

Building the matchers of one query looks each term up in a segment's term table about five times (does it
exist, its statistics for the tree's balance, its posting list, its scorer's maximum weight), each time
through a hash-file read; at 16,571 pages that was an eighth of a two-word query. A segment never changes
while it is open, so ``remember_terms`` puts a small cache in front of its term table.
"""

from __future__ import annotations

from typing import Any

from whoosh import reading

from newssearch.postings import posting_matcher

# whoosh3 dropped the exception class; its term table raises a KeyError then.
_TERM_NOT_FOUND: tuple[type[BaseException], ...] = (getattr(reading, "TermNotFound", KeyError), KeyError)
_LIMIT = 50_000  # entries per segment; the cache starts over when full


class _RememberingTerms:
    """Stands in for Whoosh's W3TermsReader: answers lookups from a dict, everything else from the table."""

    def __init__(self, terms: Any) -> None:
        self._table = terms
        self._infos: dict[tuple[str, bytes], Any] = {}

    def _info(self, fieldname: str, tbytes: bytes) -> Any:
        key = (fieldname, tbytes)
        try:
            return self._infos[key]
        except KeyError:
            pass
        try:
            info = self._table.term_info(fieldname, tbytes)
        except _TERM_NOT_FOUND:
            info = None
        if len(self._infos) >= _LIMIT:
            self._infos.clear()
        self._infos[key] = info
        return info

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self._info(*term) is not None

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        info = self._info(fieldname, tbytes)
        if info is None:
            return self._table.term_info(fieldname, tbytes)  # raises what Whoosh raises for a missing term
        return info

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        info = self._info(fieldname, tbytes)
        return info.weight() if info is not None else self._table.frequency(fieldname, tbytes)

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        info = self._info(fieldname, tbytes)
        return info.doc_frequency() if info is not None else self._table.doc_frequency(fieldname, tbytes)

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        info = self.term_info(fieldname, tbytes)
        table = self._table
        return posting_matcher(table._codec, table._postfile, info, format_, term=(fieldname, tbytes), scorer=scorer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def remember_terms(reader: Any) -> None:
    """Put the cache in front of the term table of each segment of ``reader`` (once; readers of other
    codecs are left as they are)."""
    for leaf, _ in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        if type(terms).__name__ != "W3TermsReader":
            continue
        if all(hasattr(terms, name) for name in ("term_info", "_codec", "_postfile")):
            leaf._terms = _RememberingTerms(terms)
