"""Shared fixtures: the example archive, a real index built from it, page writers, the shared data beside the repo."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from newssearch.index import update_index

# The unpacked word tables go to a folder of this test run, not the user's cache (worker processes inherit it);
# the folder goes when the run ends.
if "NEWSSEARCH_CACHE_DIR" not in os.environ:
    _TABLES = tempfile.mkdtemp(prefix="newssearch-tabellen-")
    os.environ["NEWSSEARCH_CACHE_DIR"] = _TABLES
    atexit.register(shutil.rmtree, _TABLES, ignore_errors=True)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "archiv"
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed"


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Skip, saying why, when the data beside the repository is not there (a fresh clone)."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} fehlt (Testdaten neben dem Repository)")


@pytest.fixture(scope="session")
def example_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of ``examples/archiv`` built once per test session; tests must not write to it."""
    target = tmp_path_factory.mktemp("example-index")
    update_index(target, [EXAMPLES])
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


PageWriter = Callable[..., Path]


def run_on_terminal(command: list[str], stream: str, **options: object) -> tuple[int, bytes]:
    """Run ``command`` with its stdout or stderr on a pseudo-terminal; returns (exit status, what it showed)."""
    import os
    import pty
    import subprocess

    leader, follower = pty.openpty()
    other = "stderr" if stream == "stdout" else "stdout"
    done = subprocess.run(command, **{stream: follower, other: subprocess.PIPE}, check=False, **options)  # type: ignore[call-overload]
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # Linux reports the closed terminal as EIO
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return done.returncode, shown


@pytest.fixture
def write_page(tmp_path: Path) -> PageWriter:
    """Write a page file below ``tmp_path/archiv`` (text or bytes) and return its path."""
    root = tmp_path / "archiv"
    root.mkdir(exist_ok=True)

    def write(relpath: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write


def page_text(
    title: str,
    body: str,
    kicker: str | None = "Politik",
    caption: str | None = None,
    lead: str | None = None,
    comments: str = "",
    date_line: str | None = None,
) -> str:
    """A page in the archive's layout, built from German parts."""
    parts = [title, ""]
    if kicker:
        parts += [kicker + "\u00a0\u00a0", ""]
    if date_line:
        parts += [date_line, ""]
    if caption:
        parts += [caption, caption, ""]
    if lead:
        parts += [lead, ""]
    parts += [body, ""]
    parts += [
        "Überzeugen Sie sich von unserem Online-Abo:",
        "Die Druckausgabe als voll farbiges PDF-Magazin weltweit herunterladen, alle Artikel vollständig lesen, "
        "im Archiv stöbern und tagesaktuelle Nachrichten per E-Mail erhalten.",
        "Pflichtfelder",
    ]
    return "\n".join(parts) + "\n" + comments
