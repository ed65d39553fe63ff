"""Writing Whoosh segments: a faster flush, and commits that list segments other processes wrote.

Whoosh's writer looks up the field length of a document once per posting when it flushes a segment (for
the block statistics BM25 uses); each lookup goes through a column reader and, for fields without lengths,
asks the file system. That was a quarter of the flush. ``SegmentWriter`` reads each field's lengths once.
The on-disk format is Whoosh's own, unchanged.
"""

from __future__ import annotations

import os
from array import array
from operator import itemgetter
from typing import Any

from whoosh import writing
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files

from newssearch.segment_postings import Posting, can_write, write_postings

WORKER_TEMP_MARK = ".tmp-w"
# Posting blocks with fewer postings are written uncompressed (see ``_SmallBlocksPlain``).
COMPRESS_FROM_POSTINGS = 8


class _LengthTable:
    """``doc_field_length`` of a segment's per-document reader, each field read once into an array."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._count = reader.doc_count_all()
        self._tables: dict[str, array[int] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self.table(fieldname)
        return table[docnum] if table is not None else default

    def table(self, fieldname: str) -> array[int] | None:
        """The field's length per document, or None for a field without lengths."""
        try:
            return self._tables[fieldname]
        except KeyError:
            return self._read(fieldname)

    def _read(self, fieldname: str) -> array[int] | None:
        table = None
        if self._reader.has_column(f"_{fieldname}_len"):
            length = self._reader.doc_field_length
            # Whoosh answers None for an empty field; the block statistics treat None and 0 alike.
            table = array("I", (length(docnum, fieldname) or 0 for docnum in range(self._count)))
        self._tables[fieldname] = table
        return table


class _SmallBlocksPlain(W3PostingsWriter):
    """Whoosh's posting writer, leaving blocks of a few postings uncompressed.

    Whoosh compresses every block with zlib (its check to skip tiny ones is overwritten a line later), and
    most terms of a segment have one short block: setting up zlib for each was a sixth of a flush, and
    the few bytes it saves made the index 3 % smaller. The reader decides per block, so the format is
    Whoosh's own."""

    _compression: int  # the zlib level, set by Whoosh's writer

    def _write_block(self, last: bool = False) -> None:
        if len(self._ids) >= COMPRESS_FROM_POSTINGS:
            super()._write_block(last)
            return
        compression, self._compression = self._compression, 0
        try:
            super()._write_block(last)
        finally:
            self._compression = compression


class ArchiveCodec(W3Codec):
    """Whoosh's codec writing postings with ``_SmallBlocksPlain``; saved in the index as the plain codec."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        return _SmallBlocksPlain(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return W3Codec, (self._blocklimit, self._compression, self._inlinelimit)


def sort_postings(postings: list[Posting]) -> None:
    """Put a pool's postings in the order ``sorted`` gives them, in about half the time.

    Whoosh sorts the tuples ``(field, term, document, weight, value)`` whole, comparing field and term of
    every pair. A writer adds documents in number order, and a document holds a term of a field once, so
    two stable sorts give the same order: by term, then by field (postings of one term stay in document
    order). Not so for a field with a separate spelling field, whose words Whoosh files under document 0
    for every document: a writer for such a schema keeps Whoosh's sort."""
    postings.sort(key=itemgetter(1))
    postings.sort(key=itemgetter(0))


class _PostingPool(writing.PostingPool):  # type: ignore[misc]
    """Whoosh's posting pool, sorted by ``sort_postings``."""

    def save(self) -> None:
        sort_postings(self.current)
        super().save()  # its own sort of a sorted list is one pass

    def items(self, maxfiles: int = 128) -> Any:
        if self.runs:
            return super().items(maxfiles)
        sort_postings(self.current)
        return list(self.current)


class SegmentWriter(writing.SegmentWriter):
    """Whoosh's segment writer with field lengths read once per field when the segment is flushed, postings
    sorted faster, and small posting blocks left uncompressed."""

    def __init__(self, ix: Any, **options: Any) -> None:
        options.setdefault("codec", ArchiveCodec())
        super().__init__(ix, **options)
        if not any(field.separate_spelling() for _, field in self.schema.items()):
            self.pool = _PostingPool(self._tempstorage, self.newsegment, limitmb=options.get("limitmb", 128))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _LengthTable(reader) if reader is not None else None
        if can_write(self.fieldwriter) and isinstance(self.codec, ArchiveCodec):
            lengths_of = lengths.table if lengths is not None else (lambda fieldname: None)
            write_postings(self.fieldwriter, self.schema, lengths_of, self.pool.iter_postings(), COMPRESS_FROM_POSTINGS)
        else:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()


def commit_with(writer: SegmentWriter, segments: tuple[Any, ...] = ()) -> None:
    """Commit ``writer`` (merging small segments as Whoosh does) and list ``segments`` beside its own.

    Unlike Whoosh's commit this deletes no unlisted files: they may be segments indexing workers are still
    writing. ``remove_unlisted`` does that once they are done."""
    kept = writer._merge_segments(None, None, None)
    if writer._added:
        kept.append(writer._finalize_segment())
    else:
        writer._close_segment()
    TOC(writer.schema, kept + list(segments), writer.generation).write(writer.storage, writer.indexname)
    writer._finish()


def remove_unlisted(ix: Any) -> None:
    """Delete files of the index that its current table of contents does not list (merged or abandoned)."""
    toc = TOC.read(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)


def listed_segments(ix: Any) -> list[Any]:
    """The segments the index's current table of contents lists."""
    return list(TOC.read(ix.storage, ix.indexname).segments)


def worker_storage(index_dir: str) -> FileStorage:
    """The index folder, with temporary files in a folder of this process's own: the parent's commit deletes
    the shared temporary folder, which a worker writing its next segment still uses."""

    class WorkerStorage(FileStorage):  # type: ignore[misc]
        def temp_storage(self, name: str | None = None) -> Any:
            return super().temp_storage(f"{name or 'newssearch'}{WORKER_TEMP_MARK}{os.getpid()}")

    return WorkerStorage(index_dir)
