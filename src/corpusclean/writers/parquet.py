"""Parquet out (pyarrow): one row per input record, the input's columns carried through, the
clean text in the text column and the report as a JSON string column (`report`): reports differ
in shape from page to page, which a Parquet schema cannot hold as a struct."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError, UnwritableRecords
from .base import FILE_MODE, RecordOptions, json_text
from .jsonl import RecordWriter

#: rows buffered before a row group is written: memory holds one group, never the file
ROWS_PER_GROUP = 1024


class ParquetFile:
    """A Parquet output file written atomically (a temporary file, renamed by `close`).

    A Parquet file has one type per column, and records need not agree: a field may be
    missing or null in the first thousand records and a number later, or an integer in some
    records and a float in others. So each row group is written with the types its own rows
    have, into a part of the file while they match its schema, a new part when they do not;
    `close` merges the parts under one schema (null gives way to any type, integer to float,
    a column missing from a part is null there), which costs a rewrite only when the types
    changed. A column null throughout is a string column. A record whose field cannot join
    its column (a string where earlier records had numbers, an integer over 64 bits) fails
    alone when written, saying why; the others are kept."""

    def __init__(self, target: str, text_field: str = "text"):
        self.target = target
        #: in every row (None for a failed or dropped document), so every row group has the column
        self.text_field = text_field
        self.path = Path(target)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self._temporary()
        self.rows: list[dict[str, Any]] = []
        #: what each column's values have been so far ("int", "str", ...; int and float are both "number")
        self.kinds: dict[str, str] = {}
        #: the parts written so far (temporary files, the first one `tmp`), the last one open
        self.parts: list[str] = [self.tmp]
        self.writer: Any = None

    def _temporary(self) -> str:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        os.chmod(tmp, FILE_MODE)
        return tmp

    def write(self, record: dict[str, Any], number: int | None = None) -> None:
        """Buffer one record; raises InputError, with nothing buffered, for a record whose field
        cannot join its column. (`number`, its document's place in the input, cuts a JSONL
        file's gzip members; row groups are cut by size.)"""
        record.setdefault(self.text_field, None)
        if "report" in record:
            record["report"] = json_text(record["report"])
        kinds = {name: kind for name, value in record.items() if (kind := _kind(name, value)) is not None}
        for name, kind in kinds.items():
            known = self.kinds.get(name, kind)
            if known != kind:
                raise InputError(f"its field {name!r} holds {_KIND_NAMES.get(kind, kind)} where earlier records "
                                 f"hold {_KIND_NAMES.get(known, known)}: a Parquet column has one type (a JSONL "
                                 "output keeps both)")
        self.kinds.update(kinds)
        self.rows.append(record)
        if len(self.rows) >= ROWS_PER_GROUP:
            self._flush()

    def close(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._flush()
        if self.writer is None:  # no rows at all: an empty file with no columns
            pq.write_table(pa.table({}), self.tmp)
        else:
            self.writer.close()
            self.writer = None
        schemas = [pq.read_schema(part) for part in self.parts]
        if len(schemas) > 1 or any(pa.types.is_null(field.type) for field in schemas[0]):
            self._merge(schemas)
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        for part in self.parts:
            os.unlink(part)

    def _flush(self) -> None:
        if not self.rows:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows, self.rows = self.rows, []
        columns = list(dict.fromkeys(key for row in rows for key in row))  # every row's, in order of appearance
        arrays = []
        for name in columns:
            try:
                arrays.append(pa.array([row.get(name) for row in rows]))
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as err:  # inside lists or objects
                raise UnwritableRecords(f"the records' field {name!r} cannot be a Parquet column ({err}); a JSONL "
                                        "output can hold it") from None
        table = pa.table(arrays, names=columns)
        if self.writer is not None and not table.schema.equals(self.writer.schema):
            self.writer.close()
            self.parts.append(self._temporary())
            self.writer = None
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.parts[-1], table.schema)
        self.writer.write_table(table)

    def _merge(self, schemas: list[Any]) -> None:
        """The parts, one after another, into `tmp` under one schema."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            merged = pa.unify_schemas(schemas, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as err:  # types inside lists or objects that differ
            raise UnwritableRecords(f"the records' fields cannot be Parquet columns of one type each ({err}); a "
                                    "JSONL output can hold them") from None
        merged = pa.schema([field.with_type(pa.string()) if pa.types.is_null(field.type) else field
                            for field in merged])
        parts, self.parts = self.parts, [self._temporary()]
        self.tmp = self.parts[0]
        with pq.ParquetWriter(self.tmp, merged) as writer:
            for part in parts:
                source = pq.ParquetFile(part)
                for group in range(source.num_row_groups):
                    table = source.read_row_group(group)
                    writer.write_table(pa.table([table.column(field.name).cast(field.type)
                                                 if field.name in table.column_names
                                                 else pa.nulls(table.num_rows, field.type) for field in merged],
                                                schema=merged))
                os.unlink(part)


_INT64 = (-(2 ** 63), 2 ** 63)
_KIND_NAMES = {"number": "a number", "str": "a string", "bool": "true or false", "list": "a list",
               "dict": "an object", "bytes": "bytes"}


def _kind(name: str, value: Any) -> str | None:
    """What a column must be to hold `value` (None: null fits any column). Raises InputError
    for an integer over 64 bits, which no Parquet column holds."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        if not _INT64[0] <= value < _INT64[1]:
            raise InputError(f"its field {name!r} holds {value}, an integer over 64 bits, which a Parquet column "
                             "cannot hold (a JSONL output keeps it)")
        return "number"
    if isinstance(value, float):
        return "number"
    return type(value).__name__  # str, list, dict; a date, a Decimal... from a Parquet input


class ParquetWriter(RecordWriter):
    """Records to a Parquet file; the summary beside it."""

    def __init__(self, target: str, summary_path: str | None = None, options: RecordOptions = RecordOptions()):
        super().__init__(ParquetFile(target, options.fields.text), summary_path or target + ".summary.json", options)
