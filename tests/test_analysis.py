"""The German analyzer on real German words: what terms a page and a query become."""

from __future__ import annotations

import pickle

import pytest

from newssearch import decompound
from newssearch.analysis import (
    PART_BOOST,
    STOP_WORDS,
    expand_umlauts,
    german_analyzer,
    normalise,
)


def index_tokens(text: str) -> list[tuple[str, int, float, int, int]]:
    """(term, position, boost, startchar, endchar) of every token the index-mode analyzer emits."""
    return [
        (t.text, t.pos, t.boost, t.startchar, t.endchar)
        for t in german_analyzer()(text, positions=True, chars=True, mode="index")
    ]


def query_terms(text: str) -> list[str]:
    return [t.text for t in german_analyzer()(text, mode="query")]


def term(word: str) -> str:
    (only,) = query_terms(word)
    return only


def parts_of(word: str) -> set[str]:
    """The part terms index mode adds to a single word (everything but the word's own term)."""
    return {text for text, *_ in index_tokens(word)} - {term(word)}


def test_analyzer_compound_parts_share_position_span_and_weigh_half() -> None:
    tokens = index_tokens("Arbeiter tragen Schutzhelme")
    helme = [t for t in tokens if t[1] == 2]
    assert helme[0] == (term("Schutzhelme"), 2, 1.0, 16, 27)
    assert {t[0] for t in helme[1:]} == {term("Schutz"), term("Helm")}
    assert all(t[2] == PART_BOOST and (t[3], t[4]) == (16, 27) for t in helme[1:])


def test_analyzer_query_mode_keeps_a_compound_whole() -> None:
    assert query_terms("Osterweiterung") == [term("Osterweiterung")]
    assert term("Osterweiterung") not in {term("Osten"), term("Erweiterung")}


def test_analyzer_hyphenated_word_whole_and_pieces_at_consecutive_positions() -> None:
    tokens = index_tokens("Nato-Osterweiterung")
    by_position = {}
    for text, pos, boost, start, end in tokens:
        by_position.setdefault(pos, []).append((text, boost))
        assert (start, end) == (0, 19)
    assert by_position[0][:2] == [(term("Natoosterweiterung"), 1.0), (term("Nato"), 1.0)]
    assert (term("Osterweiterung"), 1.0) in by_position[1]
    assert (term("Erweiterung"), PART_BOOST) in by_position[1]
    assert query_terms("Nato-Osterweiterung") == [term("Nato"), term("Osterweiterung")]


@pytest.mark.parametrize(
    "compound, part",
    [
        ("Bündniserweiterung", "Erweiterung"),
        ("Schulschließungen", "Schließung"),
        ("Verteidigungsministerin", "Ministerin"),
        ("Bundesregierung", "Regierung"),
        ("Grenzkontrollen", "Grenze"),
        ("Friedensverhandlungen", "Verhandlung"),
        ("Kampfdrohnen", "Drohne"),
        ("Gaspreisbremse", "Preis"),
    ],
)
def test_analyzer_splits_compounds_with_linking_letters(compound: str, part: str) -> None:
    assert term(part) in parts_of(compound)


def test_analyzer_splits_compounds_typed_without_umlauts() -> None:
    assert parts_of("Schulschliessungen") == parts_of("Schulschließungen")
    assert term("Amt") in parts_of("Gesundheitsaemter")


@pytest.mark.parametrize(
    "word, not_a_part",
    [
        ("Bundestag", "Tag"),
        ("Steinmeier", "Stein"),
        ("Österreich", "Reich"),
        ("Verhandlung", "Handlung"),
        ("Abstimmung", "Stimmung"),
        ("Wirtschaft", "Wirt"),
        ("vereinbart", "Verein"),
        ("Vorsitzende", "Ende"),
        ("Lauterbachs", "Bach"),
    ],
)
def test_analyzer_keeps_names_and_derivations_whole(word: str, not_a_part: str) -> None:
    assert parts_of(word) == set()
    assert term(not_a_part) != term(word)


@pytest.mark.parametrize(
    "one, other",
    [
        ("gegenüber", "gegenueber"),
        ("Fußball", "Fussball"),
        ("Straße", "Strasse"),
        ("Straße", "STRASSE"),
        ("Köpfe", "Koepfe"),
        ("Österreich", "Oesterreich"),
        ("Verhandlung", "Verhandlungen"),
        ("Staat", "Staaten"),
        ("übermitteln", "übermittelt"),
        ("Gesundheitsamt", "Gesundheitsämter"),
        ("Köpfe", "Kopf"),
        ("5000", "5.000"),
        ("Verteidigungsministerin", "Verteidigungs\u00administerin"),
        ("Bürgerinnen", "Bürger*innen"),
        ("Messen", "Messe"),
    ],
)
def test_analyzer_conflates_spellings_and_inflections(one: str, other: str) -> None:
    assert term(one) == term(other)


@pytest.mark.parametrize(
    "one, other",
    [("schon", "schön"), ("zahlen", "zählen"), ("Förderung", "Forderung"), ("Bürger", "Burg"),
     ("Ostern", "Osten"), ("Bauer", "Bau"), ("Rate", "Rat"), ("drücken", "drucken"), ("Messe", "Messer"),
     ("Lager", "Lage")],
)
def test_analyzer_keeps_different_words_apart(one: str, other: str) -> None:
    assert term(one) != term(other)


def test_analyzer_würde_and_wurde_stay_apart() -> None:
    # "würde" is on Whoosh's German stop list: it never becomes a term, so it cannot merge with "wurde".
    assert "würde" in STOP_WORDS
    assert query_terms("würde") == []
    assert query_terms("wurde") == [term("wurde")]


def test_analyzer_drops_stop_words_and_renumbers_positions() -> None:
    tokens = index_tokens("Die Tür der Nato ist offen")
    assert [(text, pos) for text, pos, *_ in tokens] == [(term("Tür"), 0), (term("Nato"), 1), (term("offen"), 2)]


def test_analyzer_keeps_dates_times_and_numbers_whole() -> None:
    assert query_terms("am 21.10.2023 um 14:30 Uhr, 3,5 Prozent") == [
        "21.10.2023", "14:30", term("Uhr"), "3,5", term("Prozent"),
    ]


def test_analyzer_pickles_small_and_equal() -> None:
    analyzer = german_analyzer()
    list(analyzer("Schutzhelme für die Ukraine", mode="index"))
    data = pickle.dumps(analyzer)
    assert len(data) < 4000
    restored = pickle.loads(data)
    assert restored == analyzer
    assert [t.text for t in restored("Schutzhelme")] == [t.text for t in analyzer("Schutzhelme")]


def test_normalise_and_expand_umlauts() -> None:
    assert normalise("Bürger*innen") == "bürgerinnen"
    assert normalise("5.000") == "5000"
    assert expand_umlauts("Größe") == "Groesse"


def test_decompound_returns_parts_then_sub_compounds() -> None:
    assert decompound.split("gaspreisbremse")[:3] == ("gas", "preis", "bremse")
    assert "gaspreis" in decompound.split("gaspreisbremse")
    assert decompound.split("regierung") == ()
