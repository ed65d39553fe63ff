"""One exception family, translated into exit codes and HTTP statuses at the edges."""

from __future__ import annotations


class NewssearchError(Exception):
    """Base of every error newssearch reports to a user."""


class DocumentError(NewssearchError):
    """A page file that cannot be read or parsed; the run goes on without it."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


class IndexMissingError(NewssearchError):
    """The index folder does not exist or holds no newssearch index."""


class IndexLockedError(NewssearchError):
    """Another process is writing the index."""


class QueryError(NewssearchError):
    """A query string, date or option that cannot be understood."""


class IndexWriteError(NewssearchError):
    """The index folder cannot be written (disk full, read-only); the last committed state stays valid."""


class FolderError(NewssearchError):
    """Folders an indexing run cannot take as they are: one inside another (their pages would be indexed twice),
    or a folder of the index missing when the index must be rebuilt (its pages would be lost). Nothing was
    changed."""
