"""Posting lists read as Whoosh's codec writes them, skipped through by bisection.

Intersecting two words (an AND, a phrase) calls ``skip_to`` on one posting list for every document of the
other. Whoosh's reader then steps through the block one posting at a time, three Python calls a step; the
block's document numbers are a sorted tuple already, so one ``bisect`` finds the place. Decoding a block's
numbers (stored as gaps) uses ``itertools.accumulate`` instead of a generator. Same postings, same order.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from typing import Any

from whoosh.codec import whoosh3
from whoosh.matching import ReadTooFar


class BisectingLeafMatcher(whoosh3.W3LeafMatcher):  # type: ignore[misc]
    """Whoosh 2.7's posting reader with a faster skip inside a block."""

    _i: int  # the place in the block, set by Whoosh's reader

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))

    def skip_to(self, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self._skip_to_block(lambda: targetid > self._maxid)
            if not self.is_active():
                return
            if self._ids is None:
                self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)
        if self._i >= self._blocklength:
            self._next_block()


def posting_matcher(codec: Any, postfile: Any, info: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
    """The matcher for one term's postings: the bisecting reader for Whoosh 2.7's block files, the codec's own
    reader otherwise (inlined postings, other codecs)."""
    if type(codec) is not whoosh3.W3Codec or info.is_inlined():
        return codec.postings_reader(postfile, info, format_, term=term, scorer=scorer)
    offset, length = info.extent()
    return BisectingLeafMatcher(postfile, offset, length, format_, term=term, scorer=scorer)
