"""The command line, driven through click's runner against a real index of the example archive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, PageWriter, page_text, run_on_terminal

from newssearch.cli import EXIT_NO_HITS, cli

JSON_KEYS = {"query", "total", "page", "hits", "suggestion", "ignored"}
HIT_KEYS = {"id", "kind", "path", "root", "article_id", "title", "author", "date", "date_source", "score", "snippet"}


def query(runner: CliRunner, index_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["query", *args, "--index", str(index_dir)])
    return result.exit_code, result.stdout, result.stderr


def as_json(runner: CliRunner, index_dir: Path, *args: str) -> dict:
    code, out, err = query(runner, index_dir, *args, "--json")
    assert code in (0, 1), err
    return json.loads(out)


def test_query_prints_ranked_hits_with_dates_kinds_paths_and_snippets(runner: CliRunner, example_index: Path) -> None:
    code, out, err = query(runner, example_index, "Osterweiterung")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(tuple("123456789")) and "Treffer für „Osterweiterung“" in lines[0]
    assert "  1. 26.01.2022 · Artikel · " in out
    assert "2022/01/2022-01-26_nato-osterweiterung.txt · Datum aus dem Dateipfad" in out
    assert "Osterweiterung" in lines[4]
    assert "\x1b[" not in out  # piped: no terminal bold


def test_query_shows_comment_author_and_article_title(runner: CliRunner, example_index: Path) -> None:
    code, out, _ = query(runner, example_index, "verherend", "--kind", "comment")
    assert code == 0
    assert "Kommentar von" in out and "zu „" in out


def test_query_json_contract(runner: CliRunner, example_index: Path) -> None:
    data = as_json(runner, example_index, "Nato")
    assert set(data) == JSON_KEYS
    assert data["query"] == "Nato" and data["page"] == 1 and data["total"] >= len(data["hits"]) > 0
    kinds = set()
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["kind"] in ("article", "comment")
        assert not Path(hit["path"]).is_absolute() and (Path(hit["root"]) / hit["path"]).is_file()
        assert Path(hit["root"]) == EXAMPLES.resolve()
        assert isinstance(hit["score"], float) and hit["score"] > 0
        assert hit["date_source"] in ("page", "path", "comments", "none")
        assert "<mark>" in hit["snippet"]
        kinds.add(hit["kind"])
        if hit["kind"] == "comment":
            assert hit["author"] and hit["date"][10] == "T"
        else:
            assert hit["author"] is None and len(hit["date"]) == 10 and hit["id"] == hit["article_id"]
    assert kinds == {"article", "comment"}


def test_query_kind_filters_articles_and_comments(runner: CliRunner, example_index: Path) -> None:
    everything = as_json(runner, example_index, "Nato", "--limit", "100")
    articles = as_json(runner, example_index, "Nato", "--kind", "article", "--limit", "100")
    comments = as_json(runner, example_index, "Nato", "--kind", "comment", "--limit", "100")
    assert {hit["kind"] for hit in articles["hits"]} == {"article"}
    assert {hit["kind"] for hit in comments["hits"]} == {"comment"}
    assert articles["total"] + comments["total"] == everything["total"]


@pytest.mark.parametrize(
    "date_from, date_to, first, last",
    [
        ("2022-01-01", "2022-12-31", "2022-01-01", "2022-12-31"),
        ("2022-01", "2022-01", "2022-01-01", "2022-01-31"),
        ("26.01.2022", "27.01.22", "2022-01-26", "2022-01-27"),
        ("2023", None, "2023-01-01", "9999"),
    ],
)
def test_query_date_filters_include_the_whole_end_day_month_or_year(
    runner: CliRunner, example_index: Path, date_from: str, date_to: str | None, first: str, last: str
) -> None:
    args = ["a* OR e* OR s*", "--limit", "100", "--from", date_from] + (["--to", date_to] if date_to else [])
    unfiltered = as_json(runner, example_index, "a* OR e* OR s*", "--limit", "100")
    data = as_json(runner, example_index, *args)
    assert 0 < data["total"] < unfiltered["total"]
    assert all(first <= hit["date"][:10] <= last for hit in data["hits"])
    expected = [hit for hit in unfiltered["hits"] if hit["date"] and first <= hit["date"][:10] <= last]
    assert data["total"] == len(expected)


def test_query_date_filter_never_matches_undated_documents(
    runner: CliRunner, write_page: PageWriter, tmp_path: Path
) -> None:
    write_page("ohne-datum.txt", page_text("Leuchtturm wird saniert", "Der Leuchtturm bekommt ein neues Dach."))
    write_page("2022-03-01_turm.txt", page_text("Leuchtturm-Fest", "Am Leuchtturm wird gefeiert."))
    runner.invoke(cli, ["index", str(tmp_path / "archiv"), "--index", str(tmp_path / "ix")])
    everything = as_json(runner, tmp_path / "ix", "Leuchtturm", "--sort", "oldest")
    assert [hit["date"] for hit in everything["hits"]] == ["2022-03-01", None]
    newest = as_json(runner, tmp_path / "ix", "Leuchtturm", "--sort", "newest")
    assert [hit["date"] for hit in newest["hits"]] == ["2022-03-01", None]
    dated = as_json(runner, tmp_path / "ix", "Leuchtturm", "--from", "2000")
    assert [hit["date"] for hit in dated["hits"]] == ["2022-03-01"]


def test_query_sorts_newest_and_oldest_first(runner: CliRunner, example_index: Path) -> None:
    newest = [h["date"] for h in as_json(runner, example_index, "Nato OR Stadt", "--sort", "newest", "--limit", "100")["hits"]]
    oldest = [h["date"] for h in as_json(runner, example_index, "Nato OR Stadt", "--sort", "oldest", "--limit", "100")["hits"]]
    assert len(newest) > 3
    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(oldest)


def test_query_sorted_by_date_keeps_each_hits_relevance_score(runner: CliRunner, example_index: Path) -> None:
    by_relevance = as_json(runner, example_index, "Nato OR Stadt", "--limit", "100")["hits"]
    newest = as_json(runner, example_index, "Nato OR Stadt", "--sort", "newest", "--limit", "5")["hits"]
    scores = {hit["id"]: hit["score"] for hit in by_relevance}
    assert len(newest) == 5 and all(hit["score"] > 0 for hit in newest)
    assert all(hit["score"] == pytest.approx(scores[hit["id"]]) for hit in newest)


def test_query_pages_through_results_without_overlap(runner: CliRunner, example_index: Path) -> None:
    whole = as_json(runner, example_index, "Nato OR Stadt", "--limit", "100")
    first = as_json(runner, example_index, "Nato OR Stadt", "--limit", "3")
    second = as_json(runner, example_index, "Nato OR Stadt", "--limit", "3", "--page", "2")
    assert second["page"] == 2 and second["total"] == whole["total"] > 6
    ids = [hit["id"] for hit in first["hits"] + second["hits"]]
    assert ids == [hit["id"] for hit in whole["hits"][:6]]
    beyond = as_json(runner, example_index, "Nato OR Stadt", "--page", "999")
    assert beyond["hits"] == [] and beyond["total"] == whole["total"]


def test_query_requires_all_words_and_understands_phrases_or_and_not(runner: CliRunner, example_index: Path) -> None:
    both = as_json(runner, example_index, "Nato Bundestag")["total"]
    nato = as_json(runner, example_index, "Nato")["total"]
    either = as_json(runner, example_index, "Nato OR Bundestag")["total"]
    assert both <= nato <= either
    assert as_json(runner, example_index, "Nato NOT Nato")["total"] == 0
    german = as_json(runner, example_index, "„Nato-Osterweiterung“")
    ascii_quotes = as_json(runner, example_index, '"Nato-Osterweiterung"')
    assert german["total"] == ascii_quotes["total"] > 0
    assert as_json(runner, example_index, "«Nato Osterweiterung»")["total"] == german["total"]
    assert as_json(runner, example_index, 'titel:"Nato-Osterweiterung"')["total"] >= 1


@pytest.mark.parametrize(
    "typed",
    ["Drohnen AND", "AND Drohnen", "Drohnen ODER", "UND Drohnen OR", "Drohnen NICHT", "ODER ODER Drohnen UND UND",
     "Drohnen dachzeile:"],
)
def test_query_ignores_an_operator_left_without_a_word(runner: CliRunner, example_index: Path, typed: str) -> None:
    """A half-typed ``Drohnen AND`` searches for Drohnen, not for the word "and" as well."""
    alone = as_json(runner, example_index, "Drohnen")
    assert alone["total"] > 0
    assert [hit["id"] for hit in as_json(runner, example_index, typed)["hits"]] == [hit["id"] for hit in alone["hits"]]


@pytest.mark.parametrize(
    "typed, written",
    [
        ("Nato ODER ODER Bundestag", "Nato ODER Bundestag"),
        ("Nato NICHT NICHT Bundestag", "Nato NICHT Bundestag"),
        ("Nato NICHT ODER Bundestag", "Nato NICHT Bundestag"),
        ("Titel:Osterweiterung", "titel:Osterweiterung"),
        ("titel: Osterweiterung", "titel:Osterweiterung"),
        ("Gesundheitsa\u0308mter", "Gesundheitsämter"),  # an umlaut pasted as a + combining mark (macOS)
    ],
)
def test_query_reads_hurried_typing_as_meant(runner: CliRunner, example_index: Path, typed: str, written: str) -> None:
    meant = as_json(runner, example_index, written)
    assert meant["total"] > 0
    got = as_json(runner, example_index, typed)
    assert [hit["id"] for hit in got["hits"]] == [hit["id"] for hit in meant["hits"]]


@pytest.mark.parametrize("typed", ["NICHT NICHT Nato", "NOT NOT Nato", "((Nato", "Nato ))", "ODER NICHT", "titel:"])
def test_query_odd_syntax_never_gives_a_traceback(runner: CliRunner, example_index: Path, typed: str) -> None:
    code, out, err = query(runner, example_index, typed)
    assert code in (0, 1, 2) and "Traceback" not in out + err
    assert len(err.strip().splitlines()) <= 1


def test_query_names_the_words_too_common_to_search(runner: CliRunner, example_index: Path) -> None:
    code, out, _ = query(runner, example_index, "würde")
    assert code == EXIT_NO_HITS and "Nicht gesucht (sehr häufige Wörter): würde" in out
    data = as_json(runner, example_index, "die Nato")
    assert data["ignored"] == ["die"] and data["total"] == as_json(runner, example_index, "Nato")["total"]
    assert as_json(runner, example_index, "Nato")["ignored"] == []
    # "würde NICHT Nato" cannot look for würde; "everything but Nato" is not what was asked.
    unsearchable = as_json(runner, example_index, "würde NICHT Nato")
    assert (unsearchable["total"], unsearchable["ignored"]) == (0, ["würde"])
    assert as_json(runner, example_index, "NICHT Nato")["total"] > 0  # excluding alone still works as before


def test_query_page_after_the_last_says_how_many_pages_there_are(runner: CliRunner, example_index: Path) -> None:
    total = as_json(runner, example_index, "Nato")["total"]
    code, out, _ = query(runner, example_index, "Nato", "--limit", "1", "--page", str(total + 5))
    assert code == EXIT_NO_HITS
    assert out.strip() == f"Seite {total + 5} gibt es nicht: {total} Treffer für „Nato“ passen auf {total} Seiten."


def test_query_without_hits_exits_1(runner: CliRunner, example_index: Path) -> None:
    code, out, _ = query(runner, example_index, "Quarkstrudelwettbewerb")
    assert code == 1 and "Keine Treffer" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["Nato", "--from", "gestern"], "--from: „gestern“"),
        (["Nato", "--to", "2022-13"], "--to: „2022-13“"),
        (["Nato", "--kind", "leserbrief"], "ungültiger Wert für '--kind': „leserbrief“ ist keiner der Werte"),
        (["Nato", "--limit", "0"], "ungültiger Wert für '--limit': 0 liegt nicht im Bereich"),
        (["Nato", "--limit", "zehn"], "„zehn“ ist keine Zahl"),
        (["Nato", "--sortierung", "neu"], "die Option --sortierung gibt es nicht"),
        (["Nato", "Bundestag"], "unerwartete Angabe: Bundestag"),
        (["--limit", "3"], "das Argument ANFRAGE fehlt"),
        (["Nato", "--from", "2023", "--to", "2022"], "Zeitraum"),
        (["   "], "leer"),
    ],
)
def test_query_usage_errors_exit_2_with_one_line(
    runner: CliRunner, example_index: Path, args: list[str], message: str
) -> None:
    code, out, err = query(runner, example_index, *args)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_query_missing_index_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = query(runner, tmp_path / "nirgends", "Nato")
    assert code == 2 and "nicht gefunden" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "leer").mkdir()
    code, _, err = query(runner, tmp_path / "leer", "Nato")
    assert code == 2 and "keinen newssearch-Index" in err


def test_query_index_from_environment(runner: CliRunner, example_index: Path) -> None:
    result = runner.invoke(cli, ["query", "Osterweiterung"], env={"NEWSSEARCH_INDEX": str(example_index)})
    assert result.exit_code == 0 and "Treffer" in result.stdout


def test_index_reports_counts_and_skipped_files(runner: CliRunner, write_page: PageWriter, tmp_path: Path) -> None:
    write_page("gut.txt", page_text("Fähre fährt wieder", "Die Fähre nach Laboe fährt wieder."))
    write_page("kaputt.txt", b"\x00\x01\x02\x03" * 100)
    result = runner.invoke(cli, ["index", str(tmp_path / "archiv"), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 3
    assert "1 neu" in result.stdout and "1 übersprungen" in result.stdout
    assert "kaputt.txt: keine Textdatei" in result.stderr
    again = runner.invoke(cli, ["index", str(tmp_path / "archiv"), "--index", str(tmp_path / "ix")])
    assert "0 neu" in again.stdout and "1 unverändert" in again.stdout


def test_index_missing_folder_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["index", str(tmp_path / "gibtsnicht"), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2 and "den Ordner" in result.stderr and "gibtsnicht“ gibt es nicht" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_index_clean_archive_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "ix"), "--quiet"])
    assert result.exit_code == 0 and result.stdout == ""


def test_module_runs_as_python_dash_m(example_index: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newssearch", "query", "Osterweiterung", "--index", str(example_index), "--json"],
        capture_output=True, text=True, env={"NO_COLOR": "1", "PATH": ""}, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] > 0


def test_query_marks_matched_words_bold_on_a_terminal(example_index: Path) -> None:
    import os

    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    code, raw = run_on_terminal(
        [sys.executable, "-m", "newssearch", "query", "Osterweiterung", "--index", str(example_index)],
        "stdout", env=env,
    )
    shown = raw.decode("utf-8")
    assert code == 0
    assert "\x1b[1mOsterweiterung\x1b[0m" in shown or "\x1b[1mNato-Osterweiterung\x1b[0m" in shown


def test_readme_documents_every_command_and_option() -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"newssearch {name}" in readme, name
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help":
                    assert option in readme, f"{name} {option}"


def _copy_examples(target: Path) -> Path:
    import shutil

    shutil.copytree(EXAMPLES, target)
    return target


def _article_count(runner: CliRunner, index_dir: Path) -> int:
    from newssearch.index import count_documents, open_index

    return count_documents(open_index(index_dir))[0]


def test_index_refuses_a_folder_inside_or_around_an_indexed_one(runner: CliRunner, tmp_path: Path) -> None:
    archive = _copy_examples(tmp_path / "archiv")
    index_dir = tmp_path / "index"
    assert runner.invoke(cli, ["index", str(archive), "--index", str(index_dir), "-q"]).exit_code == 0
    before = _article_count(runner, index_dir)
    inner = next(path for path in sorted(archive.iterdir()) if path.is_dir())
    for folders in ([str(inner)], [str(tmp_path)], [str(archive), str(inner)]):
        result = runner.invoke(cli, ["index", *folders, "--index", str(index_dir)])
        assert result.exit_code == 2, folders
        assert "Ordner" in result.output and str(inner if folders[0] != str(tmp_path) else tmp_path) in result.output
        assert "Traceback" not in result.output
        assert _article_count(runner, index_dir) == before  # nothing indexed twice, nothing removed
    rebuilt = runner.invoke(cli, ["index", str(tmp_path), "--index", str(index_dir), "--rebuild", "--json"])
    assert rebuilt.exit_code == 0 and json.loads(rebuilt.output)["articles"] == len(list(archive.rglob("*.txt")))


def test_index_keeps_a_folders_pages_when_it_finds_none(runner: CliRunner, tmp_path: Path) -> None:
    """A mistyped --glob or an emptied (unmounted) folder must not empty the index."""
    archive = _copy_examples(tmp_path / "archiv")
    index_dir = tmp_path / "index"
    runner.invoke(cli, ["index", str(archive), "--index", str(index_dir), "-q"])
    before = _article_count(runner, index_dir)
    typo = runner.invoke(cli, ["index", str(archive), "--index", str(index_dir), "--glob", "*.text", "--json"])
    assert typo.exit_code == 3
    report = json.loads(typo.output)
    assert report["removed"] == 0 and report["articles"] == before
    assert "keine Seiten gefunden" in report["skipped"][0]["reason"]
    for page in list(archive.rglob("*.txt")):
        page.unlink()
    emptied = runner.invoke(cli, ["index", str(archive), "--index", str(index_dir), "--json"])
    assert emptied.exit_code == 3 and json.loads(emptied.output)["removed"] == 0
    assert _article_count(runner, index_dir) == before
    # Pages that really went away one by one are still removed.
    _copy_examples(tmp_path / "zurueck")
    for page in list((tmp_path / "zurueck").rglob("*.txt"))[1:]:
        target = archive / page.relative_to(tmp_path / "zurueck")
        target.parent.mkdir(parents=True, exist_ok=True)
        page.replace(target)
    partial = json.loads(runner.invoke(cli, ["index", str(archive), "--index", str(index_dir), "--json"]).output)
    assert partial["removed"] == 1 and partial["articles"] == before - 1
    for page in list(archive.rglob("*.txt")):
        page.unlink()
    allowed = runner.invoke(cli, ["index", str(archive), "--index", str(index_dir), "--allow-empty", "--json"])
    assert allowed.exit_code == 0 and json.loads(allowed.output)["articles"] == 0


def _index_one_page(runner: CliRunner, write_page: PageWriter, tmp_path: Path, text: str) -> Path:
    write_page("2022/06/2022-06-01_seite.txt", text)
    index_dir = tmp_path / "ix"
    runner.invoke(cli, ["index", str(tmp_path / "archiv"), "--index", str(index_dir), "-q"])
    return index_dir


def test_query_with_a_field_prefix_shows_that_field_in_the_snippet(
    runner: CliRunner, write_page: PageWriter, tmp_path: Path
) -> None:
    """``dachzeile:Hafen`` matched the kicker: the snippet shows the kicker, not the Hafenfest in the body."""
    index_dir = _index_one_page(runner, write_page, tmp_path, page_text(
        "Wochenende an der Förde", "Das Hafenfest beginnt am Freitag. Der Hafen erwartet viele Gäste am Hafenbecken.",
        kicker="Hafen und Stadt",
    ))
    (narrowed,) = as_json(runner, index_dir, "dachzeile:Hafen")["hits"]
    assert narrowed["snippet"] == "<mark>Hafen</mark> und Stadt"
    (everywhere,) = as_json(runner, index_dir, "Hafen")["hits"]
    assert "<mark>Hafenfest</mark>" in everywhere["snippet"]


@pytest.mark.parametrize("command", [[], ["index"], ["query"], ["serve"], ["stats"], ["check"]])
def test_help_is_german_throughout(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"], prog_name="newssearch")
    assert result.exit_code == 0
    assert result.output.startswith("Aufruf: newssearch") and "Optionen:" in result.output
    assert "Diese Hilfe zeigen und beenden." in result.output
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "DIRECTORY", "INTEGER"):
        assert english not in result.output, english


def test_query_for_a_dateline_place_marks_it_in_the_snippet(
    runner: CliRunner, write_page: PageWriter, tmp_path: Path
) -> None:
    """A hit found only through its dateline (``LABOE: …``) shows the dateline marked, as the page prints it."""
    index_dir = _index_one_page(runner, write_page, tmp_path, page_text(
        "Fähre fährt wieder", "Der Betrieb läuft ab Montag nach dem Sommerfahrplan.",
        lead="LABOE: Nach drei Wochen Reparatur legt die Fähre wieder an.",
    ))
    (hit,) = as_json(runner, index_dir, "Laboe")["hits"]
    assert hit["snippet"].startswith("<mark>LABOE</mark>: Nach drei Wochen Reparatur")
    (placed,) = as_json(runner, index_dir, "ort:Laboe")["hits"]
    assert placed["snippet"] == hit["snippet"]
