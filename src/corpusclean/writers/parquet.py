"""Parquet out (pyarrow): one row per input record, the input's columns carried through, the
clean text in the text column and the report as a JSON string column (`report`): reports differ
in shape from page to page, which a Parquet schema cannot hold as a struct."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import FILE_MODE, RecordOptions, Writer, atomic_write, dump_json, output_record
from .jsonl import ReportFile

if TYPE_CHECKING:
    from ..pipeline import Result

#: rows buffered before a row group is written: memory holds one group, never the file
ROWS_PER_GROUP = 1024


class ParquetFile:
    """A Parquet output file written atomically (a temporary file, renamed by `close`).

    The schema is the first row group's, a column that is null throughout it typed as a
    string; later rows are cast to it."""

    def __init__(self, target: str):
        self.target = target
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        os.chmod(self.tmp, FILE_MODE)
        self.rows: list[dict[str, Any]] = []
        self.writer: Any = None

    def write(self, record: dict[str, Any]) -> None:
        if "report" in record:
            record["report"] = json.dumps(record["report"], ensure_ascii=False)
        self.rows.append(record)
        if len(self.rows) >= ROWS_PER_GROUP:
            self._flush()

    def close(self) -> None:
        self._flush()
        if self.writer is None:  # no rows at all: an empty file with no columns
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({}), self.tmp)
        else:
            self.writer.close()
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        os.unlink(self.tmp)

    def _flush(self) -> None:
        if not self.rows:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            columns = list(dict.fromkeys(key for row in self.rows for key in row))
            table = pa.Table.from_pylist(self.rows, schema=None)
            fields = [table.schema.field(name) for name in columns]
            schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in fields])
            self.writer = pq.ParquetWriter(self.tmp, schema)
        table = pa.Table.from_pylist(self.rows, schema=self.writer.schema)
        self.writer.write_table(table)
        self.rows = []


class ParquetWriter(Writer):
    """One row per input record, same ids and order (see RecordOptions)."""

    def __init__(self, target: str, summary_path: str | None = None, options: RecordOptions = RecordOptions()):
        self.summary_path = summary_path or target + ".summary.json"
        self.options = options
        self.file = ParquetFile(target)
        self.reports = ReportFile.open(options)

    def write(self, result: "Result") -> None:
        if not result.listed:
            return
        row = output_record(result, self.options)
        row.setdefault(self.options.fields.text, None)  # a column in every row group, even one of failures
        self.file.write(row)
        if self.reports is not None:
            self.reports.write(result.report)

    def close(self, summary: dict[str, Any]) -> Path:
        self.file.close()
        if self.reports is not None:
            self.reports.close()
        path = Path(self.summary_path)
        atomic_write(path, dump_json(summary))
        return path

    def abort(self) -> None:
        self.file.abort()
        if self.reports is not None:
            self.reports.abort()
