"""The big word tables, unpacked once per machine into the user's cache.

simplemma ships its German lemma table compressed and pickled, wordfreq its frequency list as compressed
msgpack; unpacking them costs every indexing process (and each of its workers) about 1.7 s. The same dicts
in Python's ``marshal`` format load in a third of that. The files live in ``$NEWSSEARCH_CACHE_DIR``, else
``$XDG_CACHE_HOME/newssearch`` or ``~/.cache/newssearch``; an empty ``NEWSSEARCH_CACHE_DIR`` turns the
cache off. They are named by the package versions and the Python version that wrote them, written
atomically, and ignored when unreadable, so a missing or broken cache only costs the slower load.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable

CACHE_ENV = "NEWSSEARCH_CACHE_DIR"


def cache_dir() -> Path | None:
    """Where the unpacked tables live, or None when the cache is turned off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newssearch"


def cached_table(name: str, package: str, load: Callable[[], Any]) -> Any:
    """The table ``load()`` returns, read from the cache when an earlier process stored it."""
    path = _path(name, package)
    if path is not None:
        found = _load(path)
        if found is not None:
            return found
    table = load()
    if path is not None:
        _store(path, table)
    return table


def stored_table(file_name: str) -> Any | None:
    """A table an earlier process stored under ``file_name`` (which names its versions), else None."""
    folder = cache_dir()
    return None if folder is None else _load(folder / file_name)


def store_table(file_name: str, table: Any) -> bool:
    """Store ``table`` under ``file_name`` for later processes; False when the cache is off or unwritable."""
    folder = cache_dir()
    return folder is not None and _store(folder / file_name, table)


def writable() -> bool:
    """Whether tables can be stored: the cache is on and its folder exists or can be made, and is writable."""
    folder = cache_dir()
    if folder is None:
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def python_tag() -> str:
    """The part of a file name that ties a table to this Python's ``marshal`` format."""
    return f"py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}"


def _load(path: Path) -> Any | None:
    try:
        return marshal.loads(path.read_bytes())  # marshal.load on a file reads it in tiny pieces
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _path(name: str, package: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        package_version = version(package)
    except PackageNotFoundError:
        return None
    return folder / f"{name}-{package}-{package_version}-{python_tag()}.marshal"


def _store(path: Path, table: Any) -> bool:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(table))
        os.replace(temporary, path)
        return True
    except (OSError, ValueError):
        try:
            temporary.unlink()
        except OSError:
            pass
        return False
