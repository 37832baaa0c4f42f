"""A folder of NAME.txt and NAME.report.json, mirroring the input's relative paths."""
from __future__ import annotations

import json
import os
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

    def __init__(self, root: Path, summary_path: str | None = None):
        self.root = root
        self.summary_path = Path(summary_path) if summary_path else root / SUMMARY_NAME
        self.root.mkdir(parents=True, exist_ok=True)
        # a document's paths are this + its name (which may hold "/"), as strings: two pathlib
        # joins a document cost more than writing its files' bytes
        self._prefix = os.path.join(root, "")

    def write(self, result: "Result") -> None:
        if not result.listed:
            return  # no name to write under; the summary lists it
        text_path = self._prefix + result.name + ".txt"
        # the report goes first: a run killed between the two leaves a report without its text
        # (not whole: --resume cleans it again), never a text that passes for a finished one
        atomic_write(self._prefix + result.name + REPORT_SUFFIX, dump_json(result.report))
        if result.clean is not None:
            atomic_write(text_path, result.clean.encode("utf-8"))
        elif os.path.exists(text_path):
            os.unlink(text_path)  # a stale output of an earlier run must not pass for this one

    def kept(self, name: str) -> dict[str, Any] | None:
        """--resume: what the summary needs of a document an interrupted run wrote whole (its
        report parses and names it; an ok document's text has the length the report says; a
        dropped one has no text), or None to clean it again. Failures are tried again."""
        from ..report import Summary

        text_path = self.root / (name + ".txt")
        try:
            report = json.loads((self.root / (name + REPORT_SUFFIX)).read_bytes())
            status = report["status"] if isinstance(report, dict) and report.get("document") == name else None
            if status == "ok":
                whole = len(text_path.read_bytes().decode("utf-8")) == report["sizes"]["clean_chars"]
            else:
                whole = status == "dropped" and not text_path.exists()
            return Summary.fields(report) if whole else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def close(self, summary: dict[str, Any]) -> Path:
        atomic_write(self.summary_path, dump_json(summary))
        return self.summary_path
