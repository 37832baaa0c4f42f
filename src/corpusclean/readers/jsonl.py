"""JSONL records: one document per line, `{"id": ..., "text": ...}` (or `html`), plain, gzip
or zstd. Which fields hold the text and the id is configurable (`RecordFields`).

The reader only splits the file into lines: each becomes a Source holding its `Line`, parsed
where the document is cleaned (`Source.parsed`, in a worker). A line that is not UTF-8, not
JSON, not an object or has no id then becomes a Source with an error, so the run reports it
and goes on; a file that ends early reports where and stops.

A plain file's lines are found once a run (`LineIndex`: where each lies, 24 bytes a line): the
sources a run sends its worker processes (`sources_for_workers`, without the lines' bytes) are
then listed from there in each pass, as the file was when first read whole, instead of
reading and splitting the file again.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ContextManager, Iterator, Sequence, overload

from .base import Reader, RecordFields, Source, record_source

SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst")


def is_jsonl(path: str) -> bool:
    """A JSONL path (or `-`, JSONL on stdin / stdout)."""
    return path == "-" or path.endswith(SUFFIXES)


class JsonlReader(Reader):
    """The records of one JSONL file, in file order."""

    suffixes = SUFFIXES

    def __init__(self, path: str | Path, fields: RecordFields = RecordFields()):
        super().__init__()
        self.path = str(path)
        self.fields = fields
        #: where a plain file's lines lie, once a reading has gone through the whole file
        self._lines: LineIndex | None = None

    def sources(self) -> Iterator[Source]:
        return iter_jsonl(self.path, self.fields, self._index_to_fill())

    def sources_for_workers(self) -> Iterator[Source]:
        """Without reading the file again once it has been read whole (by the run's checks,
        the count, or pass 1): a run on several workers lists it in each pass, and reading and
        splitting 20 MB of lines each time cost the parent about 13 ms a pass."""
        if self._lines is not None and self._lines.whole:
            return self._lines.sources(self.fields)
        return super().sources_for_workers()

    def listing(self) -> Sequence[Source] | None:
        """A plain file's records, found by reading it through once if no reading has yet
        (`count`: the lines split, not parsed; about 2.6 ms for 20 MB), which a run on
        several workers then neither lists nor sends line by line in either pass. None for a
        compressed file (its lines cannot be read where they lie)."""
        if self.path.endswith((".gz", ".zst")):
            return None
        if self._lines is None or not self._lines.whole:
            self.count()
        if self._lines is not None and self._lines.whole:
            return self._lines.listed(self.fields)
        return None

    def count(self) -> int:
        """Non-empty lines, without parsing them (where they lie is kept for the passes)."""
        if self._lines is not None and self._lines.whole:
            return len(self._lines)
        lines = self._index_to_fill()
        try:
            with open_jsonl(self.path) as handle:
                counted = 0
                for number, start, raw in numbered_lines(handle, [0]):
                    counted += 1
                    if lines is not None:
                        lines.add(number, start, len(raw))
        except (OSError, EOFError, ValueError):
            return 0  # a corrupt file: the run itself reports where it breaks
        if lines is not None:
            lines.whole = True
        return counted

    def _index_to_fill(self) -> LineIndex | None:
        """A new index for a reading of a plain file to fill, until one reading has gone
        through the whole file (then None: the file is listed as it was then)."""
        if self.path.endswith((".gz", ".zst")) or (self._lines is not None and self._lines.whole):
            return None
        self._lines = LineIndex(os.path.abspath(self.path))
        return self._lines


class LineIndex:
    """Where the records of a plain JSONL file lie: each non-blank line's number (counting
    every line), offset and size in bytes, in three arrays (24 bytes a line, where its
    Source and Line cost some 400). `whole` once a reading has gone through the file to its
    end; until then it lists nothing."""

    def __init__(self, path: str):
        self.path = path
        self.numbers, self.starts, self.sizes = array("q"), array("q"), array("q")
        self.whole = False

    def __len__(self) -> int:
        return len(self.numbers)

    def add(self, number: int, start: int, size: int) -> None:
        self.numbers.append(number)
        self.starts.append(start)
        self.sizes.append(size)

    def sources(self, fields: RecordFields) -> Iterator[Source]:
        """The lines as `iter_jsonl` lists them, each `without_bytes`."""
        for number, start, size in zip(self.numbers, self.starts, self.sizes):
            yield self.source(number, start, size, fields)

    def source(self, number: int, start: int, size: int, fields: RecordFields) -> Source:
        """Line `number`, found at `start`, `size` bytes, as a Source without its bytes."""
        return Source(name=f"line {number}", line=Line(number, b"", fields, (self.path, start, size)))

    def listed(self, fields: RecordFields) -> "ListedLines":
        """The same, as a sequence that makes each Source when asked for it."""
        return ListedLines(self, fields)


class ListedLines(Sequence[Source]):
    """A JSONL file's records by input number, each `without_bytes`, made when asked for
    (`JsonlReader.listing`)."""

    def __init__(self, lines: LineIndex, fields: RecordFields):
        self._lines, self._fields = lines, fields

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, i: int) -> Source: ...
    @overload
    def __getitem__(self, i: slice) -> list[Source]: ...
    def __getitem__(self, i: int | slice) -> Source | list[Source]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        lines = self._lines
        return lines.source(lines.numbers[i], lines.starts[i], lines.sizes[i], self._fields)


UTF8_BOM = b"\xef\xbb\xbf"
#: bytes a plain JSONL file is read in. Lines of pages are kilobytes long: through the default
#: 8 KiB buffer each took several reads and joins, and splitting the 20 MB bench corpus into
#: lines cost 9.6 ms of CPU a pass, 1.9 ms in 1 MiB reads (the parent lists it once a pass)
READ_BUFFER = 1 << 20


def iter_jsonl(path: str | BinaryIO, fields: RecordFields = RecordFields(),
               lines: LineIndex | None = None) -> Iterator[Source]:
    """Records of a JSONL file (plain, gzip, zstd, or a spooled stdin), in file order; where
    each lies goes into `lines` (a plain file's), made whole if the reading gets to the end."""
    # a plain file's lines can be read again where they lie (Line.at); a compressed file's or
    # stdin's only by reading everything before them
    plain = os.path.abspath(path) if isinstance(path, str) and not path.endswith((".gz", ".zst")) else None
    read = [0]  # the number of the last line read
    with open_jsonl(path) as handle:
        try:
            for number, start, raw in numbered_lines(handle, read):
                at = (plain, start, len(raw)) if plain is not None else None
                if lines is not None:
                    lines.add(number, start, len(raw))
                yield Source(name=f"line {number}", line=Line(number, raw, fields, at))
        except (OSError, EOFError, zlib.error, ValueError) as err:  # gzip.BadGzipFile is an OSError; zstd's is a ValueError
            yield Source(name=f"line {read[0] + 1}",
                         error=f"the file is cut short or corrupt after line {read[0]}: {err}")
            return
    if lines is not None:
        lines.whole = True


def numbered_lines(handle: BinaryIO, read: list[int]) -> Iterator[tuple[int, int, bytes]]:
    """Each record's line of a JSONL input: (its number, counting blank lines too, its offset
    in the file, its bytes). `read[0]` follows the number of the last line read, blank or not
    (a file that breaks off says after which)."""
    offset = 0
    for number, raw in enumerate(handle, 1):
        read[0] = number
        start, offset = offset, offset + len(raw)
        if number == 1 and raw.startswith(UTF8_BOM):
            raw = raw[len(UTF8_BOM):]  # a BOM some editors write: not part of the first record
            start += len(UTF8_BOM)
        if not raw.isspace():  # a blank line is no record (isspace stops at the first
            # character that is not blank; strip would copy the line)
            yield number, start, raw


@dataclass(frozen=True)
class Line:
    """A JSONL line as read (its number counts every line, blank ones too), and the fields
    that will name its record."""

    number: int
    #: the line's bytes; empty in a Line `without_bytes`, which reads them from `at`
    raw: bytes
    fields: RecordFields
    #: where the line lies in a plain file: (absolute path, offset, size in bytes); None in a
    #: compressed file or stdin
    at: tuple[str, int, int] | None = None

    def without_bytes(self) -> "Line":
        """The line without its bytes when it can be read again from its file (else itself):
        what the parent sends a worker process, which reads the line when it needs it, and in
        pass 2 mostly does not (it takes the document from pass 1's spill)."""
        # built directly: dataclasses.replace costs the parent several microseconds a line
        return self if self.at is None else Line(self.number, b"", self.fields, self.at)

    def content(self) -> bytes:
        """The line's bytes, read from its file when the Line came without them."""
        if self.raw or self.at is None:
            return self.raw
        path, offset, size = self.at
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)

    def source(self) -> Source:
        """The line parsed: a Source named by the record's id, or one holding why the line
        is no record (named by its place, "line 7")."""
        name = f"line {self.number}"
        try:
            text = self.content().decode("utf-8")
        except OSError as err:  # its file went away between the passes
            return Source(name=name, error=f"cannot read the line again: {err.strerror or err}")
        except UnicodeDecodeError as err:
            return Source(name=name, error=f"not valid UTF-8 (byte {err.start} of the line); JSONL is UTF-8")
        try:
            record = json.loads(text)
        except json.JSONDecodeError as err:
            return Source(name=name, error=f"not valid JSON ({err.msg} at column {err.colno})")
        except RecursionError:  # arrays or objects nested thousands deep
            return Source(name=name, error="not JSON this reader can parse (nested too deeply)")
        return record_source(self.number, record, self.fields)


def open_jsonl(path: str | BinaryIO) -> ContextManager[BinaryIO]:
    """A JSONL input as bytes: a plain, gzip or zstd file, or the spooled stdin (rewound)."""
    if not isinstance(path, str):
        path.seek(0)  # a spooled stdin, read once per pass
        return contextlib.nullcontext(path)
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if path.endswith(".zst"):
        import zstandard

        # read_across_frames: a file written in several zstd frames (appended shards) reads whole
        reader = zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), read_across_frames=True,
                                                            closefd=True)
        return io.BufferedReader(reader)
    return open(path, "rb", buffering=READ_BUFFER)
