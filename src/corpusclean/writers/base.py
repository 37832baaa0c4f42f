"""Where results go: a directory of NAME.txt + NAME.report.json, or a JSONL file / stdout.

Every file is written atomically (a temporary file in the same folder, then a rename), so a
crash never leaves a half-written output behind.
"""
from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Iterator

from .pipeline import Result
from .sources import REPORT_SUFFIX, SUMMARY_NAME


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: mkstemp makes owner-only files; outputs get the mode any new file gets here (0644 usually)
FILE_MODE = 0o666 & ~_umask()


@contextmanager
def atomic_file(path: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on a clean exit it replaces `path` in one rename,
    on any error it is deleted. Readers never see a half-written output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, FILE_MODE)
    try:
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: Path, data: bytes) -> None:
    with atomic_file(path) as handle:
        handle.write(data)


def dump_json(value: dict[str, Any]) -> bytes:
    """One top-level key per line and one removal (or other list item) per line: compact enough
    to read, and a review diff shows exactly which removals changed."""
    lines = []
    for key, item in value.items():
        head = f" {json.dumps(key)}: "
        if isinstance(item, list) and item:
            rows = ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in item)
            lines.append(f"{head}[\n  {rows}\n ]")
        else:
            lines.append(head + json.dumps(item, ensure_ascii=False))
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


class DirectorySink:
    """OUT/NAME.txt and OUT/NAME.report.json, mirroring the input's relative paths."""

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def write(self, result: Result) -> None:
        if not result.listed:
            return  # no name to write under; the summary lists it
        text_path = self.root / (result.name + ".txt")
        if result.clean is not None:
            atomic_write(text_path, result.clean.encode("utf-8"))
        elif text_path.exists():
            text_path.unlink()  # a stale output of an earlier run must not pass for this one
        atomic_write(self.root / (result.name + REPORT_SUFFIX), dump_json(result.report))

    def close(self, summary: dict[str, Any]) -> Path:
        path = self.root / SUMMARY_NAME
        atomic_write(path, dump_json(summary))
        return path


class JsonlSink:
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

    def write(self, result: Result) -> None:
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
