"""Documents that are files: a folder of them (read recursively) or one file.

Each file is one document: `.html`, `.htm`, `.html.gz` are HTML, anything else is text. The
reader lists paths only; a worker reads the bytes (`read_file`), so a huge folder costs the
parent nothing but the listing. A record file in a folder (a shard: `.jsonl`, `.parquet`,
`.warc.gz`, ...) is read by its own reader, each of its records a document.
"""
from __future__ import annotations

import fnmatch
import gzip
import json
import os
import re
import stat
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ..errors import InputError
from .base import REPORT_SUFFIX, SUMMARY_NAME, Payload, Reader, Source

DOCUMENT_PATTERNS = ("*.txt", "*.html", "*.htm", "*.html.gz")
SHARD_PATTERNS = ("*.jsonl", "*.jsonl.gz", "*.jsonl.zst", "*.parquet", "*.warc", "*.warc.gz")
DEFAULT_PATTERNS = DOCUMENT_PATTERNS + SHARD_PATTERNS
HTML_SUFFIXES = (".html.gz", ".html", ".htm")

#: the reader of a record file, or None when a file is one document (readers.record_reader)
RecordReaderFor = Callable[[str], "Reader | None"]


class FolderReader(Reader):
    """Every file of a folder that matches `patterns`, in sorted relative-path order; a record
    file's records in its place, each tagged with the shard it came from."""

    def __init__(self, root: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS,
                 record_reader: RecordReaderFor = lambda path: None):
        super().__init__()
        self.root = root
        self.patterns = patterns or DEFAULT_PATTERNS
        self.record_reader = record_reader
        self._listing: list[Source] | None = None
        self._readers: list[Reader | None] | None = None

    def sources(self) -> Iterator[Source]:
        return self._sources(for_workers=False)

    def sources_for_workers(self) -> Iterator[Source]:
        return self._sources(for_workers=True)

    def _sources(self, for_workers: bool) -> Iterator[Source]:
        self.skipped.clear()
        readers = self._record_readers()
        if all(reader is None for reader in readers):  # no shard: the listing as it is (a file's Source carries no bytes)
            yield from self.listed()
            return
        for source, reader in zip(self.listed(), readers):
            if reader is None:
                yield source
                continue
            for record in reader.sources_for_workers() if for_workers else reader.sources():
                record.shard = source.relpath
                yield record
            self.skipped.update(reader.skipped)

    def listing(self) -> Sequence[Source] | None:
        """The files as first listed, when the folder holds no record file (whose records are
        read anew in each pass)."""
        return self._listing if all(reader is None for reader in self._record_readers()) else None

    def listed(self) -> Iterator[Source]:
        """The files the folder holds that match the patterns (documents and record files), as
        the folder was when first asked: a run asks several times (its checks, the count, then
        each pass), and both passes must number the same documents alike, since pass 2 finds
        what pass 1 saw of a document by its number. A file added or removed meanwhile would
        shift every number after it. (A record file's records are read in each pass.)"""
        if self._listing is None:
            self._listing = list(iter_directory(self.root, self.patterns))
        return iter(self._listing)

    def _record_readers(self) -> list[Reader | None]:
        """Per listed file, the reader of its records when it is a record file (a shard),
        made once a run: the parent lists the folder in each pass, and asking each file's name
        again cost it about 10 microseconds a document a pass; and a shard's reader keeps what
        it found of its file for the next pass (`JsonlReader.sources_for_workers`)."""
        if self._readers is None:
            self._readers = [self.record_reader(source.path) if source.path is not None and source.error is None
                             else None for source in self.listed()]
        return self._readers

    def shards(self) -> list[str]:
        """The record files the folder holds, relative to it."""
        return [source.relpath for source, reader in zip(self.listed(), self._record_readers())
                if reader is not None and source.relpath is not None]

    def count(self) -> int:
        """A document per file, and each record file's own count (JSONL: its lines, Parquet:
        its row count; WARC: read through)."""
        return sum(reader.count() if reader is not None else 1 for reader in self._record_readers())


class FileReader(Reader):
    """One file, one document, named after the file."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def sources(self) -> Iterator[Source]:
        yield Source(name=output_name(self.path.name), path=self.path, relpath=self.path.name)

    def count(self) -> int:
        return 1


def output_name(relpath: str) -> str:
    """foo/bar.html.gz -> foo/bar (the writer adds .txt and .report.json)."""
    for suffix in HTML_SUFFIXES + (".txt",):
        if relpath.endswith(suffix):
            return relpath[: -len(suffix)]
    return relpath


#: names a folder OUT keeps for the run itself: an input folder of that name would put
#: documents' outputs where the summary (or the run file) must go
RESERVED_NAMES = (SUMMARY_NAME, ".corpusclean-run")


def iter_directory(root: Path, patterns: tuple[str, ...] = DEFAULT_PATTERNS) -> Iterator[Source]:
    """Every matching file below root, in sorted relative-path order (the corpus order).

    Two files that would write the same output (page.html and page.txt) cannot both be
    cleaned: the second is reported, not written over the first. Nor can a file whose output
    would stand where another's output folder is (x.html beside a folder x.txt/), one in a
    folder named like the run summary, or one whose name is not UTF-8 (no report could name
    it): each is reported. A folder that cannot be read is reported too (its files would be
    missing from the output without a word). A report with no text beside it is a failure
    from an earlier command (`fix` then `strip`): it is carried on, so the last folder of a
    chain lists the same failures as `run`.
    """
    found: list[str] = []
    carried: set[str] = set()
    unlisted: dict[str, str] = {}  # relative path: why it cannot be cleaned

    def unreadable(err: OSError) -> None:
        rel = os.path.relpath(err.filename, root) if err.filename else "."
        found.append(rel)
        unlisted[rel] = f"cannot read this folder: {err.strerror or err}; its files are not cleaned"

    matches = _any_of(patterns)
    top = os.fspath(root)
    # the parent lists the input alone, before its workers start: per file only string work,
    # one match for all patterns, and a file's path a string, not a Path (about 7 us each to
    # build); a folder's path relative to root is what os.walk joined to root, not
    # os.path.relpath's (about 15 us a folder)
    for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable):
        dirnames.sort()
        present = set(filenames)
        folder = dirpath[len(top):].lstrip(os.sep)  # "" for root itself
        within = folder + os.sep if folder else ""
        for filename in filenames:
            if filename == SUMMARY_NAME:
                continue
            if filename.endswith(REPORT_SUFFIX):
                text_name = filename[: -len(REPORT_SUFFIX)] + ".txt"
                if text_name not in present:
                    text_rel = within + text_name
                    carried.add(text_rel)
                    found.append(text_rel)
                continue
            if matches(os.path.normcase(filename)):
                found.append(within + filename)
    names = {rel: output_name(_posix(rel)) for rel in found if rel not in unlisted}
    folders = _folders(names.values())  # an output file cannot take one of these names
    prefix = os.path.join(top, "")  # root and a separator, before each file's relative path
    first_with_name: dict[str, str] = {}
    for rel in sorted(found):
        posix = _posix(rel)
        if rel in unlisted:
            yield Source(name=_printable(posix) + "/", error=unlisted[rel])
            continue
        if not _is_utf8(posix):
            yield Source(name=_printable(posix), error="its name is not valid UTF-8 (shown with \\x escapes), so "
                                                       "no report can name it; rename it")
            continue
        name = names[rel]
        clash = _in_the_way(name, folders)
        if name in first_with_name:
            yield Source(name=posix, error=f"writes the same output ({name}.txt) as "
                                           f"{first_with_name[name]}; rename one of them")
            continue
        if clash is not None:
            yield Source(name=posix, error=f"its output {clash} would stand where other inputs' outputs need a "
                                           f"folder of that name ({clash}/); rename one of them")
            continue
        if "/" in name and name.split("/", 1)[0] in RESERVED_NAMES:
            yield Source(name=posix, error=f"it is in a folder named like the run's own file "
                                           f"{name.split('/', 1)[0]} in OUT; rename the folder")
            continue
        first_with_name[name] = posix
        if rel in carried:
            failure = _earlier_failure(root / (name + REPORT_SUFFIX), name)
            if failure is not None:
                yield failure
            continue
        yield Source(name=name, path=prefix + rel, relpath=posix)


@lru_cache(maxsize=16)
def _any_of(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """Whether a (normcased) file name matches any of the glob `patterns`, as fnmatch says,
    in one regular expression instead of a call per pattern."""
    either = "|".join(fnmatch.translate(os.path.normcase(pattern)) for pattern in patterns)
    return re.compile(either or "(?!)").match  # no pattern: no file


def _posix(rel: str) -> str:
    """A relative path with "/" between its parts (what Path(rel).as_posix() gives)."""
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


def _folders(names: Iterable[str]) -> set[str]:
    """Every folder the outputs named `names` go into ("a/b/c" goes into "a" and "a/b")."""
    folders: set[str] = set()
    for name in names:
        end = name.rfind("/")
        while end > 0:
            folder = name[:end]
            if folder in folders:  # and so is every folder that holds it
                break
            folders.add(folder)
            end = name.rfind("/", 0, end)
    return folders


def _in_the_way(name: str, folders: set[str]) -> str | None:
    """The output of `name` (its text or its report) that has the name of one of `folders`."""
    for output in (name + ".txt", name + REPORT_SUFFIX):
        if output in folders:
            return output
    return None


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.walk hands undecodable bytes over as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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


def read_file(path: str | Path, max_bytes: int) -> Payload:
    """The bytes of one file, its kind, and the report an earlier command wrote beside it.
    Raises InputError with a message for the user."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        broken = " (a symbolic link to a missing file)" if os.path.islink(path) else " (it is gone)"
        raise InputError(f"cannot read: no such file{broken}") from None
    except OSError as err:
        raise InputError(f"cannot read: {(err.strerror if isinstance(err, OSError) else None) or err}") from None
    if not stat.S_ISREG(info.st_mode):
        # reading a FIFO or a device would block the run or never end: only files are text
        raise InputError(f"cannot read: not a regular file but {_file_kind(info.st_mode)}")
    name = os.path.basename(path)
    try:
        size = info.st_size
        if size > max_bytes:
            raise InputError(f"{size:,} bytes is over the --max-bytes limit of {max_bytes:,}; raise the limit to process it")
        if name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                raw = handle.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise InputError(f"decompresses to over the --max-bytes limit of {max_bytes:,}")
        else:
            raw = _read_bytes(path, size)
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except (OSError, EOFError, zlib.error) as err:  # zlib.error: a .gz whose compressed data is corrupt
        raise InputError(f"cannot read: {getattr(err, 'strerror', None) or err}") from None
    kind = "html" if name.endswith(HTML_SUFFIXES) else "text"
    # asked with a string: a Path's with_name and exists() cost several times the stat itself
    report_name = output_name(name) + REPORT_SUFFIX
    report_path = os.path.join(os.path.dirname(path), report_name)
    prior = None
    if kind == "text" and os.path.exists(report_path):
        try:
            prior = json.loads(Path(report_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:  # ValueError: not JSON, or not UTF-8
            raise InputError(f"has a report beside it that cannot be read ({report_name}: {err})") from None
        if not isinstance(prior, dict) or "removals" not in prior:
            prior = None
    return Payload(kind=kind, content=raw, prior_report=prior)


def _read_bytes(path: str | Path, size: int) -> bytes:
    """What path.read_bytes() gives, without its buffered file object: its creation, an fstat,
    an isatty and two seeks were half of what reading a page of the bench corpus cost. `size`
    is what the file's stat said: one read usually takes it all, and a file that grew since
    is read to its end all the same."""
    fd = os.open(path, os.O_RDONLY | _O_BINARY)
    try:
        chunks = [os.read(fd, size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, _READ_MORE))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_READ_MORE = 1 << 16


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return kind
    return "a special file"
