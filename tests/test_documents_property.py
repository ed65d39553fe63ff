"""Property: the page parser never raises, and every non-blank line ends up kept or dropped as boilerplate, once."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newssearch.documents import PROMO_START, clean_line, parse_page

# Lines a page really has, mixed with arbitrary text, so the parser meets both shapes and noise.
REAL_LINES = [
    "Keine Zusage an Moskau für Ende der Nato-Ausweitung",
    "Blinken\u00a0\u00a0",
    "Verteidigungsministerin Lambrecht kündigt Schutzhelme an. Foto: Friso Gentsch/dpa",
    "WASHINGTON/BRÜSSEL: Russland hat den USA Vorschläge übermittelt.",
    "Veröffentlicht am 27.01.2022, 14:30 Uhr",
    PROMO_START,
    "Die Druckausgabe als PDF-Magazin weltweit herunterladen.",
    "Pflichtfelder",
    "David Ender 27.01.22 22:29",
    "aurel aurelis 27.01.2022 16:00:59",
    "Leser 31.02.22 25:61",
    "VG Ole",
    "",
    "",
]
line = st.one_of(st.sampled_from(REAL_LINES), st.text(max_size=60))
page = st.lists(line, max_size=40).map("\n".join)
newline = st.sampled_from(["\n", "\r\n", "\r"])


def _kept(text: str, learnt: frozenset[str]) -> tuple[Counter[str], Counter[str]]:
    parsed = parse_page(text, learnt)
    return Counter(parsed.lines()), Counter(parsed.boilerplate)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=page, end=newline, learnt=st.frozensets(st.sampled_from(["VG Ole", "Blinken"]), max_size=1))
def test_parse_page_keeps_every_non_boilerplate_line_exactly_once(text: str, end: str, learnt: frozenset[str]) -> None:
    text = text.replace("\n", end)
    kept, dropped = _kept(text, learnt)
    expected = Counter(clean_line(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    del expected[""]
    assert kept + dropped == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400))
def test_parse_page_never_raises_on_any_text(text: str) -> None:
    parsed = parse_page(text)
    assert isinstance(parsed.lines(), list)


# Every kind of space and control character a page may hold, mixed into real lines and arbitrary text.
SPACES_AND_CONTROLS = "  \t\x0b\x0c\x1c\x1f\x7f\x00\x85\u00a0\u1680\u2002\u2009\u200a\u2028\u202f\u205f\u3000\ufeff"
messy_line = st.lists(
    st.one_of(
        st.sampled_from(REAL_LINES),
        st.text(max_size=12),
        st.sampled_from(list(SPACES_AND_CONTROLS)),
        st.sampled_from(["Nato", "  ", " ", "Osterweiterung"]),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=messy_line)
@example(text="Bundestag  stimmt zu ")
@example(text="\x1cNato\u00a0Gipfel\x00")
def test_a_cleaned_line_folds_every_space_and_drops_control_characters(text: str) -> None:
    """Whatever spaces and control characters a line holds, it comes out as words separated by single
    ASCII spaces, trimmed, without control characters; a clean line comes out unchanged."""
    cleaned = clean_line(text)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert all(char == " " or not (char.isspace() or char in "\ufeff\x00\x7f") for char in cleaned)
    assert cleaned.split() == [word for word in text.translate(_CONTROLS_GONE).replace("\ufeff", " ").split()]
    assert clean_line(cleaned) == cleaned


_CONTROLS_GONE = {code: None for code in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]}
