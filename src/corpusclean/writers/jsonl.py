"""JSONL out: one record per input record, to a file (plain or gzip) or stdout."""
from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator

from .base import FILE_MODE, Writer, atomic_write, dump_json

if TYPE_CHECKING:
    from ..pipeline import Result


class JsonlWriter(Writer):
    """One record per input record, same ids and order: the input's fields, `text`, `report`.

    A file OUT is written to a temporary file beside it and renamed into place by `close`, so
    it appears whole or not at all; gzip output carries no timestamp, so it is reproducible.
    JSONL is UTF-8 whatever the locale, so stdout gets bytes too.
    """

    def __init__(self, target: str, summary_path: str | None = None):
        self.target = target
        self.summary_path = summary_path or (None if target == "-" else target + ".summary.json")
        self.tmp: str | None = None
        if target == "-":
            sys.stdout.flush()
            self.file = None
            self.out: BinaryIO = sys.stdout.buffer
            return
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(self.tmp, FILE_MODE)
        self.file = os.fdopen(fd, "wb")
        self.out = (gzip.GzipFile(filename="", mode="wb", fileobj=self.file, mtime=0)
                    if target.endswith(".gz") else self.file)

    def write(self, result: "Result") -> None:
        if not result.listed:
            return
        record = dict(result.extra)
        record["id"] = result.extra.get("id", result.name)
        if result.clean is not None:
            record["text"] = result.clean
        record["report"] = result.report
        self.out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))

    def close(self, summary: dict[str, Any]) -> Path | None:
        if self.tmp is not None:
            self._close_files()
            os.replace(self.tmp, self.target)
            self.tmp = None
        else:
            self.out.flush()
        if self.summary_path:
            path = Path(self.summary_path)
            atomic_write(path, dump_json(summary))
            return path
        return None

    def abort(self) -> None:
        """The run failed: drop the half-written temporary file; OUT stays as it was."""
        if self.tmp is not None:
            self._close_files()
            os.unlink(self.tmp)
            self.tmp = None

    def _close_files(self) -> None:
        assert self.file is not None
        if self.out is not self.file:
            self.out.close()  # the gzip trailer; leaves self.file open
        self.file.close()


def read_jsonl_output(path: Path) -> Iterator[tuple[int, Any]]:
    """Read back what JsonlSink wrote (plain or gzip): (line number, parsed record) for each
    non-blank line. Raises ValueError naming the line when one is not JSON."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path} line {number}: not valid JSON ({err.msg})") from None
