"""Bounded caches that keep what is used: memory stays flat however large the archive, frequent words stay.

An indexing process meets hundreds of thousands of distinct words. Emptying a full cache made it analyse
every frequent word again (a first analysis costs about 60 µs); keeping everything made memory grow with
the archive. ``Generations`` keeps two generations instead: when the current one is full it becomes the
old one and the one before is dropped; a word found in the old generation moves back. Words in use survive
every turn, one-off words age out, and there are never more than twice ``limit`` entries.

The current generation is the dict itself, so a hit costs one ``dict.get`` (no Python call, which matters
for caches asked once per word of every page); only a miss asks the old generation (``recall``).
"""

from __future__ import annotations

from typing import Any, Hashable

_MISSING: Any = object()


class Generations(dict):  # type: ignore[type-arg]
    """A dict (the current generation) with an older generation behind it and a size limit."""

    __slots__ = ("limit", "old")

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.old: dict[Any, Any] = {}

    def put(self, key: Hashable, value: Any) -> None:
        """Remember ``value``; a full current generation first becomes the old one."""
        if len(self) >= self.limit:
            self.old = dict(self)
            super().clear()
        self[key] = value

    def recall(self, key: Hashable, default: Any = None) -> Any:
        """The value from either generation (moving it back to the current one), else ``default``."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = self.old.pop(key, _MISSING)
            if value is _MISSING:
                return default
            self.put(key, value)
        return value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The value from either generation without moving it, else ``default``."""
        value = self.get(key, _MISSING)
        return self.old.get(key, default) if value is _MISSING else value

    def holds(self, key: Hashable) -> bool:
        """Whether either generation has ``key``."""
        return key in self or key in self.old

    def is_full(self) -> bool:
        """Whether the next ``put`` turns the generations over (dropping the old one)."""
        return len(self) >= self.limit

    def clear(self) -> None:
        super().clear()
        self.old = {}
