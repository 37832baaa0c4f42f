"""The per-document report and the run summary.

A report is plain JSON: what the fix stage did, which stages ran, the language, sizes, and the
list of removals. The clean text plus `removals` rebuilds the encoding-fixed text exactly
(`layout.rebuild`). The summary adds up reports; it holds nothing that changes from run to run
unless `--timing` asks for it, so a run's output is byte-identical whatever the workers.
"""
from __future__ import annotations

import functools
import os
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from . import __version__
from .cache import cached
from .model import Document
from .stages.registry import report_fields

REPORT_VERSION = 1


def document_report(doc: Document, clean: str | None, status: str = "ok", **extra: Any) -> dict[str, Any]:
    removals = [r.to_json() for r in doc.iter_removals()]
    removed_chars = sum(r["chars"][1] - r["chars"][0] for r in removals)
    report: dict[str, Any] = {
        "document": doc.name,
        "status": status,
        "report_version": REPORT_VERSION,
        "source": doc.meta.source,
        "encoding": doc.meta.encoding,
        "stages": doc.meta.stages,
        "language": doc.meta.language if doc.meta.language is not None else {"code": "unknown"},
        "sizes": {
            "input_bytes": doc.meta.source.get("bytes"),
            "fixed_chars": len(doc.text),
            "clean_chars": len(clean) if clean is not None else 0,
            "removed_chars": removed_chars,
        },
        "removals": removals,
    }
    if doc.meta.extractor is not None:
        report["extractor"] = doc.meta.extractor
    if doc.meta.fields:  # most pages have none: the stages' field names are not even listed
        for key in report_fields():
            if key in doc.meta.fields:
                report[key] = doc.meta.fields[key]
    found = notices(doc)
    if found:
        report["notices"] = found
    report.update(extra)
    return report


#: A line this long means the page lost its line breaks: it is cleaned, but a reader should know.
LONG_LINE = 1_000_000


def notices(doc: Document) -> list[dict[str, str]]:
    """What a reader should know about an input that was cleaned anyway: it was empty, not
    UTF-8, had a byte-order mark or other line endings, needed ftfy, or is one huge line."""
    encoding = doc.meta.encoding
    found: list[dict[str, str]] = []

    def note(kind: str, message: str) -> None:
        found.append({"kind": kind, "message": message})

    if not doc.text:
        note("empty", "empty input: nothing to clean")
    if "note" in encoding:
        note("legacy-encoding", encoding["note"])
    if encoding.get("bom"):
        note("byte-order-mark", f"decoded as {encoding['encoding']} from its byte-order mark")
    if "newlines" in encoding:
        counts = encoding["newlines"]
        note("line-endings", f"{counts['crlf']} CRLF and {counts['cr']} lone CR line endings became LF")
    if encoding.get("ftfy"):
        note("ftfy", f"ftfy fixed {len(encoding['ftfy'])} line(s); see encoding.ftfy")
    # the first of the longest lines (the lengths found in C: a key function per line cost a
    # call for each of a run's lines; listed only for a page that has such a line)
    longest = max(map(len, doc.lines), default=0)
    if longest >= LONG_LINE:
        lengths = list(map(len, doc.lines))
        note("long-line", f"line {lengths.index(longest) + 1} is {longest:,} characters long; "
                          "the page may have lost its line breaks")
    return found


def failure_report(name: str, error: str, source: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"document": name, "status": "failed", "report_version": REPORT_VERSION,
            "error": error, "source": source or {}, "removals": []}


#: The summary counts documents with each kind of notice and names the first few; every
#: failure is listed in full (each report has its own notices).
NOTICE_EXAMPLES = 5


#: where Summary.fields puts a report's removals added up by rule
TALLY = "removals_by_rule"


def tally(removals: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    """A report's removals added up: (category, rule, removals, characters) per rule and
    category, in the order they first appear."""
    totals: dict[tuple[str, str], list[int]] = {}
    for removal in removals:
        first, last = removal["chars"]
        counts = totals.get((removal["category"], removal["rule"]))
        if counts is None:
            totals[(removal["category"], removal["rule"])] = [1, last - first]
        else:
            counts[0] += 1
            counts[1] += last - first
    return [(category, rule, removals, chars) for (category, rule), (removals, chars) in totals.items()]


class Totals:
    """What reports add up to, in input order: the part of a run's summary that grows with its
    documents. A worker adds up a task's documents itself and the parent `merge`s that, in
    input order, which gives what `add`ing each report there would (the lists keep input
    order; the counts are sums): one object a task to pickle and add, instead of one per
    document (that was 10 us of the parent's CPU a document, on a run's 2 cores)."""

    def __init__(self) -> None:
        self.documents: Counter[str] = Counter()  # by status
        self.by_category: Counter[str] = Counter()
        self.by_category_chars: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()
        self.by_rule_chars: Counter[str] = Counter()
        self.input_bytes = 0
        self.fixed_chars = 0
        self.clean_chars = 0
        self.failures: list[dict[str, str]] = []
        self.dropped: list[dict[str, str]] = []
        self.notices: dict[str, dict[str, Any]] = {}

    def add(self, report: dict[str, Any]) -> None:
        """One document's report, whole or as `Summary.fields` gives it."""
        status = report["status"]
        self.documents[status] += 1
        if status == "failed":
            self.failures.append({"document": report["document"], "error": report["error"]})
            return
        if status == "dropped":
            self.dropped.append({"document": report["document"], "reason": report.get("dropped", "")})
        for notice in report.get("notices", []):
            entry = self.notices.setdefault(notice["kind"], {"documents": 0, "first": []})
            entry["documents"] += 1
            if len(entry["first"]) < NOTICE_EXAMPLES:
                entry["first"].append({"document": report["document"], "message": notice["message"]})
        sizes = report["sizes"]
        self.input_bytes += sizes.get("input_bytes") or 0
        self.fixed_chars += sizes["fixed_chars"]
        self.clean_chars += sizes["clean_chars"]
        tallied = report[TALLY] if TALLY in report else tally(report["removals"])
        for category, rule, removals, chars in tallied:
            self.by_category[category] += removals
            self.by_category_chars[category] += chars
            self.by_rule[rule] += removals
            self.by_rule_chars[rule] += chars

    def merge(self, later: "Totals") -> None:
        """Add the totals of the documents that follow these ones in input order."""
        for counts, added in ((self.documents, later.documents), (self.by_category, later.by_category),
                              (self.by_category_chars, later.by_category_chars), (self.by_rule, later.by_rule),
                              (self.by_rule_chars, later.by_rule_chars)):
            # Counter.update's own loop, without its check of what it was given: in the parent
            # once a task for each of these, about half its time
            get = counts.get
            for key, count in added.items():
                counts[key] = get(key, 0) + count
        self.input_bytes += later.input_bytes
        self.fixed_chars += later.fixed_chars
        self.clean_chars += later.clean_chars
        self.failures += later.failures
        self.dropped += later.dropped
        for kind, theirs in later.notices.items():
            entry = self.notices.setdefault(kind, {"documents": 0, "first": []})
            entry["documents"] += theirs["documents"]
            entry["first"] += theirs["first"][:NOTICE_EXAMPLES - len(entry["first"])]

    @property
    def failed(self) -> int:
        return self.documents["failed"]


class Summary(Totals):
    """Totals over a run, built from reports in input order, and what the run was."""

    def __init__(self, command: str, config: dict[str, Any]):
        super().__init__()
        self.command = command
        self.config = config
        #: what the input held that is no document (a WARC's request records), by reason
        self.skipped: Counter[str] = Counter()
        #: set when the run ends: how long it took, and where the summary was written
        self.seconds: float = 0.0
        self.path: Path | None = None

    @staticmethod
    def fields(report: dict[str, Any]) -> dict[str, Any]:
        """The part of a report `add` reads: what a worker that wrote the report itself sends
        back to the parent instead of the whole report (removed texts can be megabytes). Its
        removals come added up by rule (`tally`): a page's 20 removals are a few rules' counts,
        fewer objects to pickle in the worker and to add up in the parent."""
        slim: dict[str, Any] = {key: report[key] for key in ("document", "status", "error", "dropped", "notices", "sizes")
                                if key in report}
        slim[TALLY] = report[TALLY] if TALLY in report else tally(report.get("removals", []))
        return slim

    def to_json(self, seconds: float | None = None) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "command": self.command,
            "documents": dict(sorted(self.documents.items())),
            "sizes": {"input_bytes": self.input_bytes, "fixed_chars": self.fixed_chars,
                      "clean_chars": self.clean_chars, "removed_chars": self.fixed_chars - self.clean_chars},
            "removed_by_category": {k: {"removals": self.by_category[k], "chars": self.by_category_chars[k]}
                                    for k in sorted(self.by_category)},
            "removed_by_rule": {k: {"removals": self.by_rule[k], "chars": self.by_rule_chars[k]}
                                for k in sorted(self.by_rule)},
            **({"skipped": dict(sorted(self.skipped.items()))} if self.skipped else {}),
            "failures": self.failures,
            "dropped": self.dropped,
            "notices": dict(sorted(self.notices.items())),
            "config": self.config,
            "versions": versions(),
        }
        if seconds is not None:
            summary["time"] = {"seconds": round(seconds, 3),
                               "mb_per_second": round(self.input_bytes / 1e6 / seconds, 3) if seconds else None}
        return summary


#: the packages whose versions a summary records, and the extractors' (a page's report names
#: the one that found its text)
RECORDED = ("ftfy", "trafilatura", "datasketch", "langdetect", "click", "numpy")
EXTRACTORS = ("trafilatura", "readability-lxml")


def versions() -> dict[str, str]:
    found = {"corpusclean": __version__, "python": platform.python_version()}
    installed = _installed()
    for package in RECORDED:
        found[package] = installed[package]
    return found


#: what the summary records for a package that is not installed
NOT_INSTALLED = "not installed"


def package_version(package: str) -> str:
    """The installed version of `package`, as `importlib.metadata.version` says, or NOT_INSTALLED."""
    installed = _installed()
    return installed[package] if package in installed else _read_version(package)


@functools.cache
def _installed() -> dict[str, str]:
    """The versions of RECORDED and EXTRACTORS, from the start-up cache (cache.py) while the
    folders Python imports from are unchanged: importing `importlib.metadata` (and the `email`
    and `zipfile` modules it brings) and looking six packages up cost every run's parent about
    20 ms of CPU. Installing, upgrading or removing a package adds or renames its `.dist-info`
    folder (named by the version), which changes the modification time of the folder holding
    it and the names listed in it: both are in the key (the names for images whose build set
    every time alike)."""
    packages = tuple(dict.fromkeys(RECORDED + EXTRACTORS))
    folders = "\0".join(f"{entry}\0{_state(entry)}" for entry in sys.path)
    return cached("versions", "\0".join(packages) + "\0\0" + folders,
                  lambda: {package: _read_version(package) for package in packages})


def _state(entry: str) -> str:
    """When the folder (or zip file) `entry` of sys.path last changed (ns; -1 for none), and,
    for the folders installers install into, the metadata folders in it (not for the others: a
    script's own folder or the current one may hold a corpus of a million files)."""
    try:
        modified = os.stat(entry or ".").st_mtime_ns
    except OSError:
        return "-1"
    if os.path.basename(entry) not in ("site-packages", "dist-packages"):
        return str(modified)
    try:
        listed = sorted(name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info")))
    except OSError:   # a zip file, an unreadable folder: its time alone
        listed = []
    return f"{modified}\0{','.join(listed)}"


def _read_version(package: str) -> str:
    """What `importlib.metadata.version` says, read off the metadata's `Version:` header: the
    whole file parsed as an e-mail message (numpy's holds its licences) cost the parent about
    8 ms of CPU at the end of a run, most of it importing and running the `email` parser."""
    from importlib import metadata  # here: most runs read the versions from the start-up cache

    try:
        found = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED
    for line in (found.read_text("METADATA") or found.read_text("PKG-INFO") or "").splitlines():
        if not line:
            break  # the headers end at the first blank line
        if line.startswith("Version:"):
            return line[len("Version:"):].lstrip(" \t")
    return found.version
