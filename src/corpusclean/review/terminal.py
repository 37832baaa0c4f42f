"""`corpusclean diff` output: removed lines in context, like a unified diff.

    === 002: 2 removals, 61 of 412 characters (14.8%)
    @@ lines 3-7 @@
      The council met on Tuesday.
    - Sign up for our daily newsletter  [newsletter newsletter.signup]

      The vote was close.

Kept lines start with two spaces, removed ones with "- " and end with `[category rule]`. Each
hunk is a run of selected removals plus `context` lines either side; the context shows the page
as it was, so a neighbouring removal the selection leaves out still shows as removed (untagged
lines are never passed off as kept). Lines come styled with click.style; click.echo drops the
styling when the output is not a terminal.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator

import click

from ..model import Removal
from ..reviewdata import Line, Page, Selection
from . import Palette

#: dark text on the category's light colour, as on the review page (readable on light and dark
#: terminals alike, which a light colour as the text's own colour is not)
TEXT_ON_COLOUR = 16


def render_page(page: Page, selection: Selection, context: int = 3, reasons: bool = False,
                palette: Palette | None = None) -> Iterator[str]:
    """The whole diff of one page: a header line, then its hunks."""
    palette = palette or Palette()
    chosen = [r for r in page.removals if selection.matches(r)]
    yield click.style(f"=== {page.name}: {_describe(page, chosen)}", bold=True)
    if page.status == "failed":
        return
    if not page.has_kept_text:
        yield click.style("(the page was dropped, so no kept text was written; its removals alone follow)", dim=True)
    lines = page.lines()
    for first, last in hunks(lines, selection, context):
        yield click.style(f"@@ {_span(lines[first].number, lines[last].number)} @@", fg="cyan")
        explained: set[int] = set()  # removals whose reason is printed already (on their first line)
        for line in lines[first:last + 1]:
            removal = line.removal
            explain = reasons and removal is not None and selection.matches(removal) and id(removal) not in explained
            yield render_line(line, explain, palette)
            if explain:
                explained.add(id(removal))


def summary_line(page: Page, selection: Selection, palette: Palette | None = None) -> str:
    """One line per page for the overview: name, what was removed, by category."""
    palette = palette or Palette()
    chosen = [r for r in page.removals if selection.matches(r)]
    line = f"{page.name}  {_describe(page, chosen)}"
    by_category = Counter(r.category for r in chosen)
    if by_category:
        parts = [click.style(f"{category} {count}", fg=TEXT_ON_COLOUR, bg=palette.terminal(category))
                 for category, count in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))]
        line += ": " + ", ".join(parts)
    return line


def hunks(lines: list[Line], selection: Selection, context: int) -> list[tuple[int, int]]:
    """(first, last) index ranges into `lines`: each selected removed line with `context` lines
    around it, merged when they touch. A jump in line numbers (a dropped page shows only its
    removals) always starts a new hunk."""
    ranges: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        if line.removal is None or not selection.matches(line.removal):
            continue
        first, last = i, i
        while first > i - context and first > 0 and lines[first - 1].number == lines[first].number - 1:
            first -= 1
        while last < i + context and last + 1 < len(lines) and lines[last + 1].number == lines[last].number + 1:
            last += 1
        if ranges and first <= ranges[-1][1] + 1 and lines[first].number <= lines[ranges[-1][1]].number + 1:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], last))
        else:
            ranges.append((first, last))
    return ranges


def render_line(line: Line, with_reason: bool = False, palette: Palette | None = None) -> str:
    if line.removal is None:
        return f"  {line.text}".rstrip()
    if not line.text.strip():
        return "-"
    tag = _tag(line.removal, with_reason)
    colour = (palette or Palette()).terminal(line.removal.category)
    return click.style(f"- {line.text.rstrip()}", fg=TEXT_ON_COLOUR, bg=colour) + "  " + click.style(tag, dim=True)


def _tag(removal: Removal, with_reason: bool) -> str:
    if with_reason and removal.reason:
        return f"[{removal.category} {removal.rule}: {removal.reason}]"
    return f"[{removal.category} {removal.rule}]"


def _describe(page: Page, chosen: list[Removal]) -> str:
    if page.status == "failed":
        return click.style(f"FAILED: {page.error}", fg="red", bold=True)
    removed = sum(len(r.text) for r in chosen)
    total = page.fixed_chars
    share = f" ({removed / total:.1%})" if total else ""
    text = f"{len(chosen)} removal{'s' if len(chosen) != 1 else ''}, {removed:,} of {total:,} characters{share}"
    if page.status == "dropped":
        text += click.style(f"; DROPPED: {page.dropped}", fg="yellow")
    return text


def _span(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"
