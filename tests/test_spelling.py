"""Typos: "Meinten Sie …?" suggestions and fuzzy search, on real pages in a real index."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_analysis_search import index_pages

from newssearch.search import SearchRequest, search
from newssearch.spelling import styled

PAGES = {
    "verhandlung.txt": """Verhandlungen über den Hafen stocken

Wirtschaft

Die Verhandlungen über die Mauer am Hafen stocken. Der Nato-Gipfel tagte gegenüber im Schloss.
""",
    "gericht.txt": "Prozess am Landgericht\n\nJustiz\n\nDie Verhandlung beginnt am Montag.\n",
    "mauer-1.txt": "Die Mauer bröckelt\n\nLokales\n\nAn der alten Mauer fehlen Steine.\n",
    "mauer-2.txt": "Streit um die Mauer\n\nLokales\n\nDie Mauer soll bis zum Winter saniert sein.\n",
    "maler.txt": "Ein Maler stellt aus\n\nKultur\n\nDer Maler zeigt Bilder vom Meer.\n",
    "kommentar.txt": """Sturmflut an der Küste

Lokales

Die Bilanz ist verheerend, sagen die Behörden.

Überzeugen Sie sich von unserem Online-Abo:
Pflichtfelder
Kiebitz 22.10.23 10:02
Wirklich verherend, was da passiert ist.
""",
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_pages(tmp_path_factory.mktemp("spelling"), PAGES)


def suggestion(index_dir: Path, text: str, **options: object) -> str | None:
    result = search(index_dir, SearchRequest(query=text, **options))  # type: ignore[arg-type]
    assert result.total == 0
    return result.suggestion


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Verhandlugnen", "Verhandlungen"),
        ("verhandlugnen", "verhandlungen"),
        ("VERHANDLUGNEN", "VERHANDLUNGEN"),
        ("gegenübr", "gegenüber"),
        ("gegenuebr", "gegenueber"),
        ("Nato-Gipfl", "Nato-Gipfel"),
        ("Verhandlugnen Mauerr", "Verhandlungen Mauer"),
    ],
)
def test_suggest_in_the_users_casing_and_umlaut_spelling(index_dir: Path, typed: str, expected: str) -> None:
    assert suggestion(index_dir, typed) == expected


def test_suggest_prefers_the_more_frequent_of_equally_close_words(index_dir: Path) -> None:
    # "Mater" is one edit from both Maler (one page) and Mauer (three pages).
    assert suggestion(index_dir, "Mater") == "Mauer"


def test_suggest_only_what_finds_something_under_the_same_filter(index_dir: Path) -> None:
    assert suggestion(index_dir, "Maller") == "Maler"
    assert suggestion(index_dir, "Maller", kind="comment") is None


def test_suggest_nothing_for_words_far_from_the_archive(index_dir: Path) -> None:
    assert suggestion(index_dir, "Quarkspeise") is None


def test_fuzzy_search_finds_typos_in_the_archive(index_dir: Path) -> None:
    exact = search(index_dir, SearchRequest(query="verheerend", kind="comment"))
    assert exact.total == 0
    fuzzy = search(index_dir, SearchRequest(query="verheerend", kind="comment", fuzzy=True))
    assert [hit.path for hit in fuzzy.hits] == ["kommentar.txt"]
    assert {text for hit in fuzzy.hits for text, is_match in hit.snippet if is_match} == {"verherend"}


def test_fuzzy_search_finds_other_forms_of_the_near_word(index_dir: Path) -> None:
    # The typo is two edits from "Verhandlungen" only; that word's term also finds the singular.
    fuzzy = search(index_dir, SearchRequest(query="Verhandlugnen", fuzzy=True))
    assert {hit.path for hit in fuzzy.hits} == {"verhandlung.txt", "gericht.txt"}


def test_fuzzy_search_of_a_short_word_allows_one_edit_only(index_dir: Path) -> None:
    assert {hit.path for hit in search(index_dir, SearchRequest(query="Maue", fuzzy=True)).hits} == {
        "verhandlung.txt", "mauer-1.txt", "mauer-2.txt"
    }
    assert search(index_dir, SearchRequest(query="Mxxe", fuzzy=True)).total == 0


def test_styled_without_an_archive_spelling_keeps_the_key() -> None:
    assert styled("strassenbahn", "Strasenbahn") == "Strassenbahn"


def test_fuzzy_phrase_matches_its_words_by_edit_distance(example_index: Path) -> None:
    exact = search(example_index, SearchRequest(query='"Nato Osterweiterung"'))
    typo = search(example_index, SearchRequest(query='"Nato Osterweiterrung"', fuzzy=True))
    assert exact.total > 0 and typo.total >= exact.total
    assert {hit.id for hit in exact.hits} <= {hit.id for hit in typo.hits}
