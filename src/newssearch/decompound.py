"""Splitting German compounds into the words a reader would search for: ``Schutzhelme`` → Schutz, Helme.

A frequency splitter after Koehn & Knight (2003): of all ways to cut a word into 2–4 known words, take the
one whose parts are most frequent (mean Zipf frequency from wordfreq, 0.5 off for every part beyond two),
and split only if that beats the frequency of the whole word, so ``Österreich`` and ``Wirtschaft`` stay
whole. Guards measured in ``shared/research/german-analysis.md``: parts are words simplemma knows; function
words and suffixes are never parts; verbs and adjectives (lower-case lemmas) are never split; names and
lexicalised words are protected. Non-final parts may carry a linking element (Verteidigung-s-, Bund-es-) or
have lost an ending (Grenz-, Impf-, Liefer-). Parts are looked up also without umlauts, so compounds in
comments typed on a keyboard without umlauts split too.
"""

from __future__ import annotations

import re
from typing import Iterable

from newssearch import lexicon
from newssearch.lexicon import memoize

MIN_WORD = 7
MIN_PART = 3
MAX_PARTS = 4
EXTRA_PART_COST = 0.5
# A split may score a little below the whole word: frequent compounds (Bundeswehr, Mindestlohn) are
# frequent themselves, and a reader still expects their parts to find them.
MARGIN = 0.5

# Two-letter words that start many compounds (Ölpreis, Eigelb); other two-letter cuts are accidents.
SHORT_HEADS = frozenset({"öl", "oel", "ei"})

LINKS = ("s", "es", "n", "en", "e", "er", "ens", "ns")
# A non-final part may have lost its ending: Grenz(e)kontrolle, Impf(en)pflicht, Liefer(n)kette.
LOST_ENDINGS = ("e", "en", "n")
# Endings of a nominalised adjective or participle (die Vorsitzende, der Abgeordnete): not compounds.
ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")

# Never a part: function words, particles and prefixes, whose "split" would only be derivation (ver+Handlung).
BLOCKED = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anders auch
    auf aus bei bin bis bist da damit dann das dass daß dem den denn der des dessen dich die dies diese diesem
    diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige einmal er es
    etwas euch euer eure für gegen hab habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre im in
    indem ins ist jede jeder jedes jene jetzt kann kein keine man mein meine mich mir mit muss nach nicht
    nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so soll sollte sonst um und uns unser
    unter viel vom von vor war waren was weg weil weiter welche wenn werde werden wie wieder will wir wird
    wo wollen wollte während würde zu zum zur zwar zwischen über
    denen deren dessen wessen jenen sowie etwa eben schon mehr ganz gar eher bald nie oft mal dabei dafür
    daher darum davon wobei worin womit sodass denn dennoch jedoch bereits immer nimmer
    aufm aufs ans ums ins vors fürs übers unters durchs hinterm unterm überm vorm
    ab ent ver zer emp miss ge be ur un all los dar her hinaus heraus herum voran vorbei zurück zusammen
    wegen trotz statt samt seit neben
    """.split()
)
# Never the last part: derivational suffixes that happen to be words (Wirt+schaft, Ministe+rin, Wachs+tum).
BLOCKED_FINAL = frozenset(
    """
    schaft schaften heit heiten keit keiten ung ungen lich liche lichen isch ische ischen chen lein nis
    nisse tum tümer ling linge bar bare sam same haft hafte innen rin rinnen ion ionen ist isten ismus erei
    ei tät täten ieren ation ant anten enz enzen ent enten ig ige igen igkeit er ern ers ler lern ner nern
    ie ien ik iker ur uren ade aden age agen eur eure euren ine inen ität
    """.split()
)
# Names and lexicalised words that are not what their parts say (a search for Tag must not find Bundestag).
PROTECTED = frozenset(
    """
    bundestag landtag reichstag kreistag bundesrat deutschland frankreich österreich russland finnland
    steinmeier baerbock steinbrück salzburg salzburger rosenheim hamburg hamburger freiburg augsburg
    magdeburg regensburg oldenburg flensburg rendsburg brandenburg mecklenburg luxemburg schleswig holstein
    neumünster heidelberg nürnberg bamberg wolfsburg duisburg würzburg offenburg
    weihnachten rückschluss flugzeug flugzeuge flugzeugen mitglied mitglieder vereinbarung haushalt
    """.split()
)


def _zipf_floor(piece: str) -> float:
    """How frequent a part must be: short cuts are often accidents (``Mos``+``kau``), long ones rarely."""
    if len(piece) <= 3:
        return 3.5
    if len(piece) >= 6:
        return 2.0
    return 3.0


_VOWELS = frozenset("aeiouyäöü")
NAME_ZIPF = 3.0


@memoize(200_000)
def _known(word: str) -> tuple[str, bool] | None:
    """``(lemma, has a noun reading)`` of a word that may be a part: known to the dictionary, letters only,
    with a vowel. The noun's lemma comes first: a compound's parts are mostly nouns (Bremse, not bremsen)."""
    if len(word) < 2 or word in BLOCKED or not word.isalpha() or _VOWELS.isdisjoint(word):
        return None
    noun, lower = lexicon.readings(word)
    if noun is not None:
        return noun, True
    return (lower, False) if lower is not None else None


def _may_link(base: str, link: str) -> bool:
    """Whether German joins ``base`` with ``link``: -n(s)- only after -e/-er/-el (Truppe-n, Bauer-n, Name-ns),
    the others only after a consonant (Bund-es-, Kind-er-, Staat-s-)."""
    if link in ("n", "ns"):
        return base.endswith(("e", "er", "el"))
    return base[-1:] not in _VOWELS


@memoize(200_000)
def head_part(piece: str) -> tuple[float, str] | None:
    """Score and word of ``piece`` as a non-final part: the word itself, without its linking element, or
    with its lost ending restored (only to a base form: Grenz → Grenze, never Kont → Konten)."""
    if (len(piece) < MIN_PART and piece not in SHORT_HEADS) or piece in BLOCKED:
        return None
    # Nearly every substring is no word at all: the frequency list (one dict lookup) rules it out first, and
    # without ae/oe/ue/ß (which a restored ending can only add after a, o or u) that lookup is all of ``listed``.
    words = lexicon.frequency_table()
    respellable = lexicon.respellable(piece)
    listed = lexicon.listed
    best: tuple[float, str] | None = None
    for base in _bases(piece):
        found = _known(base) if (listed(base) if respellable else base in words) else None
        # An inflected verb or adjective (lief, neue) is no compound head; an inflected noun (Truppen) is.
        if found is not None and (found[1] or found[0] == base):
            score = max(lexicon.zipf(base), lexicon.zipf(found[0]))
            floor = _zipf_floor(piece if len(piece) < len(base) else base)
            if score >= floor and (best is None or score > best[0]):
                best = (score, base)
        elif len(base) >= 4 and base not in BLOCKED:
            plain = not respellable and base[-1] not in "aou"
            for ending in LOST_ENDINGS:
                restored = base + ending
                if not (restored in words if plain else listed(restored)):
                    continue
                if (_known(restored) or ("", False))[0] == restored:
                    score = lexicon.zipf(restored)
                    floor = _zipf_floor(piece if len(piece) < len(restored) else restored)
                    if score >= floor and (best is None or score > best[0]):
                        best = (score, restored)
    return best


# The linking elements by their last letter, in the order of LINKS: most pieces end in none of them.
_LINKS_BY_LAST = {last: tuple(link for link in LINKS if link[-1] == last) for last in {link[-1] for link in LINKS}}


def _bases(piece: str) -> list[str]:
    """The piece itself and the piece without each linking element German allows after it."""
    bases = [piece]
    for link in _LINKS_BY_LAST.get(piece[-1:], ()):
        if piece.endswith(link):
            base = piece[: -len(link)]
            if len(base) >= MIN_PART and _may_link(base, link):
                bases.append(base)
    return bases


@memoize(200_000)
def tail_part(piece: str) -> tuple[float, str] | None:
    """Score and word of ``piece`` as the last part, which must be a noun; an inflected form counts with its
    lemma's frequency."""
    if len(piece) < MIN_PART or piece in BLOCKED_FINAL:
        return None
    if piece not in lexicon.frequency_table() and (not lexicon.respellable(piece) or not lexicon.listed(piece)):
        return None
    found = _known(piece)
    if found is None or not found[1] or found[0] in BLOCKED or found[0] in BLOCKED_FINAL:
        return None
    score = max(lexicon.zipf(piece), lexicon.zipf(found[0]))
    return (score, piece) if score >= _zipf_floor(piece) else None


_PROTECTED_ALTERNATIVES = "|".join(sorted(PROTECTED, key=len, reverse=True))
_PROTECTED_INSIDE = re.compile("(?=(" + _PROTECTED_ALTERNATIVES + "))")
# Twice as fast as the overlapping search, and nearly every word contains no protected word.
_PROTECTED_ANYWHERE = re.compile(_PROTECTED_ALTERNATIVES)


def _protected_interiors(word: str) -> set[int]:
    """Cut positions inside a protected word (Haushalt|s|defizit is never Haus+Halt+Defizit)."""
    inside: set[int] = set()
    if _PROTECTED_ANYWHERE.search(word) is None:
        return inside
    for match in _PROTECTED_INSIDE.finditer(word):
        inside.update(range(match.start() + 1, match.start() + len(match.group(1))))
    return inside


def _participle_seam(word: str, cut: int) -> bool:
    """Whether ``word[cut:]`` is a participle's ending, not the noun Ende (Vorsitz|ende is vorsitzend-e)."""
    if not word.startswith("end", cut):
        return False
    for length in range(3, 9):
        if length <= cut:
            known = _known(word[cut - length : cut] + "end")
            if known is not None and not known[1]:
                return True
    return False


Split = tuple[float, tuple[tuple[int, int, str], ...]]
Head = tuple[int, float, str]
_UNSEEN = object()


def _best_over(start: int, heads: list[Head], rests: dict[int, Split | None]) -> Split | None:
    """Best (sum of scores, cuts) of a head from ``start`` followed by the best rest where the head ends; on a
    tie the shorter head wins."""
    top: Split | None = None
    for end, score, part in heads:
        rest = rests.get(end)
        if rest is not None and (top is None or score + rest[0] > top[0]):
            top = (score + rest[0], ((start, end, part), *rest[1]))
    return top


def _best_split(word: str) -> tuple[float, list[tuple[int, int, str]]] | None:
    """The highest-scoring cut of ``word`` into 2–4 parts as (score, [(start, end, part word)])."""
    n = len(word)
    last_cut = n - MIN_PART
    blocked = _protected_interiors(word)
    # The memo tables read directly: a word's search looks up some twenty substrings, most seen before.
    known_tails = tail_part.cache  # type: ignore[attr-defined]
    cuts: Iterable[int] = range(2, last_cut + 1)
    if not lexicon.respellable(word):
        # A suffix of a word without ae/oe/ue/ß is listed only as written: most are not, and need no memo entry.
        words = lexicon.frequency_table()
        cuts = [i for i in cuts if word[i:] in words]
    tails: dict[int, Split | None] = {}
    for i in cuts:
        piece = word[i:]
        tail = known_tails.get(piece, _UNSEEN)
        if tail is _UNSEEN:
            tail = tail_part(piece)
        if tail is not None and i not in blocked and not _participle_seam(word, i):
            tails[i] = (tail[0], ((i, n, tail[1]),))
    if not tails:
        return None
    known_heads = head_part.cache  # type: ignore[attr-defined]
    # Another part (two letters at least: Öl, Ei) and the last part cannot follow a head ending after ``reach``,
    # so a head ending there is looked up only where the last part may begin. This spares the longest
    # substrings, which are rarely words and rarely seen before.
    reach = max(tails) - 2

    def heads_from(start: int, only_before_tails: bool = False) -> list[Head]:
        """The parts that may begin at ``start``, by where they end: before a last part only, or also where
        more parts may follow."""
        ends = [end for end in tails if end >= start + 2 and (only_before_tails or end > reach)]
        if not only_before_tails:
            ends[:0] = range(start + 2, reach + 1)
        heads: list[Head] = []
        for end in ends:
            # A two-letter head is one of SHORT_HEADS or nothing: no need to look it up.
            if end in blocked or (end == start + 2 and word[start:end] not in SHORT_HEADS):
                continue
            piece = word[start:end]
            head = known_heads.get(piece, _UNSEEN)
            if head is _UNSEEN:
                head = head_part(piece)
            if head is not None:
                heads.append((end, head[0], head[1]))
        return heads

    # Searched from the word's start, so only heads that begin where an earlier head ended are looked up: all
    # heads from the start and from the ends of its heads (a third and fourth part may follow those), from
    # further ends only heads a last part follows.
    first = heads_from(0)
    seconds = {start: heads_from(start) for start, _, _ in first}
    thirds: dict[int, list[Head]] = {}
    for heads in seconds.values():
        for start, _, _ in heads:
            if start not in seconds and start not in thirds:
                thirds[start] = heads_from(start, only_before_tails=True)
    two: dict[int, Split | None] = {start: _best_over(start, heads, tails) for start, heads in thirds.items()}
    two.update((start, _best_over(start, heads, tails)) for start, heads in seconds.items())
    three = {start: _best_over(start, heads, two) for start, heads in seconds.items()}
    # The best cut into two, three and four (MAX_PARTS) parts.
    by_parts = (_best_over(0, first, tails), _best_over(0, first, two), _best_over(0, first, three))

    winner: tuple[float, list[tuple[int, int, str]]] | None = None
    for parts, found in enumerate(by_parts, start=2):
        if found is None:
            continue
        score = found[0] / parts - EXTRA_PART_COST * (parts - 2)
        if winner is None or score > winner[0]:
            winner = (score, list(found[1]))
    return winner


def _looks_like_name(word: str) -> bool:
    """A word the dictionary does not know but news text uses often is a name (Lauterbach, not Laut+Bach)."""
    if lexicon.zipf(word) >= NAME_ZIPF:
        return True
    return word.endswith("s") and not lexicon.is_known(word[:-1]) and lexicon.zipf(word[:-1]) >= NAME_ZIPF


def splittable(word: str) -> bool:
    """Whether ``word`` may be split at all: long enough, letters only, not protected, not a verb or
    adjective, not a nominalised adjective or participle (die Vorsitzende: vorsitzend+e, not Vorsitz+Ende)."""
    if len(word) < MIN_WORD or not word.isalpha() or word in PROTECTED:
        return False
    noun, lower = lexicon.readings(word)
    if noun is None and lower is not None:
        return False
    if lower is None and noun is None and _looks_like_name(word):
        return False
    for ending in ADJECTIVE_ENDINGS:
        if word.endswith(ending):
            stem = _known(word[: -len(ending)])
            if stem is not None and not stem[1]:
                return False
    return True


@memoize(20_000)
def split(word: str) -> tuple[str, ...]:
    """The parts of a compound, then its known sub-compounds (``gaspreisbremse`` → gas, preis, bremse,
    gaspreis, preisbremse); empty for a word that is not a compound. Non-final parts come as words
    (``verteidigungs`` → verteidigung), the last part as written, so it keeps its inflection."""
    if not splittable(word):
        return ()
    found = _best_split(word)
    if found is None or found[0] <= lexicon.zipf(word) - MARGIN:
        return ()
    cuts = found[1]
    parts: list[str] = [part for _, _, part in cuts]
    # Known runs of adjacent parts (Gaspreis, Preisbremse, Weltmeisterschaft) are words a reader searches for.
    for first in range(len(cuts)):
        for last in range(first + 1, len(cuts)):
            if first == 0 and last == len(cuts) - 1:
                continue
            start, end = cuts[first][0], cuts[last][1]
            run = tail_part(word[start:]) if end == len(word) else head_part(word[start:end])
            if run is not None and run[1] not in parts:
                parts.append(run[1])
    return tuple(parts)
