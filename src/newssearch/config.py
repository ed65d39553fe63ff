"""Defaults and environment names shared by the CLI, the index and the web page."""

from __future__ import annotations

import os
from pathlib import Path

INDEX_ENV = "NEWSSEARCH_INDEX"
DEFAULT_INDEX_DIR = "index"
DEFAULT_GLOB = "*.txt"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def default_index_dir() -> Path:
    """The index folder: ``$NEWSSEARCH_INDEX`` if set, else ``./index``."""
    return Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX_DIR)


def web_dir() -> Path:
    """Where templates and static files live: inside the installed package, or the source tree's ``web/``."""
    packaged = Path(__file__).resolve().parent / "web"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "web"
