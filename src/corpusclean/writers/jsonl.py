"""JSONL out: one record per input record, to a file (plain or gzip) or stdout."""
from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator

from .base import FILE_MODE, RecordOptions, Writer, atomic_write, dump_json, json_bytes, output_record

if TYPE_CHECKING:
    from ..pipeline import Result


class JsonlFile:
    """A JSONL output file written atomically: a temporary file beside it, renamed into place
    by `close`, so it appears whole or not at all. `.gz` and `.zst` are compressed; gzip output
    carries no timestamp, so it is reproducible. `-` is stdout (bytes: JSONL is UTF-8 whatever
    the locale)."""

    def __init__(self, target: str):
        self.target = target
        self.tmp: str | None = None
        if target == "-":
            sys.stdout.flush()
            self.file = None
            self.out: BinaryIO | gzip.GzipFile = sys.stdout.buffer
            return
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(self.tmp, FILE_MODE)
        self.file = os.fdopen(fd, "wb")
        if target.endswith(".gz"):
            self.out = gzip.GzipFile(filename="", mode="wb", fileobj=self.file, mtime=0)
        elif target.endswith(".zst"):
            import zstandard

            self.out = zstandard.ZstdCompressor().stream_writer(self.file, closefd=False)
        else:
            self.out = self.file

    def write(self, record: dict[str, Any]) -> None:
        self.out.write(record_line(record))

    def write_line(self, line: bytes) -> None:
        """A record already made into its line (`record_line`)."""
        self.out.write(line)

    def close(self) -> None:
        if self.tmp is not None:
            self._close_files()
            os.replace(self.tmp, self.target)
            self.tmp = None
        else:
            self.out.flush()

    def abort(self) -> None:
        """Drop the half-written temporary file; the target stays as it was."""
        if self.tmp is not None:
            self._close_files()
            os.unlink(self.tmp)
            self.tmp = None

    def _close_files(self) -> None:
        assert self.file is not None
        if self.out is not self.file:
            self.out.close()  # the gzip trailer / zstd frame end; leaves self.file open
        self.file.close()


class RecordWriter(Writer):
    """One record per input record, same ids and order: the input's fields, the clean text in
    the text field, and `report` (see RecordOptions), to one file of records (`file`: a
    JsonlFile or a parquet.ParquetFile); reports to a side file with --report-file."""

    def __init__(self, file: Any, summary_path: str | None, options: RecordOptions):
        self.summary_path = summary_path
        self.options = options
        self.file = file
        self.reports = ReportFile.open(options)

    def write(self, result: "Result") -> None:
        if not result.listed:
            return
        self.file.write(output_record(result, self.options))
        if self.reports is not None:
            self.reports.write(result.report)

    def close(self, summary: dict[str, Any]) -> Path | None:
        self.file.close()
        if self.reports is not None:
            self.reports.close()
        if self.summary_path:
            path = Path(self.summary_path)
            atomic_write(path, dump_json(summary))
            return path
        return None

    def abort(self) -> None:
        """The run failed: drop the half-written temporary file; OUT stays as it was."""
        self.file.abort()
        if self.reports is not None:
            self.reports.abort()


def record_line(record: dict[str, Any]) -> bytes:
    """One line, no spaces: JSONL is for machines."""
    return json_bytes(record) + b"\n"


@dataclass(frozen=True)
class RecordEncoder:
    """A result as the lines JsonlWriter appends for it: its record, and its report's line when
    reports go to a file of their own. Made in the worker that cleaned the document (it is
    small and pickles), so the parent, which must write in input order, only appends bytes:
    serialising a record and receiving its text and report as objects was most of the
    parent's work per document."""

    options: RecordOptions

    def encode(self, result: "Result") -> tuple[bytes, bytes | None]:
        report = record_line(result.report) if self.options.report_file else None
        return record_line(output_record(result, self.options)), report


class JsonlWriter(RecordWriter):
    """Records to a JSONL file (plain, gzip, zstd) or stdout; the summary beside a file."""

    def __init__(self, target: str, summary_path: str | None = None, options: RecordOptions = RecordOptions()):
        super().__init__(JsonlFile(target), summary_path or (None if target == "-" else target + ".summary.json"),
                         options)

    def encoder(self) -> RecordEncoder:
        return RecordEncoder(self.options)

    def write(self, result: "Result") -> None:
        if result.encoded is None:
            super().write(result)
        else:  # made into its lines in the worker (pipeline._encoded: listed results only)
            record, report = result.encoded
            self.file.write_line(record)
            if self.reports is not None and report is not None:
                self.reports.file.write_line(report)


class ReportFile:
    """`--report-file`: every document's report, one per line, instead of in its record."""

    def __init__(self, path: str):
        self.file = JsonlFile(path)

    @classmethod
    def open(cls, options: RecordOptions) -> "ReportFile | None":
        return cls(options.report_file) if options.report_file else None

    def write(self, report: dict[str, Any]) -> None:
        self.file.write(report)

    def close(self) -> None:
        self.file.close()

    def abort(self) -> None:
        self.file.abort()


def read_jsonl_output(path: Path) -> Iterator[tuple[int, Any]]:
    """Read back what JsonlWriter wrote (plain, gzip or zstd): (line number, parsed record) for
    each non-blank line. Raises ValueError naming the line when one is not JSON."""
    from ..readers.jsonl import open_jsonl

    with open_jsonl(str(path)) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise ValueError(f"{path} line {number}: not valid JSON ({getattr(err, 'msg', err)})") from None
