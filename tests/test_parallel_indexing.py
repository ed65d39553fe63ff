"""Indexing in worker processes that write their own segments gives the same index as indexing in one process."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from archive_maker import write_archive

from newssearch import pipeline
from whoosh import index

from newssearch.columns import all_document_fields
from newssearch.index import build_schema, count_documents, open_index, update_index
from newssearch.maintenance import check_index
from newssearch.search import SearchRequest, search


def _documents(index_dir: Path) -> list[tuple[str, str]]:
    with open_index(index_dir).searcher() as searcher:
        return sorted((doc["id"], doc["body"]) for doc in all_document_fields(searcher.reader()))


def _vocabulary(index_dir: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every row the run stored for queries and snippets (analyses, forms, spellings, typo keys, carriers)."""
    with closing(sqlite3.connect(index_dir / "analysis.sqlite")) as connection:
        return {
            table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("words", "spellings", "keys", "carriers")
        }


def _found(index_dir: Path, text: str) -> list[str]:
    """Every matching document; their order may differ (ties, statistics of deleted documents)."""
    return sorted(hit.id for hit in search(index_dir, SearchRequest(query=text, page_size=100)).hits)


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Path]]:
    monkeypatch.setattr(pipeline, "INLINE_BELOW_PAGES", 1)  # workers even for a small archive
    folder = tmp_path / "archiv"
    return folder, write_archive(folder, 90)


def test_workers_write_the_same_index_as_one_process(tmp_path: Path, archive: tuple[Path, list[Path]]) -> None:
    folder, _ = archive
    update_index(tmp_path / "eins", [folder], jobs=0)
    update_index(tmp_path / "zwei", [folder], jobs=2, batch_pages=20)
    assert _documents(tmp_path / "zwei") == _documents(tmp_path / "eins")
    # Each worker stores what it learnt at every batch's end, one before and one after its segment.
    assert _vocabulary(tmp_path / "zwei") == _vocabulary(tmp_path / "eins")
    for word in ("Hafen", "Gemeinde", "Meldung"):
        assert _found(tmp_path / "zwei", word) == _found(tmp_path / "eins", word)
    assert check_index(tmp_path / "zwei").damaged == []
    # Workers' and the run's temporary folders are gone; only index files remain.
    assert [path.name for path in (tmp_path / "zwei").iterdir() if path.is_dir()] == []


@pytest.fixture
def worker_index(tmp_path: Path, archive: tuple[Path, list[Path]]) -> Path:
    """The archive indexed by two workers in batches of 20 pages: several segments."""
    update_index(tmp_path / "ix", [archive[0]], jobs=2, batch_pages=20)
    return tmp_path / "ix"


def test_workers_replace_changed_pages_and_drop_removed_ones(
    tmp_path: Path, archive: tuple[Path, list[Path]], worker_index: Path
) -> None:
    folder, pages = archive
    index_dir = worker_index
    for path in pages[:30]:
        path.write_text(path.read_text("utf-8").replace("Meldung", "Bericht"), "utf-8")
    for path in pages[-5:]:
        path.unlink()
    report = update_index(index_dir, [folder], jobs=2, batch_pages=20)
    assert (report.removed, report.unchanged) == (5, 55)
    assert report.updated == sum("Bericht" in path.read_text("utf-8") for path in pages[:30])
    assert count_documents(open_index(index_dir))[0] == 85
    fresh = tmp_path / "frisch"
    update_index(fresh, [folder], jobs=0)
    assert _documents(index_dir) == _documents(fresh)
    assert _found(index_dir, "Bericht") == _found(fresh, "Bericht")


def test_date_sorted_hits_keep_their_scores_across_segments(worker_index: Path) -> None:
    index_dir = worker_index
    with open_index(index_dir).reader() as reader:
        assert len(reader.leaf_readers()) >= 2  # the date order and the scores span segments
    by_relevance = search(index_dir, SearchRequest(query="Hafen", page_size=100))
    scores = {hit.id: hit.score for hit in by_relevance.hits}
    for sort in ("newest", "oldest"):
        page = search(index_dir, SearchRequest(query="Hafen", sort=sort, page_size=15))
        assert page.total == by_relevance.total and len(page.hits) == 15
        days = [hit.date for hit in page.hits if hit.date is not None]
        assert days == sorted(days, reverse=sort == "newest")
        assert all(hit.score == pytest.approx(scores[hit.id]) and hit.score > 0 for hit in page.hits)
        # The page shows no scores and asks without them: the same hits, order, total and snippets.
        unscored = search(index_dir, SearchRequest(query="Hafen", sort=sort, page_size=15, scores=False))
        assert unscored.total == page.total
        assert [(hit.id, hit.snippet) for hit in unscored.hits] == [(hit.id, hit.snippet) for hit in page.hits]
        assert all(hit.score is None for hit in unscored.hits)


def test_workers_start_before_the_pages_only_when_a_folder_needs_them(tmp_path: Path) -> None:
    """Worker processes (and their word tables) are started while the writer still prepares, but a run
    whose folders are all small enough to parse in the writer process starts none."""
    index.create_in(str(tmp_path), build_schema())
    small = pipeline.SegmentWorkers(2, tmp_path, "MAIN", 20, limitmb=32, preload=True)
    small.start_for([pipeline.INLINE_BELOW_PAGES - 1, 3])
    assert small._workers == []
    large = pipeline.SegmentWorkers(2, tmp_path, "MAIN", 20, limitmb=32, preload=True)
    try:
        large.start_for([3, pipeline.INLINE_BELOW_PAGES])
        assert len(large._workers) == 2 and all(worker.is_alive() for worker in large._workers)
        workers = list(large._workers)
    finally:
        large.close()
    assert [worker.exitcode for worker in workers] == [0, 0]


def test_segments_are_listed_in_the_workers_order_whoever_finishes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first worker gets the first 16 pages, long ones full of words it must analyse, and finishes well
    after the second, which gets one short page. Its segment still comes first: the same archive gets the
    same document numbers in every run, and equally scored hits the same order."""
    monkeypatch.setattr(pipeline, "INLINE_BELOW_PAGES", 1)
    folder = tmp_path / "archiv"
    folder.mkdir()
    syllables = ["haf", "en", "ber", "lin", "stau", "damm", "wer", "ft", "kai", "nord", "ost", "see", "land", "rat"]
    words = [a + b + c + d for a in syllables for b in syllables for c in syllables for d in syllables[:4]]
    for number in range(16):
        text = " ".join(words[number * 700 : (number + 1) * 700])
        (folder / f"{number:02d}-lang.txt").write_text(f"Lange Meldung {number}\n\nHafen\n\nKIEL: {text}.\n", "utf-8")
    (folder / "16-kurz.txt").write_text("Kurze Meldung\n\nHafen\n\nKIEL: Der Kai wird erneuert.\n", "utf-8")
    update_index(tmp_path / "ix", [folder], jobs=2)
    with open_index(tmp_path / "ix").searcher() as searcher:
        paths = [fields["path"] for fields in all_document_fields(searcher.reader())]
        assert len(searcher.reader().leaf_readers()) == 2
    assert paths == sorted(paths) and paths[-1] == "16-kurz.txt"
