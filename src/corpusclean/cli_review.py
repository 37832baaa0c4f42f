"""`corpusclean diff` and `corpusclean review`: two views of what a run removed.

Both read the run through `reviewdata` (the same pages, segments and selection), so the
terminal and the browser cannot disagree; `review/terminal.py` and `review/page.py` only draw.
"""
from __future__ import annotations

import shutil
import sys
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from .catalogue import Names, added_categories, known_names, names_in_run
from .cli_params import F, check_names, comma_separated
from .review import Palette
from .reviewdata import Page, ReviewError, Selection, find_page, iter_pages, read_summary


def selection_options(fn: F) -> F:
    for decorator in reversed([
        click.option("-c", "--category", "categories", multiple=True, metavar="NAME", callback=comma_separated,
                     help="Only removals of this category (repeatable or comma-separated). "
                          "Blank-line tidying (whitespace) shows only when named. An unknown name is refused."),
        click.option("-r", "--rule", "rules", multiple=True, metavar="ID", callback=comma_separated,
                     help="Only removals by this rule id; shell patterns work, e.g. 'newsletter.*' (repeatable). "
                          "A name or pattern that matches no rule is refused."),
    ]):
        fn = decorator(fn)
    return fn


@click.command()
@click.argument("out", metavar="OUT", type=click.Path(exists=True))
@click.argument("name", required=False)
@selection_options
@click.option("-C", "--context", type=click.IntRange(min=0), default=3, show_default=True,
              help="Lines shown around each removal.")
@click.option("-a", "--all", "show_all", is_flag=True,
              help="Without NAME: every page's diff instead of one summary line per page.")
@click.option("--reasons", is_flag=True, help="Add each removal's reason to its first line.")
@click.option("--color/--no-color", default=None,
              help="Colour by category. Default: colour on a terminal, plain when piped.")
def diff(out: str, name: str | None, categories: tuple[str, ...], rules: tuple[str, ...], context: int,
         show_all: bool, reasons: bool, color: bool | None) -> None:
    """Show what a run removed, in context, like a unified diff.

    OUT is the output of `corpusclean run`, `strip` or `dedup`: a folder of NAME.txt and
    NAME.report.json, or a .jsonl/.jsonl.gz file. With NAME, that page's removed lines
    ("- " and [category rule]) with the kept lines around them ("  "). Without NAME, one line
    per page (with --all, every page's diff). The output goes through a pager on a terminal.

    Example:

        corpusclean diff clean/ 002_846f9df1086a7a00 --category newsletter

        corpusclean diff clean/ --rule 'social.*' --all --no-color | less
    """
    from .review.terminal import render_page, summary_line

    selection = Selection(categories, rules)
    try:
        summary = read_summary(out)
        if categories or rules:
            check_selection(selection, known_names() | _names_in(out, summary))
        palette = Palette(added_categories(summary))
        if name is not None:
            lines: Iterator[str] = render_page(find_page(out, name), selection, context, reasons, palette)
            _show(list(lines), color)
        elif show_all:
            _show(_all_diffs(out, selection, context, reasons, palette), color)
        else:
            _show(_overview(out, selection, lambda page: summary_line(page, selection, palette)), color)
    except ReviewError as err:
        raise click.ClickException(str(err)) from None


def check_selection(selection: Selection, names: Names) -> None:
    """--category and --rule must name something that exists (a rule pattern must match
    something), as --disable must: a typo would otherwise show nothing, silently."""
    check_names("--category", selection.categories, sorted(names.categories))
    check_names("--rule", selection.rules, sorted(names.rules), what="rule")


def _names_in(out: str, summary: dict[str, Any] | None) -> Names:
    """The rule ids and categories the run used: from its summary, or from every report when
    it wrote none."""
    if summary is not None:
        return names_in_run(summary)
    removals = [r for page in iter_pages(out) for r in page.removals]
    return Names(frozenset(r.rule for r in removals), frozenset(r.category for r in removals))


def _all_diffs(out: str, selection: Selection, context: int, reasons: bool, palette: Palette) -> Iterator[str]:
    from .review.terminal import render_page

    filtered = bool(selection.categories or selection.rules)
    for page in iter_pages(out):
        if filtered and not any(selection.matches(r) for r in page.removals):
            continue
        yield from render_page(page, selection, context, reasons, palette)
        yield ""


def _overview(out: str, selection: Selection, summary_line: Callable[[Page], str]) -> Iterator[str]:
    filtered = bool(selection.categories or selection.rules)
    pages = shown = 0
    for page in iter_pages(out):
        pages += 1
        if filtered and not any(selection.matches(r) for r in page.removals):
            continue
        shown += 1
        yield summary_line(page)
    which = f"{shown} of {pages} pages have matching removals" if filtered else f"{pages} pages"
    yield f"{which}. One page in full: corpusclean diff {out} NAME; every page: --all."


def _show(lines: Iterator[str] | list[str], color: bool | None) -> None:
    """Echo lines; through a pager when a person reads on a terminal and they do not fit it."""
    lines = iter(lines)
    if sys.stdout.isatty():
        screen = shutil.get_terminal_size().lines - 1
        first = list(islice(lines, screen + 1))
        if len(first) > screen:
            click.echo_via_pager((line + "\n" for line in chain(first, lines)), color=color)
            return
        lines = iter(first)
    for line in lines:
        click.echo(line, color=color)


@click.command()
@click.argument("out", metavar="OUT", type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="review.html",
              show_default=True, help="The HTML file to write.")
@click.option("--title", default=None, help="The page's title. Default: 'corpusclean review: OUT'.")
@click.option("--sample", type=click.IntRange(min=1), default=None, metavar="N",
              help="Show only N pages, the same N for the same run (chosen by a hash of their names), "
                   "for runs too big for one page. The figures still cover the whole run.")
def review(out: str, output: str, title: str | None, sample: int | None) -> None:
    """Write one self-contained HTML page to review a run in a browser.

    The page needs no network and works from file://. It shows a summary (pages, bytes kept
    and removed, removals by category and rule, the pages that lost the most, failures) and
    each page's text with removed spans in place, coloured by category, rule and reason on
    hover. Filter by category or rule, or search; page texts load only when opened, so runs
    of many thousands of pages stay quick. The view lives in the URL after #, so a link can
    open one page with filters set: review.html#page=NAME&cat=social,newsletter&rule=ID&q=TEXT.

    Example:

        corpusclean review clean/ -o clean-review.html

        corpusclean review work/big.jsonl.gz -o big-review.html --sample 500
    """
    from .review.page import write_review

    target = Path(output)
    out_path = Path(out).resolve()
    if out_path.is_dir() and out_path in target.resolve().parents:
        raise click.ClickException(f"{output} is inside OUT; a later run reading OUT would take it for an input page. "
                                   "Write it somewhere else.")
    try:
        summary = read_summary(out)
        totals = write_review(iter_pages(out), target, title or f"corpusclean review: {out}", summary,
                              Palette(added_categories(summary)), sample)
    except ReviewError as err:
        raise click.ClickException(str(err)) from None
    documents: dict[str, Any] = totals["documents"]
    pages = sum(documents.values())
    shown = f", a sample of {min(sample, pages)} shown" if sample is not None else ""
    click.echo(f"corpusclean review: {pages} pages "
               f"({documents.get('failed', 0)} failed, {documents.get('dropped', 0)} dropped{shown}) -> {target}", err=True)
