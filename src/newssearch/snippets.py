"""Snippets: the passage of a document that best shows why it matched, with the matched words marked.

Marks are placed on whole surface words (the analyzer's character spans), so a compound that matched
through one of its parts is marked whole and a stem is never shown. Rendering escapes the text itself,
so a page's ``<script>`` stays text in HTML.
"""

from __future__ import annotations

import html
import re
from typing import Callable, Iterable, Optional, Sequence, Union

from whoosh.analysis import Analyzer

from newssearch.analysis import TOKEN_PATTERN, prefetch, word_terms_function
from newssearch.carriers import CarrierWords, word_boundary_left, word_boundary_right

Segment = tuple[str, bool]
# An analyzer and the index terms it must produce for a word to count; optionally a filter keeping the words
# that may carry those terms (``analysis.carriers_function``), so that only they are analysed.
Carriers = Callable[[Iterable[str]], set[str]]
Matcher = Union[tuple[Analyzer, set[str]], tuple[Analyzer, set[str], Optional[Carriers]]]
SNIPPET_CHARS = 220
_CONTEXT_BEFORE = 60
# A stretch tokenised at a time. A jump lands on the word, and the window it opens needs about 160 characters
# after it: longer stretches tokenised text no window could reach (1,000 characters took a long hit's
# snippet 30 % longer; 200–400 measured alike).
_SCAN_CHARS = 300
_WHITESPACE = re.compile(r"\s+")


class _WordTerms:
    """Surface word → its index terms, and the reverse (term → surface words), for one kind of analyzer.

    The reverse map finds the words of a text that carry a query's terms with set operations, instead of a
    Python step for each of the hundreds of distinct words a long article holds."""

    def __init__(self) -> None:
        self.terms: dict[str, frozenset[str]] = {}
        self.words_with: dict[str, set[str]] = {}

    def learn(self, analyzer: Analyzer, words: set[str]) -> None:
        """Analyse the words not seen before (each once per process, until the cache starts over)."""
        new = words.difference(self.terms)
        if len(self.terms) + len(new) > _WORD_CACHE_LIMIT:
            self.terms.clear()
            self.words_with.clear()
            new = set(words)
        terms_of = word_terms_function(analyzer)
        for word in new:
            found = terms_of(word)
            self.terms[word] = found
            for term in found:
                self.words_with.setdefault(term, set()).add(word)

    def holding(self, words: set[str], terms: set[str]) -> dict[str, frozenset[str]]:
        """The words (all learnt already) that carry some of ``terms``, with the terms each carries."""
        candidates: set[str] = set()
        for term in terms:
            candidates |= self.words_with.get(term, set())
        return {word: self.terms[word] & terms for word in words & candidates}


# Per kind of analyzer (Whoosh hands out a new analyzer object on each access).
_WORD_TERMS: dict[tuple[object, ...], _WordTerms] = {}
_WORD_CACHE_LIMIT = 200_000
_BY_OBJECT: dict[int, tuple[Analyzer, _WordTerms]] = {}


def _analyzer_key(analyzer: Analyzer) -> tuple[object, ...]:
    parts: list[object] = []
    for item in getattr(analyzer, "items", [analyzer]):
        state = item.__getstate__() if hasattr(item, "__getstate__") else None
        settings = tuple(sorted(state.items())) if isinstance(state, dict) else ()
        parts.append((type(item).__module__, type(item).__qualname__, repr(settings)))
    return tuple(parts)


def _cache_for(analyzer: Analyzer) -> _WordTerms:
    # A request's matchers hold the same analyzer objects for all its hits and every stretch of their texts:
    # the key is worked out once per object (held here, so its id is not reused while it is a key).
    known = _BY_OBJECT.get(id(analyzer))
    if known is not None and known[0] is analyzer:
        return known[1]
    if len(_BY_OBJECT) >= 64:
        _BY_OBJECT.clear()
    cache = _WORD_TERMS.setdefault(_analyzer_key(analyzer), _WordTerms())
    _BY_OBJECT[id(analyzer)] = (analyzer, cache)
    return cache


def matched_spans(text: str, matchers: Sequence[Matcher]) -> list[tuple[int, int, frozenset[str]]]:
    """Character spans of the words in ``text`` whose index terms matched, with the terms each holds.

    The analyzer sees one word at a time (its tokenizer's words), so each distinct word is analysed once per
    process; a compound's whole and its parts share its span, so they make one mark.
    """
    return _spans(text, _held_terms(set(TOKEN_PATTERN.findall(text)), matchers))


def _held_terms(words: set[str], matchers: Sequence[Matcher]) -> dict[str, frozenset[str]]:
    """The words (distinct, as the tokenizer finds them) whose index terms matched, with those terms.

    Where the vocabulary knows which words carry the terms, only those words of the text are analysed: a
    hit's text holds hundreds of words the process has not met, and analysing them all was most of a first
    query's time."""
    held_by: dict[str, frozenset[str]] = {}
    for matcher in matchers:
        analyzer, terms = matcher[0], matcher[1]
        if not terms:
            continue
        keep = matcher[2] if len(matcher) > 2 else None
        candidates = keep(words) if keep is not None else words
        cache = _cache_for(analyzer)
        prefetch(candidates.difference(cache.terms))
        cache.learn(analyzer, candidates)
        for word, held in cache.holding(candidates, terms).items():
            held_by[word] = held_by.get(word, frozenset()) | held
    return held_by


def _spans(
    text: str, held_by: dict[str, frozenset[str]], start: int = 0, end: int | None = None
) -> list[tuple[int, int, frozenset[str]]]:
    """Where the held words stand as whole tokens (between ``start`` and ``end``). Each held word is looked for
    with ``str.find`` and each find checked by tokenizing only its run of non-space characters (tokens never
    hold a space, so that gives the tokens the whole text would): in a long article a few finds cost far less
    than tokenizing every word again."""
    stop = len(text) if end is None else end
    found: list[tuple[int, int, frozenset[str]]] = []
    for word, held in held_by.items():
        at = text.find(word, start, stop)
        while at >= 0:
            after = at + len(word)
            if _is_token(text, at, after):
                found.append((at, after, held))
            at = text.find(word, at + 1, stop)
    found.sort(key=lambda span: span[0])
    return found


def _is_token(text: str, start: int, end: int) -> bool:
    """Whether the tokenizer reads ``text[start:end]`` as one whole word."""
    for token in TOKEN_PATTERN.finditer(text, word_boundary_left(text, start), word_boundary_right(text, end)):
        if token.start() >= start:
            return token.start() == start and token.end() == end
    return False


class _TextScan:
    """One text, tokenized a stretch at a time from its start: a snippet needs the text only up to its first
    window that holds every term the query looks for, so a long article whose opening holds the words costs
    what its opening costs (one that never holds them all in one window is read whole, as before). After a
    stretch without a carrying word, the scan jumps to where the next one may stand (``carriers``)."""

    def __init__(
        self, text: str, matchers: Sequence[Matcher], width: int, skipper: CarrierWords | None = None
    ) -> None:
        self.text = text
        self.matchers = matchers
        self.width = width
        self.skipper = skipper
        self.scanned = 0
        self._carried = False  # whether the last stretch held a carrying word: then the next is read as it is
        self.held_by: dict[str, frozenset[str]] = {}
        self.spans: list[tuple[int, int, frozenset[str]]] = []
        self.terms_seen: set[str] = set()
        # Windows are scored once they are settled (every span they can hold is known): the best of those
        # so far, and how many there are. Only the last few windows are scored again after each stretch.
        self._settled_best = (0, 0)
        self._settled = 0

    def _scan_on(self) -> None:
        start = self.scanned
        if not self._carried and self.skipper is not None:
            start = self.skipper.earliest(self.text, start)
            if start >= len(self.text):
                self.scanned = len(self.text)
                return
        end = word_boundary_right(self.text, start + _SCAN_CHARS)
        words = set(TOKEN_PATTERN.findall(self.text, start, end))
        self.held_by.update(_held_terms(words.difference(self.held_by), self.matchers))
        here = {word: self.held_by[word] for word in words.intersection(self.held_by)}
        for held in here.values():
            self.terms_seen |= held
        self._carried = bool(here)
        self.spans.extend(_spans(self.text, here, start, end))
        self.scanned = end

    def _coverage(self, first: int) -> int:
        """How many distinct terms the window starting at span ``first`` holds."""
        spans = self.spans
        limit = spans[first][0] + self.width - _CONTEXT_BEFORE
        terms: set[str] = set()
        index = first
        while index < len(spans) and spans[index][0] < limit:
            terms |= spans[index][2]
            index += 1
        return len(terms)

    def best(self) -> tuple[int, int]:
        """The span starting the window with the most distinct terms (the earliest of equals), and their number."""
        spans = self.spans
        reach = self.width - _CONTEXT_BEFORE
        while self._settled < len(spans) and (
            self.scanned >= len(self.text) or spans[self._settled][0] + reach <= self.scanned
        ):
            covered = self._coverage(self._settled)
            if covered > self._settled_best[1]:
                self._settled_best = (self._settled, covered)
            self._settled += 1
        best = self._settled_best
        for first in range(self._settled, len(spans)):
            covered = self._coverage(first)
            if covered > best[1]:
                best = (first, covered)
        return best

    def cover(self, wanted: int) -> int:
        """Scan until a window holds ``wanted`` distinct terms (or the text ends); the most a window holds.
        Then everything up to the end of the chosen window and of every window before it is scanned too, so
        the window and its marks are the ones a scan of the whole text gives."""
        while self.scanned < len(self.text) and (len(self.terms_seen) < wanted or self.best()[1] < wanted):
            self._scan_on()
        while self.scanned < len(self.text) and self.scanned < self._needed():
            self._scan_on()
        return self.best()[1]

    def _needed(self) -> int:
        end = self.window()[1]
        if not self.spans:
            return end
        return max(end, self.spans[self.best()[0]][0] + self.width - _CONTEXT_BEFORE)

    def window(self) -> tuple[int, int]:
        """Start and end of the passage to show."""
        if self.spans:
            start = word_boundary_left(self.text, self.spans[self.best()[0]][0] - _CONTEXT_BEFORE)
        else:
            start = 0
        return start, word_boundary_right(self.text, start + self.width)


def best_snippet(
    texts: Sequence[str], matchers: Sequence[Matcher], width: int = SNIPPET_CHARS, last_resort: Sequence[str] = ()
) -> list[Segment]:
    """The passage holding the most distinct matched terms: in the first text that has a window with all of
    the query's terms, else in the text whose best window holds the most (the earlier text on a tie). Texts
    are read from their start only as far as that takes. The ``last_resort`` texts (a title the hit shows
    anyway) count only when no other text matches; when none matches, the first text's opening is shown."""
    wanted = len(set().union(*(matcher[1] for matcher in matchers))) if matchers else 0
    skipper = _skipper(matchers)
    best: tuple[int, _TextScan] | None = None
    for group in (texts, last_resort):
        for text in group:
            if not text or text.isspace():
                continue
            scan = _TextScan(text.strip(), matchers, width, skipper)
            covered = scan.cover(wanted)
            if best is None or covered > best[0]:
                best = (covered, scan)
            if covered >= wanted:
                return _passage(scan)
        if best is not None and best[0] > 0:
            break
    return _passage(best[1]) if best is not None else []


def _skipper(matchers: Sequence[Matcher]) -> CarrierWords | None:
    """The carrying words to jump ahead to, when one matcher marks every term and knows its carriers."""
    active = [matcher for matcher in matchers if matcher[1]]
    if len(active) != 1 or len(active[0]) < 3:
        return None
    keep = active[0][2]  # type: ignore[misc]
    return keep if isinstance(keep, CarrierWords) else None


def _passage(scan: _TextScan) -> list[Segment]:
    """The chosen window of a scanned text as segments, its matched words marked and its spaces folded."""
    text, spans = scan.text, scan.spans
    start, end = scan.window()
    segments: list[Segment] = []
    if start > 0:
        segments.append(("… ", False))
    cursor = start
    for span_start, span_end, _ in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start > cursor:
            segments.append((_WHITESPACE.sub(" ", text[cursor:span_start]), False))
        segments.append((text[span_start:span_end], True))
        cursor = span_end
    if cursor < end:
        segments.append((_WHITESPACE.sub(" ", text[cursor:end]), False))
    if end < len(text):
        segments.append((" …", False))
    return segments


def to_plain(segments: Iterable[Segment]) -> str:
    """The snippet as plain text, without marks."""
    return "".join(text for text, _ in segments)


def to_ansi(segments: Iterable[Segment]) -> str:
    """The snippet for a terminal: matched words in bold."""
    return "".join(f"\x1b[1m{text}\x1b[0m" if matched else text for text, matched in segments)


def to_html(segments: Iterable[Segment]) -> str:
    """The snippet as HTML: text escaped, matched words in ``<mark>``."""
    return "".join(
        f"<mark>{html.escape(text)}</mark>" if matched else html.escape(text) for text, matched in segments
    )
