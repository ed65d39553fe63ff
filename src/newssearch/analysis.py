"""The German analyzer factory: tokenize → normalise → split hyphenated compounds → drop stop words → stem.

One analyzer serves indexing and query parsing, so a page and a query are analysed the same way.
Index mode keeps a hyphenated compound whole *and* indexes its pieces at consecutive positions, so
``Natogipfel``, ``Nato-Gipfel``, ``Gipfel`` and the phrase ``"Nato Gipfel"`` all find ``Nato-Gipfel``;
query mode turns a hyphenated word into the phrase of its pieces.
Umlauts are expanded (ä→ae, ö→oe, ü→ue, ß→ss) rather than folded (ä→a), which matches spellings typed
without umlauts while keeping ``schon``/``schön`` and ``wurde``/``würde`` apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from whoosh.analysis import Analyzer, Filter, Token, Tokenizer
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

# A word may hold hyphens and soft hyphens (Nato-Osterweiterung, Verteidigungs\xadministerin), apostrophes,
# gender markers (Bürger*innen, Bürger:innen) and, between digits, dots, commas and colons (5.000, 3,5, 14:30).
TOKEN_PATTERN = re.compile(
    r"\w+(?:(?:[-\u2010\u2011'’\u00ad]+|[*:_](?=in(?:nen)?\b)|[.,:](?=\d))\w+)*",
    re.UNICODE,
)
_HYPHENS = re.compile(r"[-\u2010\u2011]+")
_DROP = re.compile(r"[\u00ad'’]")
_GENDER = re.compile(r"[*:_](?=in(?:nen)?$)")
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})


def expand_umlauts(word: str) -> str:
    """``Köpfe`` → ``Koepfe``: the spelling comments use when the keyboard has no umlauts."""
    return word.translate(_UMLAUTS)


STOP_WORDS = frozenset(stoplists["de"]) | frozenset(expand_umlauts(word) for word in stoplists["de"])


def normalise(surface: str) -> str:
    """Lower case without soft hyphens, apostrophes, gender markers and thousands separators."""
    text = _GENDER.sub("", _DROP.sub("", surface)).lower()
    if _THOUSANDS.match(text):
        text = text.replace(".", "")
    return text


class GermanTokenizer(Tokenizer):
    """Finds words as a German reader sees them; keeps the surface form and its character span."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = TOKEN_PATTERN.finditer(value) if tokenize else [re.match(r".*", value, re.DOTALL)]
        for pos, match in enumerate(matches):
            assert match is not None
            token.text = match.group(0)
            token.original = token.text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class GermanFilter(Filter):
    """Normalises, splits hyphenated compounds, drops stop words (renumbering positions) and stems.

    The per-word cache is kept out of pickling: Whoosh stores the analyzer in the index's table of contents.
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem
        self._cache: dict[str, str] = {}
        self._stemmer = stemmer_for_language("de") if stem else None

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and getattr(other, "stem", None) == self.stem

    def __getstate__(self) -> dict[str, object]:
        return {"stem": self.stem}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(bool(state.get("stem", True)))  # type: ignore[misc]

    def conflate(self, word: str) -> str:
        """The index term of one normalised word: umlauts expanded, then stemmed; cached per word."""
        term = self._cache.get(word)
        if term is None:
            term = expand_umlauts(word)
            if self._stemmer is not None and not term[:1].isdigit():
                term = self._stemmer(term)
            if len(self._cache) < 500_000:
                self._cache[word] = term
        return term

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:  # type: ignore[override]
        pos = None
        for token in tokens:
            if pos is None and token.positions:
                pos = token.pos
            text = normalise(token.text)
            pieces = [piece for piece in _HYPHENS.split(text) if piece]
            if not pieces:
                continue
            query = token.mode == "query"
            if len(pieces) == 1:
                if token.removestops and pieces[0] in STOP_WORDS:
                    continue
                token.text = self.conflate(pieces[0])
                if token.positions:
                    token.pos = pos
                    pos += 1
                yield token
                continue
            if not query:
                token.text = self.conflate("".join(pieces))
                if token.positions:
                    token.pos = pos
                yield token
            for offset, piece in enumerate(pieces):
                token.text = self.conflate(piece)
                if token.positions:
                    token.pos = pos + offset
                yield token
            if token.positions:
                pos += len(pieces)


def german_analyzer() -> Analyzer:
    """The analyzer for every German text field, at index and at query time."""
    return GermanTokenizer() | GermanFilter()


class SpellingFilter(GermanFilter):
    """Normalised, unstemmed words with umlauts expanded: what typo suggestions and fuzzy search work on."""

    def __init__(self, stem: bool = False) -> None:
        super().__init__(stem=False)

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]


def spelling_analyzer() -> Analyzer:
    """The analyzer of the ``words`` field: whole words as written, for "Meinten Sie …?" and ``--fuzzy``."""
    return GermanTokenizer() | SpellingFilter()


def prepare_for_index(index_dir: Path) -> None:
    """Called before an indexing run writes to ``index_dir`` (place to load caches kept with the index)."""


def persist_vocabulary(index_dir: Path) -> None:
    """Called after an indexing run committed (place to store the analysed forms of the archive's words)."""


def prepare_for_query(index_dir: Path) -> None:
    """Called when an index is opened for searching (place to load what ``persist_vocabulary`` stored)."""
