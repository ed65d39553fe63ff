"""Indexing that never loses the archive: rebuilds, several folders, locks, kills, full disks, hostile files."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive_maker import write_archive
from conftest import EXAMPLES, PageWriter, page_text, run_on_terminal
from hostile import write_hostile_archive

from newssearch.cli import cli
from newssearch.index import count_documents, open_index, update_index
from newssearch.maintenance import check_index
from newssearch.search import SearchRequest, build_query, search

NEWSSEARCH = [sys.executable, "-m", "newssearch"]


def _hits(index_dir: Path, text: str) -> list[str]:
    """Every matching document (not only the first page: scores may differ while deleted documents linger)."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        results = searcher.search(build_query(SearchRequest(query=text), ix), limit=None)
        return sorted(hit["id"] for hit in results)


def _all_ids(index_dir: Path) -> list[str]:
    with open_index(index_dir).searcher() as searcher:
        return sorted(doc["id"] for doc in searcher.all_stored_fields())


def _start_index(archive: Path, index_dir: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*NEWSSEARCH, "index", str(archive), "--index", str(index_dir), "--quiet", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_rebuild_starts_from_scratch_and_switches_atomically(tmp_path: Path, runner: CliRunner) -> None:
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES])
    before = _all_ids(index_dir)
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(index_dir), "--rebuild"])
    assert result.exit_code == 0 and "neu aufgebaut" in result.stdout
    assert _all_ids(index_dir) == before
    tocs = [path.name for path in index_dir.iterdir() if path.suffix == ".toc"]
    assert len(tocs) == 1, tocs  # the old generation is gone
    assert check_index(index_dir).ok


def test_several_folders_keep_their_roots(tmp_path: Path, write_page: PageWriter) -> None:
    other = tmp_path / "zweites-archiv"
    other.mkdir()
    (other / "2022-07-01_fest.txt").write_text(page_text("Kieler Woche beginnt", "Die Segler sind da."), "utf-8")
    (other / "2022-07-02_markt.txt").write_text(page_text("Fischmarkt am Hafen", "Die Kutter legen an."), "utf-8")
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES, other])
    assert _hits(index_dir, "Segler") and _hits(index_dir, "Osterweiterung")
    # Indexing the second folder again after a page is gone removes only that folder's page.
    (other / "2022-07-01_fest.txt").unlink()
    report = update_index(index_dir, [other])
    assert report.removed == 1
    assert not _hits(index_dir, "Segler") and _hits(index_dir, "Kutter") and _hits(index_dir, "Osterweiterung")
    # Its last page gone: kept (an unmounted drive looks the same) unless an empty folder is allowed.
    (other / "2022-07-02_markt.txt").unlink()
    assert update_index(index_dir, [other]).removed == 0 and _hits(index_dir, "Kutter")
    assert update_index(index_dir, [other], allow_empty=True).removed == 1
    assert not _hits(index_dir, "Kutter") and _hits(index_dir, "Osterweiterung")


def test_index_json_report_lists_skipped_pages(tmp_path: Path, runner: CliRunner, write_page: PageWriter) -> None:
    write_page("gut.txt", page_text("Fähre fährt wieder", "Die Fähre nach Laboe fährt wieder."))
    write_page("leer.txt", b"")
    result = runner.invoke(cli, ["index", str(tmp_path / "archiv"), "--index", str(tmp_path / "ix"), "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["added"] == 1 and report["articles"] == 1
    assert [Path(item["path"]).name for item in report["skipped"]] == ["leer.txt"]
    assert "leer" in report["skipped"][0]["reason"]


def test_second_writer_waits_then_gives_up_and_a_killed_writers_lock_is_cleared(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    write_archive(archive, 400)
    index_dir = tmp_path / "ix"
    first = _start_index(archive, index_dir, "--batch-pages", "50")
    try:
        deadline = time.monotonic() + 30
        while not (index_dir / "newssearch.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        started = time.monotonic()
        second = subprocess.run(
            [*NEWSSEARCH, "index", str(archive), "--index", str(index_dir), "--wait", "0.5"],
            capture_output=True, text=True, check=False,
        )
        waited = time.monotonic() - started
        assert first.poll() is None, "the first writer finished too early for this test"
        assert second.returncode == 2, second.stderr
        assert "wird gerade von einem anderen Vorgang geschrieben" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and waited >= 0.5
        # Searching while the first writer runs sees the last committed state and never fails.
        for _ in range(5):
            probe = subprocess.run([*NEWSSEARCH, "query", "Meldung", "--index", str(index_dir), "--json"],
                                   capture_output=True, text=True, check=False)
            assert probe.returncode in (0, 1, 2), probe.stderr
            if probe.returncode == 2:
                assert "keinen newssearch-Index" in probe.stderr  # before the first commit only
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    again = subprocess.run([*NEWSSEARCH, "index", str(archive), "--index", str(index_dir), "--quiet"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert count_documents(open_index(index_dir))[0] == 400


def test_killed_runs_leave_the_old_index_whole_and_reruns_converge(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    pages = write_archive(archive, 300)
    index_dir = tmp_path / "ix"
    update_index(index_dir, [archive])
    old_ids = _all_ids(index_dir)
    old_results = {word: _hits(index_dir, word) for word in ("Hafen", "Meldung", "Gemeinde")}
    # Change a third of the pages, delete some, add new ones: a real update for the killed runs to interrupt.
    rng = random.Random(11)
    for path in rng.sample(pages, 100):
        path.write_text(path.read_text("utf-8").replace("Meldung", "Bericht"), "utf-8")
    for path in rng.sample(pages, 20):
        if path.exists():
            path.unlink()
    write_archive(archive / "neu", 60, seed=99)
    killed = 0
    for delay in (0.05, 0.3, 0.6, 1.0, 1.5):
        run = _start_index(archive, index_dir, "--batch-pages", "25")
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        killed += run.wait() == -signal.SIGKILL
        ids = set(_all_ids(index_dir))
        assert check_index(index_dir).damaged == []
        # Every page is there in its old or its new state, each article with all of its comments.
        articles = {doc_id for doc_id in ids if "-k" not in doc_id}
        assert all(doc_id.split("-k")[0] in articles for doc_id in ids)
        assert len(articles) >= 300 - 20
    assert killed >= 3, "the runs finished before they could be killed: make the archive bigger"
    finished = subprocess.run([*NEWSSEARCH, "index", str(archive), "--index", str(index_dir), "--quiet"],
                              capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert [path.name for path in index_dir.iterdir() if path.is_dir()] == []  # killed runs' temporary folders
    fresh = tmp_path / "frisch"
    update_index(fresh, [archive])
    assert _all_ids(index_dir) == _all_ids(fresh)
    for word in ("Hafen", "Bericht", "Meldung"):
        assert _hits(index_dir, word) == _hits(fresh, word)
    assert old_results["Gemeinde"] and old_ids


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_full_disk_gives_a_clear_error_and_keeps_the_old_index(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES])
    before = _all_ids(index_dir)
    archive = tmp_path / "archiv"
    write_archive(archive, 200)
    failed = subprocess.run([*NEWSSEARCH, "index", str(archive), "--index", str(index_dir)],
                            capture_output=True, text=True, check=False, preexec_fn=_limit_file_size)
    assert failed.returncode == 2, failed.stderr
    assert "kann nicht geschrieben werden" in failed.stderr and "Traceback" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    assert _all_ids(index_dir) == before
    assert check_index(index_dir).ok


def test_read_only_index_folder_gives_a_clear_error(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES])
    before = _all_ids(index_dir)
    for path in [index_dir, *index_dir.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        if os.access(index_dir, os.W_OK):
            pytest.skip("als root gelten Schreibrechte nicht; der volle Datenträger wird oben geprüft")
        result = CliRunner().invoke(cli, ["index", str(EXAMPLES), "--index", str(index_dir), "--rebuild"])
        assert result.exit_code == 2 and "kann nicht geschrieben werden" in result.stderr
    finally:
        for path in [index_dir, *index_dir.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert _all_ids(index_dir) == before


def test_hostile_files_are_indexed_sensibly_or_skipped_with_a_reason(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    hostile, words = write_hostile_archive(archive)
    report = update_index(tmp_path / "ix", [archive])
    skipped = {Path(item.path).name: item.reason for item in report.skipped}
    with open_index(tmp_path / "ix").searcher() as searcher:
        indexed = {doc["path"] for doc in searcher.all_stored_fields()}
    for relpath, what in hostile.items():
        name = Path(relpath).name
        if what == "folder symlink loop":
            assert not any(path.startswith("schleife/zurueck") for path in indexed)
            continue
        assert (relpath in indexed) != (name in skipped), f"{relpath} ({what})"
    assert skipped["riesig.txt"].startswith("Datei zu groß")
    assert "Symlink-Schleife" in skipped["selbst.txt"] and "keine normale Datei" in skipped["rohr.txt"]
    assert {"zufall.txt", "leer.txt", "nur-leerzeilen.txt", "nur-baustein.txt"} <= set(skipped)
    assert {"eine-zeile.txt", "gemischt.txt", "nullbytes.txt", "Grüße-aus-Lübeck.txt"} <= indexed
    for word in words + ["Holstentorplatz", "Fraktion", "Deich", "Ratssitzung"]:
        assert _hits(tmp_path / "ix", word), word
    undated = search(tmp_path / "ix", SearchRequest(query="laut", kind="comment")).hits
    assert undated and undated[0].date is None
    assert search(tmp_path / "ix", SearchRequest(query="Bürgermeister Kunz", kind="article")).total == 1


def test_web_page_answers_while_an_index_run_is_writing(tmp_path: Path) -> None:
    from newssearch.app import create_app

    archive = tmp_path / "archiv"
    write_archive(archive, 400)
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES])
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    totals = [client.get("/api/search?q=Osterweiterung").get_json()["total"]]
    writer = _start_index(archive, index_dir, "--batch-pages", "40")
    try:
        while writer.poll() is None:
            response = client.get("/api/search?q=Osterweiterung")
            assert response.status_code == 200
            totals.append(response.get_json()["total"])
            assert client.get("/?q=Osterweiterung").status_code == 200
            time.sleep(0.05)
    finally:
        writer.wait()
    assert writer.returncode == 0
    totals.append(client.get("/api/search?q=Osterweiterung").get_json()["total"])
    # Pages are only added: every answer shows a committed state, never fewer hits than an earlier one.
    assert totals == sorted(totals) and totals[-1] > totals[0]


def test_index_shows_a_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    write_archive(archive, 30)
    code, shown = run_on_terminal([*NEWSSEARCH, "index", str(archive), "--index", str(tmp_path / "ix")], "stderr")
    assert code == 0
    assert b"Seiten" in shown and b"30/30" in shown and b"Seiten/s" in shown
    piped = subprocess.run([*NEWSSEARCH, "index", str(archive), "--index", str(tmp_path / "ix2")],
                           capture_output=True, check=False)
    assert piped.returncode == 0 and piped.stderr == b""


def test_a_run_with_nothing_to_do_clears_what_a_killed_writer_left(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    write_archive(archive, 5)
    index_dir = tmp_path / "ix"
    update_index(index_dir, [archive])
    left = index_dir / "newssearch.tmp"  # Whoosh's writer folder, as a killed run leaves it
    left.mkdir()
    (left / "halb.seg").write_bytes(b"\x00" * 64)
    report = update_index(index_dir, [archive])
    assert report.unchanged == 5 and not left.exists()
    assert count_documents(open_index(index_dir))[0] == 5


def test_verbose_run_names_a_latin1_file_decoded(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    archive.mkdir()
    with open(os.fsencode(archive) + b"/Gr\xfc\xdfe-aus-L\xfcbeck.txt", "wb") as handle:
        handle.write(page_text("Grüße aus Lübeck", "Der Holstentorplatz wird neu gepflastert.").encode("utf-8"))
    seen: list[tuple[str, str]] = []
    update_index(tmp_path / "ix", [archive], events=lambda what, path: seen.append((what, path)))
    assert [(what, Path(path).name) for what, path in seen] == [("neu", "Grüße-aus-Lübeck.txt")]


def test_a_forced_rebuild_waits_for_a_missing_folder_instead_of_dropping_its_pages(tmp_path: Path) -> None:
    from newssearch.errors import FolderError
    from newssearch.index import _write_meta, read_meta

    other = tmp_path / "laufwerk" / "archiv"
    other.mkdir(parents=True)
    (other / "2022-07-01_fest.txt").write_text(page_text("Kieler Woche beginnt", "Die Segler sind da."), "utf-8")
    index_dir = tmp_path / "ix"
    update_index(index_dir, [EXAMPLES, other])
    _write_meta(index_dir, {**read_meta(index_dir), "vocabulary_complete": False})  # a rebuild is due
    (tmp_path / "laufwerk").rename(tmp_path / "ausgehaengt")  # the drive is not mounted
    with pytest.raises(FolderError, match="fehlt"):
        update_index(index_dir, [EXAMPLES])
    assert _hits(index_dir, "Segler") and _hits(index_dir, "Osterweiterung")  # nothing was changed
    (tmp_path / "ausgehaengt").rename(tmp_path / "laufwerk")
    report = update_index(index_dir, [EXAMPLES])
    assert report.rebuilt and _hits(index_dir, "Segler") and _hits(index_dir, "Osterweiterung")
