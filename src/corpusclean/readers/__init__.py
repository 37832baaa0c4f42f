"""Readers: where documents come from. One module per format, one place that chooses.

    files.py     a folder (read recursively) or one file: each file a document, each record
                 file (shard) in a folder read by its own reader
    jsonl.py     a JSONL file (plain, gzip or zstd): each record a document
    parquet.py   a Parquet file: each row a document
    warc.py      a WARC / WARC.gz file: each HTML response (or WET conversion) a document
    stdin.py     JSONL on standard input (`-`)

`open_input` picks the reader for an IN, by suffix, else by sniffing a file's first bytes;
`read_source` is what a worker calls to turn a listed `Source` into the `Payload` the pipeline
cleans. Nothing else in corpusclean tells input kinds apart.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Callable

from ..errors import InputError
from .base import REPORT_SUFFIX, SUMMARY_NAME, Payload, Reader, RecordFields, Source, record_payload
from .files import DEFAULT_PATTERNS, FileReader, FolderReader, read_file
from .jsonl import JsonlReader, is_jsonl
from .parquet import ParquetReader
from .stdin import StdinReader
from .warc import WarcReader

__all__ = ["DEFAULT_PATTERNS", "REPORT_SUFFIX", "SUMMARY_NAME", "Payload", "Reader", "RecordFields", "Source",
           "open_input", "read_source", "is_jsonl", "is_record_file"]

#: readers of files that hold many documents: suffixes, and the first bytes that give the
#: format away when a file's name does not (Parquet's magic, a WARC's version line)
RECORD_READERS: tuple[tuple[type[Reader], tuple[str, ...], tuple[bytes, ...]], ...] = (
    (JsonlReader, JsonlReader.suffixes, ()),
    (ParquetReader, ParquetReader.suffixes, (b"PAR1",)),
    (WarcReader, WarcReader.suffixes, (b"WARC/",)),
)


def is_record_file(path: str) -> bool:
    """A file of many records (by its name): JSONL, Parquet or WARC."""
    return path == "-" or any(path.endswith(suffixes) for _, suffixes, _ in RECORD_READERS)


def record_reader(path: str | Path, fields: RecordFields = RecordFields(), max_bytes: int = 64_000_000,
                  sniff: bool = False) -> Reader | None:
    """The reader for a record file, by its suffix (or, with `sniff`, its first bytes); None
    for a file that is one document."""
    name = os.fspath(path)  # its suffix is its name's
    for reader, suffixes, magics in RECORD_READERS:
        if name.endswith(suffixes) or (sniff and magics and _starts_with(path, magics)):
            if reader is WarcReader:
                return WarcReader(Path(path), max_bytes)
            return reader(Path(path), fields)  # type: ignore[call-arg]
    return None


def open_input(source: str, patterns: tuple[str, ...] = (), fields: RecordFields = RecordFields(),
               max_bytes: int = 64_000_000) -> Reader:
    """The reader for IN: `-` (JSONL on stdin), a folder, a record file, or one document file."""
    if source == "-":
        return StdinReader(fields)
    path = Path(source)
    if path.is_dir():
        find: Callable[[str], Reader | None] = lambda file: record_reader(file, fields, max_bytes)
        return FolderReader(path, patterns or DEFAULT_PATTERNS, find)
    return record_reader(path, fields, max_bytes, sniff=True) or FileReader(path)


def read_source(source: Source, max_bytes: int, fields: RecordFields = RecordFields()) -> Payload:
    """Read what a Source points at (in a worker). Raises InputError with a message for the user."""
    source = source.parsed()  # a JSONL line (the caller wants the parsed Source's name too)
    if source.error:
        raise InputError(source.error)
    if source.payload is not None:
        if len(source.payload.content) > max_bytes:
            raise InputError(f"over the --max-bytes limit of {max_bytes:,}; raise the limit to process it")
        return source.payload
    if source.record is not None:
        return record_payload(source.record, max_bytes, fields)
    assert source.path is not None
    return read_file(source.path, max_bytes)


def _starts_with(path: str | Path, magics: tuple[bytes, ...]) -> bool:
    """The file's first bytes (through gzip, for a gzipped file) start with one of `magics`."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if head.startswith(b"\x1f\x8b"):
                handle.seek(0)
                with gzip.open(handle) as unzipped:
                    head = unzipped.read(64)
    except (OSError, EOFError):
        return False
    return head.startswith(magics)
