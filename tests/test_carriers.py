"""Jumping ahead in long texts: the place ``CarrierWords.earliest`` gives is never after the first word that
carries a query's terms, whatever hyphens, soft hyphens, gender marks, dots or capitals that word is written
with, and a hit's snippet through a real index is the same with the jump as without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newssearch import carriers, snippets
from newssearch.analysis import TOKEN_PATTERN, vocabulary_keys
from newssearch.carriers import CarrierWords, ascii_fold, skeleton
from newssearch.index import update_index
from newssearch.search import SearchRequest, search

# Words as German pages write them, with every character the analysis drops or splits at.
SURFACES = [
    "Nato-Gipfel", "NATO‐GIPFEL", "Osterweite\u00adrung", "Bürger*innen", "Lehrer:innen", "Kolleg_in", "1.000",
    "3,5", "12:30", "Kohl’s", "Gegenüber", "gegenueber", "Straße", "STRASSE", "Ukrainekrieg", "Krieg", "Σίσυφος",
    "İzmir", "E-Mail-Adresse", "Wahl‑Kampf", "O'Neill", "GROẞE", "\u212aelvin", "Größe", "Ärzte",
]
word = st.one_of(
    st.sampled_from(SURFACES),
    st.text(alphabet="aäbeiknoöprsßtuüAÄKNÖSÜẞ-\u00ad*:_.’'0123456789ΣİI\u212a", min_size=1, max_size=12),
)
gap = st.sampled_from([" ", "\n\n", " – ", ", ", ". ", " (", ") "])


def _first_carrying(text: str, carried: set[str]) -> int:
    """Where the first token whose stored keys include a carrier starts (the text's length when none does)."""
    for token in TOKEN_PATTERN.finditer(text):
        if not carried.isdisjoint(vocabulary_keys(token.group())):
            return token.start()
    return len(text)


@settings(max_examples=400, deadline=None)
@given(words=st.lists(word, min_size=1, max_size=60), gaps=st.lists(gap, min_size=60, max_size=60),
       pick=st.integers(min_value=0, max_value=59), key=st.integers(min_value=0, max_value=5),
       start_word=st.integers(min_value=0, max_value=59), block=st.sampled_from([1, 3, 13, 40, 2_000]))
@example(words=["Der", "Gipfel", "der", "Nato-Gipfel"], gaps=[" "] * 60, pick=3, key=0, start_word=0, block=2_000)
def test_the_jump_never_lands_after_the_first_carrying_word(
    words: list[str], gaps: list[str], pick: int, key: int, start_word: int, block: int
) -> None:
    """Also with first blocks of a few characters, so that the blocks' edges fall everywhere in the text."""
    text = "".join(w + g for w, g in zip(words, gaps)).strip()
    tokens = [token.group() for token in TOKEN_PATTERN.finditer(text)]
    if not tokens:
        return
    keys = vocabulary_keys(tokens[pick % len(tokens)])
    if not keys:
        return
    carried = {keys[key % len(keys)]}
    # Start after whitespace, as a scan does.
    starts = [0] + [index + 1 for index, character in enumerate(text) if character.isspace()]
    start = starts[start_word % len(starts)]
    first_block = carriers._FIRST_BLOCK_CHARS
    carriers._FIRST_BLOCK_CHARS = block
    try:
        landed = CarrierWords(carried, vocabulary_keys).earliest(text, start)
    finally:
        carriers._FIRST_BLOCK_CHARS = first_block
    assert start <= landed <= len(text)
    assert landed <= _first_carrying(text[start:], carried) + start


def test_every_character_folds_as_its_lower_case_does_but_the_two_looked_out_for() -> None:
    """What the jump relies on: the fold of a character's lower case is the fold of the character, for every
    code point except İ and the Kelvin sign, whose lower case holds an ASCII letter."""
    differing = [
        hex(point) for point in range(0x110000)
        if not 0xD800 <= point <= 0xDFFF and ascii_fold(chr(point).lower()) != ascii_fold(chr(point))
    ]
    assert differing == [hex(ord(character)) for character in carriers._UNSAFE]


def test_a_compound_stands_for_the_longer_words_that_hold_it() -> None:
    words = CarrierWords({"krieg", "ukrainekrieg", "weltkrieg", "kriege", "natogipfel"}, vocabulary_keys)
    assert set(words.needles() or ()) == {b"krieg", b"natogipfel"}
    assert skeleton("NATO-Gipfel") == "natogipfel"


def test_too_many_words_to_look_for_mean_no_jump() -> None:
    many = CarrierWords({f"wort{number:03d}x{'y' * (number % 7)}" for number in range(200)}, vocabulary_keys)
    assert many.needles() is None
    text = "Ein langer Text. " * 1000 + "wort001x"
    assert many.earliest(text, 0) == 0, "without needles the scan reads on from where it is"


def _article(body: list[str]) -> str:
    return "\n\n".join([
        "Gipfel in Vilnius", "Bündnis", "Die Staats- und Regierungschefs vor dem Treffen. Foto: dpa",
        "Die Staats- und Regierungschefs vor dem Treffen. Foto: dpa",
        "VILNIUS: Das Bündnis berät über die Lage im Osten.", *body,
    ]) + "\n"


FILLER = (
    "Die Delegationen reisten schon am Vorabend an, die Straßen der Altstadt waren weiträumig gesperrt, und "
    "Hunderte Polizisten sicherten die Zufahrten zum Tagungszentrum am Ufer der Neris. "
)


@pytest.mark.parametrize("query", ["Natogipfel", "Osterweiterung", "Bürgerinnen", "1000", "Gipfel", "Kriegsende"])
def test_a_hit_deep_in_a_long_article_shows_the_same_snippet_with_the_jump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """Through a real index: the words stand only far into long bodies, written with hyphens, soft hyphens,
    gender marks and thousands dots; the snippet and its marks are those of a scan without jumps."""
    folder = tmp_path / "archiv" / "2023" / "07"
    folder.mkdir(parents=True)
    forms = ["NATO-Gipfel", "Osterweite\u00adrung", "Bürger*innen", "1.000", "Nato-Gipfels", "Kriegs-Ende"]
    for number in range(6):
        body = [FILLER * (8 + 3 * number)]
        body.append(f"Am Ende sprach man über die {forms[number]} und die {forms[(number + 1) % 6]}. " + FILLER)
        body.append(FILLER * 4)
        (folder / f"2023-07-1{number}_gipfel.txt").write_text(_article(body), "utf-8")
    index_dir = tmp_path / "index"
    update_index(index_dir, [tmp_path / "archiv"])

    jumps = []
    real_earliest = CarrierWords.earliest

    def counted(self: CarrierWords, text: str, start: int) -> int:
        landed = real_earliest(self, text, start)
        jumps.append(landed - start)
        return landed

    monkeypatch.setattr(CarrierWords, "earliest", counted)
    request = SearchRequest(query=query, kind="article")
    with_jumps = [(hit.id, hit.snippet) for hit in search(index_dir, request).hits]
    assert with_jumps and any(jump > 2 * snippets._SCAN_CHARS for jump in jumps), "the scan should have jumped"
    assert all(any(marked for _, marked in snippet) for _, snippet in with_jumps), with_jumps

    monkeypatch.setattr(carriers, "_MOST_NEEDLES", 0)  # no needles: every stretch is tokenised
    jumps.clear()
    without = [(hit.id, hit.snippet) for hit in search(index_dir, request).hits]
    assert not any(jumps)
    assert with_jumps == without
