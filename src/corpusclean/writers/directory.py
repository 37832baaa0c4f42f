"""A folder of NAME.txt and NAME.report.json, mirroring the input's relative paths."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..readers.base import REPORT_SUFFIX, SUMMARY_NAME
from .base import Writer, atomic_write, dump_json

if TYPE_CHECKING:
    from ..pipeline import Result


class DirectoryWriter(Writer):
    """OUT/NAME.txt and OUT/NAME.report.json, mirroring the input's relative paths."""

    #: each document has its own files: workers write them, in whatever order they finish
    in_workers = True

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def write(self, result: "Result") -> None:
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
