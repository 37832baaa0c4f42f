"""Parquet records (pyarrow): one document per row; the text and id columns are configurable
(`RecordFields`), every other column is carried through to the output record."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .base import Reader, RecordFields, Source, record_source

SUFFIXES = (".parquet",)
#: rows read at a time: memory holds one batch of the file, never the whole of it
BATCH_ROWS = 1024


class ParquetReader(Reader):
    """The rows of one Parquet file, in file order."""

    suffixes = SUFFIXES

    def __init__(self, path: str | Path, fields: RecordFields = RecordFields()):
        super().__init__()
        self.path = Path(path)
        self.fields = fields

    def sources(self) -> Iterator[Source]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        number = 0
        try:
            parquet = pq.ParquetFile(self.path)
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                for row in batch.to_pylist():
                    number += 1
                    yield record_source(number, row, self.fields, label="row")
        except (OSError, pa.ArrowException) as err:
            yield Source(name=f"row {number + 1}", error=f"the Parquet file cannot be read after row {number}: {err}")

    def count(self) -> int:
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(self.path).metadata.num_rows)
        except Exception:  # noqa: BLE001  (a progress bar only: the run reports the file's problem)
            return 0
