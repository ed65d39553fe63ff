"""Finding page files below a folder and turning their bytes into text; the thin I/O around ``documents``."""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from newssearch.errors import DocumentError

MAX_PAGE_MB = 16
MAX_PAGE_BYTES = MAX_PAGE_MB * 1024 * 1024
_BINARY_SHARE = 0.05
_TEXT_CONTROLS = {9, 10, 12, 13}
# Every byte but the control characters a text file does not hold: deleting these leaves the ones it does not.
_NOT_CONTROL = bytes(byte for byte in range(256) if byte >= 32 or byte in _TEXT_CONTROLS)


@dataclass(frozen=True)
class PageFile:
    """A page file found below an indexed folder; ``relpath`` uses ``/`` on every system."""

    root: Path
    path: Path
    relpath: str


@dataclass(frozen=True)
class PageText:
    """A page's decoded text and the hash of its bytes (which tells a changed page from an unchanged one)."""

    text: str
    content_hash: str
    encoding: str


def _matches(relpath: str, pattern: str) -> bool:
    if "/" in pattern:
        return PurePosixPath(relpath).match(pattern)
    return fnmatch.fnmatchcase(relpath.rsplit("/", 1)[-1], pattern)


def readable_name(name: str) -> str:
    """A file name for display and ids: names in another encoding (Latin-1 from old systems) decoded sensibly."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def find_page_files(
    root: Path, pattern: str = "*.txt", problems: list[DocumentError] | None = None
) -> Iterator[PageFile]:
    """Every file below ``root`` whose name matches ``pattern``, in a stable order.

    Folder symlinks are not followed (no loops); file symlinks are read like files. Folders that cannot be
    listed are reported into ``problems``.
    """
    root = root.resolve()

    def unreadable(error: OSError) -> None:
        if problems is not None:
            where = readable_name(os.path.relpath(error.filename or str(root), root))
            problems.append(DocumentError(where, f"Ordner nicht lesbar ({_reason(error)})"))

    for folder, subfolders, files in os.walk(root, followlinks=False, onerror=unreadable):
        subfolders.sort()
        for name in sorted(files):
            path = Path(folder) / name
            relpath = readable_name(path.relative_to(root).as_posix())
            if _matches(relpath, pattern):
                yield PageFile(root=root, path=path, relpath=relpath)


_ERRNO_REASONS = {
    errno.EACCES: "keine Leserechte",
    errno.EPERM: "keine Leserechte",
    errno.ELOOP: "Symlink-Schleife",
    errno.ENOENT: "Datei verschwunden oder Symlink ins Leere",
    errno.EISDIR: "ist ein Ordner",
    errno.EIO: "Lesefehler des Datenträgers",
}


def _reason(error: OSError) -> str:
    return _ERRNO_REASONS.get(error.errno or 0, error.strerror or str(error))


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a page's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    controls = len(sample.translate(None, _NOT_CONTROL))  # the control bytes that are left
    return controls > _BINARY_SHARE * len(sample)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252, line by line for files that mix both."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = []
    mixed = False
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            mixed = mixed or any(byte > 127 for byte in line)
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "\n".join(lines), "utf-8+cp1252" if mixed else "cp1252"


def read_page(page: PageFile) -> PageText:
    """Read and decode one page; raises ``DocumentError`` with a German reason for files that are no page."""
    try:
        info = page.path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(page.relpath, "keine normale Datei (Gerät, Pipe oder Socket)")
        if info.st_size > MAX_PAGE_BYTES:
            raise DocumentError(
                page.relpath, f"Datei zu groß ({info.st_size // (1024 * 1024)} MB, höchstens {MAX_PAGE_MB} MB)"
            )
        with open(page.path, "rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
    except DocumentError:
        raise
    except OSError as error:
        raise DocumentError(page.relpath, f"nicht lesbar ({_reason(error)})") from None
    if not data.strip():
        raise DocumentError(page.relpath, "leere Datei")
    if _looks_binary(data):
        raise DocumentError(page.relpath, "keine Textdatei (Binärdaten)")
    text, encoding = decode(data)
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return PageText(text=text, content_hash=content_hash(data), encoding=encoding)
