"""What a run removed, page by page, in the order the page had it: the one reading of a run's
output that both `corpusclean diff` (terminal) and `corpusclean review` (HTML page) render, so
the two cannot disagree.

A run's output is a directory (NAME.txt beside NAME.report.json) or a JSONL file (records with
`text` and `report`). For each page, the clean text and the report's removals are woven back
into `Segment`s: kept text and removed spans, each at its place in the encoding-fixed text
(the same walk as `layout.rebuild`, so a segment list is the fixed text, cut into pieces).
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from .layout import LAYOUT_CATEGORY
from .model import Removal
from .writers import read_jsonl_output
from .readers import REPORT_SUFFIX, SUMMARY_NAME, is_jsonl


class ReviewError(Exception):
    """OUT is not a run's output, or a report does not fit its text."""


@dataclass(frozen=True)
class Segment:
    """A stretch of the encoding-fixed text: kept (removal is None) or removed by `removal`."""

    text: str
    line: int                        # 1-based line of the fixed text where the segment starts
    removal: Removal | None = None

    @property
    def kept(self) -> bool:
        return self.removal is None


@dataclass(frozen=True)
class Line:
    """One line of the fixed text, for line-based views (the terminal diff)."""

    number: int                      # 1-based
    text: str
    removal: Removal | None = None


@dataclass
class Page:
    """One document of a run: its report, and its text woven back together with its removals."""

    name: str
    report: dict[str, Any]
    segments: list[Segment] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.report.get("status", "ok"))

    @property
    def error(self) -> str:
        return str(self.report.get("error", ""))

    @property
    def dropped(self) -> str:
        return str(self.report.get("dropped", "")) if self.status == "dropped" else ""

    @property
    def removals(self) -> list[Removal]:
        return [s.removal for s in self.segments if s.removal is not None]

    @property
    def has_kept_text(self) -> bool:
        """False for a dropped or failed page: no clean text was written to show around removals."""
        return self.status == "ok"

    @property
    def fixed_chars(self) -> int:
        return int(self.report.get("sizes", {}).get("fixed_chars", 0))

    @property
    def removed_chars(self) -> int:
        """Characters removed, blank-line tidying left out (it is not a judgement about content)."""
        return sum(len(r.text) for r in self.removals if r.category != LAYOUT_CATEGORY)

    def lines(self) -> list[Line]:
        return to_lines(self.segments)


# -- choosing what to show -------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """Which removals a view is about: by category and by rule id (shell-style patterns allowed,
    e.g. `newsletter.*`). Empty means all. Blank-line tidying (category `whitespace`) is only
    shown when asked for by name: every removal leaves some, and they say nothing."""

    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()

    def matches(self, removal: Removal) -> bool:
        if self.categories:
            if removal.category not in self.categories:
                return False
        elif removal.category == LAYOUT_CATEGORY:
            return False
        return not self.rules or any(fnmatch.fnmatchcase(removal.rule, rule) for rule in self.rules)


# -- weaving text and removals ---------------------------------------------------------------

def weave(clean: str | None, removals: Iterable[Removal]) -> list[Segment]:
    """Kept text and removed spans in text order. With no clean text (a dropped page), only the
    removed spans: what was kept around them is not in the output."""
    ordered = sorted(removals, key=lambda r: r.start)
    if clean is None:
        return [Segment(r.text, r.line_start, r) for r in ordered]
    segments: list[Segment] = []
    fixed_pos = clean_pos = 0
    line = 1
    for removal in ordered:
        keep = removal.start - fixed_pos
        if keep < 0:
            raise ReviewError(f"removals overlap at character {removal.start}")
        kept = clean[clean_pos:clean_pos + keep]
        if len(kept) < keep:
            raise ReviewError(f"the report removes text at character {removal.start}, past the end of the text")
        if kept:
            segments.append(Segment(kept, line))
            line += kept.count("\n")
        if line != removal.line_start:
            raise ReviewError(f"removal of lines {removal.line_start}-{removal.line_end} does not fit the text "
                              f"(it would start at line {line}); was the text edited?")
        segments.append(Segment(removal.text, line, removal))
        line += removal.text.count("\n")
        clean_pos += keep
        fixed_pos = removal.end
    if clean_pos < len(clean):
        segments.append(Segment(clean[clean_pos:], line))
    return segments


def to_lines(segments: list[Segment]) -> list[Line]:
    """Segments cut into lines. Every segment is whole lines (stages remove whole lines)."""
    lines: list[Line] = []
    for segment in segments:
        for offset, text in enumerate(segment.text.split("\n")[:-1] if segment.text.endswith("\n")
                                      else segment.text.split("\n")):
            lines.append(Line(segment.line + offset, text, segment.removal))
    return lines


def page_from(name: str, report: dict[str, Any], clean: str | None) -> Page:
    removals = [Removal.from_json(row) for row in report.get("removals", [])]
    if report.get("status", "ok") != "ok":
        clean = None
    elif clean is None:
        raise ReviewError(f"{name}: the report says ok but the clean text is missing")
    try:
        return Page(name, report, weave(clean, removals))
    except ReviewError as err:
        raise ReviewError(f"{name}: {err}") from None


# -- reading a run ---------------------------------------------------------------------------

def iter_pages(out: str | Path) -> Iterator[Page]:
    """Every page of a run, in output order (sorted paths, or the JSONL file's order)."""
    path = Path(out)
    if path.is_dir():
        yield from _directory_pages(path)
    elif path.is_file() and is_jsonl(str(path)):
        yield from _jsonl_pages(path)
    elif not path.exists():
        raise ReviewError(f"{out} does not exist")
    else:
        raise ReviewError(f"{out} is neither a folder of NAME.txt + NAME{REPORT_SUFFIX} nor a .jsonl/.jsonl.gz output")


def page_names(out: str | Path) -> list[str]:
    """Names of every page of a run, without reading texts (for choosing one)."""
    path = Path(out)
    if path.is_dir():
        return [name for name, _ in _directory_reports(path)]
    return [page.name for page in iter_pages(path)]


def find_page(out: str | Path, name: str) -> Page:
    """One page by name. Also accepts the name with .txt or .report.json, or its path under OUT."""
    path = Path(out)
    wanted = _strip_suffix(Path(name).as_posix())
    if path.is_dir():
        candidate = Path(name)
        if candidate.is_absolute() or candidate.exists():
            try:
                wanted = _strip_suffix(candidate.resolve().relative_to(path.resolve()).as_posix())
            except ValueError:
                pass
        report_path = path / (wanted + REPORT_SUFFIX)
        if report_path.is_file():
            return _directory_page(path, wanted, report_path)
    else:
        for page in iter_pages(path):
            if page.name == wanted:
                return page
    raise ReviewError(f"no page named {name!r} in {out}" + _suggest(wanted, page_names(out)))


def read_summary(out: str | Path) -> dict[str, Any] | None:
    """The run summary, when the run wrote one where `corpusclean run` puts it by default."""
    path = Path(out)
    summary_path = path / SUMMARY_NAME if path.is_dir() else Path(str(path) + ".summary.json")
    if not summary_path.is_file():
        return None
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ReviewError(f"cannot read the run summary {summary_path}: {err}") from None
    if not isinstance(summary, dict):
        raise ReviewError(f"the run summary {summary_path} is not a JSON object")
    return summary


def _directory_reports(root: Path) -> list[tuple[str, Path]]:
    found = []
    for report_path in root.rglob("*" + REPORT_SUFFIX):
        rel = report_path.relative_to(root).as_posix()
        found.append((rel[: -len(REPORT_SUFFIX)], report_path))
    if not found and not (root / SUMMARY_NAME).exists():
        raise ReviewError(f"{root} holds no reports (NAME{REPORT_SUFFIX}); is it the OUT of a corpusclean run?")
    return sorted(found)


def _directory_pages(root: Path) -> Iterator[Page]:
    for name, report_path in _directory_reports(root):
        yield _directory_page(root, name, report_path)


def _directory_page(root: Path, name: str, report_path: Path) -> Page:
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ReviewError(f"{name}: cannot read its report: {err}") from None
    text_path = root / (name + ".txt")
    clean = text_path.read_text(encoding="utf-8") if text_path.is_file() else None
    return page_from(name, report, clean)


def _jsonl_pages(path: Path) -> Iterator[Page]:
    try:
        for number, record in read_jsonl_output(path):
            report = record.get("report") if isinstance(record, dict) else None
            if not isinstance(report, dict):
                raise ReviewError(f"{path} line {number}: no `report` field; is it the output of a corpusclean run?")
            yield page_from(str(record.get("id", report.get("document", f"line {number}"))), report, record.get("text"))
    except ValueError as err:
        raise ReviewError(str(err)) from None


def _strip_suffix(name: str) -> str:
    for suffix in (REPORT_SUFFIX, ".txt"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _suggest(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""
