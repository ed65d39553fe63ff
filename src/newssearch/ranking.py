"""Relevance: Whoosh's BM25F, with each segment's field lengths read from an array.

BM25F weighs a term by the length of the field it occurs in. Whoosh looks that length up through five
calls and a file read for every match it scores, a third of a single-word query's time in a large archive;
the scores here are computed by the same formula from the same numbers, so rankings do not change.
"""

from __future__ import annotations

from typing import Any

from whoosh import scoring

from newssearch.columns import field_lengths, length_of_byte


class ArrayBM25F(scoring.BM25F):
    """BM25F whose scorers take field lengths from the segment's length column read in one piece."""

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if type(scorer) is not scoring.BM25FScorer:
            return scorer
        lengths = field_lengths(searcher.reader(), fieldname)
        if lengths is None:
            return scorer
        decode, bm25 = length_of_byte(), scoring.bm25
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1

        def score(matcher: Any) -> float:
            return bm25(idf, matcher.weight(), decode[lengths[matcher.id()]], avgfl, b, k1)

        scorer.score = score
        return scorer


def relevance() -> scoring.WeightingModel:
    """The weighting every search uses."""
    return ArrayBM25F()
