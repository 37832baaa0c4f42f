"""Readers: where documents come from. One module per format, one place that chooses.

    files.py   a folder (read recursively) or one file: each file a document
    jsonl.py   a JSONL file (plain or gzip): each record a document
    stdin.py   JSONL on standard input (`-`)

`open_input` picks the reader for an IN; `read_source` is what a worker calls to turn a listed
`Source` into the `Payload` the pipeline cleans. Nothing else in corpusclean tells input kinds
apart.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .base import REPORT_SUFFIX, SUMMARY_NAME, Payload, Reader, Source, record_payload
from .files import DEFAULT_PATTERNS, FileReader, FolderReader, read_file
from .jsonl import JsonlReader, is_jsonl
from .stdin import StdinReader

#: readers of files that hold many documents, tried in order on a file IN by suffix
RECORD_READERS: tuple[type[JsonlReader], ...] = (JsonlReader,)

__all__ = ["DEFAULT_PATTERNS", "REPORT_SUFFIX", "SUMMARY_NAME", "Payload", "Reader", "Source",
           "open_input", "read_source", "is_jsonl"]


def open_input(source: str, patterns: tuple[str, ...] = ()) -> Reader:
    """The reader for IN: `-` (JSONL on stdin), a folder, a record file, or one document file."""
    if source == "-":
        return StdinReader()
    for reader in RECORD_READERS:
        if source.endswith(reader.suffixes):
            return reader(source)
    path = Path(source)
    if path.is_dir():
        return FolderReader(path, patterns or DEFAULT_PATTERNS)
    return FileReader(path)


def read_source(source: Source, max_bytes: int) -> Payload:
    """Read what a Source points at (in a worker). Raises InputError with a message for the user."""
    if source.error:
        raise InputError(source.error)
    if source.record is not None:
        return record_payload(source.record, max_bytes)
    assert source.path is not None
    return read_file(source.path, max_bytes)
