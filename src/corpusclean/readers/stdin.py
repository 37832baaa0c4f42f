"""JSONL on standard input (`-`)."""
from __future__ import annotations

import shutil
import sys
import tempfile
from typing import BinaryIO, Iterator

from .base import Reader, RecordFields, Source
from .jsonl import iter_jsonl


class StdinReader(Reader):
    """JSONL records from stdin. A run with a corpus pass reads its input twice and stdin can
    be read once, so the first `sources()` keeps a copy in an anonymous temporary file: it
    disappears when the run ends, however it ends."""

    def __init__(self, fields: RecordFields = RecordFields()) -> None:
        super().__init__()
        self.fields = fields
        self._spooled: BinaryIO | None = None

    def sources(self) -> Iterator[Source]:
        if self._spooled is None:
            self._spooled = spool(sys.stdin.buffer)
        return iter_jsonl(self._spooled, self.fields)

    def count(self) -> int:
        return 0  # unknown until read: stdin is not read just to count it


def spool(stream: BinaryIO) -> BinaryIO:
    spooled = tempfile.TemporaryFile(prefix="corpusclean-stdin-", suffix=".jsonl")
    shutil.copyfileobj(stream, spooled)
    return spooled
