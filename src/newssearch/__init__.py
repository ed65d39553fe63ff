"""newssearch: a search engine for German news archives (articles and their reader comments)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newssearch")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
