"""Where documents come from: a directory, one file, a JSONL file, or JSONL on stdin.

A `Source` is cheap to make and to send to a worker: for files it holds only the path, and the
worker reads the bytes. `read_source` turns it into a `Payload`: the raw content, what kind it
is, and the report of an earlier stage when there is one (chained `fix | strip | dedup`).
"""
from __future__ import annotations

import contextlib
import fnmatch
import gzip
import json
import os
import shutil
import stat
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .errors import InputError

DEFAULT_PATTERNS = ("*.txt", "*.html", "*.htm", "*.html.gz")
REPORT_SUFFIX = ".report.json"
SUMMARY_NAME = "corpusclean-summary.json"
HTML_SUFFIXES = (".html.gz", ".html", ".htm")


@dataclass
class Source:
    """One document to read. `name` is its output name: a relative path or a JSONL id."""

    name: str
    path: Path | None = None         # a file on disk, read by the worker
    relpath: str | None = None       # its path relative to IN, recorded in the report
    record: dict[str, Any] | None = None  # a JSONL record, already parsed
    error: str | None = None         # the source could not even be listed (malformed JSONL)


@dataclass
class Payload:
    kind: str                        # "text" or "html"
    content: bytes | str
    prior_report: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other JSONL fields, passed through


def is_jsonl(path: str) -> bool:
    return path == "-" or path.endswith(".jsonl") or path.endswith(".jsonl.gz")


def output_name(relpath: str) -> str:
    """foo/bar.html.gz -> foo/bar (the writer adds .txt and .report.json)."""
    for suffix in HTML_SUFFIXES + (".txt",):
        if relpath.endswith(suffix):
            return relpath[: -len(suffix)]
    return relpath


def iter_directory(root: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS) -> Iterator[Source]:
    """Every matching file below root, in sorted relative-path order (the corpus order).

    Two files that would write the same output (page.html and page.txt) cannot both be
    cleaned: the second is reported, not written over the first. A report with no text beside
    it is a failure from an earlier command (`fix` then `strip`): it is carried on, so the
    last folder of a chain lists the same failures as `run`.
    """
    found: list[str] = []
    carried: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        present = set(filenames)
        for filename in filenames:
            rel = os.path.relpath(os.path.join(dirpath, filename), root)
            if filename == SUMMARY_NAME:
                continue
            if filename.endswith(REPORT_SUFFIX):
                text_name = filename[: -len(REPORT_SUFFIX)] + ".txt"
                if text_name not in present:
                    text_rel = os.path.join(os.path.dirname(rel), text_name)
                    carried.add(text_rel)
                    found.append(text_rel)
                continue
            if any(fnmatch.fnmatch(filename, pattern) for pattern in patterns):
                found.append(rel)
    first_with_name: dict[str, str] = {}
    for rel in sorted(found):
        posix = Path(rel).as_posix()
        name = output_name(posix)
        if name in first_with_name:
            yield Source(name=posix, error=f"writes the same output ({name}.txt) as "
                                           f"{first_with_name[name]}; rename one of them")
            continue
        first_with_name[name] = posix
        if rel in carried:
            failure = _earlier_failure(root / (name + REPORT_SUFFIX), name)
            if failure is not None:
                yield failure
            continue
        yield Source(name=name, path=root / rel, relpath=posix)


def _earlier_failure(report_path: Path, name: str) -> Source | None:
    """The failure an earlier command recorded, as a Source that fails the same way."""
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("status") != "failed" or "error" not in report:
        return None  # not ours, or a dropped page: nothing to carry
    relpath = report.get("source", {}).get("path")
    return Source(name=name, path=report_path, relpath=relpath, error=report["error"])


def iter_jsonl(path: str | BinaryIO) -> Iterator[Source]:
    """Records of a JSONL file (plain or gzip, or a spooled stdin), in file order. A line that
    is not UTF-8, not JSON, not an object or has no `id` becomes a Source with an error, so the
    run reports it and goes on; a file that ends early reports where and stops."""
    number = 0
    with open_jsonl(path) as handle:
        try:
            for number, raw in enumerate(handle, 1):
                if raw.strip():
                    yield _jsonl_source(number, raw)
        except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            yield Source(name=f"line {number + 1}",
                         error=f"the file is cut short or corrupt after line {number}: {err}")


def _jsonl_source(number: int, raw: bytes) -> Source:
    name = f"line {number}"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Source(name=name, error=f"not valid UTF-8 (byte {err.start} of the line); JSONL is UTF-8")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return Source(name=name, error=f"not valid JSON ({err.msg} at column {err.colno})")
    if not isinstance(record, dict):
        return Source(name=name, error=f"a JSON {_json_type(record)}, not an object")
    if "id" not in record:
        return Source(name=name, record=record, error="record has no `id`")
    return Source(name=str(record["id"]), record=record)


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (str, "string"),
                       (list, "array"), (dict, "object"), (type(None), "null")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def open_jsonl(path: str | BinaryIO) -> BinaryIO:
    """A JSONL input as bytes: a plain or gzip file, or the spooled stdin (rewound)."""
    if not isinstance(path, str):
        path.seek(0)  # a spooled stdin, read once per pass
        return contextlib.nullcontext(path)  # type: ignore[return-value]
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def spool_stdin() -> BinaryIO:
    """The corpus pass reads the input twice; stdin can be read once, so keep a copy in an
    anonymous temporary file: it disappears when the run ends, however it ends."""
    spooled = tempfile.TemporaryFile(prefix="corpusclean-stdin-", suffix=".jsonl")
    shutil.copyfileobj(sys.stdin.buffer, spooled)
    return spooled


def read_source(source: Source, max_bytes: int) -> Payload:
    """Read what a Source points at. Raises InputError with a message for the user."""
    if source.error:
        raise InputError(source.error)
    if source.record is not None:
        return _from_record(source.record, max_bytes)
    assert source.path is not None
    return _from_file(source.path, max_bytes)


def _from_file(path: Path, max_bytes: int) -> Payload:
    try:
        info = path.stat()
    except FileNotFoundError:
        broken = " (a symbolic link to a missing file)" if path.is_symlink() else " (it is gone)"
        raise InputError(f"cannot read: no such file{broken}") from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        # reading a FIFO or a device would block the run or never end: only files are text
        raise InputError(f"cannot read: not a regular file but {_file_kind(info.st_mode)}")
    try:
        size = info.st_size
        if size > max_bytes:
            raise InputError(f"{size:,} bytes is over the --max-bytes limit of {max_bytes:,}; raise the limit to process it")
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                raw = handle.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise InputError(f"decompresses to over the --max-bytes limit of {max_bytes:,}")
        else:
            raw = path.read_bytes()
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except (OSError, EOFError, zlib.error) as err:  # zlib.error: a .gz whose compressed data is corrupt
        raise InputError(f"cannot read: {getattr(err, 'strerror', None) or err}") from None
    kind = "html" if path.name.endswith(HTML_SUFFIXES) else "text"
    report_path = path.with_name(output_name(path.name) + REPORT_SUFFIX)
    prior = None
    if kind == "text" and report_path.exists():
        try:
            prior = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise InputError(f"has a report beside it that cannot be read ({report_path.name}: {err})") from None
        if not isinstance(prior, dict) or "removals" not in prior:
            prior = None
    return Payload(kind=kind, content=raw, prior_report=prior)


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return kind
    return "a special file"


def _from_record(record: dict[str, Any], max_bytes: int) -> Payload:
    extra = {k: v for k, v in record.items() if k not in ("text", "html", "report")}
    if isinstance(record.get("text"), str):
        kind, content = "text", record["text"]
    elif isinstance(record.get("html"), str):
        kind, content = "html", record["html"]
    elif "text" in record:
        raise InputError(f"`text` is a {_json_type(record['text'])}, not a string")
    else:
        raise InputError("record has neither `text` nor `html`")
    if len(content) > max_bytes:
        raise InputError(f"{len(content):,} characters is over the --max-bytes limit of {max_bytes:,}")
    prior = record.get("report") if isinstance(record.get("report"), dict) else None
    if prior is not None and "removals" not in prior:
        prior = None
    return Payload(kind=kind, content=content, prior_report=prior, extra=extra)
