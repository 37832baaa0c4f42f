"""Parquet out (pyarrow): one row per input record, the input's columns carried through, the
clean text in the text column and the report as a JSON string column (`report`): reports differ
in shape from page to page, which a Parquet schema cannot hold as a struct."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .base import FILE_MODE, RecordOptions, json_text
from .jsonl import RecordWriter

#: rows buffered before a row group is written: memory holds one group, never the file
ROWS_PER_GROUP = 1024


class ParquetFile:
    """A Parquet output file written atomically (a temporary file, renamed by `close`).

    The schema is the first row group's, a column that is null throughout it typed as a
    string; later rows are cast to it."""

    def __init__(self, target: str, text_field: str = "text"):
        self.target = target
        #: in every row (None for a failed or dropped document), so every row group has the column
        self.text_field = text_field
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        os.chmod(self.tmp, FILE_MODE)
        self.rows: list[dict[str, Any]] = []
        self.writer: Any = None

    def write(self, record: dict[str, Any]) -> None:
        record.setdefault(self.text_field, None)
        if "report" in record:
            record["report"] = json_text(record["report"])
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


class ParquetWriter(RecordWriter):
    """Records to a Parquet file; the summary beside it."""

    def __init__(self, target: str, summary_path: str | None = None, options: RecordOptions = RecordOptions()):
        super().__init__(ParquetFile(target, options.fields.text), summary_path or target + ".summary.json", options)
