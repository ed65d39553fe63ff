"""Phrases of adjacent words, checked with sets of positions.

Whoosh matches a phrase as a span query: in every document holding all its words it makes a ``Span`` object
for each position of each word and pairs them up through a binary search. A phrase typed in the search box
asks for its words next to each other and in order; then the check is one set lookup per position of the
first word. Same documents, same spans, same scores (the intersection of the words' matchers scores them).
"""

from __future__ import annotations

from typing import Any

from whoosh import matching, query
from whoosh.query.spans import Span, SpanNear2


class AdjacentWordsMatcher(SpanNear2.SpanNear2Matcher):  # type: ignore[misc]
    """Whoosh's phrase matcher for words at consecutive positions (slop 1, in order)."""

    def _get_spans(self) -> list[Span]:
        matchers = self.ms
        starts = matchers[0].value_as("positions")
        for offset in range(1, len(matchers)):
            following = set(matchers[offset].value_as("positions"))
            starts = [position for position in starts if position + offset in following]
            if not starts:
                return []
        last = len(matchers) - 1
        return [Span(position, position + last) for position in sorted(set(starts))]


class AdjacentPhrase(query.Phrase):  # type: ignore[misc]
    """A phrase of adjacent words matched with ``AdjacentWordsMatcher``."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """Whoosh's ``Phrase.matcher`` step for step, with the faster span check."""
        fieldname = self.fieldname
        field = searcher.schema[fieldname] if fieldname in searcher.schema else None
        if self.slop != 1 or field is None or not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # nothing to match, or Whoosh's own error
        reader = searcher.reader()
        words = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, word) not in reader:
                return matching.NullMatcher()
            words.append(word)
        found = AdjacentWordsMatcher([query.Term(fieldname, word).matcher(searcher, context) for word in words])
        return matching.WrappingMatcher(found, boost=self.boost) if self.boost != 1.0 else found


def adjacent(node: query.Query) -> query.Query:
    """The same phrase matched the faster way (other queries as they are)."""
    if type(node) is not query.Phrase or node.slop != 1:
        return node
    return AdjacentPhrase(node.fieldname, node.words, slop=1, boost=node.boost, char_ranges=node.char_ranges)
