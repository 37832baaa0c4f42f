"""A folder OUT for a folder IN that holds record files (shards): each shard's records go to a
shard of the same name under OUT, in the same format (a WARC's to JSONL of the same
compression), and the folder's document files to NAME.txt + NAME.report.json as usual.

Shards are written in input order by the parent, one at a time (a folder's shards are read one
after the other, so each is opened once, written whole, and renamed into place when the next
begins).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import RecordOptions, Writer, output_record
from .directory import DirectoryWriter
from .jsonl import JsonlFile, ReportFile
from .parquet import ParquetFile

if TYPE_CHECKING:
    from ..pipeline import Result

#: an input shard's suffix -> the output shard's (records stay in their format; WARC becomes JSONL)
OUTPUT_SUFFIXES = {".warc.gz": ".jsonl.gz", ".warc": ".jsonl"}


def output_shard(relpath: str) -> str:
    """The output shard for an input shard: the same relative path, a WARC's as JSONL."""
    for suffix, replacement in OUTPUT_SUFFIXES.items():
        if relpath.endswith(suffix):
            return relpath[: -len(suffix)] + replacement
    return relpath


class ShardWriter(Writer):
    """OUT mirroring a folder of shards (and of document files)."""

    def __init__(self, root: Path, options: RecordOptions = RecordOptions(), summary_path: str | None = None):
        self.root = root
        self.options = options
        # the folder's document files, and the summary (OUT/corpusclean-summary.json or --summary)
        self.documents = DirectoryWriter(root, summary_path)
        self.reports = ReportFile.open(options)
        self.shard: str | None = None
        self.file: JsonlFile | ParquetFile | None = None

    def write(self, result: "Result") -> None:
        if result.shard is None:
            self.documents.write(result)
            return
        if not result.listed:
            return
        if result.shard != self.shard:
            self._finish_shard()
            self.shard = result.shard
            target = str(self.root / output_shard(result.shard))
            self.file = (ParquetFile(target, self.options.fields.text) if target.endswith(".parquet")
                         else JsonlFile(target))
        assert self.file is not None
        self.file.write(output_record(result, self.options), result.number)
        if self.reports is not None:
            self.reports.write(result.report, result.number)

    def close(self, summary: dict[str, Any]) -> Path:
        self._finish_shard()
        if self.reports is not None:
            self.reports.close()
        return self.documents.close(summary)

    def abort(self) -> None:
        if self.file is not None:
            self.file.abort()
            self.file = None
        if self.reports is not None:
            self.reports.abort()

    def _finish_shard(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
