"""What every reader shares: the `Source` it lists, the `Payload` a worker reads from it, and
the `Reader` contract.

A reader lists the documents of one input, in corpus order, as `Source`s. A Source is cheap to
make and to send to a worker: for a file it holds only the path, and the worker reads the
bytes (`readers.read_source`); for a JSONL record it holds the line as read, which the worker
parses (`Source.parsed`), so the parent only splits the file into lines; for a record of
another record file (Parquet, ...) it holds the parsed record. A Source that is no document (a
JSONL line that is not a JSON object) carries its error, so the run reports it by name and
goes on. The model is datatrove's `pipeline/readers/`: a base
class and one small subclass per format, chosen in one place (`readers/__init__.py`).
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..errors import InputError

if TYPE_CHECKING:
    from .jsonl import Line

#: what the directory writer names a report and the summary; a reader meets them when it reads
#: an earlier command's output folder (`fix` then `strip`)
REPORT_SUFFIX = ".report.json"
SUMMARY_NAME = "corpusclean-summary.json"


@dataclass
class Source:
    """One document to read. `name` is its output name: a relative path or a record id."""

    name: str
    path: Any = None                 # a file on disk (a str or os.PathLike), read by the worker
    relpath: str | None = None       # its path relative to IN, recorded in the report
    record: dict[str, Any] | None = None  # a record of a record file, already parsed
    error: str | None = None         # the source could not even be listed (malformed JSONL)
    payload: "Payload | None" = None  # a document read whole while listing (a WARC record)
    shard: str | None = None         # the record file it came from, relative to IN (a folder of shards)
    #: a JSONL record not parsed yet; until `parsed`, the name is its place ("line 7")
    line: "Line | None" = None

    def parsed(self) -> "Source":
        """The Source with its JSONL line parsed: named by the record's id and holding the
        record, or holding why the line is no record. Parsing where the document is cleaned
        (a worker) instead of where the input is listed (the parent, in each pass) keeps the
        parent's share of the run small; a line crosses to a worker as bytes, cheaper to
        pickle than the record. A Source with no line is itself."""
        if self.line is None:
            return self
        source = self.line.source()
        source.shard = self.shard
        return source

    def without_bytes(self) -> "Source":
        """The Source with its JSONL line's bytes left behind where its file can give them
        again (`Line.without_bytes`); else itself."""
        if self.line is None or self.line.at is None:
            return self
        # built directly (a line's Source has no path, record, payload or error):
        # dataclasses.replace costs the parent several microseconds a document in each pass
        return Source(self.name, line=self.line.without_bytes(), shard=self.shard)


@dataclass
class Payload:
    kind: str                        # "text" or "html"
    content: bytes | str
    prior_report: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # the record's other fields, passed through
    #: the charset the document's transport declared (a WARC record's HTTP Content-Type)
    charset: str | None = None
    #: what the report's `source` says beyond kind, path and bytes (a WARC record's url, date)
    about: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordFields:
    """Which fields of a record (JSONL, Parquet) hold its text and its id. The clean text goes
    back into the text field; every other field is carried through."""

    text: str = "text"
    id: str = "id"


class Reader(ABC):
    """The documents of one input, in corpus order. `sources()` may be called more than once
    (a run with a corpus pass reads its input twice) and must list the same documents each time.

    `skipped` counts, by reason, what the last `sources()` passed over as no document (a WARC's
    request records, an image response): not failures, and not in the output."""

    skipped: Counter[str]

    def __init__(self) -> None:
        self.skipped = Counter()

    @abstractmethod
    def sources(self) -> Iterator[Source]:
        """Every document of the input, in corpus order."""

    def count(self) -> int:
        """How many documents `sources()` lists (for a progress bar: may read the input once)."""
        return sum(1 for _ in self.sources())

    def sources_for_workers(self) -> Iterator[Source]:
        """`sources()` as they go to worker processes of this machine: each without the bytes
        a worker can read again from the input (`Source.without_bytes`), so that the parent
        pickles and pipes no document."""
        return (source.without_bytes() for source in self.sources())

    def listing(self) -> Sequence[Source] | None:
        """`sources_for_workers()` as a sequence the reader keeps as it is for the rest of the
        run, by input number, when it has one (a folder's files; a plain JSONL file read
        whole): a worker process forked after it was made holds it too, so a task can name
        its documents by number instead of carrying their Sources (`pipeline.Span`). None:
        the input is listed anew each time."""
        return None


class Listing(Reader):
    """The sources a function lists, as a Reader (what `pipeline.run_corpus` was given)."""

    def __init__(self, sources: Callable[[], Iterator[Source]]):
        super().__init__()
        self._sources = sources

    def sources(self) -> Iterator[Source]:
        return self._sources()


def as_reader(sources: Reader | Callable[[], Iterator[Source]]) -> Reader:
    """A run's input as a Reader, whether given as one or as a function listing its sources."""
    return sources if isinstance(sources, Reader) else Listing(sources)


#: how an HTML document starts (after a BOM, blanks and comments): the sniffer's clue
_HTML_START = ("<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<!--")


def looks_like_html(content: bytes | str) -> bool:
    """True when a document of unknown kind starts like an HTML page."""
    head = content[:1024]
    if isinstance(head, bytes):
        head = head.decode("latin-1")
    return head.lstrip("\ufeff\xef\xbb\xbf \t\r\n").lower().startswith(_HTML_START)


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (str, "string"),
                       (list, "array"), (dict, "object"), (type(None), "null")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def record_source(number: int, record: Any, fields: RecordFields, label: str = "line") -> Source:
    """A parsed record as a Source named by its id field; a record that is no object or has no
    id is a Source with an error (named by its place: "line 7", "row 7")."""
    name = f"{label} {number}"
    if not isinstance(record, dict):
        return Source(name=name, error=f"a JSON {json_type(record)}, not an object")
    if fields.id not in record:
        return Source(name=name, record=record, error=f"record has no `{fields.id}`")
    return Source(name=str(record[fields.id]), record=record)


def record_payload(record: dict[str, Any], max_bytes: int, fields: RecordFields = RecordFields()) -> Payload:
    """A record's document: its text field (or `html`), the report an earlier command left in
    it (chained runs), and its other fields, which the output record carries on."""
    text = fields.text
    extra = {k: v for k, v in record.items() if k not in (text, "html", "report")}
    if isinstance(record.get(text), str):
        kind, content = "text", record[text]
    elif isinstance(record.get("html"), str):
        kind, content = "html", record["html"]
    elif text in record:
        raise InputError(f"`{text}` is a {json_type(record[text])}, not a string")
    else:
        raise InputError(f"record has neither `{text}` nor `html`")
    if len(content) > max_bytes:
        raise InputError(f"{len(content):,} characters is over the --max-bytes limit of {max_bytes:,}")
    prior = record.get("report")
    if isinstance(prior, str):  # Parquet output keeps reports as JSON strings
        try:
            prior = json.loads(prior)
        except ValueError:
            prior = None
    prior = prior if isinstance(prior, dict) else None
    if prior is not None and "removals" not in prior:
        prior = None
    return Payload(kind=kind, content=content, prior_report=prior, extra=extra)
