"""German analysis end to end: real pages in a real Whoosh index, searched the way the CLI and the page do."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newssearch import analysis, pipeline
from newssearch.index import update_index
from newssearch.search import SearchPage, SearchRequest, search
from newssearch.vocabulary import Vocabulary

PAGES = {
    "hafen.txt": """Hafen plant Erweiterung des Nordkais

Wirtschaft

Die Erweiterung des Nordkais soll rund 45 Millionen Euro kosten. Die Erweiterung beginnt im Herbst.
""",
    "nato.txt": """Historikerin: Streit um Nato-Osterweiterung reicht weit zurück

Politik

Ein Ende der Nato-Osterweiterung verlangt Moskau seit Jahren. Die Bündniserweiterung sei aber keine Zusage
wert gewesen, sagt die Historikerin. Aus ihrer Sicht gilt: Die Tür der Nato ist offen. Die Daten will
man übermitteln.

Überzeugen Sie sich von unserem Online-Abo:
Pflichtfelder
jens moorkamp 26.01.22 23:41
Russland gegenueber war man naiv. Da muessen Koepfe rollen.
""",
    "osten.txt": """Truppen im Osten

Politik

Im Osten der Ukraine stehen Truppen. Über eine Erweiterung der Mission wird beraten.
""",
    "drohnen.txt": """Bundestag streitet über bewaffnete Drohnen

Politik

Der Bundestag hat Kampfdrohnen auf die Agenda gesetzt. Die Ukraine bekommt 5.000 Schutzhelme.
Bundespräsident Steinmeier äußerte sich nicht.
""",
    "schulen.txt": """Eltern fordern einen Fahrplan

Bildung

Nach den Schulschließungen fordern Eltern Klarheit. Das Gesundheitsamt meldet neue Fälle.

Überzeugen Sie sich von unserem Online-Abo:
Pflichtfelder
Leserin 02.03.21 21:17
Die Schulschliessungen waren ein Fehler. Die Gesundheitsaemter sind ueberlastet.
""",
    "lauf.txt": """Mehr als 5000 Läufer beim Fördelauf

Sport

Auf der Straße am Hafen feuerten Zuschauer die Läufer an. Ein Krieg wäre verheerend, sagte niemand.
""",
}


def index_pages(root: Path, pages: dict[str, str], jobs: int | None = None) -> Path:
    """Write ``pages`` (file name → page text) below ``root/archiv``, index them, return the index folder."""
    archive = root / "archiv"
    archive.mkdir()
    for name, text in pages.items():
        (archive / name).write_text(text, encoding="utf-8")
    update_index(root / "index", [archive], jobs=jobs)
    return root / "index"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_pages(tmp_path_factory.mktemp("analysis-search"), PAGES)


def run(index_dir: Path, text: str, **options: object) -> SearchPage:
    return search(index_dir, SearchRequest(query=text, page_size=50, **options))  # type: ignore[arg-type]


def pages(result: SearchPage) -> list[str]:
    return [hit.path for hit in result.hits]


def marked(result: SearchPage) -> set[str]:
    return {text for hit in result.hits for text, is_match in hit.snippet if is_match}


def test_search_compound_part_finds_compounds_ranked_below_the_word_itself(index_dir: Path) -> None:
    result = run(index_dir, "Erweiterung", kind="article")
    assert pages(result)[0] == "hafen.txt"
    assert {"nato.txt", "osten.txt"} <= set(pages(result))
    assert {"Erweiterung", "Bündniserweiterung"} <= marked(result)


def test_search_compound_query_is_not_split(index_dir: Path) -> None:
    result = run(index_dir, "Osterweiterung")
    assert set(pages(result)) == {"nato.txt"}
    assert "osten.txt" not in pages(run(index_dir, "Osterweiterung", kind="article"))


def test_search_highlights_whole_compounds_never_fragments(index_dir: Path) -> None:
    assert marked(run(index_dir, "Helm")) == {"Schutzhelme"}
    assert marked(run(index_dir, "Osterweiterung", kind="article")) == {"Nato-Osterweiterung"}
    assert marked(run(index_dir, "Schließung")) == {"Schulschließungen", "Schulschliessungen"}


def test_search_protected_words_do_not_match_their_parts(index_dir: Path) -> None:
    assert run(index_dir, "Tag").total == 0
    assert run(index_dir, "Stein").total == 0
    assert "drohnen.txt" in pages(run(index_dir, "Bundestag"))


@pytest.mark.parametrize(
    "query, page",
    [
        ("gegenüber", "nato.txt"),
        ("Köpfe", "nato.txt"),
        ("müssen", "nato.txt"),
        ("Strasse", "lauf.txt"),
        ("Gesundheitsämter", "schulen.txt"),
        ("Gesundheitsamt", "schulen.txt"),
        ("übermittelt", "nato.txt"),
        ("5000", "drohnen.txt"),
        ("5.000", "lauf.txt"),
        ('"Tür der Nato"', "nato.txt"),
        ('"Nato Osterweiterung"', "nato.txt"),
        ("Nato-Osterweiterung", "nato.txt"),
        ("Natoosterweiterung", "nato.txt"),
        ("Drohnen", "drohnen.txt"),
    ],
)
def test_search_finds_spellings_inflections_numbers_and_phrases(index_dir: Path, query: str, page: str) -> None:
    assert page in pages(run(index_dir, query))


def test_search_keeps_osten_and_ostern_apart(index_dir: Path) -> None:
    assert run(index_dir, "Ostern").total == 0


FRESH_PROCESS = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from newssearch.search import SearchRequest, search\n"
    "found = {}\n"
    "for text in ['übermittelt', 'Erweiterung', 'Schließung', 'Köpfe']:\n"
    "    page = search(Path(sys.argv[1]), SearchRequest(query=text, page_size=50))\n"
    "    found[text] = sorted({hit.path for hit in page.hits})\n"
    "marks = [t for hit in search(Path(sys.argv[1]), SearchRequest(query='Helm')).hits\n"
    "         for t, m in hit.snippet if m]\n"
    "print(json.dumps({'found': found, 'marks': marks,\n"
    "                  'loaded': [m for m in ('simplemma', 'wordfreq') if m in sys.modules]}))\n"
)


def fresh_process_report(index_dir: Path) -> dict[str, Any]:
    """Searches run by a new Python process, which has only what the index stored."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(index_dir)], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def assert_answers_from_stored_vocabulary(report: dict[str, Any]) -> None:
    assert report["loaded"] == []
    assert report["found"]["übermittelt"] == ["nato.txt"]
    assert report["found"]["Erweiterung"] == ["hafen.txt", "nato.txt", "osten.txt"]
    assert report["found"]["Schließung"] == ["schulen.txt"]
    assert report["found"]["Köpfe"] == ["nato.txt"]
    assert report["marks"] == ["Schutzhelme"]


def test_search_fresh_query_process_uses_stored_vocabulary(index_dir: Path) -> None:
    """A new process answers from the analyses stored with the index, without loading the dictionaries."""
    assert_answers_from_stored_vocabulary(fresh_process_report(index_dir))


def test_search_vocabulary_stored_by_indexing_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When worker processes analyse the pages, they store what they learnt before the writer finishes."""
    monkeypatch.setattr(pipeline, "INLINE_BELOW_PAGES", 1)
    assert_answers_from_stored_vocabulary(fresh_process_report(index_pages(tmp_path, PAGES, jobs=1)))


def test_search_vocabulary_complete_when_caches_overflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An indexing process stores new words in rounds and restarts full caches (its memory must not grow
    with the archive); no word's analysis is lost on the way."""
    monkeypatch.setattr(analysis, "_FLUSH_WORDS", 7)
    for cache in (analysis._state.analysed, analysis._state.terms):
        monkeypatch.setattr(cache, "limit", 25)
    assert_answers_from_stored_vocabulary(fresh_process_report(index_pages(tmp_path, PAGES, jobs=0)))


def test_a_second_index_written_by_the_same_process_stores_every_word_too(tmp_path: Path) -> None:
    """A process that wrote and searched one index and then writes another (a script, the test suite) stores
    every word in the second index's vocabulary as well, although the first one knows them already: else
    the second could not lead a hyphenated word's term back to it, and its hits showed no marks."""
    (tmp_path / "erster").mkdir()
    (tmp_path / "zweiter").mkdir()
    first = index_pages(tmp_path / "erster", PAGES, jobs=0)
    assert run(first, "Natoosterweiterung").hits
    second = index_pages(tmp_path / "zweiter", PAGES, jobs=0)
    joined = {token.text for token in analysis.german_analyzer()("Natoosterweiterung", mode="query")}
    assert "natoosterweiterung" in _stored(second).words_carrying(joined)
    (hit,) = run(second, "Natoosterweiterung").hits
    assert [text for text, marked in hit.snippet if marked] == ["Nato-Osterweiterung"]
    assert_answers_from_stored_vocabulary(fresh_process_report(second))


OUTBREAK = "Neuer Coronaausbruch im Pflegeheim\n\nGesundheit\n\nKIEL: Im Heim gibt es einen Coronaausbruch.\n"
OUTBREAKS = (
    "Weitere Fälle in Kliniken\n\nGesundheit\n\n"
    "LÜBECK: Nach mehreren Corona-Ausbrüchen schließen zwei Stationen.\n"
    "Die Corona-Ausbrüche betreffen vor allem ältere Menschen.\n"
)


@pytest.mark.parametrize("how", ["a later run", "a later batch of a worker"])
def test_a_hyphenated_word_stored_before_as_a_lemma_form_is_marked_when_the_archive_prints_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The first page stores the forms of "Coronaausbruch" for queries; "Corona-Ausbrüche" on a page indexed
    after that is still the archive's own word: marked in the hit, and known to the typo search."""
    archive = tmp_path / "archiv"
    archive.mkdir()
    (archive / "a-ausbruch.txt").write_text(OUTBREAK, encoding="utf-8")
    index_dir = tmp_path / "index"
    if how == "a later run":
        update_index(index_dir, [archive], jobs=0)
        (archive / "b-ausbrueche.txt").write_text(OUTBREAKS, encoding="utf-8")
        update_index(index_dir, [archive], jobs=0)
    else:
        (archive / "b-ausbrueche.txt").write_text(OUTBREAKS, encoding="utf-8")
        monkeypatch.setattr(pipeline, "INLINE_BELOW_PAGES", 1)
        update_index(index_dir, [archive], jobs=1, batch_pages=1)  # one page per batch, stored after each
    hits = {hit.path: hit for hit in run(index_dir, "Coronaausbrüche").hits}
    assert set(hits) == {"a-ausbruch.txt", "b-ausbrueche.txt"}
    marked = [text for text, mark in hits["b-ausbrueche.txt"].snippet if mark]
    assert marked == ["Corona-Ausbrüchen", "Corona-Ausbrüche"]
    assert _stored(index_dir).has_key("coronaausbrueche")


INTERRUPTED_RUN = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from newssearch.index import update_index\n"
    "from newssearch.search import SearchRequest, search\n"
    "def found():\n"
    "    return {w: search(Path(sys.argv[1]), SearchRequest(query=w)).total for w in ['übermittelt', 'Köpfe']}\n"
    "before = found()\n"
    "def stop(done, total):\n"
    "    raise KeyboardInterrupt\n"
    "try:\n"
    "    update_index(Path(sys.argv[2]), [Path(sys.argv[3])], progress=stop, jobs=0)\n"
    "except KeyboardInterrupt:\n"
    "    pass\n"
    "print(json.dumps({'before': before, 'after': found()}))\n"
)


def test_an_interrupted_indexing_run_leaves_searches_of_other_indexes_as_they_were(
    index_dir: Path, tmp_path: Path
) -> None:
    """Ctrl-C in an indexing run of one index (a script, a notebook) must not change what the same process then
    finds in another index: its stored word forms still count."""
    archive = tmp_path / "archiv"
    archive.mkdir()
    (archive / "seite.txt").write_text(PAGES["hafen.txt"], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_RUN, str(index_dir), str(tmp_path / "index"), str(archive)],
        capture_output=True, text=True, check=True, timeout=60,
    )
    report = json.loads(done.stdout)
    assert report["before"] == {"übermittelt": 1, "Köpfe": 1}
    assert report["after"] == report["before"]


def test_vocabulary_gives_back_the_space_its_staging_table_used(tmp_path: Path) -> None:
    """An indexing run appends the pairs that lead terms back to words to a staging table and moves them in
    order at its end; the emptied pages go back to the file system, so the file holds no dead space."""
    index_dir = index_pages(tmp_path, {**PAGES, **{f"extra-{n}.txt": text for n, text in enumerate(PAGES.values())}})
    with sqlite3.connect(index_dir / "analysis.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM carriers_new").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM carriers").fetchone()[0] > 50
        assert connection.execute("PRAGMA freelist_count").fetchone() == (0,)


def test_vocabulary_from_before_terms_led_back_to_words_is_completed_by_the_next_run(tmp_path: Path) -> None:
    """An index whose vocabulary cannot yet name the words carrying a term still marks them (every word of
    a hit is analysed then); the next indexing run fills the table in, and marks stay the same."""
    index_dir = index_pages(tmp_path, PAGES, jobs=0)
    helm = {token.text for token in analysis.german_analyzer()("Helm", mode="query")}
    assert "schutzhelme" in _stored(index_dir).words_carrying(helm)
    with sqlite3.connect(index_dir / "analysis.sqlite") as connection:
        connection.execute("DROP TABLE carriers")
        connection.execute("DROP TABLE carriers_new")
        connection.execute("DELETE FROM meta WHERE name = 'carriers_complete'")
    assert _stored(index_dir).words_carrying(helm) is None
    assert_answers_from_stored_vocabulary(fresh_process_report(index_dir))
    update_index(index_dir, [tmp_path / "archiv"], jobs=0)
    assert "schutzhelme" in _stored(index_dir).words_carrying(helm)
    assert_answers_from_stored_vocabulary(fresh_process_report(index_dir))
    with sqlite3.connect(index_dir / "analysis.sqlite") as connection:  # as a run still adding words leaves it
        connection.execute("INSERT INTO carriers_new VALUES ('helm', 'helme')")
    assert _stored(index_dir).words_carrying(helm) is None
    assert_answers_from_stored_vocabulary(fresh_process_report(index_dir))


def _stored(index_dir: Path) -> Vocabulary:
    found = Vocabulary.open_for_reading(index_dir, analysis.ANALYSIS_VERSION)
    assert found is not None
    return found


def test_a_store_that_fails_halfway_stores_nothing(tmp_path: Path) -> None:
    """Words, their forms, spellings and typo keys go in together: a worker killed (or a disk filling up)
    while it stores must not leave archive words without their typo keys, which no later run would add."""
    from newssearch.vocabulary import Vocabulary

    store = Vocabulary(tmp_path, analysis.ANALYSIS_VERSION, writable=True)
    store.reset_if_stale()
    store.add([("verhandlung", ("verhandl", ()))], [], [], [], ["verhandlung"])
    connection = sqlite3.connect(tmp_path / "analysis.sqlite")
    connection.execute(
        "CREATE TRIGGER kaputt BEFORE INSERT ON keys WHEN NEW.key = 'gegenueber' "
        "BEGIN SELECT RAISE(ABORT, 'Datenträger voll'); END"
    )
    connection.commit()
    with pytest.raises(sqlite3.Error):
        store.add(
            [("gegenüber", ("gegenub", ()))], [], [("gegenuebers", "gegenub")], [("gegenueber", "gegenüber")],
            ["gegenueber"],
        )
    words = {row[0] for row in connection.execute("SELECT word FROM words")}
    assert words == {"verhandlung"}
    assert connection.execute("SELECT count(*) FROM spellings").fetchone() == (0,)
    store.close()
    connection.close()
