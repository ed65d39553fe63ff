"""Which passage a hit shows: the lead when it has the query's words, the title only as a last resort, and a
long article read only as far as its first passage with every word, with the same result as reading it all."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from conftest import EXAMPLES

from newssearch import snippets
from newssearch.index import open_index, update_index
from newssearch.search import SearchRequest, search
from newssearch.snippets import Matcher, best_snippet
from newssearch.sources import decode


Matchers = Callable[[str], list[Matcher]]


@pytest.fixture(scope="module")
def matchers_for(example_index: Path) -> Matchers:
    """What a query's words are marked by: the index's German analyzer and the query's terms."""
    analyzer = open_index(example_index).schema["body"].analyzer

    def matchers(query: str) -> list[Matcher]:
        return [(analyzer, {token.text for token in analyzer(query, mode="query")})]

    return matchers


def _shown(segments: list[tuple[str, bool]]) -> str:
    return "".join(text for text, _ in segments)


def _marked(segments: list[tuple[str, bool]]) -> list[str]:
    return [text for text, matched in segments if matched]


def test_the_lead_is_shown_when_it_holds_every_word_of_the_query(matchers_for: Matchers) -> None:
    lead = "KIEL: Der Hafen soll bis 2025 neue Liegeplätze für Fähren bekommen."
    body = "Im Hafen wird gebaut. Der Hafen wächst, und der Hafenmeister freut sich über jeden neuen Kai."
    segments = best_snippet([lead, body], matchers_for("Hafen"))
    assert _shown(segments) == lead
    assert _marked(segments) == ["Hafen"]


def test_a_later_text_wins_when_only_it_has_every_word_in_one_passage(matchers_for: Matchers) -> None:
    lead = "KIEL: Der Hafen soll bis 2025 neue Liegeplätze für Fähren bekommen."
    body = "Die Gemeinde hat lange gestritten. Am Ende stimmte der Rat für den Ausbau am Hafen."
    segments = best_snippet([lead, body], matchers_for("Gemeinde Hafen"))
    assert _shown(segments) == body
    assert _marked(segments) == ["Gemeinde", "Hafen"]


def test_the_title_is_the_snippet_only_when_no_other_text_matches(matchers_for: Matchers) -> None:
    title = "Gemeinde streitet über den Hafen"
    lead = "KIEL: Nach drei Wochen Reparatur ist die Fähre wieder unterwegs."
    body = "Der Rat tagte bis spät in die Nacht. Am Hafen warten die Pendler auf die erste Fahrt."
    with_body = best_snippet([lead, body], matchers_for("Gemeinde Hafen"), last_resort=[title])
    assert _shown(with_body) == body, "a body with one of the words beats a title with both"
    only_title = best_snippet([lead], matchers_for("Gemeinde Hafen"), last_resort=[title])
    assert _shown(only_title) == title
    assert _marked(only_title) == ["Gemeinde", "Hafen"]
    nothing = best_snippet([lead, body], matchers_for("Stadtfest"), last_resort=[title])
    assert _shown(nothing) == lead, "no text matches: the lead's opening"


def _long_body() -> str:
    """Several thousand characters of real article text from the example archive, words from every page."""
    paragraphs = []
    for page in sorted(EXAMPLES.rglob("*.txt")):
        lines = [line.strip() for line in decode(page.read_bytes())[0].splitlines()]
        paragraphs.extend(line for line in lines if len(line) > 80)
    text = "\n\n".join(paragraphs)
    assert len(text) > 6_000, "the example archive should give a long text"
    return text


# The last query's four words never stand in one window: the whole text is read, as for a prefix query's
# many expanded terms.
@pytest.mark.parametrize(
    "query", ["Hafen", "Gemeinde Hafen", "Feuerwehr Gemeinde", "Kiebitz Stadtfest", "Hafen Hafenmeister Stadtfest Kiebitz"]
)
def test_a_long_text_read_in_stretches_gives_the_snippet_of_the_whole_text(
    matchers_for: Matchers, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """The query's words put at every place around the stretch boundaries: the same passage and marks as a
    scan of the whole text at once."""
    body = _long_body()
    matchers = matchers_for(query)
    words = query.split()
    compared = 0
    for place in range(0, 5_000, 89):
        cut = body.rfind(" ", 0, place) + 1
        gap = " ".join(["und"] * (place % 40))  # the second word at varying distance
        text = f"{body[:cut]}{words[0]} {gap} {words[-1]} {body[cut:]}"
        in_stretches = best_snippet(["Kurz.", text], matchers)
        monkeypatch.setattr(snippets, "_SCAN_CHARS", 10**9)
        whole = best_snippet(["Kurz.", text], matchers)
        monkeypatch.undo()
        assert in_stretches == whole, (query, place)
        assert _marked(in_stretches), (query, place)
        compared += 1
    assert compared > 30


def _page(title: str, caption: str, lead: str, body: list[str]) -> str:
    return "\n\n".join([title, "Verkehr", caption, caption, lead, *body]) + "\n"


def test_search_hits_show_the_lead_and_the_title_only_as_a_last_resort(tmp_path: Path) -> None:
    """Through a real index: a hit whose lead holds the word shows its lead (with the dateline), although its
    body holds the word more often; a hit found through its title alone shows the title."""
    folder = tmp_path / "archiv" / "2023" / "05"
    folder.mkdir(parents=True)
    filler = [
        "Der Verkehr auf der Förde nimmt seit Jahren zu, vor allem im Sommer, wenn Ausflügler an Bord gehen.",
        "Die Stadtwerke rechnen mit höheren Kosten für Personal und Energie, wollen die Preise aber halten.",
    ]
    (folder / "2023-05-02_faehre.txt").write_text(_page(
        "Neue Fähre für die Kieler Förde",
        "Die Fähre „Kiel“ am Anleger Reventlou. Foto: Frank Peter/dpa",
        "KIEL: Die neue Fähre soll ab Mai zwischen Reventlou und Laboe pendeln.",
        [*filler, "Die alte Fähre geht nach dreißig Jahren in den Ruhestand, eine dritte Fähre ist nicht geplant.", *filler],
    ), "utf-8")
    (folder / "2023-05-03_deichbau.txt").write_text(_page(
        "Deichbau an der Westküste beginnt",
        "Bagger am Deich bei Husum. Foto: Frank Molter/dpa",
        "HUSUM: Im Sommer rücken die Bagger an, die Arbeiten dauern bis zum Herbst.",
        filler,
    ), "utf-8")
    index_dir = tmp_path / "index"
    update_index(index_dir, [tmp_path / "archiv"])

    (ferry,) = search(index_dir, SearchRequest(query="Fähre", kind="article")).hits
    assert "".join(text for text, _ in ferry.snippet).startswith("KIEL: Die neue Fähre soll ab Mai")
    assert _marked(list(ferry.snippet)) == ["Fähre"]

    (dike,) = search(index_dir, SearchRequest(query="Deichbau")).hits
    assert "".join(text for text, _ in dike.snippet) == "Deichbau an der Westküste beginnt"
    assert _marked(list(dike.snippet)) == ["Deichbau"]
