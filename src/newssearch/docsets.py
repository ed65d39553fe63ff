"""Which documents of one segment a query matches, as a set, read one posting block at a time.

Counting the matches and ordering them by date need document numbers only. Walking Whoosh's matcher tree
for them costs several Python calls per matching document and field (a word is looked for in seven
fields); reading each term's posting blocks costs a call per block of up to 128 documents, and the unions
and intersections of the sets run in C. Queries this module does not take apart (phrases, prefixes,
ranges) are asked for their documents the usual way.
"""

from __future__ import annotations

import weakref
from typing import Any

from whoosh import query
from whoosh.matching.wrappers import FilterMatcher

from newssearch.phrases import adjacent

# Per segment reader, the documents of a few terms asked again and again; dropped with the reader.
_TERM_DOCS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], frozenset[int]]] = weakref.WeakKeyDictionary()


def matching_docs(node: query.Query, searcher: Any) -> set[int]:
    """The live documents of the segment behind ``searcher`` (a leaf searcher) that ``node`` matches."""
    reader = searcher.reader()
    found = _docs(node, searcher, reader)
    deleted = reader.deleted_docs_set if reader.has_deletions() else None
    return found - deleted if deleted else found


def term_docs(reader: Any, fieldname: str, text: str) -> frozenset[int]:
    """Documents of the segment ``reader`` holding one term (deleted ones included), remembered while the
    segment is open: for the few terms asked again and again, such as the kind of a document."""
    cache = _TERM_DOCS.setdefault(reader, {})
    key = (fieldname, text)
    if key not in cache:
        cache[key] = frozenset(_term(reader, fieldname, text))
    return cache[key]


def _docs(node: query.Query, searcher: Any, reader: Any) -> set[int]:
    if getattr(node, "matches_as_child", False):  # a wrapper that only changes how matchers are built
        return _docs(node.child, searcher, reader)
    if type(node) is query.Term:
        return _term(reader, node.fieldname, node.text)
    if type(node) is query.Or and not node.minmatch and not any(isinstance(c, query.Not) for c in node.subqueries):
        found: set[int] = set()
        for child in node.subqueries:
            found |= _docs(child, searcher, reader)
        return found
    if type(node) is query.And:
        positive = [child for child in node.subqueries if not isinstance(child, query.Not)]
        negative = [child.query for child in node.subqueries if isinstance(child, query.Not)]
        if positive:
            return _intersect_minus(positive, negative, searcher, reader)
    if type(node) is query.AndNot:
        return _docs(node.a, searcher, reader) - _docs(node.b, searcher, reader)
    if type(node) is query.AndMaybe:
        return _docs(node.a, searcher, reader)
    if node is query.NullQuery:
        return set()
    return set(adjacent(node).docs(searcher))


def _intersect_minus(
    positive: list[query.Query], negative: list[query.Query], searcher: Any, reader: Any
) -> set[int]:
    found = _docs(positive[0], searcher, reader)
    for child in positive[1:]:
        if not found:
            return found
        found &= _docs(child, searcher, reader)
    for child in negative:
        if not found:
            break
        found -= _docs(child, searcher, reader)
    return found


def _term(reader: Any, fieldname: str, text: Any) -> set[int]:
    if fieldname not in reader.schema or (fieldname, text) not in reader:
        return set()
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # the deleted documents; matching_docs takes them out once for the whole query
    if not all(hasattr(matcher, name) for name in ("_read_ids", "_next_block", "_atend")):
        return set(matcher.all_ids())
    found: set[int] = set()
    while matcher.is_active():  # Whoosh 2.7's posting reader (whoosh3 codec): one call per block
        matcher._read_ids()
        found.update(matcher._ids)
        matcher._next_block()
    return found
