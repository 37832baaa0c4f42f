"""JSONL out: one record per input record, to a file (plain or gzip) or stdout."""
from __future__ import annotations

import json
import os
import struct
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator, NamedTuple, Sequence

from .base import FILE_MODE, RecordOptions, Writer, atomic_write, dump_json, json_bytes, output_record

if TYPE_CHECKING:
    from ..pipeline import Result


#: documents per gzip member of a `.gz` file of records (OUT, --report-file): the lines of
#: documents k * 32 to k * 32 + 31 (by their place in the input, listed or not) are member k,
#: the members one after the other (RFC 1952: gzip, zcat, Python's gzip, pandas and our own
#: reader read them as one stream). The cuts depend on the input alone, so the file is the same
#: whatever the number of workers or the engine; and a worker that cleaned a whole group
#: compresses it itself (`RecordEncoder.pack`), so that the parent, which writes in input
#: order, mostly appends. A task of pass 2 is one group (pipeline.CLEAN_BATCH documents from a
#: multiple of it; on Ray a block holds two), except the last few (pipeline.TAIL_BATCH) and
#: documents run again alone after a worker died: the parent (or Ray's driver) makes those
#: groups' members from the same lines with the same function (`gzip_member`; in a 2-worker run
#: of the bench corpus the parent makes 2 of 60 members, 0.05 CPU-s). Why 32 and not
#: fewer: each member starts with no earlier record to match against. On the 20 MB bench
#: corpus's JSONL output (30 MB, 1,920 records) one stream is 11.11 MB; members of 32 records
#: +0.9%, of 16 +1.8%, of 8 +3.5%; each about as fast to make as the one stream.
MEMBER_DOCUMENTS = 32

#: the header `gzip_member` gives every member: what gzip.GzipFile writes at level 9 with no
#: name and mtime 0, whose "operating system" byte says unknown (zlib's own gzip header, which
#: gzip.compress(mtime=0) writes, names the system it runs on)
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def gzip_member(data: bytes) -> bytes:
    """`data` as one gzip member: deflate at level 9, no name, no timestamp, so the same bytes
    give the same member (wherever the same zlib runs), byte for byte what gzip.GzipFile(mtime=0)
    writes for them. Every member of a `.gz` file of records is made here, in a worker or in
    the parent."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return b"".join((_GZIP_HEADER, deflate.compress(data), deflate.flush(),
                     struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)))


class JsonlFile:
    """A JSONL output file written atomically: a temporary file beside it, renamed into place
    by `close`, so it appears whole or not at all. `-` is stdout (bytes: JSONL is UTF-8 whatever
    the locale). `.zst` is one zstd stream, compressed here. `.gz` is gzip members of
    MEMBER_DOCUMENTS documents each: whole groups come made (`write_packed`); the lines of a
    group are held until the next group's come, then made into its member here. (A zstd file
    of several frames would read whole with our reader, but pandas and zstandard.open stop at
    the end of the first frame.)"""

    def __init__(self, target: str):
        self.target = target
        self.tmp: str | None = None
        #: a `.gz` target: gzip members of MEMBER_DOCUMENTS documents; the lines of the group
        #: being filled, and its number
        self.members = target.endswith(".gz")
        self.pending: list[bytes] = []
        self.filling: int | None = None
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
        self.out = self.file
        if target.endswith(".zst"):
            import zstandard

            self.out = zstandard.ZstdCompressor().stream_writer(self.file, closefd=False)

    def write(self, record: dict[str, Any], number: int | None = None) -> None:
        """One record; `number` is its document's place in the input (see `write_line`)."""
        self.write_line(record_line(record), number)

    def write_line(self, line: bytes, number: int | None = None) -> None:
        """A record already made into its line (`record_line`). `number`, its document's place
        in the input, says which gzip member it goes in; lines with none go in the member being
        filled (a caller that never gives one gets a single member)."""
        if not self.members:
            self.out.write(line)
            return
        group = None if number is None else number // MEMBER_DOCUMENTS
        if group != self.filling:
            self._end_member()
            self.filling = group
        self.pending.append(line)

    def write_packed(self, data: bytes) -> None:
        """The lines of whole groups of documents, as `RecordEncoder.pack` made them for this
        file (gzip members, or the lines as they are): appended as they are."""
        self._end_member()
        self.out.write(data)

    def _end_member(self) -> None:
        """The group being filled, made into its member (a group with no line makes none)."""
        if self.pending:
            self.out.write(gzip_member(b"".join(self.pending)))
            self.pending = []

    def close(self) -> None:
        if self.tmp is not None:
            assert self.file is not None
            self._end_member()
            if self.members and self.file.tell() == 0:
                # no record at all: still a gzip file (zcat and gzip -t refuse an empty one)
                self.file.write(gzip_member(b""))
            self._close_files()
            os.replace(self.tmp, self.target)
            self.tmp = None
        else:
            self.out.flush()

    def abort(self) -> None:
        """Drop the half-written temporary file; the target stays as it was."""
        if self.tmp is not None:
            self._close_files()
            os.unlink(self.tmp)
            self.tmp = None

    def _close_files(self) -> None:
        assert self.file is not None
        if self.out is not self.file:
            self.out.close()  # the zstd frame's end; leaves self.file open
        self.file.close()


class RecordWriter(Writer):
    """One record per input record, same ids and order: the input's fields, the clean text in
    the text field, and `report` (see RecordOptions), to one file of records (`file`: a
    JsonlFile or a parquet.ParquetFile); reports to a side file with --report-file."""

    def __init__(self, file: Any, summary_path: str | None, options: RecordOptions):
        self.summary_path = summary_path
        self.options = options
        self.file = file
        self.reports = ReportFile.open(options)

    def write(self, result: "Result") -> None:
        if not result.listed:
            return
        self.file.write(output_record(result, self.options), result.number)
        if self.reports is not None:
            self.reports.write(result.report, result.number)

    def close(self, summary: dict[str, Any]) -> Path | None:
        self.file.close()
        if self.reports is not None:
            self.reports.close()
        if self.summary_path:
            path = Path(self.summary_path)
            atomic_write(path, dump_json(summary))
            return path
        return None

    def abort(self) -> None:
        """The run failed: drop the half-written temporary file; OUT stays as it was."""
        self.file.abort()
        if self.reports is not None:
            self.reports.abort()


def record_line(record: dict[str, Any]) -> bytes:
    """One line, no spaces: JSONL is for machines."""
    return json_bytes(record) + b"\n"


class Packed(NamedTuple):
    """The lines of whole groups of documents (MEMBER_DOCUMENTS each), each file's in its own
    form: gzip members for a `.gz` file, the lines as they are for another (`RecordEncoder.pack`)."""

    records: bytes
    reports: bytes | None


@dataclass(frozen=True)
class RecordEncoder:
    """A result as the lines JsonlWriter appends for it: its record, and its report's line when
    reports go to a file of their own; and whole groups of documents' lines as the files take
    them (`pack`: gzip members). Made in the worker that cleaned the document (it is small and
    pickles), so the parent, which must write in input order, only appends bytes: serialising a
    record and receiving its text and report as objects was most of the parent's work per
    document, and compressing them for a `.gz` OUT 16% of a 2-worker run's CPU."""

    options: RecordOptions
    #: which of the two files (records, reports) are gzip members (JsonlFile.members)
    gzip: tuple[bool, bool] = (False, False)

    @property
    def group(self) -> int | None:
        """The documents of a group the worker packs when it holds them all (`pack`), or None
        when no file is made of groups (then lines are joined as they come)."""
        return MEMBER_DOCUMENTS if any(self.gzip) else None

    def encode(self, result: "Result") -> tuple[bytes, bytes | None]:
        report = record_line(result.report) if self.options.report_file else None
        return record_line(output_record(result, self.options)), report

    def pack(self, lines: Sequence[tuple[bytes, bytes | None]]) -> Packed:
        """The lines (`encode`) of whole groups' documents, in input order (the first document
        at a multiple of MEMBER_DOCUMENTS, then every document of each group), as each file
        takes them: a gzip member a group for a `.gz` file, the lines as they are otherwise."""
        records: list[bytes] = []
        reports: list[bytes] = []
        for start in range(0, len(lines), MEMBER_DOCUMENTS):
            group = lines[start:start + MEMBER_DOCUMENTS]
            records.append(_packed(self.gzip[0], [record for record, _ in group]))
            if self.options.report_file:
                reports.append(_packed(self.gzip[1], [report for _, report in group if report is not None]))
        return Packed(b"".join(records), b"".join(reports) if self.options.report_file else None)


def _packed(gzip: bool, lines: list[bytes]) -> bytes:
    """One group's lines in its file's form (a group with no line makes no member)."""
    data = b"".join(lines)
    return gzip_member(data) if gzip and data else data


class JsonlWriter(RecordWriter):
    """Records to a JSONL file (plain, gzip, zstd) or stdout; the summary beside a file."""

    def __init__(self, target: str, summary_path: str | None = None, options: RecordOptions = RecordOptions()):
        super().__init__(JsonlFile(target), summary_path or (None if target == "-" else target + ".summary.json"),
                         options)

    def encoder(self) -> RecordEncoder:
        return RecordEncoder(self.options, (self.file.members, self.reports is not None and self.reports.file.members))

    def write(self, result: "Result") -> None:
        """A result; or, made in a worker (pipeline._encoded: listed results only), one
        document's lines or several's joined (`encoded`: RecordEncoder.encode's pair), or whole
        groups' (a `Packed`)."""
        if result.encoded is None:
            super().write(result)
        elif isinstance(result.encoded, Packed):
            records, reports = result.encoded
            self.file.write_packed(records)
            if self.reports is not None and reports is not None:
                self.reports.file.write_packed(reports)
        else:
            record, report = result.encoded
            self.file.write_line(record, result.number)
            if self.reports is not None and report is not None:
                self.reports.file.write_line(report, result.number)


class ReportFile:
    """`--report-file`: every document's report, one per line, instead of in its record."""

    def __init__(self, path: str):
        self.file = JsonlFile(path)

    @classmethod
    def open(cls, options: RecordOptions) -> "ReportFile | None":
        return cls(options.report_file) if options.report_file else None

    def write(self, report: dict[str, Any], number: int | None = None) -> None:
        self.file.write(report, number)

    def close(self) -> None:
        self.file.close()

    def abort(self) -> None:
        self.file.abort()


def read_jsonl_output(path: Path) -> Iterator[tuple[int, Any]]:
    """Read back what JsonlWriter wrote (plain, gzip or zstd): (line number, parsed record) for
    each non-blank line. Raises ValueError naming the line when one is not JSON."""
    from ..readers.jsonl import open_jsonl

    with open_jsonl(str(path)) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise ValueError(f"{path} line {number}: not valid JSON ({getattr(err, 'msg', err)})") from None
