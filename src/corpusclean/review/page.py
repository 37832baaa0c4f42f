"""`corpusclean review`: one self-contained HTML file to review a run in a browser.

The file holds no links to anything (no network, no CDN; it works from file://). It is written
as it is read, one page at a time, so a run of any size takes memory for its index only:

    <script type="application/json" id="p-0">  one per page: its segments, parsed only when the
    <script type="application/json" id="p-1">  page is opened (a 10,000-page run never builds
    ...                                        10,000 pages of DOM)
    <script type="application/json" id="index"> names, sizes, counts, totals: the page list and
                                                the summary are drawn from this alone
    <script> review.js </script>

Filters, the search box and the open page live in the URL fragment (#cat=social&page=NAME),
so a view can be bookmarked, and a test can open a filtered view with a plain URL.
"""
from __future__ import annotations

import hashlib
import heapq
import html
import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from .. import __version__
from ..layout import LAYOUT_CATEGORY
from ..report import Summary
from ..reviewdata import Page
from ..writers import atomic_file
from . import Palette

#: how many pages the summary lists under "pages that lost the most"
TOP_PAGES = 25


class _Interner:
    """Categories, rules and stages are written once in the index and referred to by number."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.numbers: dict[str, int] = {}

    def __call__(self, item: str) -> int:
        if item not in self.numbers:
            self.numbers[item] = len(self.items)
            self.items.append(item)
        return self.numbers[item]


def write_review(pages: Iterable[Page], target: Path, title: str,
                 run_summary: dict[str, Any] | None = None, palette: Palette | None = None,
                 sample: int | None = None) -> dict[str, Any]:
    """Write the review page for `pages` to `target` (atomically). Returns the index's totals.

    With `sample`, the page holds that many pages (`sample_pages`), while its figures still
    add up the whole run."""
    with atomic_file(target, "w", encoding="utf-8") as handle:
        index = _write(handle, pages, title, run_summary, palette or Palette(), sample)
    totals: dict[str, Any] = index["totals"]
    return totals


def sample_pages(pages: Iterable[Page], size: int) -> list[Page]:
    """A deterministic sample of `size` pages, in run order: those whose names hash lowest.

    The same run gives the same sample, and a page in the sample of a run stays in it when the
    run grows (unless a newcomer hashes lower), so reviews of two runs of one corpus mostly show
    the same pages. Holds `size` pages in memory, never the run."""
    def key(page: Page) -> bytes:
        return hashlib.sha256(page.name.encode("utf-8")).digest()

    kept: list[tuple[bytes, int, Page]] = []  # a max-heap of the lowest keys, by negated order
    for number, page in enumerate(pages):
        entry = (bytes(255 - b for b in key(page)), number, page)
        if len(kept) < size:
            heapq.heappush(kept, entry)
        elif entry[:2] > kept[0][:2]:
            heapq.heapreplace(kept, entry)
    return [page for _, _, page in sorted(kept, key=lambda entry: entry[1])]


def _write(handle: IO[str], pages: Iterable[Page], title: str, run_summary: dict[str, Any] | None,
           palette: Palette, sample: int | None) -> dict[str, Any]:
    categories, rules, stages = _Interner(), _Interner(), _Interner()
    for category in palette.colours:  # the usual order, whatever the run met first
        categories(category)
    summary = Summary("review", {})
    sizes = {"kept_bytes": 0, "removed_bytes": 0}

    def counted(pages: Iterable[Page]) -> Iterator[Page]:
        """Every page of the run adds to the figures, shown or not."""
        for page in pages:
            summary.add(page.report)
            sizes["kept_bytes"] += sum(len(s.text.encode("utf-8")) for s in page.segments if s.kept)
            sizes["removed_bytes"] += sum(len(s.text.encode("utf-8")) for s in page.segments
                                          if s.removal is not None and s.removal.category != LAYOUT_CATEGORY)
            yield page

    shown = counted(pages) if sample is None else iter(sample_pages(counted(pages), sample))
    rows: list[list[Any]] = []
    handle.write(_head(title))
    for number, page in enumerate(shown):
        body = [_segment(s, categories, rules, stages) for s in page.segments]
        handle.write(f'<script type="application/json" id="p-{number}">{_json(body)}</script>\n')
        by_category = Counter(categories(r.category) for r in page.removals if r.category != LAYOUT_CATEGORY)
        page_rules = sorted({rules(r.rule) for r in page.removals if r.category != LAYOUT_CATEGORY})
        note = page.error or page.dropped
        rows.append([page.name, page.status, page.fixed_chars, page.removed_chars,
                     {str(k): v for k, v in sorted(by_category.items())}, page_rules, note])
    totals = summary.to_json()
    index = {
        "title": title,
        "version": __version__,
        "categories": [{"name": c, "colour": palette.css(c)} for c in categories.items],
        "rules": rules.items,
        "stages": stages.items,
        "pages": rows,
        "totals": {
            "documents": totals["documents"],
            "sizes": {**totals["sizes"], **sizes},
            "removed_by_category": totals["removed_by_category"],
            "removed_by_rule": totals["removed_by_rule"],
            "failures": (run_summary or {}).get("failures", totals["failures"]),
            "dropped": totals["dropped"],
        },
        "sample": {"pages": len(rows), "of": sum(totals["documents"].values())} if sample is not None else None,
        "top_pages": [i for i in sorted(range(len(rows)), key=lambda i: (-rows[i][3], rows[i][0]))
                      if rows[i][3] > 0][:TOP_PAGES],
    }
    handle.write(f'<script type="application/json" id="index">{_json(index)}</script>\n')
    handle.write(f"<script>\n{_asset('review.js')}</script>\n</body>\n</html>\n")
    return index


def _segment(segment: Any, categories: _Interner, rules: _Interner, stages: _Interner) -> list[Any]:
    """[text] for kept text; [text, category, rule, stage, reason, first line, details] for a
    removal (numbers index the index's tables)."""
    removal = segment.removal
    if removal is None:
        return [segment.text]
    row = [segment.text, categories(removal.category), rules(removal.rule), stages(removal.stage),
           removal.reason, removal.line_start]
    if removal.details:
        row.append(removal.details)
    return row


def _json(value: Any) -> str:
    """JSON safe inside <script>: "<" is written as \\u003c, so no text can close the element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _head(title: str) -> str:
    template = _asset("page.html")
    return (template.replace("{{title}}", html.escape(title))
                    .replace("{{style}}", _asset("review.css")))


def _asset(name: str) -> str:
    return resources.files("corpusclean.review").joinpath(name).read_text(encoding="utf-8")
