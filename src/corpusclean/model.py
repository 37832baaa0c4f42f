"""The two things every stage shares: a Document and the Removal records stages attach to it.

Stages never edit text. They look at the lines that are still live and call
`Document.remove(...)`, which appends a `Removal`. `layout.apply` cuts them all out once, at the
end, and the report *is* the list of removals (see STYLE.md, "Detect first, apply once").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import not_
from typing import Any, Iterator


@dataclass(frozen=True)
class Removal:
    """One removed run of whole lines.

    `start`/`end` are character offsets into the encoding-fixed text (end exclusive, trailing
    newline included); `line_start`/`line_end` are 1-based and inclusive.
    """

    stage: str
    rule: str
    category: str
    line_start: int
    line_end: int
    start: int
    end: int
    text: str
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "stage": self.stage,
            "rule": self.rule,
            "category": self.category,
            "lines": [self.line_start, self.line_end],
            "chars": [self.start, self.end],
            "text": self.text,
        }
        if self.reason:
            row["reason"] = self.reason
        if self.details:
            row["details"] = self.details
        return row

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> "Removal":
        return cls(
            stage=row["stage"],
            rule=row["rule"],
            category=row["category"],
            line_start=row["lines"][0],
            line_end=row["lines"][1],
            start=row["chars"][0],
            end=row["chars"][1],
            text=row["text"],
            reason=row.get("reason", ""),
            details=row.get("details", {}),
        )


def split_lines(text: str) -> list[str]:
    """Lines without their newline. The fix stage guarantees text is empty or ends with "\\n"."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def consecutive_runs(indices: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as (first, last) runs of consecutive lines: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


_PLUS_ONE = (1).__add__


def is_blank(line: str) -> bool:
    return not line.strip()


@dataclass
class DocumentMeta:
    """What a document's report says besides its removals. The loader fills in where the
    document came from and how it was decoded; stages read it and add to it."""

    #: where it came from: kind ("text" or "html"), path relative to IN, bytes, ...
    source: dict[str, Any] = field(default_factory=dict)
    #: the steps that have run on it ("fix", "strip", "dedup"), carried along a chain of commands
    stages: list[str] = field(default_factory=list)
    #: what the fix stage did (encoding.fix)
    encoding: dict[str, Any] = field(default_factory=dict)
    #: HTML input: what the extractor did (extract.extract_html)
    extractor: dict[str, Any] | None = None
    #: the page's language (the language stage), {"code": ..., "probability": ...}
    language: dict[str, Any] | None = None
    #: the document's place in the input, counted from 0: how corpus stages find what pass 1 saw
    number: int | None = None
    #: why the whole page is left out of the output (set by a stage; no text is written)
    dropped: str | None = None
    #: report fields a stage adds, by the names it declares in `Stage.report_fields`
    fields: dict[str, Any] = field(default_factory=dict)
    #: what an HTML page says about itself (title, author, date, url), for output records
    page: dict[str, str] = field(default_factory=dict)

    @property
    def main_text(self) -> bool:
        """Is the text an HTML extractor's choice of the page's main text? (extract.py's last
        resort, the page's whole text, says `main_text: false`: it is judged as a whole page.)"""
        return self.extractor is not None and bool(self.extractor.get("main_text", True))


_new_record = object.__new__


class Document:
    """Encoding-fixed text, its lines, and the removals stages have decided on so far."""

    def __init__(self, name: str, text: str, meta: DocumentMeta | None = None,
                 removals: list[Removal] | None = None):
        self.name = name
        self.text = text
        self.lines = split_lines(text)
        self.meta = meta if meta is not None else DocumentMeta()
        # each line's offset: the lengths, newline included, added up (in C, not a loop here)
        self.offsets: list[int] = list(accumulate(map(_PLUS_ONE, map(len, self.lines)), initial=0))
        self.offsets.pop()   # the end of the last line
        self.removed = [False] * len(self.lines)
        self.removals: list[Removal] = []
        for removal in removals or []:
            self._check_against_text(removal)
            self._mark(removal)

    # -- reading -------------------------------------------------------------------------
    def is_live(self, index: int) -> bool:
        return not self.removed[index]

    def live_indices(self) -> list[int]:
        # the indices whose `removed` is False, picked in C (a comprehension's test per line
        # was most of what cutting a page's removals out cost)
        return list(compress(range(len(self.removed)), map(not_, self.removed)))

    def live_lines(self) -> list[str]:
        return list(compress(self.lines, map(not_, self.removed)))

    def paragraphs(self) -> list[list[int]]:
        """Runs of live, non-blank lines (0-based indices). A removed line ends a paragraph."""
        blocks: list[list[int]] = []
        current: list[int] = []
        removed = self.removed
        for i, line in enumerate(self.lines):
            if removed[i] or not line.strip():   # is_blank(line), without a call per line
                if current:
                    blocks.append(current)
                    current = []
            else:
                current.append(i)
        if current:
            blocks.append(current)
        return blocks

    def span_text(self, first: int, last: int) -> str:
        return self.text[self.offsets[first]:self._end_offset(last)]

    # -- deciding ------------------------------------------------------------------------
    def remove(self, first: int, last: int, *, stage: str, rule: str, category: str,
               reason: str = "", details: dict[str, Any] | None = None) -> list[Removal]:
        """Remove lines first..last (0-based, inclusive). Lines already removed are skipped,
        so the span may become several records; each keeps the same rule and reason."""
        if not 0 <= first <= last < len(self.lines):
            raise ValueError(f"{self.name}: cannot remove lines {first}..{last} (0-based) of "
                             f"{len(self.lines)} ({rule})")
        made: list[Removal] = []
        for a, b in self._live_runs(first, last):
            # Removal's fields set at once, as its __init__ would one by one (a frozen dataclass
            # sets each through object.__setattr__: 3.8 us a record against 1.5, and a 20 MB
            # corpus makes 39,000); the same record, field for field (tests/test_layout.py)
            removal = _new_record(Removal)
            removal.__dict__.update(
                stage=stage, rule=rule, category=category,
                line_start=a + 1, line_end=b + 1,
                start=self.offsets[a], end=self._end_offset(b),
                text=self.span_text(a, b), reason=reason, details=dict(details or {}),
            )
            self._mark(removal)
            made.append(removal)
        return made

    def iter_removals(self) -> Iterator[Removal]:
        return iter(sorted(self.removals, key=lambda r: r.start))

    # -- internals -----------------------------------------------------------------------
    def _end_offset(self, last: int) -> int:
        return self.offsets[last] + len(self.lines[last]) + 1

    def _live_runs(self, first: int, last: int) -> list[tuple[int, int]]:
        if not any(self.removed[first:last + 1]):
            return [(first, last)]   # the usual case, told in C without a step per line
        runs: list[tuple[int, int]] = []
        start: int | None = None
        for i in range(first, last + 1):
            if self.removed[i]:
                if start is not None:
                    runs.append((start, i - 1))
                    start = None
            elif start is None:
                start = i
        if start is not None:
            runs.append((start, last))
        return runs

    def _check_against_text(self, removal: Removal) -> None:
        """A removal read back from a report must name lines of this text, at their offsets,
        with their text: otherwise the text or the report was edited."""
        first, last = removal.line_start - 1, removal.line_end - 1
        if not 0 <= first <= last < len(self.lines):
            raise ValueError(f"{self.name}: lines {removal.line_start}-{removal.line_end} ({removal.rule}) "
                             f"are outside its {len(self.lines)} lines")
        if (self.offsets[first], self._end_offset(last)) != (removal.start, removal.end) \
                or self.span_text(first, last) != removal.text:
            raise ValueError(f"{self.name}: lines {removal.line_start}-{removal.line_end} ({removal.rule}) "
                             "do not hold the text the report says was removed")

    def _mark(self, removal: Removal) -> None:
        first, end = removal.line_start - 1, removal.line_end
        span = self.removed[first:end]
        if any(span):   # checked and marked by slices, in C: a run marks 39,000 removals
            raise ValueError(f"{self.name}: line {first + span.index(True) + 1} removed twice ({removal.rule})")
        self.removed[first:end] = [True] * (end - first)
        self.removals.append(removal)
