"""The words of an archive that may carry a query's terms, and where in a long text the first of them can stand.

A snippet tokenises a text a stretch at a time until a window holds the query's words. In a long live blog the
words often first appear many kilobytes in, and tokenising everything before them was most of a date-ordered
request's time. ``CarrierWords.earliest`` finds a place no carrying word stands before with ``str.find`` on a
*skeleton* of the text: lower case without the characters the analysis drops or splits at (soft hyphens,
apostrophes, gender marks, dots, hyphens). Every stored key of a word (``Nato-Gipfel`` → natogipfel, nato,
gipfel) is such a skeleton's substring, and deleting characters only moves text to the left, so the place
found is never after the word: the snippet is the one a scan of the whole text gives.

The search runs on the skeleton's *ASCII fold*: its UTF-8 bytes without the non-ASCII ones (``Größe`` →
gre). Folding keeps every substring a substring, and it is one ``bytes.translate`` over the encoded text
instead of Unicode lower-casing and a ``str.replace`` for each dropped character, a quarter of their time.
Only two characters lower-case to ASCII (İ to i̇, the Kelvin sign to k): a block holding one is tokenised.
"""

from __future__ import annotations

import re
from itertools import compress, filterfalse
from typing import Callable, Iterable

# What ``analysis.normalise`` may delete from a word, and the hyphens ``analysis.hyphen_pieces`` splits at.
_SKELETON_DROPS = "\u00ad'’*:_.-\u2010\u2011"
# The only characters outside ASCII whose lower case holds ASCII letters: a block holding one is tokenised.
_UNSAFE = ("\u0130", "\u212a")
# The ASCII fold of UTF-8 bytes: capitals lowered; the ASCII characters the analysis drops, and every byte of
# a character outside ASCII (the wide dropped characters among them), deleted.
_FOLD_TABLE = bytes(byte + 32 if 65 <= byte <= 90 else byte for byte in range(256))
_FOLD_DROPS = "".join(character for character in _SKELETON_DROPS if character.isascii()).encode() + bytes(
    range(128, 256)
)
# More needles than this, and ``str.find`` for each costs what tokenising does; more carriers than this (a
# prefix query's), and working the needles out costs more than they save.
_MOST_NEEDLES = 24
_MOST_CARRIERS = 2_000
# The first block looked at; each further one is twice as long, so a near word costs little and a far one at
# most twice what its distance does.
_FIRST_BLOCK_CHARS = 2_000
_SPACE = re.compile(r"\s")


def skeleton(text: str) -> str:
    """``text`` in lower case without the characters a stored word may lack."""
    text = text.lower()
    for character in _SKELETON_DROPS:
        if character in text:
            text = text.replace(character, "")
    return text


def ascii_fold(text: str) -> bytes:
    """The ASCII fold of ``text``'s skeleton (see the module's docstring); for a text without the ``_UNSAFE``
    characters it equals the fold of ``skeleton(text)``, and each of its bytes stands for one character."""
    return text.encode("utf-8", "surrogatepass").translate(_FOLD_TABLE, _FOLD_DROPS)


class CarrierWords:
    """The stored words (vocabulary keys) carrying some of a query's terms, for one request's snippets."""

    def __init__(self, words: set[str], keys_of: Callable[[str], tuple[str, ...]]) -> None:
        self.words = words
        self._keys_of = keys_of
        self._needles: tuple[bytes, ...] | None = None
        self._needles_known = False

    def __call__(self, surfaces: Iterable[str]) -> set[str]:
        """Those of the surface words that may carry one of the terms (a superset), to be analysed."""
        # A word of letters and digits only normalises to its lower case: those words are kept by C-level
        # iteration (a long article has hundreds of distinct words); the others go through their keys.
        words = list(surfaces)
        carriers = self.words
        kept = set(compress(words, map(carriers.__contains__, map(str.lower, words))))
        for surface in filterfalse(str.isalnum, words):
            if carriers.isdisjoint(self._keys_of(surface)):
                kept.discard(surface)
            else:
                kept.add(surface)
        return kept

    def needles(self) -> tuple[bytes, ...] | None:
        """The fewest folded skeletons one of which every carrier's folded skeleton contains (``krieg`` stands
        for ukrainekrieg and weltkrieg), or None when there are too many to look for or a carrier has no ASCII
        letter (worked out once)."""
        if not self._needles_known:
            self._needles_known = True
            if len(self.words) > _MOST_CARRIERS:
                return None
            found: list[bytes] = []
            for word in sorted({ascii_fold(skeleton(word)) for word in self.words}, key=len):
                if not word:
                    return None
                if any(needle in word for needle in found):
                    continue
                found.append(word)
                if len(found) > _MOST_NEEDLES:
                    return None
            self._needles = tuple(found)
        return self._needles

    def earliest(self, text: str, start: int) -> int:
        """A place at or after ``start`` (which must follow whitespace or open the text) before which no word
        of ``text`` from ``start`` on carries a term: the start of the first whitespace-delimited run where a
        needle may stand, or the text's length when there is none. ``start`` itself when that is unknown."""
        needles = self.needles()
        if needles is None:
            return start
        end, block_chars = len(text), _FIRST_BLOCK_CHARS
        while start < end:
            stop = word_boundary_right(text, start + block_chars)
            block_chars *= 2
            block = text[start:stop]
            if any(character in block for character in _UNSAFE):
                return start
            shown = ascii_fold(block)
            places = [place for place in map(shown.find, needles) if place >= 0]
            if places:
                return max(start, word_boundary_left(text, start + min(places)))
            start = stop
        return end


def word_boundary_left(text: str, index: int) -> int:
    """The start of the whitespace-delimited run holding ``index`` (0 before the text)."""
    if index <= 0:
        return 0
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    return index


def word_boundary_right(text: str, index: int) -> int:
    """The first whitespace at or after ``index`` (a word never spans it), or the text's end."""
    if index >= len(text):
        return len(text)
    space = _SPACE.search(text, index)
    return space.start() if space else len(text)
