"""A segment's postings and term table written in one loop, in Whoosh's own format, byte for byte.

When a segment is flushed, Whoosh hands every posting through five to eight Python calls (field writer,
posting writer, block statistics, a field-length lookup) and builds a term-info object per term: about a
fifth of an indexing worker's time. ``write_postings`` does the same work term by term, in plain loops over
lists, and writes the postings and the term table a batch at a time, counting offsets instead of asking
the files for them. The files are Whoosh's (``tests/test_segment_postings.py`` compares them byte for byte
with what Whoosh writes), so every reader, merge and fork of Whoosh reads them as before.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from hashlib import md5
from operator import sub
from pickle import dumps
from typing import Any, Callable, Iterable

from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

# W3TermInfo's layout: flags, total weight, document frequency, min and max length byte, max weight,
# first and last document number; then the postings' offset and length in the postings file.
_TERM_INFO = struct.Struct("!BfIBBfII")
# Below this pickled size a block stays uncompressed whatever the posting count (0 in Whoosh 2.7, whose check
# is dead code; 80 bytes in the whoosh3 fork).
_COMPRESSION_MIN_SIZE = getattr(whoosh3, "COMPRESSION_MIN_SIZE", 0)

# The term table's record header: key and value lengths (``filetables._lengths``).
_HASH_LENGTHS = struct.Struct("!ii")
# Written bytes held back at most: one write per batch instead of one or three per term.
_BATCH_BYTES = 1 << 20

Posting = tuple[str, bytes, int, float, "bytes | None"]


def can_write(fieldwriter: Any) -> bool:
    """Whether ``fieldwriter`` is Whoosh's W3 field writer with the settings ``write_postings`` reproduces
    (Whoosh's default codec never inlines postings into the term table)."""
    codec = getattr(fieldwriter, "_codec", None)
    return (
        type(fieldwriter) is whoosh3.W3FieldWriter
        and getattr(codec, "_inlinelimit", None) == 1
        and all(hasattr(fieldwriter, name) for name in ("_fieldmap", "_tindex", "_postfile"))
        and type(fieldwriter._tindex) is filetables.OrderedHashWriter
        and filetables._lengths.format == _HASH_LENGTHS.format
    )


def write_postings(
    fieldwriter: Any,
    schema: Any,
    lengths_of: Callable[[str], "array[int] | None"],
    postings: Iterable[Posting],
    compress_from: int,
) -> None:
    """Write ``postings`` (sorted by field, term and document, as Whoosh's posting pool yields them) as
    ``fieldwriter.add_postings`` would, with blocks of fewer than ``compress_from`` postings uncompressed.

    ``lengths_of(field)`` gives the field's length per document, or None for a field without lengths."""
    codec = fieldwriter._codec
    blocklimit, compression = codec._blocklimit, codec._compression
    postings_out = _Appender(fieldwriter._postfile)
    terms_out = _TermTable(fieldwriter._tindex)
    add_term = terms_out.add
    fieldmap = fieldwriter._fieldmap

    field: str | None = None
    text: bytes | None = None
    docnums: list[int] = []
    weights: list[float] = []
    values: list[bytes | None] = []
    prefix = b""
    fixed_size: int | None = None
    lengths: array[int] | None = None

    def finish_term() -> None:
        count = len(docnums)
        pieces = [whoosh3.WHOOSH3_HEADER_MAGIC]
        total_weight: float = 0
        min_length: int | None = None
        max_length = 0
        max_weight: float = 0
        for begin in range(0, count, blocklimit):
            end = min(begin + blocklimit, count)
            whole = end - begin == count
            block_ids = docnums if whole else docnums[begin:end]
            raw_weights = weights if whole else weights[begin:end]
            stored_weights = array("f", raw_weights)  # Whoosh keeps weights as 32-bit floats
            block_min: int | None = None
            block_max = 0
            if lengths is not None:
                present = [length for length in map(lengths.__getitem__, block_ids) if length]
                if present:
                    block_min, block_max = min(present), max(present)
            block_weight: float = 0  # as Whoosh keeps it, a running comparison (max() differs for NaN)
            for weight in raw_weights:
                if weight > block_weight:
                    block_weight = weight
            # The term's statistics, as W3TermInfo.add_block sums them block by block.
            total_weight += sum(stored_weights)
            min_length = block_min if min_length is None else min(min_length, block_min)  # type: ignore[type-var]
            if block_max > max_length:
                max_length = block_max
            if block_weight > max_weight:
                max_weight = block_weight
            first = stored_weights[0]
            if stored_weights.count(first) != len(stored_weights):
                mini_weights: Any = tuple(stored_weights)
            else:
                mini_weights = None if first == 1.0 else first
            block_values = [value for value in (values if whole else values[begin:end]) if value]
            if fixed_size is None or fixed_size < 0:
                mini_values: Any = tuple(block_values)
            elif fixed_size == 0:
                mini_values = None
            else:
                mini_values = b"".join(block_values)  # type: ignore[arg-type]
            if len(block_ids) == 1:
                gaps: tuple[int, ...] = (block_ids[0],)
            else:
                gaps = (block_ids[0], *map(sub, block_ids[1:], block_ids))
            data = dumps((gaps, mini_weights, mini_values), 2)
            level = compression if end - begin >= compress_from and len(data) >= _COMPRESSION_MIN_SIZE else 0
            if level:
                data = zlib.compress(data, level)
            info = dumps(
                (end - begin, block_ids[-1], block_weight, level, length_to_byte(block_min), length_to_byte(block_max)),
                2,
            )
            size = len(info) + len(data)
            pieces += (pack_int(-size if end == count else size), info, data)
        postings_bytes = b"".join(pieces)
        start = postings_out.append(postings_bytes)
        term_info = _TERM_INFO.pack(
            False,
            total_weight,
            count,
            0 if min_length is None else length_to_byte(min_length),
            length_to_byte(max_length),
            max_weight,
            docnums[0],
            docnums[-1],
        )
        add_term(prefix + text, term_info + pack_long(start) + pack_int(len(postings_bytes)))  # type: ignore[operator]

    for fieldname, btext, docnum, weight, value in postings:
        if fieldname != field:
            if docnums:
                finish_term()
                docnums, weights, values = [], [], []
            field, text = fieldname, None
            prefix = pack_ushort(fieldmap.setdefault(fieldname, len(fieldmap)))
            fixed_size = schema[fieldname].format.fixed_value_size()
            lengths = lengths_of(fieldname)
        if docnum == -1:  # Whoosh's marker for a spelling word, which has no posting
            continue
        if btext != text:
            if docnums:
                finish_term()
                docnums, weights, values = [], [], []
            text = btext
        docnums.append(docnum)
        weights.append(weight)
        values.append(value)
    if docnums:
        finish_term()
    postings_out.flush()
    terms_out.flush()


class _Appender:
    """Bytes appended to a file a batch at a time, each piece's offset counted instead of asked for."""

    def __init__(self, dbfile: Any) -> None:
        self._dbfile = dbfile
        self._position: int = dbfile.tell()
        self._pending: list[bytes] = []
        self._pending_size = 0

    def append(self, data: bytes) -> int:
        """Queue ``data``; the offset in the file at which it will stand."""
        start = self._position
        self._pending.append(data)
        self._position += len(data)
        self._pending_size += len(data)
        if self._pending_size >= _BATCH_BYTES:
            self.flush()
        return start

    def flush(self) -> None:
        if self._pending:
            self._dbfile.write(b"".join(self._pending))
            self._pending, self._pending_size = [], 0


class _TermTable:
    """Terms added to Whoosh's term table (``OrderedHashWriter``) as its ``add`` adds them, a batch at a time:
    one write per batch and offsets counted, instead of three writes, two position queries and an md5 digest
    turned into hex and back for each term."""

    def __init__(self, tindex: Any) -> None:
        self._tindex = tindex
        self._out = _Appender(tindex.dbfile)
        self._last: bytes = tindex.lastkey
        # Whoosh's default hash, the last four bytes of the key's md5 digest, computed without the hex detour.
        self._md5 = tindex.hashfn is filetables.md5_hash

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self._last:
            raise ValueError(f"Keys must increase: {self._last!r}..{key!r}")
        tindex = self._tindex
        position = self._out.append(_HASH_LENGTHS.pack(len(key), len(value)) + key + value)
        hashed = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big") if self._md5 else tindex.hashfn(key)
        tindex.buckets[hashed & 255].append((hashed, position))
        tindex.index.append(position)
        self._last = key

    def flush(self) -> None:
        self._out.flush()
        self._tindex.lastkey = self._last
