"""The German analyzer factory: tokenize → normalise → split compounds → drop stop words → lemmatise and stem.

One analyzer serves indexing and query parsing, so a page and a query are analysed the same way. Each word
becomes one index term: its simplemma lemma (``Verhandlungen`` → Verhandlung, ``übermittelt`` → übermitteln),
umlauts expanded (ä→ae, ö→oe, ü→ue, ß→ss, so ``gegenueber`` and ``gegenüber`` meet while ``schon``/``schön`` and
``zahlen``/``zählen`` stay apart), then Whoosh's German stemmer. Index mode also splits compounds: the parts
share the word's position and character span and weigh half (``Erweiterung`` finds ``Osterweiterung``, below
pages with the word itself), and a hyphenated compound is kept whole *and* as its pieces at consecutive
positions, so ``Natogipfel``, ``Nato-Gipfel``, ``Gipfel`` and the phrase ``"Nato Gipfel"`` all find
``Nato-Gipfel``. Query mode analyses a word whole (``Osterweiterung`` never matches Osten + Erweiterung) and
turns a hyphenated word into the phrase of its pieces.

The lemma and frequency tables cost a second and 200 MB to load, so they stay out of the query path: the
indexer stores every word's analysis with the index (``persist_vocabulary``), and a query process reads it
from there (``prepare_for_query``). A query word the archive does not know is only stemmed.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.util
import os
import re
import sqlite3
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Hashable, Iterable, Iterator, TypeVar

from whoosh.analysis import Analyzer, Filter, Token, Tokenizer
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

from newssearch import common_words, decompound, lemma_forms, lexicon
from newssearch.caches import Generations
from newssearch.carriers import CarrierWords
from newssearch.errors import IndexWriteError
from newssearch.vocabulary import FILE_NAME as VOCABULARY_FILE
from newssearch.vocabulary import Analysis, Vocabulary

# Bump when a change alters index terms: a stored vocabulary of another version is ignored and rebuilt.
ANALYSIS_VERSION = "de-5"
PART_BOOST = 0.5

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

# Lemmas the stemmer would merge with a different word (Ostern/Osten, Bauer/Bau, Marke/Mark, Rate/Rat,
# Lager/Lage, Messe/Messer, Wette/Wetter): kept whole, like the keyword marker of Lucene's German analyzer.
STEM_EXCEPTIONS = frozenset(
    """
    ostern bauer marke rate lager messe wette
    """.split()
)
# Entries per cache; a full cache starts over (Zipf: the frequent words are back within a page or two), so
# an indexing process's memory does not grow with the archive.
_CACHE_LIMIT = 200_000
# An indexing process stores what it learnt after this many new words, not only at its end.
_FLUSH_WORDS = 100_000
_MAX_STORES = 8
# How an indexing run tells its worker processes where its vocabulary lives (spawned workers inherit it).
_WORKER_STORE_ENV = "NEWSSEARCH_INDEXING_VOCABULARY"
_REGULAR_ENDINGS = frozenset({"", "e", "en", "er", "ern", "es", "s", "n", "em", "ens"})


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


def hyphen_pieces(surface: str) -> list[str]:
    """The normalised pieces of a surface word between its hyphens (one piece for most words)."""
    if surface.isalpha():  # most words: nothing to drop or split, only lower case
        return [surface.lower()]
    return [piece for piece in _HYPHENS.split(normalise(surface)) if piece]


_stem = stemmer_for_language("de")
_stems: Generations = Generations(_CACHE_LIMIT)


def stem(word: str) -> str:
    """Whoosh's German (old Snowball) stemmer on a word with umlauts expanded; numbers and exceptions as they are.

    The old stemmer, unlike Snowball 3, does not read ``ae`` as ``ä``: so Förderung/Forderung stay apart."""
    found = _stems.get(word) or _stems.recall(word)
    if found is None:
        found = word if word in STEM_EXCEPTIONS or not word.isalpha() else _stem(word)
        _stems.put(word, found)
    return found


def conflate(word: str) -> str:
    """The index term of one normalised word: lemma, umlauts expanded, stemmed (the full chain)."""
    if not word.isalpha():
        return expand_umlauts(word)
    common = common_words.analysis(word)
    if common is not None:
        return common[0]
    noun = lexicon.readings(word)[0]
    # An exception noun wins over a verb reading, so Messen stays with Messe rather than joining Messer.
    base = noun if noun is not None and noun in STEM_EXCEPTIONS else lexicon.lemma(word)
    return stem(expand_umlauts(base))


def light_conflate(word: str) -> str:
    """The index term without the lemma dictionary: what a query process uses for words the archive lacks."""
    return stem(expand_umlauts(word))


_part_terms: Generations = Generations(_CACHE_LIMIT)


def analyse_word(word: str) -> Analysis:
    """Index term and compound-part terms of one normalised word (the full chain; only the terms of parts,
    which recur in many compounds, are cached). A common word's analysis was worked out ahead."""
    common = common_words.analysis(word)
    if common is not None:
        return common
    term = conflate(word)
    parts: list[str] = []
    for part in decompound.split(word):
        part_term = _part_terms.get(part) or _part_terms.recall(part)
        if part_term is None:
            part_term = conflate(part)
            _part_terms.put(part, part_term)
        if part_term != term and part_term not in parts:
            parts.append(part_term)
    return term, tuple(parts)


_Found = TypeVar("_Found")


def _remember(cache: Generations, word: str, value: _Found) -> None:
    if cache.is_full() and _state.recording and (cache is _state.analysed or cache is _state.terms):
        _state.flush()  # the new words' analyses live in these caches until they are stored
    cache.put(word, value)


class _State:
    """Per-process analysis state: caches, the vocabularies of opened indexes, what an indexing run learnt.

    A module-level singleton, because Whoosh unpickles a fresh analyzer every time it opens an index."""

    def __init__(self) -> None:
        self.analysed = Generations(_CACHE_LIMIT)
        self.terms = Generations(_CACHE_LIMIT)
        self.light = Generations(_CACHE_LIMIT)
        # What this indexing run analysed itself (not found stored): what ``persist_vocabulary`` writes.
        self.new: set[str] = set()
        self.new_terms: set[str] = set()
        # Bumped when an indexing run starts, so filters drop plans made before (their words count as new).
        self.generation = 0
        # The index opened last comes first: its spellings are the ones a suggestion shows.
        self.stores: OrderedDict[Path, Vocabulary] = OrderedDict()
        self.current: Path | None = None
        self.query_only = False
        self.recording = False
        self.recording_store: Vocabulary | None = None
        self.worker_checked = False

    def exact(self) -> bool:
        """Whether a word no vocabulary knows gets the full chain (always, unless that means loading the
        dictionary in a query process)."""
        return not self.query_only or lexicon.loaded()

    def analysis(self, word: str) -> Analysis | None:
        """Full analysis of a word (index mode), or None when only the light chain is affordable."""
        found = self.analysed.get(word) or self.analysed.recall(word)
        if found is not None:
            return found
        # An indexing run has the stored analyses in memory already (``prepare_for_index``).
        if self.query_only:
            found = self._stored(word, Vocabulary.analysis)
        learnt = found is None
        if learnt:
            if not self.exact():
                return None
            found = analyse_word(word)
        self._keep(self.analysed, word, found, self.new if learnt else None)
        return found

    def term(self, word: str) -> str:
        """The index term of a word in query mode (no splitting)."""
        analysed = self.analysed.get(word) or self.analysed.recall(word)
        if analysed is not None:
            return analysed[0]
        term = self.terms.get(word) or self.terms.recall(word)
        if term is None and not self.recording:
            # Not while indexing: the vocabulary also holds forms of lemmas the archive lacked until now
            # (``Corona-Ausbrüche`` after ``Coronaausbruch``), and a word found there would not be recorded as
            # the archive's own (its hits would show no marks, a typo of it no suggestion).
            term = self._stored(word, Vocabulary.term)
        learnt = term is None
        if learnt:
            if not self.exact():
                return self.light_term(word)
            term = conflate(word)
        self._keep(self.terms, word, term, self.new_terms if learnt else None)
        return term

    def _keep(self, cache: Generations, word: str, value: _Found, learnt: set[str] | None) -> None:
        """Cache a result; a word this run analysed itself is recorded for the vocabulary, stored in rounds."""
        if learnt is not None and self.recording:
            learnt.add(word)
        _remember(cache, word, value)
        if self.recording and len(self.new) + len(self.new_terms) >= _FLUSH_WORDS:
            self.flush()

    def flush(self) -> None:
        """Store the new words learnt so far (bounded memory); a vocabulary that cannot be written now keeps
        them for the next try, the run's end reports a real write problem."""
        if self.recording_store is None:
            return
        try:
            _store_learnt(self.recording_store)
        except (sqlite3.Error, OSError):
            pass

    def _stored(self, word: str, fetch: Callable[[Vocabulary, str], _Found | None]) -> _Found | None:
        # While indexing, only the index being written counts: a word another index of this process has
        # stored must still be recorded for this one, or its vocabulary would lack it (no marks, no forms).
        writing = self.recording_store if self.recording and not self.query_only else None
        stores = self.stores.values() if writing is None else [writing]
        for store in stores:
            found = fetch(store, word)
            if found is not None:
                return found
        return None

    def light_term(self, word: str) -> str:
        term = self.light.get(word) or self.light.recall(word)
        if term is None:
            term = light_conflate(word)
            _remember(self.light, word, term)
        return term

    def close(self) -> None:
        for store in self.stores.values():
            store.close()
        self.stores.clear()


_state = _State()
atexit.register(_state.close)


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


# What one surface word becomes: (term, boost, position offset) triples and the number of positions it takes.
Plan = tuple[tuple[tuple[str, float, int], ...], int]


class _PlannedFilter(Filter):
    """The token loop both German filters share: each surface word becomes a plan of terms at position
    offsets, cached per distinct surface word; stop words take no position."""

    # Surface word → plan when indexing (index mode, stop words removed: one dict lookup per word of every
    # page, see ``index_postings``); (surface word, query mode, remove stop words) → plan otherwise.
    _plans: Generations
    _generation = -1

    def plan(self, surface: str, query: bool, removestops: bool) -> Plan:
        raise NotImplementedError

    def _ready(self) -> None:
        if not _state.worker_checked:
            _join_worker_run()
        if self._generation != _state.generation:
            self._plans.clear()
            self._generation = _state.generation

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:  # type: ignore[override]
        self._ready()
        pos: int | None = None
        for token in tokens:
            if pos is None:
                pos = token.pos if token.positions else 0
            emitted, width = self.plan(token.text, token.mode == "query", token.removestops)
            for text, boost, offset in emitted:
                token.text = text
                token.boost = boost
                if token.positions:
                    token.pos = pos + offset
                yield token
            token.boost = 1.0
            if token.positions:
                pos += width


class GermanFilter(_PlannedFilter):
    """Normalises, drops stop words (renumbering positions), splits compounds and conflates each word.

    Holds no data itself (Whoosh pickles the analyzer into the index): caches and tables are per process."""

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem
        self._plans = Generations(_CACHE_LIMIT)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and getattr(other, "stem", None) == self.stem

    def __getstate__(self) -> dict[str, object]:
        return {"stem": self.stem}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(bool(state.get("stem", True)))  # type: ignore[misc]

    def word_terms(self, word: str, query: bool) -> tuple[tuple[str, ...], bool]:
        """The terms of one hyphen piece (the word's term first, then its parts in index mode) and whether
        they are exact (full chain), which makes them safe to cache."""
        if query:
            term = _state.term(word)
            return (term,), _state.analysed.holds(word) or _state.terms.holds(word)
        found = _state.analysis(word)
        if found is None:
            return (_state.light_term(word),), False
        return (found[0], *found[1]), True

    def plan(self, surface: str, query: bool, removestops: bool) -> Plan:
        """What the surface word becomes (cached per distinct surface word and mode)."""
        key: Hashable = surface if removestops and not query else (surface, query, removestops)
        found = self._plans.get(key) or self._plans.recall(key)
        if found is not None:
            return found
        pieces = hyphen_pieces(surface)
        exact = True
        emitted: list[tuple[str, float, int]] = []
        if not pieces or (len(pieces) == 1 and removestops and pieces[0] in STOP_WORDS):
            width = 0
        elif len(pieces) == 1:
            terms, exact = self.word_terms(pieces[0], query)
            emitted = [(terms[0], 1.0, 0)] + [(term, PART_BOOST, 0) for term in terms[1:]]
            width = 1
        else:
            if not query:
                whole, exact = self.word_terms("".join(pieces), True)
                emitted.append((whole[0], 1.0, 0))
            for offset, piece in enumerate(pieces):
                terms, piece_exact = self.word_terms(piece, query)
                exact = exact and piece_exact
                emitted.append((terms[0], 1.0, offset))
                emitted.extend((term, PART_BOOST, offset) for term in terms[1:] if term != terms[0])
            width = len(pieces)
        result: Plan = (tuple(emitted), width)
        if exact:
            self._plans.put(key, result)
        return result

def _german_filter(analyzer: Analyzer) -> GermanFilter | None:
    items = getattr(analyzer, "items", None)
    if not items or len(items) != 2 or type(items[0]) is not GermanTokenizer or type(items[1]) is not GermanFilter:
        return None
    return items[1]


def word_terms_function(analyzer: Analyzer) -> Callable[[str], frozenset[str]]:
    """A function giving the index terms of one word (as the tokenizer finds words; stop words kept): for the
    German analyzer straight from its cached plans, which is several times faster than running the analyzer
    on the word, as snippets do for every new word of a hit."""
    german = _german_filter(analyzer)
    if german is None:
        return lambda word: frozenset(token.text for token in analyzer(word, mode="index", removestops=False))

    def terms(word: str) -> frozenset[str]:
        german._ready()
        return frozenset(text for text, _, _ in german.plan(word, False, False)[0])

    return terms


_keys_of_surface: Generations = Generations(_CACHE_LIMIT)


def vocabulary_keys(surface: str) -> tuple[str, ...]:
    """The stored words a surface word is analysed from: its normalised hyphen pieces, and the pieces
    joined when there are several (``Nato-Gipfel`` → natogipfel, nato, gipfel)."""
    found = _keys_of_surface.get(surface)
    if found is None:
        pieces = hyphen_pieces(surface)
        found = ("".join(pieces), *pieces) if len(pieces) > 1 else tuple(pieces)
        _keys_of_surface.put(surface, found)
    return found


def carriers_function(analyzer: Analyzer, terms: Iterable[str], index_dir: Path) -> CarrierWords | None:
    """For snippets of the index at ``index_dir`` in a query process: the words that may carry one of ``terms``
    (a superset, from the stored way back from terms to words), so only they need analysing and a long text
    is tokenised only from where the first of them may stand. None when the vocabulary cannot tell (another
    analyzer, an indexing process, an index not opened for searching, an older vocabulary)."""
    store = _state.stores.get(Path(index_dir).resolve())
    if _german_filter(analyzer) is None or not _state.query_only or store is None:
        return None
    carriers = store.words_carrying(sorted(set(terms)))
    return None if carriers is None else CarrierWords(carriers, vocabulary_keys)


def index_postings(analyzer: Analyzer, value: str) -> dict[str, tuple[list[int], float]] | None:
    """Each index term of a text with its positions and summed boost, as Whoosh's ``Positions`` format
    collects them from the analyzer's tokens, but straight from the cached plans: no token objects and no
    chain of generators per word, which were a third of the time spent adding a document. None when the
    analyzer is not the German one."""
    german = _german_filter(analyzer)
    if german is None:
        return None
    german._ready()
    plan = german.plan
    planned = german._plans.get  # index-mode plans are keyed by the surface word alone
    found: dict[str, tuple[list[int], float]] = {}
    pos = 0
    for surface in TOKEN_PATTERN.findall(value):
        emitted, width = planned(surface) or plan(surface, False, True)
        for text, boost, offset in emitted:
            held = found.get(text)
            if held is None:
                found[text] = ([pos + offset], boost)
            else:
                held[0].append(pos + offset)
                found[text] = (held[0], held[1] + boost)
        pos += width
    return found


def german_analyzer() -> Analyzer:
    """The analyzer for every German text field, at index and at query time."""
    return GermanTokenizer() | GermanFilter()


class SpellingFilter(_PlannedFilter):
    """Normalised, unstemmed words with umlauts expanded: the analyzer of the ``words`` field of indexes from
    before schema 3 (kept so such an index still opens; typo search now uses the vocabulary's word list)."""

    def __init__(self) -> None:
        self._plans = Generations(_CACHE_LIMIT)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __getstate__(self) -> dict[str, object]:
        return {}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]

    def plan(self, surface: str, query: bool, removestops: bool) -> Plan:
        """The legacy ``words`` terms of a surface word at their position offsets."""
        key = (surface, query, removestops)
        found = self._plans.get(key) or self._plans.recall(key)
        if found is None:
            pieces = hyphen_pieces(surface)
            words: list[tuple[str, int]] = []
            if pieces and not (len(pieces) == 1 and removestops and pieces[0] in STOP_WORDS):
                words = [(piece, offset) for offset, piece in enumerate(pieces)]
                if len(pieces) > 1 and not query:
                    words.insert(0, ("".join(pieces), 0))
            found = (tuple((expand_umlauts(word), 1.0, offset) for word, offset in words), len(pieces) if words else 0)
            self._plans.put(key, found)
        return found

def prepare_for_index(index_dir: Path) -> None:
    """Called before an indexing run writes to ``index_dir``: analyses stored with the index are reused,
    and the run starts recording what it learns. Indexing workers the run spawns (``pipeline``) find the
    index through the environment and store what they learn themselves when they end."""
    try:
        store = _attach(index_dir, writable=True)
        store.complete_carriers()  # a vocabulary written before terms were led back to words
        _start_recording(store)
    except sqlite3.Error as error:
        raise _vocabulary_error(index_dir, error) from None
    os.environ[_WORKER_STORE_ENV] = str(Path(index_dir).resolve())


def persist_vocabulary(index_dir: Path) -> None:
    """Called after an indexing run committed: store the analysis of every new word, the other forms of
    their lemmas (for queries) and the archive's spellings."""
    _state.recording = False
    os.environ.pop(_WORKER_STORE_ENV, None)
    try:
        store = _attach(index_dir, writable=True)
        _store_learnt(store)
        store.complete_carriers()
    except sqlite3.Error as error:
        raise _vocabulary_error(index_dir, error) from None


def store_learnt() -> None:
    """In an indexing worker at the end of a batch: store the words learnt so far now, not when the process
    ends (a vocabulary that cannot be written keeps them for the next try, as a store every 100,000 words)."""
    if _state.recording:
        _state.flush()


def stop_recording() -> None:
    """Called when an indexing run fails: what it learnt is not stored (the next run analyses it again), and
    searches in this process no longer count its index as the one being written."""
    _state.recording = False
    _state.new.clear()
    _state.new_terms.clear()
    os.environ.pop(_WORKER_STORE_ENV, None)


def _vocabulary_error(index_dir: Path, error: sqlite3.Error) -> IndexWriteError:
    return IndexWriteError(
        f"Index '{index_dir}': die Wortanalysen ({VOCABULARY_FILE}) können nicht geschrieben werden ({error}); "
        "Suchen bleiben möglich, finden aber weniger Wortformen, bis 'newssearch index' wieder durchläuft"
    )


def _start_recording(store: Vocabulary) -> None:
    _state.analysed.clear()
    _state.terms.clear()
    for word, found in store.analyses():
        if _state.analysed.is_full():
            break
        _state.analysed[word] = found
    _state.new.clear()
    _state.new_terms.clear()
    _state.generation += 1
    _state.query_only = False
    _state.recording = True
    _state.recording_store = store


def _join_worker_run() -> None:
    """In an indexing worker process: record what this process analyses and store it when the process ends
    (the writer shuts its workers down before it calls ``persist_vocabulary``)."""
    _state.worker_checked = True
    folder = os.environ.get(_WORKER_STORE_ENV)
    if _state.recording or not folder or multiprocessing.parent_process() is None:
        return
    store = Vocabulary(Path(folder), ANALYSIS_VERSION, writable=True)
    _state.stores[store.path.parent] = store
    try:
        _start_recording(store)
    except sqlite3.Error:
        return  # the writer reports an unwritable index; this worker analyses without storing
    multiprocessing.util.Finalize(_state, _store_learnt_quietly, args=(store,), exitpriority=10)


def _store_learnt_quietly(store: Vocabulary) -> None:
    """A worker's last act: a vocabulary it cannot write (disk full) only means less exact queries later,
    and the writer process reports the disk problem itself."""
    try:
        _store_learnt(store)
    except (sqlite3.Error, OSError):
        pass


def _store_learnt(store: Vocabulary) -> None:
    """Write what this process analysed since recording began to ``store``: the words with their parts,
    hyphen-joined words with their term, other forms of the words' lemmas, and the printed spelling of
    every word written with umlauts or ß (``gegenueber`` → ``gegenüber``) for suggestions."""
    analysed = [(word, _state.analysed.peek(word)) for word in sorted(_state.new) if _state.analysed.holds(word)]
    joined = [
        (word, _state.terms.peek(word)) for word in sorted(_state.new_terms - _state.new) if _state.terms.holds(word)
    ]
    learnt = _state.new | _state.new_terms
    forms: list[tuple[str, str]] = []
    if analysed:
        lemmas = {common_words.lemma(word) or lexicon.lemma(word) for word, _ in analysed if word.isalpha()}
        prepared = lemma_forms.forms(lemmas)  # worked out once per machine, else here
        candidates = set(prepared) if prepared is not None else {form for form, _ in irregular_forms(lemmas)}
        candidates -= learnt
        candidates -= store.existing(candidates)  # looked up, not loaded: the vocabulary may be large
        forms = [(form, prepared[form] if prepared is not None else conflate(form)) for form in sorted(candidates)]
    spelled: dict[str, str] = {}
    # Most words are plain ASCII, which has no umlauts to expand.
    for word in sorted(word for word in learnt if not word.isascii()):
        key = expand_umlauts(word)
        if key != word:
            spelled.setdefault(key, word)
    keys = sorted({word if word.isascii() else expand_umlauts(word) for word in learnt})
    store.add(analysed, joined, forms, spelled.items(), keys)
    _state.new.clear()
    _state.new_terms.clear()


def irregular_forms(lemmas: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(form, lemma)`` for the dictionary's forms of ``lemmas`` that are worth storing for queries: a lemma
    plus a regular ending stems like the lemma, so the query process gets those right unaided."""
    for form, lemma in lexicon.forms_of(sorted(lemmas)):
        if not (form.startswith(lemma) and form[len(lemma):] in _REGULAR_ENDINGS):
            yield form, lemma


def prepare_for_query(index_dir: Path) -> None:
    """Called when an index is opened for searching: words are looked up in its stored vocabulary."""
    _attach(index_dir, writable=False)
    _state.query_only = True


def prefetch(surfaces: Iterable[str]) -> None:
    """In a query process, fetch the stored analyses of many words in one go: a snippet's texts hold hundreds
    of words the process has not seen, and one database query per word made cold snippets slow."""
    if not _state.query_only or not _state.stores:
        return
    wanted = {piece for surface in surfaces for piece in hyphen_pieces(surface) if not _state.analysed.holds(piece)}
    for store in _state.stores.values():
        if not wanted:
            return
        found = store.analyses_of(wanted)
        for word, analysed in found.items():
            _remember(_state.analysed, word, analysed)
        wanted.difference_update(found)


def archive_vocabulary(index_dir: Path) -> Vocabulary:
    """The stored vocabulary of the index at ``index_dir`` (its word list, spellings), opened for reading."""
    store = _state.stores.get(Path(index_dir).resolve())
    return store if store is not None else _attach(index_dir, writable=False)


def _attach(index_dir: Path, writable: bool) -> Vocabulary:
    path = Path(index_dir).resolve()
    _state.current = path
    store = _state.stores.get(path)
    if store is not None and (store.writable or not writable):
        _state.stores.move_to_end(path, last=False)
        return store
    if store is not None:
        store.close()
        del _state.stores[path]
    if writable:
        store = Vocabulary(path, ANALYSIS_VERSION, writable=True)
        store.reset_if_stale()
    else:
        store = Vocabulary.open_for_reading(path, ANALYSIS_VERSION)
        if store is None:
            return Vocabulary(path, ANALYSIS_VERSION)
    _state.stores[path] = store
    _state.stores.move_to_end(path, last=False)
    while len(_state.stores) > _MAX_STORES:
        _state.stores.popitem()[1].close()
    return store
