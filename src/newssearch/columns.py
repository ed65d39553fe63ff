"""Per-document values of a segment (dates, field lengths, body texts), with what reading them needs kept
while it is open.

Whoosh reads a column value with a file read and an unpack for every document it is asked about: fine for
the ten hits of a page, slow for the thousands of matches that sorting by date or scoring visits. A
segment never changes its columns, so one bulk read per open segment serves every later query.
"""

from __future__ import annotations

import sys
import weakref
from array import array
from bisect import bisect_right
from typing import Any, Iterator, Sequence

from whoosh.util.numeric import byte_to_length, typecode_max

NO_DATE = typecode_max["q"]  # what the date column holds for a document without a date

_DATES: weakref.WeakKeyDictionary[Any, Sequence[int]] = weakref.WeakKeyDictionary()
_NEWEST_KEYS: weakref.WeakKeyDictionary[Any, Sequence[int]] = weakref.WeakKeyDictionary()
_LENGTHS: weakref.WeakKeyDictionary[Any, dict[str, Sequence[int] | None]] = weakref.WeakKeyDictionary()
_HAS_COLUMN: weakref.WeakKeyDictionary[Any, dict[str, bool]] = weakref.WeakKeyDictionary()
_BODIES: weakref.WeakKeyDictionary[Any, tuple[list[int], list[Any]] | None] = weakref.WeakKeyDictionary()
# Whoosh keeps a field's length per document as one byte; this is what each byte stands for.
_LENGTH_OF_BYTE = tuple(byte_to_length(code) if code else None for code in range(256))


def has_column(reader: Any, fieldname: str) -> bool:
    """``reader.has_column`` remembered while the reader is open: Whoosh asks the file system each time (a
    date-ordered or filtered search asked once or twice per request)."""
    known = _HAS_COLUMN.setdefault(reader, {})
    found = known.get(fieldname)
    if found is None:
        found = known[fieldname] = bool(reader.has_column(fieldname))
    return found


def date_values(reader: Any) -> Sequence[int]:
    """The segment's date column as numbers, one per document (``NO_DATE`` where there is none)."""
    cached = _DATES.get(reader)
    if cached is None:
        cached = _read_numbers(reader.column_reader("date", translate=False), reader.doc_count_all())
        _DATES[reader] = cached
    return cached


def date_keys(reader: Any, newest: bool) -> Sequence[int]:
    """Sort keys for date order, smallest first and undated documents last: the dates themselves for oldest
    first, the negated dates for newest first."""
    if not newest:
        return date_values(reader)
    cached = _NEWEST_KEYS.get(reader)
    if cached is None:
        cached = array("q", (NO_DATE if value >= NO_DATE else -value for value in date_values(reader)))
        _NEWEST_KEYS[reader] = cached
    return cached


def document_fields(reader: Any, docnum: int) -> dict[str, Any]:
    """A document's stored fields with its ``body``, which indexes since schema 4 keep in a column of their own
    (``index.body_column``); older indexes store it with the other fields."""
    stored = reader.stored_fields(docnum)
    if "body" not in stored:
        bodies = _body_readers(reader)
        if bodies is not None:
            offsets, readers = bodies
            leaf = bisect_right(offsets, docnum) - 1
            column = readers[leaf]
            stored["body"] = column[docnum - offsets[leaf]].decode("utf-8") if column is not None else ""
    return stored


def all_document_fields(reader: Any) -> Iterator[dict[str, Any]]:
    """Every live document's stored fields with its ``body``, in index order."""
    for docnum in reader.all_doc_ids():
        yield document_fields(reader, docnum)


def _body_readers(reader: Any) -> tuple[list[int], list[Any]] | None:
    """Each segment's first document number and its body column's reader (None for a segment without one),
    or None for an index that stores the body with the other fields. Whoosh's own multi-segment column reader
    looks the documents of a segment without the column up in the segment before it."""
    if reader in _BODIES:
        return _BODIES[reader]
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    found: tuple[list[int], list[Any]] | None = None
    if getattr(reader.schema["body"], "column_type", None) is not None:
        found = (
            [offset for _, offset in leaves],
            [leaf.column_reader("body", translate=False) if has_column(leaf, "body") else None for leaf, _ in leaves],
        )
    _BODIES[reader] = found
    return found


def field_lengths(reader: Any, fieldname: str) -> Sequence[int] | None:
    """The byte codes of a field's length per document (``_LENGTH_OF_BYTE`` decodes them), or None when
    this reader does not keep them the way Whoosh 2.7's codec does."""
    per_field = _LENGTHS.setdefault(reader, {})
    if fieldname not in per_field:
        column = None
        try:
            column = reader._perdoc._cached_reader(f"_{fieldname}_len", _lengths_column())
        except AttributeError:
            pass
        per_field[fieldname] = _read_numbers(column, reader.doc_count_all()) if column is not None else None
    return per_field[fieldname]


def length_of_byte() -> tuple[int | None, ...]:
    """Field length for each length byte (None for 0, which Whoosh reads as "no length")."""
    return _LENGTH_OF_BYTE


def _lengths_column() -> Any:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    return LENGTHS_COLUMN


def _read_numbers(column: Any, count: int) -> Sequence[int]:
    """The values of a fixed-width numeric column; Whoosh stores them big-endian one after another."""
    try:
        typecode, stored, dbfile, base = column._typecode, column._count, column._dbfile, column._basepos
        default = column._default
    except AttributeError:
        return list(column)
    values = array(typecode)
    values.frombytes(bytes(dbfile.get(base, stored * values.itemsize)))
    if sys.byteorder == "little":
        values.byteswap()
    if len(values) < count:
        values.extend([default] * (count - len(values)))
    return values
