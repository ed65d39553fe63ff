"""`newssearch stats` and `newssearch check`: what an index holds, and whether it is whole and current."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import EXAMPLES, page_text

from newssearch.cli import cli
from newssearch.index import update_index


def _copy_archive(tmp_path: Path) -> Path:
    archive = tmp_path / "archiv"
    shutil.copytree(EXAMPLES, archive)
    return archive


def test_stats_shows_documents_dates_sources_and_size(runner: CliRunner, example_index: Path) -> None:
    result = runner.invoke(cli, ["stats", "--index", str(example_index), "--json"])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    pages = len(list(EXAMPLES.rglob("*.txt")))
    assert stats["articles"] == pages and stats["comments"] > pages
    assert stats["first_date"].startswith("2021-") and stats["last_date"].startswith("2023-")
    assert sum(stats["date_sources"].values()) == pages and set(stats["date_sources"]) == {"page", "path", "comments"}
    assert stats["roots"] == {EXAMPLES.resolve().as_posix(): pages}
    assert stats["size_bytes"] > 0 and stats["segments"] >= 1
    human = runner.invoke(cli, ["stats", "--index", str(example_index)])
    assert human.exit_code == 0 and f"Artikel:     {pages}" in human.stdout and "Zeitraum:    02.03.2021" in human.stdout


def test_check_passes_on_a_current_index(runner: CliRunner, example_index: Path) -> None:
    result = runner.invoke(cli, ["check", "--index", str(example_index)])
    assert result.exit_code == 0 and "In Ordnung" in result.stdout


def test_check_reports_changed_missing_and_new_pages(runner: CliRunner, tmp_path: Path) -> None:
    archive = _copy_archive(tmp_path)
    (archive / "leer.txt").write_bytes(b"")  # skipped on purpose: not a problem for check
    update_index(tmp_path / "ix", [archive])
    changed = archive / "2022/03/2022-03-14_hafen.txt"
    changed.write_text(changed.read_text("utf-8") + "\nEin Nachtrag.\n", "utf-8")
    (archive / "2023/09/2023-09-10_foerdelauf.txt").unlink()
    (archive / "neu.txt").write_text(page_text("Neue Seite", "Noch nicht im Index."), "utf-8")
    result = runner.invoke(cli, ["check", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert "Datei geändert seit dem Indexieren: " in result.stdout and "2022-03-14_hafen.txt" in result.stdout
    assert "Datei fehlt: " in result.stdout and "2023-09-10_foerdelauf.txt" in result.stdout
    assert "Neu, noch nicht im Index: " in result.stdout and "neu.txt" in result.stdout
    assert "leer.txt" not in result.stdout
    update_index(tmp_path / "ix", [archive])
    assert runner.invoke(cli, ["check", "--index", str(tmp_path / "ix")]).exit_code == 0


def test_check_finds_a_damaged_segment(runner: CliRunner, tmp_path: Path) -> None:
    update_index(tmp_path / "ix", [EXAMPLES])
    segment = max((tmp_path / "ix").glob("newssearch_*"), key=lambda path: path.stat().st_size)
    data = bytearray(segment.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes(4096)
    segment.write_bytes(bytes(data))
    result = runner.invoke(cli, ["check", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1, result.output
    assert f"Segmentdatei {segment.name} ist beschädigt" in result.stdout
    assert "Traceback" not in result.output


def test_index_run_killed_before_its_vocabulary_was_stored_is_redone_whole(tmp_path: Path) -> None:
    """Words analysed by a run that died before storing them would be missing for queries: redo the analysis."""
    from newssearch.index import read_meta, _write_meta

    other = tmp_path / "zweites"
    other.mkdir()
    (other / "2022-07-01_fest.txt").write_text(page_text("Kieler Woche beginnt", "Die Segler sind da."), "utf-8")
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES])
    update_index(index_dir, [other])
    meta = read_meta(index_dir)
    _write_meta(index_dir, {**meta, "vocabulary_complete": False})  # as a run killed before the end leaves it
    report = update_index(index_dir, [other])
    assert report.rebuilt
    assert report.articles == len(list(EXAMPLES.rglob("*.txt"))) + 1  # the other folder was kept
    assert read_meta(index_dir)["vocabulary_complete"] is True


def test_stats_and_check_without_index_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    for command in ("stats", "check"):
        result = runner.invoke(cli, [command, "--index", str(tmp_path / "nichts")])
        assert result.exit_code == 2 and "nicht gefunden" in result.stderr


def test_check_of_an_empty_index_says_it_is_empty(runner: CliRunner, tmp_path: Path) -> None:
    """A first run stopped before its first commit leaves an index without pages: not "alle Seiten aktuell"."""
    (tmp_path / "leer").mkdir()
    update_index(tmp_path / "ix", [tmp_path / "leer"])
    result = runner.invoke(cli, ["check", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0 and "leer: noch keine Seite im Index" in result.stdout
    assert "alle Seiten aktuell" not in result.stdout


def test_check_reads_the_body_texts(runner: CliRunner, tmp_path: Path) -> None:
    """The body texts live in a column of their own (schema 4): a cut-off column is reported, not skipped."""
    update_index(tmp_path / "ix", [EXAMPLES])
    column = max((tmp_path / "ix").glob("newssearch_*.body.col"), key=lambda path: path.stat().st_size)
    column.write_bytes(column.read_bytes()[: column.stat().st_size // 3])
    result = runner.invoke(cli, ["check", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1, result.output
    assert "Segment 1:" in result.stdout or "Segment 2:" in result.stdout, result.stdout
    assert "Traceback" not in result.output
