"""The search page through Flask's test client, on a real index of German pages written into a temp folder."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newssearch.app import create_app, page_numbers
from newssearch.index import update_index

NBSP = "\u00a0\u00a0"
PROMO = (
    "Überzeugen Sie sich von unserem Online-Abo:\n"
    "Die Druckausgabe als PDF-Magazin herunterladen und im Archiv stöbern.\n"
    "Pflichtfelder\n"
)
PAGES = {
    "2022/01/2022-01-26_nato.txt": (
        "Historikerin ordnet den Streit um die Nato-Osterweiterung ein\n\n"
        f"Ukraine-Krise{NBSP}\n\n"
        "Die Historikerin Annika Wessel sprach im Audimax. Foto: Tobias Reimers/dpa\n"
        "Die Historikerin Annika Wessel sprach im Audimax. Foto: Tobias Reimers/dpa\n\n"
        "KIEL: Vor rund 400 Zuhörern hat die Historikerin Annika Wessel über Zusagen aus dem Jahr 1990 "
        "gesprochen.\n\n"
        "Einen unterschriebenen Vertrag, der eine Nato-Osterweiterung ausschließe, gebe es nicht, sagte Wessel.\n\n"
        "Die Verhandlungen der Neunzigerjahre seien kompliziert gewesen. Der Hafen spielte keine Rolle.\n\n"
        f"{PROMO}"
        "Hannes Petersen 27.01.22 09:12\n"
        "Guter Abend\n"
        "Sachlich und klar. Davon bräuchten wir mehr.\n"
        "Gruß aus Kiel\n"
        "Dorothea Claußen 26.01.22 21:05\n"
        "Frau Wessel hat deutlich gemacht, dass die Länder im Osten selbst in die Nato wollten.\n"
    ),
    "2022/03/2022-03-14_hafen.txt": (
        "Hafen plant Erweiterung des Nordkais für größere Fähren\n\n"
        "Die städtische Hafengesellschaft will den Nordkai um 180 Meter verlängern.\n\n"
        "Die neuen Fähren der Reedereien sind deutlich länger. Die Nato nutzt den Hafen nicht.\n"
    ),
    "2021/06/2021-06-24_naturbad.txt": (
        "Naturbad Mühlenteich öffnet nach langer Pause wieder\n\n"
        "Der Förderverein hat den Steg erneuert, das Wasser ist klar. Am Hafen gibt es Eis.\n\n"
        f"{PROMO}"
        "birte lorenzen 24.06.21 18:01\n"
        "Endlich wieder schwimmen am Hafen und im Teich.\n"
    ),
    "2022/05/2022-05-02_gemeinderat.txt": (
        'Streit um <script>alert("Titel")</script> im Gemeinderat\n\n'
        'Der Antrag <script>alert("Text")</script> wurde vertagt, sagte die Bürgermeisterin im Gemeinderat. '
        "<b>fett</b> & Co.\n\n"
        f"{PROMO}"
        "Mallory 02.05.22 10:00\n"
        "<img src=x onerror=alert(1)> Gemeinderat\n"
        'Ich schreibe <script>alert("Kommentar")</script> in den Gemeinderat.\n'
    ),
    "undatiert/leuchtturm.txt": (
        "Leuchtturm ohne Datum am Hafen\n\n"
        "Der alte Leuchtturm am Hafen bekommt einen neuen Anstrich.\n"
    ),
}
NATO_ID = "2022/01/2022-01-26_nato.txt"


# --- a small DOM from html.parser, so tests look at elements rather than substrings --------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    """One parsed HTML element with its attributes and children (text is kept as str children)."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def words(self) -> str:
        return " ".join(self.text().split())

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: bytes | str) -> Element:
    builder = TreeBuilder()
    builder.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def selected(select: Element) -> Element:
    """The chosen option of a <select>."""
    [chosen] = [option for option in select.find_all("option") if "selected" in option.attrs]
    return chosen


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    for relpath, text in pages.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# --- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(page folder, index folder) of the pages above, indexed once for this module."""
    base = tmp_path_factory.mktemp("web")
    folder = write_pages(base / "archiv", PAGES)
    update_index(base / "index", [folder])
    return folder, base / "index"


@pytest.fixture(scope="module")
def app(archive: tuple[Path, Path]) -> Flask:
    return create_app({"TESTING": True, "INDEX_DIR": str(archive[1])})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def article_id(archive: tuple[Path, Path], relpath: str) -> str:
    from newssearch.pipeline import article_id_for

    return article_id_for(archive[0].resolve(), relpath)


def get_page(client: FlaskClient, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, response.data[:2000]
    assert response.mimetype == "text/html"
    return parse(response.data)


def hits(page: Element) -> list[Element]:
    return page.find_all("li", cls="hit")


# --- the app factory ---------------------------------------------------------------------------------------------


def test_create_app_reads_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSSEARCH_INDEX_DIR", "/srv/archiv-index")
    monkeypatch.setenv("NEWSSEARCH_PAGE_SIZE", "25")
    app = create_app()
    assert app.config["INDEX_DIR"] == "/srv/archiv-index"
    assert app.config["PAGE_SIZE"] == 25


def test_create_app_test_config_overrides_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSSEARCH_INDEX_DIR", "/srv/archiv-index")
    assert create_app({"INDEX_DIR": "/tmp/anderer-index"}).config["INDEX_DIR"] == "/tmp/anderer-index"


def test_create_app_serves_templates_and_styles_from_web_folder(client: FlaskClient) -> None:
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert b"mark {" in response.data
    page = get_page(client, "/")
    stylesheet = page.find("link", rel="stylesheet")
    assert stylesheet.attrs["href"] == "/static/style.css"


# --- the search page ------------------------------------------------------------------------------------------------


def test_index_without_query_shows_empty_form_and_archive_size(client: FlaskClient) -> None:
    page = get_page(client, "/")
    assert page.find("html").attrs["lang"] == "de"
    assert page.find("input", name="q").attrs["value"] == ""
    assert page.find("button", type="submit").words() == "Suchen"
    assert "Das Archiv enthält 5 Artikel und 4 Leserkommentare." in page.find("section", cls="welcome").words()
    assert not hits(page)


def test_index_shows_total_and_hits_linking_to_article_view(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    page = get_page(client, "/?q=Nato")
    assert page.find("h1", id="treffer").words() == "3 Treffer für „Nato“"
    assert "Treffer 1–3 von 3" in page.find("p", cls="range").words()
    links = [hit.find("h2").find("a") for hit in hits(page)]
    assert links[0].words() == "Historikerin ordnet den Streit um die Nato-Osterweiterung ein"
    assert links[0].attrs["href"] == f"/artikel/{article_id(archive, NATO_ID)}?q=Nato"
    assert hits(page)[0].find("p", cls="meta").words() == "Artikel 26.01.2022"


def test_index_marks_matched_words_in_snippets(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen")
    snippet = hits(page)[1].find("p", cls="snippet")
    assert [mark.text() for mark in snippet.find_all("mark")] == ["Hafen"]


def test_index_comment_hit_shows_author_time_article_and_links_to_its_place(
    client: FlaskClient, archive: tuple[Path, Path]
) -> None:
    page = get_page(client, "/?q=Nato&kind=comment")
    [hit] = hits(page)
    assert "comment" in hit.classes
    assert hit.find("p", cls="meta").words() == (
        "Kommentar von Dorothea Claußen · 26.01.2022 21:05 · zu „Historikerin ordnet den Streit um die "
        "Nato-Osterweiterung ein“"
    )
    link = hit.find("h2").find("a")
    assert link.words() == "Kommentar von Dorothea Claußen"
    assert link.attrs["href"] == f"/artikel/{article_id(archive, NATO_ID)}?q=Nato&kind=comment#k2"


def test_article_back_link_returns_to_the_same_list(client: FlaskClient) -> None:
    """Filters, order, page size and page survive the way to an article and back."""
    listing = "/?q=Hafen&from=2021&kind=article&sort=oldest&page=2&limit=2"
    page = get_page(client, listing)
    link = hits(page)[0].find("h2").find("a").attrs["href"]
    expected = {"q": "Hafen", "from": "2021", "kind": "article", "sort": "oldest", "page": "2", "limit": "2"}
    assert query_of(link.split("#")[0]) == expected
    view = get_page(client, link.split("#")[0])
    back = view.find("nav", cls="back").find("a").attrs["href"]
    assert query_of(back) == expected
    assert [hit.find("h2").find("a").attrs["href"] for hit in hits(get_page(client, back))] == [
        hit.find("h2").find("a").attrs["href"] for hit in hits(page)
    ]


def test_index_bad_limit_is_not_carried_into_the_next_search(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&limit=500", status=400)
    assert page.find_all("input", name="limit") == []
    assert get_page(client, "/?q=Hafen&limit=1_0", status=400).find_all("input", name="limit") == []


def test_index_control_characters_in_the_url_are_not_echoed(client: FlaskClient) -> None:
    response = client.get("/?q=Hafen%00&from=%00")
    assert response.status_code == 200 and b"\x00" not in response.data
    assert len(hits(get_page(client, "/?q=Hafen%00"))) == len(hits(get_page(client, "/?q=Hafen")))


def test_index_keeps_every_parameter_in_the_form(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&from=2021&to=31.12.2022&kind=article&sort=newest&fuzzy=1")
    form = page.find("form", cls="search")
    assert form.find("input", name="q").attrs["value"] == "Hafen"
    assert form.find("input", name="from").attrs["value"] == "2021"
    assert form.find("input", name="to").attrs["value"] == "31.12.2022"
    assert selected(form.find("select", name="kind")).attrs["value"] == "article"
    assert selected(form.find("select", name="sort")).words() == "Neueste zuerst"
    assert "checked" in form.find("input", name="fuzzy").attrs


def test_index_labels_are_german(client: FlaskClient) -> None:
    form = get_page(client, "/").find("form", cls="search")
    labels = form.words()
    for label in ("von", "bis", "Art", "Sortierung", "ähnliche Schreibweisen"):
        assert label in labels
    assert [option.words() for option in form.find("select", name="kind").find_all("option")] == [
        "Alle", "Artikel", "Kommentare",
    ]
    assert [option.words() for option in form.find("select", name="sort").find_all("option")] == [
        "Relevanz", "Neueste zuerst", "Älteste zuerst",
    ]


def test_index_kind_filter_shows_only_that_kind(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&kind=comment")
    assert [hit.find("span", cls="badge").words() for hit in hits(page)] == ["Kommentar"]
    page = get_page(client, "/?q=Hafen&kind=article")
    assert {hit.find("span", cls="badge").words() for hit in hits(page)} == {"Artikel"}
    assert len(hits(page)) == 4


def test_index_date_filter_accepts_german_dates(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&from=01.01.2022&to=31.03.2022")
    assert [hit.find("h2").words() for hit in hits(page)] == [
        "Hafen plant Erweiterung des Nordkais für größere Fähren",
        "Historikerin ordnet den Streit um die Nato-Osterweiterung ein",
    ]
    written_out = get_page(client, "/?q=Hafen&from=1.%20Januar%202022&to=M%C3%A4rz%202022")
    assert [hit.find("h2").words() for hit in hits(written_out)] == [hit.find("h2").words() for hit in hits(page)]


def test_doubled_slash_is_a_german_404_not_a_redirect(client: FlaskClient) -> None:
    response = client.get("/static//style.css")
    assert response.status_code == 404 and 'lang="de"' in response.get_data(as_text=True)


def test_index_sort_newest_puts_latest_first_and_undated_last(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&sort=newest")
    days = [hit.find("p", cls="meta").find_all("time") for hit in hits(page)]
    stamps = [found[0].attrs["datetime"] if found else None for found in days]
    assert stamps == ["2022-03-14", "2022-01-26", "2021-06-24T18:01", "2021-06-24", None]
    assert "ohne Datum" in hits(page)[-1].find("p", cls="meta").words()


def test_index_pagination_has_honest_totals_and_links(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&limit=2&page=2")
    assert page.find("h1", id="treffer").words() == "5 Treffer für „Hafen“"
    assert page.find("p", cls="range").words() == "Treffer 3–4 von 5 · Seite 2 von 3"
    assert page.find("ol", cls="hits").attrs["start"] == "3"
    nav = page.find("nav", cls="pages")
    assert query_of(nav.find("a", rel="prev").attrs["href"]) == {"q": "Hafen", "limit": "2"}
    assert query_of(nav.find("a", rel="next").attrs["href"]) == {"q": "Hafen", "limit": "2", "page": "3"}
    assert nav.find("span", cls="current").words() == "2"
    last = get_page(client, "/?q=Hafen&limit=2&page=3")
    assert len(hits(last)) == 1
    assert not last.find("nav", cls="pages").find_all("a", rel="next")


def test_index_page_after_the_last_says_how_many_pages_there_are(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&limit=2&page=9")
    assert not hits(page)
    assert page.find("p", cls="notice").words().startswith("Seite 9 gibt es nicht: 5 Treffer passen auf 3 Seiten.")


def test_index_says_which_words_are_too_common_to_search(client: FlaskClient) -> None:
    """"würde" alone finds nothing (a stop word): the page says so instead of leaving the reader guessing."""
    page = get_page(client, "/?q=w%C3%BCrde")
    assert page.find("h1", id="treffer").words() == "0 Treffer für „würde“"
    assert page.find("p", cls="ignored").words() == "Nicht gesucht (sehr häufige Wörter): würde"
    assert "bezeichnenderes Wort" in page.find("p", cls="tip").words()
    assert "ähnlichen Schreibweisen" not in page.words()  # it would find nothing either
    assert get_page(client, "/?q=Hafen").find_all("p", cls="ignored") == []


def test_page_numbers_show_ends_and_neighbours() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(5, 20) == [1, None, 3, 4, 5, 6, 7, None, 20]
    assert page_numbers(2, 4) == [1, 2, 3, 4]


def test_index_without_hits_offers_meinten_sie_link(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafne&kind=article&sort=oldest")
    assert page.find("h1", id="treffer").words() == "0 Treffer für „Hafne“"
    suggestion = page.find("p", cls="suggestion")
    assert suggestion.words().lower() == "meinten sie hafen?"
    link = query_of(suggestion.find("a").attrs["href"])
    assert (link["q"].lower(), link["kind"], link["sort"]) == ("hafen", "article", "oldest")
    followed = get_page(client, suggestion.find("a").attrs["href"])
    assert len(hits(followed)) == 4


def test_index_fuzzy_option_finds_misspelt_words(client: FlaskClient) -> None:
    assert not hits(get_page(client, "/?q=Histrikerin"))
    page = get_page(client, "/?q=Histrikerin&fuzzy=1")
    assert hits(page)[0].find("h2").words() == "Historikerin ordnet den Streit um die Nato-Osterweiterung ein"
    without = get_page(client, "/?q=Histrikerin")
    offer = without.find("div", cls="empty").find_all("a")
    assert any(query_of(link.attrs["href"]).get("fuzzy") == "1" for link in offer)


# --- facets and the date histogram ------------------------------------------------------------------------------


def kind_counts(page: Element) -> dict[str, int]:
    facet = page.find("nav", cls="kinds")
    return {
        link.find("span", cls="label").words(): int(link.find("span", cls="count").words())
        for link in facet.find_all("a")
    }


def bars(page: Element) -> dict[str, tuple[int, str]]:
    """Histogram bars with hits: label → (count, link)."""
    found = {}
    for link in page.find("svg", cls="histogram").find_all("a"):
        label, count = link.attrs["aria-label"].split(": ")
        found[label] = (int(count.split()[0]), link.attrs["href"])
    return found


def test_facets_kind_counts_match_total(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen")
    assert kind_counts(page) == {"Alle": 5, "Artikel": 4, "Kommentare": 1}
    narrowed = get_page(client, "/?q=Hafen&kind=comment")
    assert kind_counts(narrowed) == {"Alle": 5, "Artikel": 4, "Kommentare": 1}
    current = narrowed.find("nav", cls="kinds").find("li", cls="current")
    assert current.find("span", cls="label").words() == "Kommentare"
    assert narrowed.find("span", cls="total").words() == "1"


def test_facets_kind_link_switches_kind_and_keeps_query(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&from=2021&page=2&limit=2")
    link = next(a for a in page.find("nav", cls="kinds").find_all("a") if "Artikel" in a.words())
    assert query_of(link.attrs["href"]) == {"q": "Hafen", "from": "2021", "kind": "article", "limit": "2"}


def test_histogram_bars_and_undated_add_up_to_total(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen")
    found = bars(page)
    assert {label: count for label, (count, _) in found.items()} == {"Juni 2021": 2, "Jan. 2022": 1, "März 2022": 1}
    assert page.find("ul", cls="date-notes").words() == "ohne Datum: 1"
    assert sum(count for count, _ in found.values()) + 1 == 5
    assert "nach Monaten" in page.find("h2", id="facet-zeit").words()


def test_histogram_bar_click_narrows_date_filter(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&sort=newest")
    _, link = bars(page)["Juni 2021"]
    assert query_of(link) == {"q": "Hafen", "sort": "newest", "from": "2021-06", "to": "2021-06"}
    narrowed = get_page(client, link)
    assert narrowed.find("span", cls="total").words() == "2"
    assert {hit.find("span", cls="badge").words() for hit in hits(narrowed)} == {"Artikel", "Kommentar"}
    assert narrowed.find("input", name="from").attrs["value"] == "2021-06"
    reset = narrowed.find("ul", cls="date-notes").find("a")
    assert reset.words() == "Zeitraum zurücksetzen"
    assert query_of(reset.attrs["href"]) == {"q": "Hafen", "sort": "newest"}


def test_histogram_of_a_year_shows_all_its_months(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&from=2022&to=2022")
    svg = page.find("svg", cls="histogram")
    assert len(svg.find_all("rect", cls="fill")) + len(svg.find_all("rect", cls="empty")) == 12
    assert [text.words() for text in svg.find_all("text")][:12] == list("JFMAMJJASOND")


# --- the article view ----------------------------------------------------------------------------------------------


def test_article_shows_whole_article_with_date_source_and_comments(
    client: FlaskClient, archive: tuple[Path, Path]
) -> None:
    page = get_page(client, f"/artikel/{article_id(archive, NATO_ID)}")
    story = page.find("article", cls="story")
    assert story.find("p", cls="kicker").words() == "Ukraine-Krise"
    assert story.find("h1").words() == "Historikerin ordnet den Streit um die Nato-Osterweiterung ein"
    assert story.find("p", cls="dateline").words() == "26.01.2022 (Datum aus dem Dateipfad der Seite)"
    caption = story.find("figcaption")
    assert caption.words() == "Die Historikerin Annika Wessel sprach im Audimax. Foto: Tobias Reimers/dpa"
    lead = story.find("div", cls="lead")
    assert lead.find("strong", cls="places").words() == "KIEL:"
    assert lead.words().startswith("KIEL: Vor rund 400 Zuhörern")
    assert [p.words()[:20] for p in story.find("div", cls="body").find_all("p")] == [
        "Einen unterschrieben", "Die Verhandlungen de",
    ]
    assert not page.find_all("mark")
    comments = page.find("section", cls="comments").find_all("li", cls="comment")
    assert [c.attrs["id"] for c in comments] == ["k1", "k2"]
    assert comments[0].find("p", cls="meta").words() == "Hannes Petersen · 27.01.2022 09:12 #"
    assert comments[0].find("h3").words() == "Guter Abend"
    assert comments[0].find("div", cls="text").find("p").find_all("br")
    assert page.find("h2", id="kommentare").words() == "2 Leserkommentare"


def test_article_marks_the_query_words(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    page = get_page(client, f"/artikel/{article_id(archive, NATO_ID)}?q=Nato+NICHT+Kiel")
    marks = [mark.text() for mark in page.find_all("mark")]
    assert marks == ["Nato-Osterweiterung", "Nato-Osterweiterung", "Nato"]
    assert page.find("h1").find("mark").text() == "Nato-Osterweiterung"


def test_article_marks_fuzzy_matches_when_search_was_fuzzy(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    page = get_page(client, f"/artikel/{article_id(archive, NATO_ID)}?q=Histrikerin&fuzzy=1")
    assert {mark.text() for mark in page.find_all("mark")} == {"Historikerin"}
    back = page.find("nav", cls="back").find("a")
    assert query_of(back.attrs["href"]) == {"q": "Histrikerin", "fuzzy": "1"}


def test_article_without_comments_says_so(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    page = get_page(client, f"/artikel/{article_id(archive, '2022/03/2022-03-14_hafen.txt')}")
    assert page.find("section", cls="comments").find("p").words() == "Zu diesem Artikel gibt es keine Leserkommentare."


def test_article_undated_says_ohne_datum(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    page = get_page(client, f"/artikel/{article_id(archive, 'undatiert/leuchtturm.txt')}")
    assert page.find("p", cls="dateline").words() == "ohne Datum"


@pytest.mark.parametrize("article", ["0000000000000000", "nicht-da", "ABCDEF0123456789", "..", "%00"])
def test_article_unknown_id_is_404_in_german(client: FlaskClient, article: str) -> None:
    page = get_page(client, f"/artikel/{article}", status=404)
    assert page.find("h1").words() == "Nicht gefunden"
    assert page.find("div", cls="error").find("p").words() == "Diesen Artikel gibt es im Archiv nicht (mehr)."


@pytest.mark.parametrize("path", ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "../../etc/passwd"])
def test_article_path_in_id_reads_no_file(client: FlaskClient, path: str) -> None:
    response = client.get(f"/artikel/{path}")
    assert response.status_code == 404
    assert b"root:" not in response.data


def test_article_view_reads_the_index_not_the_page_file(tmp_path: Path) -> None:
    folder = write_pages(tmp_path / "archiv", {"2022/03/2022-03-14_hafen.txt": PAGES["2022/03/2022-03-14_hafen.txt"]})
    update_index(tmp_path / "index", [folder])
    (folder / "2022/03/2022-03-14_hafen.txt").unlink()
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    link = hits(get_page(client, "/?q=Nordkai"))[0].find("h2").find("a").attrs["href"]
    page = get_page(client, link)
    assert page.find("h1").words() == "Hafen plant Erweiterung des Nordkais für größere Fähren"


# --- the JSON API ---------------------------------------------------------------------------------------------------


def test_api_search_returns_the_json_of_query_json(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    from newssearch.cli import cli

    response = client.get("/api/search?q=Hafen&kind=article&sort=newest&limit=2&page=2")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    result = CliRunner().invoke(
        cli,
        ["query", "Hafen", "--index", str(archive[1]), "--kind", "article", "--sort", "newest", "--limit", "2",
         "--page", "2", "--json"],
    )
    from_cli = json.loads(result.output)
    for hit in from_cli["hits"]:
        hit["root"] = Path(hit["root"]).name  # the page names the folder, never the server's path to it
    assert response.get_json() == from_cli
    assert response.get_json()["total"] == 4
    assert {hit["root"] for hit in response.get_json()["hits"]} == {archive[0].name}


def test_api_search_keeps_umlauts_and_marks(client: FlaskClient) -> None:
    response = client.get("/api/search?q=F%C3%A4hren")
    assert "Fähren" in response.data.decode("utf-8")
    assert "<mark>Fähren</mark>" in response.get_json()["hits"][0]["snippet"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/search", "Suchanfrage ist leer"),
        ("/api/search?q=Hafen&from=gestern", "von: „gestern“ ist kein lesbares Datum"),
        ("/api/search?q=Hafen&limit=101", "Treffer pro Seite: „101“ ist keine Zahl von 1 bis 100"),
    ],
)
def test_api_search_bad_request_is_400_json(client: FlaskClient, url: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(message)


# --- bad requests, bounds and errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=Hafen&from=32.01.2022", "von: „32.01.2022“ ist kein lesbares Datum"),
        ("q=Hafen&to=morgen", "bis: „morgen“ ist kein lesbares Datum"),
        ("q=Hafen&from=2023&to=2022", "„von“ liegt nach „bis“: der Zeitraum ist leer"),
        ("q=Hafen&page=zwei", "Seite: „zwei“ ist keine Zahl von 1 bis 1000"),
        ("q=Hafen&page=0", "Seite: „0“ ist keine Zahl von 1 bis 1000"),
        ("q=Hafen&page=1001", "Seite: „1001“ ist keine Zahl von 1 bis 1000"),
        ("q=Hafen&limit=0", "Treffer pro Seite: „0“ ist keine Zahl von 1 bis 100"),
        ("q=Hafen&kind=video", "„video“ ist keine Art"),
        ("q=Hafen&sort=zufall", "„zufall“ ist keine Sortierung"),
        ("q=" + "Hafen+" * 100, "Suchanfrage ist zu lang (höchstens 500 Zeichen)"),
    ],
)
def test_index_bad_parameter_is_400_in_german_with_form_kept(client: FlaskClient, query: str, message: str) -> None:
    page = get_page(client, "/?" + query, status=400)
    error = page.find("div", cls="error")
    assert error.find("h1").words() == "Die Suche ist so nicht möglich"
    assert error.find("p").words().startswith(message)
    assert page.find("input", name="q").attrs["value"].startswith("Hafen")
    assert not hits(page)


def test_index_bad_date_keeps_the_typed_dates(client: FlaskClient) -> None:
    page = get_page(client, "/?q=Hafen&from=32.01.2022&to=2022&kind=comment", status=400)
    assert page.find("input", name="from").attrs["value"] == "32.01.2022"
    assert page.find("input", name="to").attrs["value"] == "2022"
    assert selected(page.find("select", name="kind")).attrs["value"] == "comment"


def test_index_echo_of_a_huge_query_is_clipped(client: FlaskClient) -> None:
    response = client.get("/?q=" + "x" * 100_000)
    assert response.status_code == 400
    assert len(response.data) < 20_000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list('Hafen Nato"„“()*?:~^-+ODERNICHTtitel:ä<>&')), max_size=40))
def test_index_any_typed_query_gives_a_page_never_a_crash(client: FlaskClient, text: str) -> None:
    response = client.get("/", query_string={"q": text, "fuzzy": "1"})
    assert response.status_code in (200, 400)
    assert b"<html" in response.data


def test_escaping_script_in_article_and_comment_stays_text(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    results = client.get("/?q=Gemeinderat").data.decode("utf-8")
    view = client.get(f"/artikel/{article_id(archive, '2022/05/2022-05-02_gemeinderat.txt')}?q=Gemeinderat")
    for html in (results, view.data.decode("utf-8")):
        page = parse(html)
        assert not page.find_all("script")
        assert not page.find_all("img")
        assert not page.find_all("b")
        assert "<script>" not in html and "<img" not in html
        assert 'alert("' not in html or "&lt;script&gt;" in html
    article = parse(view.data)
    assert article.find("h1").words() == 'Streit um <script>alert("Titel")</script> im Gemeinderat'
    assert article.find("h1").find("mark").text() == "Gemeinderat"
    comment = article.find("li", cls="comment")
    assert comment.find("h3").words() == "<img src=x onerror=alert(1)> Gemeinderat"
    text = comment.find("div", cls="text").words()
    assert text == 'Ich schreibe <script>alert("Kommentar")</script> in den Gemeinderat.'
    assert "&lt;b&gt;fett&lt;/b&gt; &amp; Co." in view.data.decode("utf-8")
    title = parse(results).find("title").words()
    assert title == "Gemeinderat – Archivsuche"


def test_escaping_query_echo_in_title_heading_and_links(client: FlaskClient) -> None:
    html = client.get('/?q=<script>alert(1)</script>"').data.decode("utf-8")
    page = parse(html)
    assert not page.find_all("script")
    assert page.find("input", name="q").attrs["value"] == '<script>alert(1)</script>"'


@pytest.mark.parametrize(
    "url", ["/", "/?q=Hafen", "/artikel/0000000000000000", "/api/search?q=Hafen", "/static/style.css"]
)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy and "script-src" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_use_no_inline_script_or_style(client: FlaskClient, archive: tuple[Path, Path]) -> None:
    for url in ("/", "/?q=Hafen", f"/artikel/{article_id(archive, NATO_ID)}?q=Nato", "/?q=Hafen&from=x"):
        page = parse(client.get(url).data)
        assert not page.find_all("script") and not page.find_all("style")
        assert not [element for element in page.iter() if "style" in element.attrs]
        assert not [element for element in page.iter() if any(name.startswith("on") for name in element.attrs)]


def test_unknown_page_is_404_in_german(client: FlaskClient) -> None:
    page = get_page(client, "/suche/alt", status=404)
    assert page.find("h1").words() == "Nicht gefunden"
    assert page.find("div", cls="error").find("a").attrs["href"] == "/"


def test_post_is_405_in_german(client: FlaskClient) -> None:
    response = client.post("/", data={"q": "Hafen"})
    assert response.status_code == 405
    assert parse(response.data).find("h1").words() == "Methode nicht erlaubt"


@pytest.mark.parametrize("url", ["/", "/?q=Hafen", "/artikel/0000000000000000"])
def test_missing_index_is_503_in_german(tmp_path: Path, url: str) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "kein-index")}).test_client()
    page = get_page(client, url, status=503)
    assert page.find("h1").words() == "Suche nicht verfügbar"
    assert "Der Suchindex ist gerade nicht verfügbar." in page.words()
    assert str(tmp_path) not in page.words()


def test_missing_index_is_503_json_for_the_api(tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()
    response = client.get("/api/search?q=Hafen")
    assert response.status_code == 503
    assert response.get_json() == {"error": "Der Suchindex ist gerade nicht verfügbar."}


def test_index_update_is_visible_without_restart(tmp_path: Path) -> None:
    folder = write_pages(tmp_path / "archiv", {"2022/03/2022-03-14_hafen.txt": PAGES["2022/03/2022-03-14_hafen.txt"]})
    update_index(tmp_path / "index", [folder])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert get_page(client, "/?q=Leuchtturm").find("span", cls="total").words() == "0"
    write_pages(folder, {"undatiert/leuchtturm.txt": PAGES["undatiert/leuchtturm.txt"]})
    update_index(tmp_path / "index", [folder])
    page = get_page(client, "/?q=Leuchtturm")
    assert page.find("span", cls="total").words() == "1"
    assert hits(page)[0].find("h2").words() == "Leuchtturm ohne Datum am Hafen"


def test_index_missing_after_start_turns_into_503(tmp_path: Path) -> None:
    import shutil

    folder = write_pages(tmp_path / "archiv", {"undatiert/leuchtturm.txt": PAGES["undatiert/leuchtturm.txt"]})
    update_index(tmp_path / "index", [folder])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert client.get("/?q=Leuchtturm").status_code == 200
    shutil.rmtree(tmp_path / "index")
    assert client.get("/?q=Leuchtturm").status_code == 503


def test_index_html_is_one_document_with_german_title(client: FlaskClient) -> None:
    html = client.get("/?q=Nato").data.decode("utf-8")
    assert re.match(r"<!doctype html>\s*<html lang=\"de\">", html)
    assert parse(html).find("title").words() == "Nato – Archivsuche"
