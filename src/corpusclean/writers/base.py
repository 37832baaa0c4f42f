"""What every writer shares: the `Writer` contract, atomic files, and the report's JSON layout.

Every file is written atomically (a temporary file in the same folder, then a rename), so a
crash never leaves a half-written output behind.
"""
from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterator

import orjson
from ..readers.base import RecordFields

if TYPE_CHECKING:
    from ..pipeline import Result


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
        _discard(tmp)
        raise


def _discard(tmp: str | Path) -> None:
    """Remove a temporary file an interrupted write leaves behind."""
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """`atomic_file` for bytes already in hand, at a fraction of its cost per file: a folder of
    outputs writes two files per document, and mkstemp's random name, fdopen's buffered file
    object (two isatty calls), the chmod and a mkdir that nearly always finds the folder made
    were most of the writing. The folder is made when the file cannot be created without it.
    The path is handled as a string (a Path is taken too): pathlib's with_name and its
    conversions for each system call cost more than the Python side of the calls themselves."""
    path = os.fspath(path)
    folder, name = os.path.split(path)
    folder_made = False
    while True:
        tmp = _temporary_name(folder, name)
        try:  # created with the mode any new file gets here (0666 less the umask)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
            break
        except FileExistsError:  # left by a killed run of a process with the same number
            continue
        except (FileNotFoundError, NotADirectoryError):
            if folder_made:
                raise
            # raises what atomic_file says of a file in the folder's way (FileExistsError)
            os.makedirs(folder or os.curdir, exist_ok=True)
            folder_made = True
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_NUMBERS = itertools.count()


def _temporary_name(folder: str, name: str) -> str:
    """A name beside folder/name no other process uses at the same time (its process number)
    in the shape claim.TEMPORARY sweeps: "." + name + "." + 8 of [a-z0-9_] + ".tmp"."""
    return os.path.join(folder, f".{name}.{os.getpid() & 0xFFFF:04x}{next(_NUMBERS) & 0xFFFF:04x}.tmp")


def json_bytes(value: Any) -> bytes:
    """`value` as compact JSON in UTF-8. orjson writes a report about ten times faster than the
    standard library, and writes NaN and ±Infinity (which JSON has no numbers for: a JSONL
    input may hold them) as null. What it refuses (an integer over 64 bits, a lone surrogate
    in a field passed through from a JSONL input) goes to the standard library, the same way.
    Keys that are not strings (orjson's OPT_NON_STR_KEYS) are asked for only when orjson meets
    one: the option makes every call about a third slower, and reports' keys are strings."""
    try:
        return orjson.dumps(value)
    except TypeError:
        pass
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        text = json_text(value, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: UTF-8 cannot hold it, a JSON escape can
            return json_text(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def json_text(value: Any, separators: tuple[str, str] | None = None, ensure_ascii: bool = False) -> str:
    """`value` as JSON text, NaN and ±Infinity written as null (as orjson writes them): the
    standard library would write them as `NaN` and `Infinity`, which no JSON parser need accept."""
    try:
        return json.dumps(value, ensure_ascii=ensure_ascii, separators=separators, allow_nan=False)
    except ValueError:  # a number JSON cannot hold, somewhere in value: only then walk it
        return json.dumps(_finite(value), ensure_ascii=ensure_ascii, separators=separators)


def _finite(value: Any) -> Any:
    """`value` with every NaN and ±Infinity replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def dump_json(value: dict[str, Any]) -> bytes:
    """One top-level key per line and one removal (or other list item) per line: compact enough
    to read, and a review diff shows exactly which removals changed."""
    lines = []
    for key, item in value.items():
        head = b" " + json_bytes(key) + b": "
        if isinstance(item, list) and item:
            try:  # json_bytes of each row, which is orjson's unless orjson refuses one
                rows = b",\n  ".join(map(orjson.dumps, item))
            except TypeError:
                rows = b",\n  ".join(json_bytes(row) for row in item)
            lines.append(head + b"[\n  " + rows + b"\n ]")
        else:
            lines.append(head + json_bytes(item))
    return b"{\n" + b",\n".join(lines) + b"\n}\n"


@dataclass(frozen=True)
class RecordOptions:
    """How a document becomes an output record (JSONL, Parquet)."""

    #: the fields that hold the text and the id: the clean text goes back into the text field
    fields: RecordFields = RecordFields()
    #: put each document's report in its record (`report`); False leaves it out
    reports: bool = True
    #: write the reports, one per line, to this JSONL file instead of into the records
    report_file: str | None = None

    @property
    def inline(self) -> bool:
        return self.reports and self.report_file is None


def output_record(result: "Result", options: RecordOptions) -> dict[str, Any]:
    """The input record's fields, its id (the document's name if it had none), the clean text
    in the text field (absent when the document failed or was dropped), then its report."""
    record = dict(result.extra)
    record[options.fields.id] = result.extra.get(options.fields.id, result.name)
    if result.clean is not None:
        record[options.fields.text] = result.clean
    if options.inline:
        record["report"] = result.report
    return record


class Writer(ABC):
    """Takes each document's result and, at the end, the run summary."""

    #: True when workers may write results themselves, in any order (each document its own
    #: files); False when the parent must write them in input order (one file of records)
    in_workers: bool = False

    @abstractmethod
    def write(self, result: "Result") -> None:
        """One document's clean text and report (or its failure)."""

    def encoder(self) -> Any:
        """For a writer the parent writes in input order: a small picklable object whose
        `encode(result)` makes, in the worker, what `write` appends for the result (it then
        receives a Result whose `encoded` is set). None: `write` takes whole results."""
        return None

    @abstractmethod
    def close(self, summary: dict[str, Any]) -> Path | None:
        """Finish the output and write the summary; returns where the summary went, if anywhere."""

    def abort(self) -> None:
        """The run failed or was stopped: leave no half-written output behind."""

