"""Learning page boilerplate from the archive itself: lines that recur verbatim on many pages.

A fixed list cannot know every site's promo and form labels, but they betray themselves by repeating:
a line on at least 30 % of the pages and on at least 3 pages is boilerplate. The first two lines of a page
(title and kicker) are never counted, so a kicker such as an outlet's name is kept even when it is common.
"""

from __future__ import annotations

from collections import Counter

from newssearch.documents import BUILTIN_BOILERPLATE, PROMO_START, clean_line

MIN_SHARE = 0.30
MIN_PAGES = 3
HEAD_LINES = 2
MAX_LINE_CHARS = 500
SAMPLE_PAGES = 2000


class BoilerplateLearner:
    """Counts on how many pages each line occurs; memory stays bounded by learning from a sample of pages."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self.pages = 0

    def add(self, text: str) -> None:
        """Count the distinct lines of one page (after its title and kicker)."""
        seen: set[str] = set()
        head = 0
        after_promo = False
        for raw in text.splitlines():
            line = clean_line(raw)
            if not line:
                continue
            if head < HEAD_LINES:
                head += 1
                continue
            # The built-in rules drop these anyway; learning them too would only make verdicts flip.
            known = after_promo or line == PROMO_START or line in BUILTIN_BOILERPLATE
            after_promo = line == PROMO_START
            if not known and len(line) <= MAX_LINE_CHARS:
                seen.add(line)
        self._counts.update(seen)
        self.pages += 1

    def lines(self) -> frozenset[str]:
        """The lines that occur on enough pages to count as boilerplate."""
        needed = max(MIN_PAGES, MIN_SHARE * self.pages)
        return frozenset(line for line, count in self._counts.items() if count >= needed)


def sample_stride(page_count: int) -> int:
    """Learn from every n-th page so that at most ``SAMPLE_PAGES`` pages are counted."""
    return max(1, -(-page_count // SAMPLE_PAGES))
