"""Writers: where results go. One module per format, one place that chooses.

    directory.py   a folder of NAME.txt + NAME.report.json (workers write their own documents)
    jsonl.py       a JSONL file (plain or gzip) or stdout (`-`), written in input order

`open_output` picks the writer for an OUT.
"""
from __future__ import annotations

from pathlib import Path

from ..readers.jsonl import is_jsonl
from .base import Writer, atomic_file, atomic_write, dump_json
from .directory import DirectoryWriter
from .jsonl import JsonlWriter, read_jsonl_output

__all__ = ["Writer", "DirectoryWriter", "JsonlWriter", "open_output", "atomic_file", "atomic_write",
           "dump_json", "read_jsonl_output"]


def open_output(target: str, summary_path: str | None = None) -> Writer:
    """The writer for OUT: a JSONL file or `-`, else a folder."""
    if is_jsonl(target):
        return JsonlWriter(target, summary_path)
    return DirectoryWriter(Path(target))
