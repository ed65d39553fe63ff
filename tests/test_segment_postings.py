"""A flushed segment's postings and term table are Whoosh's own files, byte for byte, only written faster."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import fields, writing
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer

from conftest import EXAMPLES
from newssearch import index, segment_postings, segments
from newssearch.index import update_index
from newssearch.search import SearchRequest, search

# One word in enough comments for posting lists of several blocks (Whoosh's blocks hold 128 postings), with
# weights that differ (the word alone, as a compound part, twice, in a title) and blocks of every size.
MANY = 300


def _busy_archive(folder: Path) -> Path:
    comments = []
    for number in range(MANY):
        minute = f"{number % 60:02d}"
        text = ["Die Osterweiterung der Nato bleibt umstritten.", "Über die Nato-Osterweiterung wird gestritten.",
                "Osterweiterung hier, Osterweiterung dort.", "Ein Leser schreibt über den Gipfel."][number % 4]
        title = "Osterweiterung?\n" if number % 7 == 0 else ""
        comments.append(f"Leser {number} 03.04.22 12:{minute}\n{title}{text}\n")
    page = (
        "Streit über die Osterweiterung\nNato\nBRÜSSEL: Die Außenminister beraten über die Erweiterung.\n"
        "Die Osterweiterung der Nato war ein Thema der Neunzigerjahre.\n\nKommentare\n" + "\n".join(comments)
    )
    folder.mkdir(parents=True)
    (folder / "nato.txt").write_text(page, "utf-8")
    return folder


def _index_files(index_dir: Path) -> dict[str, bytes]:
    return {path.suffix: path.read_bytes() for path in index_dir.iterdir() if path.suffix in (".trm", ".pst")}


@pytest.mark.parametrize("archive", ["examples", "busy"])
@pytest.mark.parametrize("pool_mb", [256, 0.05], ids=["in-memory", "runs-on-disk"])
def test_the_fast_flush_writes_exactly_what_whoosh_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive: str, pool_mb: float
) -> None:
    folder = EXAMPLES if archive == "examples" else _busy_archive(tmp_path / "archiv")
    # A small posting pool sorts and writes runs to disk and merges them at the flush, as a large batch does;
    # the files are then also written in many small batches.
    monkeypatch.setattr(index, "WRITER_LIMIT_MB", pool_mb)
    if pool_mb < 1:
        monkeypatch.setattr(segment_postings, "_BATCH_BYTES", 2_000)
    update_index(tmp_path / "schnell", [folder], jobs=0)
    monkeypatch.setattr(segments, "can_write", lambda fieldwriter: False)  # Whoosh's own add_postings
    monkeypatch.setattr(segments, "_PostingPool", writing.PostingPool)  # and its own sorting
    monkeypatch.setattr(index, "WRITER_LIMIT_MB", 256)
    update_index(tmp_path / "whoosh", [folder], jobs=0)
    fast, whoosh = _index_files(tmp_path / "schnell"), _index_files(tmp_path / "whoosh")
    assert set(fast) == {".trm", ".pst"}
    assert fast == whoosh


def test_a_word_in_hundreds_of_comments_is_found_in_all_of_them(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [_busy_archive(tmp_path / "archiv")], jobs=0)
    result = search(index_dir, SearchRequest(query="Osterweiterung", kind="comment", page_size=5))
    # Three of every four comments hold the word (alone, as a compound part, or twice), and every seventh
    # comment has it in its title.
    expected = sum(1 for number in range(MANY) if number % 4 != 3 or number % 7 == 0)
    assert result.total == expected
    assert result.hits[0].score is not None and result.hits[0].score >= result.hits[-1].score


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["body", "title", "author", "lead"]),
            st.dictionaries(st.text("aäbcß", min_size=1, max_size=3).map(str.encode), st.floats(0.5, 3.0), max_size=5),
            max_size=4,
        ),
        max_size=30,
    )
)
def test_postings_sorted_in_two_passes_are_in_whooshs_order(documents: list[dict[str, dict[bytes, float]]]) -> None:
    # As a writer adds them: document by document, a document's fields in any order, each term once a field.
    postings = [
        (field, term, docnum, weight, None if weight < 1 else b"x")
        for docnum, fields in enumerate(documents)
        for field, terms in fields.items()
        for term, weight in terms.items()
    ]
    ordered = list(postings)
    segments.sort_postings(ordered)
    assert ordered == sorted(postings)


def test_a_writer_for_a_schema_with_a_spelling_field_sorts_as_whoosh_does(tmp_path: Path) -> None:
    """Whoosh files a spelling field's words under document 0 for every document, so the two-pass sort would
    order them differently: such a writer keeps Whoosh's sort."""
    schema = fields.Schema(text=fields.TEXT(analyzer=StemmingAnalyzer(), spelling=True))
    writer = segments.SegmentWriter(whoosh_index.create_in(str(tmp_path), schema))
    for text in ("Rennende Hunde bellen laut", "Rennende Katzen"):
        writer.add_document(text=text)
    added = list(writer.pool.current)
    assert any(posting[0] == "spell_text" for posting in added)
    assert list(writer.pool.items()) == sorted(added)
    writer.cancel()
