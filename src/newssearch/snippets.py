"""Snippets: the passage of a document that best shows why it matched, with the matched words marked.

Marks are placed on whole surface words (the analyzer's character spans), so a compound that matched
through one of its parts is marked whole and a stem is never shown. Rendering escapes the text itself,
so a page's ``<script>`` stays text in HTML.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, Sequence

from whoosh.analysis import Analyzer

Segment = tuple[str, bool]
Matcher = tuple[Analyzer, set[str]]  # an analyzer and the index terms it must produce for a word to count
SNIPPET_CHARS = 220
_CONTEXT_BEFORE = 60
_WHITESPACE = re.compile(r"\s+")


def matched_spans(text: str, matchers: Sequence[Matcher]) -> list[tuple[int, int, frozenset[str]]]:
    """Character spans of the words in ``text`` whose index terms matched, with the terms each holds.

    A compound's whole and its parts share one span, so they merge into one mark.
    """
    spans: list[tuple[int, int, str]] = []
    for analyzer, terms in matchers:
        if not terms:
            continue
        for token in analyzer(text, chars=True, mode="index", removestops=False):
            if token.text in terms:
                spans.append((token.startchar, token.endchar, token.text))
    spans.sort()
    merged: list[tuple[int, int, frozenset[str]]] = []
    for start, end, term in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] | {term})
        else:
            merged.append((start, end, frozenset({term})))
    return merged


def _best_window(spans: Sequence[tuple[int, int, frozenset[str]]], width: int) -> int:
    """Index of the span that starts the window holding the most distinct matched terms."""
    best, best_score = 0, -1
    for first in range(len(spans)):
        limit = spans[first][0] + width - _CONTEXT_BEFORE
        terms: set[str] = set()
        for start, _, held in spans[first:]:
            if start >= limit:
                break
            terms |= held
        if len(terms) > best_score:
            best, best_score = first, len(terms)
    return best


def _word_boundary_left(text: str, index: int) -> int:
    if index <= 0:
        return 0
    space = text.rfind(" ", 0, index)
    return space + 1 if space >= 0 else 0


def _word_boundary_right(text: str, index: int) -> int:
    if index >= len(text):
        return len(text)
    space = text.find(" ", index)
    return space if space >= 0 else len(text)


def build_snippet(text: str, matchers: Sequence[Matcher], width: int = SNIPPET_CHARS) -> list[Segment]:
    """The best passage of ``text`` (about ``width`` characters) as segments (text, is_match)."""
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        return []
    spans = matched_spans(text, matchers)
    if spans:
        first = _best_window(spans, width)
        start = _word_boundary_left(text, spans[first][0] - _CONTEXT_BEFORE)
    else:
        start = 0
    end = _word_boundary_right(text, start + width)
    segments: list[Segment] = []
    if start > 0:
        segments.append(("… ", False))
    cursor = start
    for span_start, span_end, _ in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start > cursor:
            segments.append((text[cursor:span_start], False))
        segments.append((text[span_start:span_end], True))
        cursor = span_end
    if cursor < end:
        segments.append((text[cursor:end], False))
    if end < len(text):
        segments.append((" …", False))
    return segments


def count_matches(text: str, matchers: Sequence[Matcher]) -> int:
    """How many words of ``text`` match; used to choose the field a snippet comes from."""
    return len(matched_spans(text, matchers)) if text else 0


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
