"""Writers: where results go. One module per format, one place that chooses.

    directory.py   a folder of NAME.txt + NAME.report.json (workers write their own documents)
    jsonl.py       a JSONL file (plain, gzip or zstd) or stdout (`-`), written in input order
    parquet.py     a Parquet file, written in input order
    shards.py      a folder mirroring a folder of shards: each shard's records to a shard of
                   the same name, document files as in directory.py

`open_output` picks the writer for an OUT.
"""
from __future__ import annotations

from pathlib import Path

from ..readers.jsonl import is_jsonl
from .base import RecordOptions, Writer, atomic_file, atomic_write, dump_json
from .directory import DirectoryWriter
from .jsonl import JsonlWriter, read_jsonl_output
from .parquet import ParquetWriter
from .shards import ShardWriter

__all__ = ["Writer", "DirectoryWriter", "JsonlWriter", "ParquetWriter", "ShardWriter", "RecordOptions",
           "open_output", "is_record_output", "atomic_file", "atomic_write", "dump_json", "read_jsonl_output"]


def is_record_output(target: str) -> bool:
    """An OUT that is one file of records: JSONL (or `-`) or Parquet."""
    return is_jsonl(target) or target.endswith(".parquet")


def open_output(target: str, summary_path: str | None = None, options: RecordOptions = RecordOptions(),
                shards: bool = False) -> Writer:
    """The writer for OUT: a JSONL file or `-`, a Parquet file, else a folder (mirroring the
    input's shards when it has some)."""
    if is_jsonl(target):
        return JsonlWriter(target, summary_path, options)
    if target.endswith(".parquet"):
        return ParquetWriter(target, summary_path, options)
    if shards:
        return ShardWriter(Path(target), options, summary_path)
    return DirectoryWriter(Path(target), summary_path)
