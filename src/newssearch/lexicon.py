"""German word knowledge from installed packages: lemmas (simplemma) and word frequencies (wordfreq).

Both tables are big (about 100 MB and one second each to load), so they are loaded once per process, on first
use, and only by indexing: a query process reads the analysed forms the indexer stored with the index instead.
Every function takes a normalised (lower-case) word and also accepts the spelling without umlauts that
comments use (``koepfe``, ``strasse``): such a word, when unknown, is looked up with its umlauts restored.
"""

from __future__ import annotations

import math
import re
import threading
from functools import wraps
from itertools import compress, product
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from newssearch.caches import Generations
from newssearch.table_cache import cached_table

_lock = threading.Lock()
_lemmas: Mapping[str, str] | None = None
_raw_lemmas: dict[bytes, bytes] | None = None
_frequencies: dict[str, float] | None = None

# Spellings a keyboard without umlauts produces, and the letter each may stand for.
_RESTORABLE = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))
_MAX_RESTORE_SITES = 4
_MAY_RESTORE = re.compile("ae|oe|ue|ss")
_MAY_HAVE_UMLAUT = re.compile("ae|oe|ue")
_MAY_RESPELL = re.compile("ae|oe|ue|ß")
_LETTER = dict(_RESTORABLE)


_Result = TypeVar("_Result")
_MISSING = object()


def memoize(limit: int) -> Callable[[Callable[[str], _Result]], Callable[[str], _Result]]:
    """Cache a function of one word in two generations of at most ``limit`` entries each (``caches``).

    Not ``functools.lru_cache``: its bookkeeping is one small list per entry, hundreds of thousands of
    objects that Python's garbage collector would walk again and again during an indexing run."""

    def decorate(function: Callable[[str], _Result]) -> Callable[[str], _Result]:
        cache = Generations(limit)

        @wraps(function)
        def cached(word: str) -> _Result:
            found = cache.get(word, _MISSING)
            if found is _MISSING:
                found = cache.recall(word, _MISSING)
                if found is _MISSING:
                    found = function(word)
                    cache.put(word, found)
            return found  # type: ignore[no-any-return]

        cached.cache_clear = cache.clear  # type: ignore[attr-defined]
        # For hot loops that look up many words: ``cache.get`` costs no Python call on a hit.
        cached.cache = cache  # type: ignore[attr-defined]
        return cached

    return decorate


def loaded() -> bool:
    """Whether the lemma table is in memory already (then full analysis of a new word is cheap)."""
    return _lemmas is not None


def load_tables() -> None:
    """Load both tables now (an indexing worker that will analyse a whole archive)."""
    lemma_table()
    frequency_table()


def lemma_table() -> Mapping[str, str]:
    """simplemma's German form → lemma table (case-sensitive keys: nouns are capitalised)."""
    global _lemmas, _raw_lemmas
    if _lemmas is None:
        with _lock:
            if _lemmas is None:
                # simplemma keeps the table as bytes; reading that dict directly avoids a wrapper call per
                # lookup (a third of the indexing time).
                _raw_lemmas = cached_table("lemmas-de", "simplemma", _simplemma_bytes)
                _lemmas = _BytesTable(_raw_lemmas)
    return _lemmas


def _simplemma_bytes() -> dict[bytes, bytes]:
    from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

    table = DEFAULT_DICTIONARY_FACTORY.get_dictionary("de")
    raw = getattr(table, "_dict", None)
    if isinstance(raw, dict) and all(isinstance(key, bytes) for key in list(raw)[:3]):
        return raw
    return {form.encode(): lemma.encode() for form, lemma in table.items()}


class _BytesTable(Mapping[str, str]):
    """The lemma table read as text (the public view of ``_raw_lemmas``)."""

    def __init__(self, raw: dict[bytes, bytes]) -> None:
        self._raw = raw

    def __getitem__(self, form: str) -> str:
        return self._raw[form.encode()].decode()

    def __iter__(self) -> Iterator[str]:
        return (form.decode() for form in self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _get(word: str) -> str | None:
    """One case-sensitive lookup in the lemma table."""
    if _raw_lemmas is not None:
        found = _raw_lemmas.get(word.encode())
        return found.decode() if found is not None else None
    return lemma_table().get(word)


def frequency_table() -> dict[str, float]:
    """wordfreq's large German list: casefolded word (ß as ss) → frequency per word of running text."""
    global _frequencies
    if _frequencies is None:
        with _lock:
            if _frequencies is None:
                _frequencies = cached_table("frequencies-de-large", "wordfreq", _wordfreq_table)
    return _frequencies


def _wordfreq_table() -> dict[str, float]:
    import wordfreq

    return dict(wordfreq.get_frequency_dict("de", wordlist="large"))


def restorations(word: str) -> list[str]:
    """``fuesse`` → ``füße``, ``füsse``, ``fueße``: the word with some ae/oe/ue/ss read as umlauts or ß,
    most restorations first. A ``ue`` after a vowel or q (``neue``, ``quer``) is never an umlaut."""
    sites: list[tuple[int, str]] = []
    # Leftmost non-overlapping pairs, as a left-to-right scan finds them (no pair starts with the e of a ue).
    for match in _MAY_RESTORE.finditer(word):
        index = match.start()
        pair = match.group()
        if pair == "ue" and index and word[index - 1] in "aeiouäöüq":
            continue
        sites.append((index, _LETTER[pair]))
        if len(sites) == _MAX_RESTORE_SITES:
            break
    if not sites:
        return []
    variants: list[tuple[int, str]] = []
    for choice in product((True, False), repeat=len(sites)):
        if not any(choice):
            continue
        pieces, last = [], 0
        for (site, letter), take in zip(sites, choice):
            if take:
                pieces.append(word[last:site])
                pieces.append(letter)
                last = site + 2
        pieces.append(word[last:])
        variants.append((-sum(choice), "".join(pieces)))
    return [variant for _, variant in sorted(variants)]


def _lookup(word: str) -> tuple[str | None, str | None]:
    """The lemma of the noun reading (``Köpfe``) and of the lower-case reading (``köpfe``), as simplemma has them."""
    if _lemmas is None:
        lemma_table()
    raw = _raw_lemmas
    if raw is None:
        return _get(word[:1].upper() + word[1:]), _get(word)
    noun = raw.get((word[:1].upper() + word[1:]).encode())
    lower = raw.get(word.encode())
    return (noun.decode() if noun is not None else None), (lower.decode() if lower is not None else None)


@memoize(200_000)
def readings(word: str) -> tuple[str | None, str | None]:
    """The lower-case lemmas of the noun reading (``Köpfe`` → kopf) and of the lower-case reading
    (``köpfe`` → köpfen) of a word, for the first spelling the dictionary knows (also without umlauts)."""
    noun, lower = _lookup(word)
    if noun is None and lower is None:
        # Restorations only when the word as written is unknown: most words are found as they are.
        for candidate in restorations(word):
            noun, lower = _lookup(candidate)
            if noun is not None or lower is not None:
                break
        else:
            return None, None
    if noun is not None and not noun[:1].isupper():
        noun, lower = None, lower or noun
    return (noun.lower() if noun else None), (lower.lower() if lower else None)


@memoize(200_000)
def dictionary_lemma(word: str) -> tuple[str, bool] | None:
    """``(lemma, is_noun)`` for a word the dictionary knows (also written without umlauts), else None.

    Lower-case input is ambiguous (``köpfe`` is Köpfe or köpfen, ``handel`` is Handel or handeln). A word that
    is the base form of one reading means that one (Handel, Rate, drücken); otherwise the reading whose lemma
    is the more frequent word wins (Köpfe → Kopf, neuen → neu).
    """
    noun, lower = readings(word)
    if noun is None or lower is None or noun == lower:
        chosen = noun or lower
        return None if chosen is None else (chosen, noun is not None)
    if (noun == word) != (lower == word):
        return (noun, True) if noun == word else (lower, False)
    return (noun, True) if zipf(noun) >= zipf(lower) else (lower, False)


@memoize(200_000)
def lemma(word: str) -> str:
    """The lower-case lemma of a word the dictionary knows, else the word itself.

    simplemma's guessing rules for unknown words are left out on purpose: the stemmer after this step
    strips regular endings anyway, and a query process (which has no dictionary) then treats a word the
    archive lacks exactly as the indexer did."""
    found = dictionary_lemma(word)
    return word if found is None else found[0]


def is_known(word: str) -> bool:
    """Whether the lemma dictionary knows the word in some spelling."""
    return dictionary_lemma(word) is not None


def listed(word: str) -> bool:
    """Whether wordfreq lists the word in some spelling: one dict lookup for nearly every word, which makes
    it the cheap first test of the many substrings a compound splitter tries."""
    table = _frequencies if _frequencies is not None else frequency_table()
    if word in table:
        return True
    if "ß" in word:
        # Every restoration of a word with ß keeps the ß, and wordfreq spells ß as ss.
        return word.replace("ß", "ss") in table
    return _MAY_HAVE_UMLAUT.search(word) is not None and any(
        variant in table for variant in restorations(word) if "ß" not in variant
    )


def respellable(word: str) -> bool:
    """Whether ``word`` has ae, oe, ue or ß, without which ``listed(word)`` is just ``word in frequency_table()``."""
    return _MAY_RESPELL.search(word) is not None


@memoize(300_000)
def zipf(word: str) -> float:
    """Zipf frequency (log10 per billion words; 0 for unknown) of the word in its best-attested spelling."""
    table = frequency_table()
    best = table.get(word.replace("ß", "ss") if "ß" in word else word, 0.0)
    # wordfreq's keys spell ß as ss already, so only ae/oe/ue need their umlauts back.
    if _MAY_HAVE_UMLAUT.search(word):
        for variant in restorations(word):
            if "ß" not in variant:
                best = max(best, table.get(variant, 0.0))
    return math.log10(best) + 9.0 if best > 0 else 0.0


def all_lemmas() -> set[str]:
    """Every lemma of the dictionary, in lower case (what ``forms_of`` takes)."""
    table = lemma_table()
    if _raw_lemmas is not None:
        return {base.decode().lower() for base in set(_raw_lemmas.values())}
    return {base.lower() for base in set(table.values())}


def forms_of(lemmas: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(form, lemma)`` for every lower-case form the dictionary lists for the given lower-case lemmas
    (``kopf`` → köpfe, kopfes …), in one pass over the table.

    Used to store the analysis of words a query may use although the archive does not (``übermittelt`` when
    the archive only has ``übermitteln``), so a query process needs no dictionary.
    """
    wanted: set[str] = set()
    for lemma in lemmas:
        wanted.add(lemma)
        wanted.add(lemma[:1].upper() + lemma[1:])
    table: Any = lemma_table()
    if _raw_lemmas is not None:
        encoded = {word.encode() for word in wanted}
        # The pass over the 1.1 million forms runs in C: only the matches come back to Python.
        for form, base in compress(_raw_lemmas.items(), map(encoded.__contains__, _raw_lemmas.values())):
            text = form.decode()
            if text.isalpha():
                yield text.lower(), base.decode().lower()
        return
    for form, base in table.items():
        if base in wanted and form.isalpha():
            yield form.lower(), base.lower()
