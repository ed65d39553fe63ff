"""Reading page files: encodings, line ends, empty and binary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PageWriter

from newssearch.errors import DocumentError
from newssearch.sources import PageFile, find_page_files, read_page

GERMAN = "Straßenbahn: Bürger fordern „mehr Tempo“ – gegenüber 2021 ist wenig passiert.\n"


def _page(path: Path) -> PageFile:
    return PageFile(root=path.parent, path=path, relpath=path.name)


@pytest.mark.parametrize(
    "data, encoding",
    [
        (GERMAN.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + GERMAN.encode("utf-8"), "utf-8"),
        (GERMAN.encode("cp1252"), "cp1252"),
    ],
)
def test_read_page_decodes_utf8_bom_and_windows_1252(write_page: PageWriter, data: bytes, encoding: str) -> None:
    text = read_page(_page(write_page("a.txt", data)))
    assert text.text == GERMAN
    assert text.encoding == encoding


def test_read_page_decodes_mixed_files_line_by_line(write_page: PageWriter) -> None:
    data = "Köpfe und Ärger\n".encode("utf-8") + "Grüße aus Kiel\n".encode("cp1252")
    assert read_page(_page(write_page("a.txt", data))).text == "Köpfe und Ärger\nGrüße aus Kiel\n"


def test_read_page_normalises_line_ends_and_decomposed_umlauts(write_page: PageWriter) -> None:
    data = "Titel\r\n\r\nGesundheitsa\u0308mter\rEnde".encode("utf-8")
    assert read_page(_page(write_page("a.txt", data))).text == "Titel\n\nGesundheitsämter\nEnde"


@pytest.mark.parametrize(
    "data, reason",
    [(b"", "leer"), (b"  \n\n ", "leer"), (bytes(range(256)) * 8, "Binärdaten")],
)
def test_read_page_rejects_empty_and_binary_files_with_a_reason(
    write_page: PageWriter, data: bytes, reason: str
) -> None:
    with pytest.raises(DocumentError, match=reason):
        read_page(_page(write_page("a.txt", data)))


def test_read_page_content_hash_changes_with_the_bytes(write_page: PageWriter) -> None:
    first = read_page(_page(write_page("a.txt", "Titel\n\nText"))).content_hash
    same = read_page(_page(write_page("b.txt", "Titel\n\nText"))).content_hash
    other = read_page(_page(write_page("c.txt", "Titel\n\nText!"))).content_hash
    assert first == same != other


def test_find_page_files_walks_folders_and_honours_the_glob(write_page: PageWriter, tmp_path: Path) -> None:
    write_page("2022/01/a.txt", "A")
    write_page("b.TXT", "B")
    write_page("notizen.md", "C")
    root = tmp_path / "archiv"
    assert [page.relpath for page in find_page_files(root)] == ["2022/01/a.txt"]
    assert [page.relpath for page in find_page_files(root, "*.md")] == ["notizen.md"]
    assert [page.relpath for page in find_page_files(root, "2022/*/*.txt")] == ["2022/01/a.txt"]
