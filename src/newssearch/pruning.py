"""A query trimmed, segment by segment, to the terms that segment holds.

A word is looked for in seven text fields, so a two-word query is an intersection of two unions of seven
terms, built again in every segment. Most of those terms are absent from a given segment (a word rarely
occurs in a kicker, an author line and a caption); Whoosh still builds a matcher for each, asks each for its
size to balance the tree, and walks unions that carry empty branches. Trimming first costs one term lookup
per leaf and leaves the scores unchanged: an absent term adds nothing to a document's score.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching, query

from newssearch.phrases import adjacent

_MATCHES_NOTHING = None


class SegmentPruned(query.WrappingQuery):
    """Matches what the wrapped query matches; in each segment only its terms present there are searched."""

    matches_as_child = True

    def _rewrap(self, child: query.Query) -> SegmentPruned:
        return SegmentPruned(child)

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        trimmed = prune(self.child, searcher.reader())
        if trimmed is _MATCHES_NOTHING:
            return matching.NullMatcher()
        return trimmed.matcher(searcher, context)


def prune(node: query.Query, reader: Any) -> query.Query | None:
    """``node`` without the parts that cannot match in ``reader``; None when nothing of it can match."""
    if isinstance(node, query.Term):
        return node if (node.fieldname, node.text) in reader else _MATCHES_NOTHING
    if isinstance(node, query.Phrase):
        present = all((node.fieldname, word) in reader for word in node.words)
        return adjacent(node) if present else _MATCHES_NOTHING
    if type(node) is query.And:
        children = [prune(child, reader) for child in node.subqueries]
        if any(child is _MATCHES_NOTHING for child in children):
            return _MATCHES_NOTHING
        return _with(node, children)
    if type(node) is query.Or and node.scale is None and not node.minmatch:
        children = [child for child in (prune(child, reader) for child in node.subqueries) if child is not None]
        if not children:
            return _MATCHES_NOTHING
        return _with(node, children)
    if isinstance(node, query.AndNot):
        positive = prune(node.a, reader)
        if positive is _MATCHES_NOTHING:
            return _MATCHES_NOTHING
        negative = prune(node.b, reader)
        return positive if negative is _MATCHES_NOTHING else query.AndNot(positive, negative)
    return node


class QueryOrderOr(query.Or):
    """A union walked as a chain of Whoosh's union matchers in query order, scored exactly as Whoosh's array
    union scores it: each part's score times the boost, added in query order.

    In a segment of under 5,000 documents Whoosh loads a union's matches into an array of 2,048 scores and
    clears and scans it one document at a time in Python (a third of a word's search at 1,000 pages, where
    every segment is that small, as is the segment of each small incremental run at any size); larger
    segments get a tree balanced by each segment's term sizes, whose sums differ in the last bit from segment
    to segment, so that the same text in two segments could rank out of index order. The chain is as fast as
    the tree and gives every segment the same sums. Unlike the array it keeps a document whose score is 0
    (a word boosted ``^0``), as date order always did."""

    def _matcher(self, subs: list[query.Query], searcher: Any, context: Any) -> matching.Matcher:
        parts = [sub.matcher(searcher, context) for sub in subs]
        if self.boost != 1.0:
            parts = [matching.WrappingMatcher(part, self.boost) for part in parts]
        chain = parts[0]
        for part in parts[1:]:
            chain = matching.UnionMatcher(chain, part)
        return chain


def _with(node: query.CompoundQuery, children: list[query.Query]) -> query.Query:
    """The compound with the trimmed children (a union as a ``QueryOrderOr``); a single child stands for it
    unless the compound has a boost (Whoosh ignores the boost of a one-child compound, so trimming to one
    would change the score)."""
    if len(children) == 1 and node.boost == 1.0:
        return children[0]
    kind = QueryOrderOr if type(node) is query.Or else node.__class__
    return kind(children if len(children) > 1 else list(node.subqueries), boost=node.boost)
