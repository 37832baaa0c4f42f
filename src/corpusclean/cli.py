"""The command line: one click group, thin commands over library functions.

    corpusclean run IN OUT      all stages        corpusclean fix IN OUT     encoding only
    corpusclean strip IN OUT    site chrome only  corpusclean dedup IN OUT   duplicates only
    corpusclean rules check     validate rules    corpusclean diff OUT       review removals
"""
from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from . import __version__
from .cli_params import comma_separated
from .dedup.config import config_from_options, dedup_options
from .pipeline import Job, run_corpus
from .report import Summary
from .requirements import TRAFILATURA, RequirementError, may_hold_html
from .sinks import DirectorySink, JsonlSink
from .sources import DEFAULT_PATTERNS, Source, is_jsonl, iter_directory, iter_jsonl, open_jsonl, output_name, spool_stdin
from .stages.base import Stage

STEPS = {"fix": [], "strip": ["strip"], "dedup": ["dedup"], "run": ["strip", "dedup"]}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corpusclean")
def cli() -> None:
    """Clean scraped web text into a corpus, with every removal explained.

    Each document's clean text is written with a report of what was removed and why;
    the clean text plus the report rebuilds the (encoding-fixed) input exactly.

    IN is a folder (read recursively; relative paths are kept under OUT), one file, a
    .jsonl/.jsonl.gz file of records with `id` and `text` (or `html`), or - for JSONL on
    stdin. OUT is a folder of NAME.txt + NAME.report.json, or a .jsonl/.jsonl.gz file, or -
    for JSONL on stdout (each record gains `text` and `report`). Progress goes to stderr.

    Exit status: 0 when every document was cleaned; 1 when any failed (each failure is
    named in the summary and on stderr) or the run was refused (say, OUT inside IN);
    2 for a command line click cannot parse.

    Example:

        corpusclean run seeds/ clean/

        zcat pages.jsonl.gz | corpusclean run - - > clean.jsonl
    """


# -- shared options --------------------------------------------------------------------------

def io_options(fn: Callable) -> Callable:
    """IN, OUT and the options every corpus command takes."""
    for decorator in reversed([
        click.argument("source", metavar="IN"),
        click.argument("target", metavar="OUT"),
        click.option("-w", "--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1,
                     show_default="all cores", help="Processes to run documents on. Output is the same for any number."),
        click.option("--glob", "patterns", multiple=True, metavar="PATTERN",
                     help=f"Which files of a directory IN to read (repeatable). Default: {' '.join(DEFAULT_PATTERNS)}."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=64_000_000, show_default=True,
                     help="Larger inputs are reported as failed instead of read."),
        click.option("--summary", "summary_path", type=click.Path(dir_okay=False), default=None,
                     help="Where to write the run summary (default: OUT/corpusclean-summary.json, or OUT.summary.json for JSONL)."),
        click.option("--timing", is_flag=True, help="Record the run's time in the summary (makes it differ between runs)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar or closing line on stderr."),
    ]):
        fn = decorator(fn)
    return fn


def strip_options(fn: Callable) -> Callable:
    for decorator in reversed([
        click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
                     help="A folder of extra rule packs (*.toml, repeatable). A rule with a shipped id replaces it."),
        click.option("--disable", multiple=True, metavar="ID|CATEGORY", callback=comma_separated,
                     help="Switch off a rule by id, or a whole category (repeatable, or comma-separated)."),
        click.option("--lang", default=None, metavar="CODES",
                     help="Keep only pages in these languages, e.g. en,de (others are reported as dropped)."),
        click.option("--no-classifier", is_flag=True,
                     help="Rules only: do not run the chrome classifier on lines no rule matched."),
    ]):
        fn = decorator(fn)
    return fn


# -- building the job ------------------------------------------------------------------------

def build_stages(steps: list[str], options: dict[str, Any]) -> list[Stage]:
    stages: list[Stage] = []
    if "strip" in steps:
        from .rulebook import RuleError
        from .stages.strip import strip_stages

        try:
            stages += strip_stages(options)
        except RuleError as err:  # a bad rule pack or --disable name: the user's to fix
            raise click.ClickException(str(err)) from None
    if "dedup" in steps:
        from .stages.dedup import DedupStage

        stages.append(DedupStage(config_from_options(options)))
    return stages


def check_paths(source: str, target: str, summary_path: str | None = None) -> None:
    """Refuse before anything is written: a missing IN, JSONL in with folder out, OUT equal to
    IN, inside it or holding it (a write could land on an input), a summary inside IN."""
    if source != "-" and not Path(source).exists():
        raise click.ClickException(f"IN does not exist: {source}")
    if is_jsonl(source) and not is_jsonl(target):
        raise click.ClickException("JSONL input writes JSONL: give OUT as a .jsonl or .jsonl.gz path, or - for stdout.")
    if target != "-":
        out = Path(target)
        if is_jsonl(target) and out.is_dir():
            raise click.ClickException(f"OUT ({target}) is a folder; a JSONL OUT is a file path.")
        if not is_jsonl(target) and out.exists() and not out.is_dir():
            raise click.ClickException(f"OUT ({target}) is a file; a folder OUT holds NAME.txt and NAME.report.json.")
    if source == "-":
        return
    src = Path(source).resolve()
    for label, given in (("OUT", target), ("--summary", summary_path)):
        if given is None or given == "-":
            continue
        dst = Path(given).resolve()
        if src == dst:
            raise click.ClickException(f"{label} is the same as IN; inputs are never overwritten. Choose another {label}.")
        if src.is_dir() and src in dst.parents:
            raise click.ClickException(f"{label} ({given}) is inside IN ({source}); outputs would be read as inputs. Choose a path outside IN.")
        if dst in src.parents and label == "OUT":
            raise click.ClickException(f"IN ({source}) is inside OUT ({given}); an output could overwrite an input. Choose an OUT that does not hold IN.")


def source_factory(source: str, patterns: tuple[str, ...]) -> Callable[[], Iterator[Source]]:
    if source == "-":
        spooled = spool_stdin()
        return lambda: iter_jsonl(spooled)
    if is_jsonl(source):
        return lambda: iter_jsonl(source)
    path = Path(source)
    if path.is_dir():
        return lambda: iter_directory(path, patterns or DEFAULT_PATTERNS)
    return lambda: iter([Source(name=output_name(path.name), path=path, relpath=path.name)])


def count_documents(source: str) -> int:
    """For the progress bar only: files to read, or non-empty lines of a JSONL file."""
    if source == "-":
        return 0
    if is_jsonl(source):
        try:
            with open_jsonl(source) as handle:
                return sum(1 for line in handle if line.strip())
        except (OSError, EOFError):
            return 0  # a corrupt file: the run itself reports where it breaks
    path = Path(source)
    return sum(1 for _ in iter_directory(path)) if path.is_dir() else 1


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """`kill PID` stops a run the way Ctrl-C does: tasks not started are dropped, running ones
    finish, nothing half-written stays, the workers exit. By default SIGTERM would end this
    process at once and leave its workers waiting for work that never comes."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_command(command: str, options: dict[str, Any]) -> None:
    source, target = options["source"], options["target"]
    check_paths(source, target, options["summary_path"])
    sources = source_factory(source, tuple(options["patterns"]))
    if may_hold_html(sources()):
        try:
            TRAFILATURA.check()  # before anything is written, not as a traceback on the first HTML page
        except RequirementError as err:
            raise click.ClickException(str(err)) from None
    steps = STEPS[command]
    stages = build_stages(steps, options)
    config = {"steps": ["fix", *steps], "max_bytes": options["max_bytes"],
              "stages": {stage.name: stage.settings() for stage in stages}}
    summary = Summary(command, config)
    sink = JsonlSink(target, options["summary_path"]) if is_jsonl(target) else DirectorySink(Path(target))
    # a folder's files are written by the workers themselves; JSONL is written here, in order
    in_workers = isinstance(sink, DirectorySink)
    job = Job(stages=stages, steps=steps, max_bytes=options["max_bytes"],
              worker_sink=sink if in_workers else None)
    show = not options["quiet"] and sys.stderr.isatty()
    total = count_documents(source) if show else 1
    with click.progressbar(length=max(total, 1), label=f"corpusclean {command}", file=sys.stderr,
                           hidden=not show, show_pos=True) as bar:
        try:
            write = (lambda result: None) if in_workers else sink.write
            with sigterm_as_interrupt():
                seconds = run_corpus(sources, job, write, summary, options["workers"], bar.update)
        except BaseException:
            if isinstance(sink, JsonlSink):
                sink.abort()
            raise
    written = sink.close(summary.to_json(seconds if options["timing"] else None))
    if not options["quiet"]:
        mb = summary.input_bytes / 1e6
        removed = summary.fixed_chars - summary.clean_chars
        share = removed / summary.fixed_chars if summary.fixed_chars else 0.0
        click.echo(
            f"corpusclean {command}: {sum(summary.documents.values())} documents "
            f"({summary.failed} failed, {summary.documents['dropped']} dropped), "
            f"{mb:.1f} MB in {seconds:.1f} s ({mb / seconds if seconds else 0:.1f} MB/s); "
            f"removed {share:.1%} of characters." + (f" Summary: {written}" if written else ""),
            err=True)
        for failure in summary.failures[:10]:
            click.echo(f"  failed: {failure['document']}: {failure['error']}", err=True)
        if len(summary.failures) > 10:
            click.echo(f"  ... and {len(summary.failures) - 10} more (see the summary)", err=True)
        if summary.notices:
            counts = ", ".join(f"{kind} {entry['documents']}" for kind, entry in sorted(summary.notices.items()))
            click.echo(f"  notices (documents cleaned, see their reports): {counts}", err=True)
    if summary.failed:
        sys.exit(1)


@cli.command()
@io_options
def fix(**options: Any) -> None:
    """Fix encoding only: decode, normalise line endings, repair mojibake with ftfy.

    IN is a directory (read recursively; relative paths are kept under OUT), one file, a
    .jsonl/.jsonl.gz file of records with `id` and `text` (or `html`), or - for JSONL on stdin.

    Example:

        corpusclean fix seeds/ work/fixed/
    """
    run_command("fix", options)


@cli.command()
@io_options
@strip_options
def strip(**options: Any) -> None:
    """Strip site chrome only: rule packs, then the chrome classifier.

    IN may be the output of `corpusclean fix` (its reports are carried on), or raw input,
    which is encoding-fixed first.

    Example:

        corpusclean strip work/fixed/ work/stripped/ --disable social
    """
    run_command("strip", options)


@cli.command()
@io_options
@dedup_options
def dedup(**options: Any) -> None:
    """Remove duplicate and near-duplicate paragraphs only.

    Lines that repeat an earlier line of the same page, lines recurring in many pages
    (template chrome), and long lines first seen in an earlier page are removed, each
    pointing at what it repeats. Pages that nearly duplicate an earlier page are reported
    (--drop-duplicate-pages leaves them out). IN is read twice: once to index every line,
    once to remove.

    Example:

        corpusclean dedup work/stripped/ clean/ --drop-duplicate-pages
    """
    run_command("dedup", options)


@cli.command()
@io_options
@strip_options
@dedup_options
def run(**options: Any) -> None:
    """Run every stage in one pass: fix, strip, dedup. No intermediate folders.

    Gives the same text and removals as `fix`, `strip` and `dedup` chained through folders.

    Example:

        corpusclean run seeds/ clean/

        corpusclean run pages.jsonl.gz clean.jsonl.gz --workers 4
    """
    run_command("run", options)


# -- reviewing a run (cli_review.py) ---------------------------------------------------------
from .cli_review import diff, review  # noqa: E402  (registered after the group is defined)

cli.add_command(diff)
cli.add_command(review)


# -- rule packs (cli_rules.py) ---------------------------------------------------------------
from .cli_rules import rules  # noqa: E402  (registered after the group is defined)

cli.add_command(rules)


# -- scoring against gold text (cli_eval.py) -------------------------------------------------
from .cli_eval import eval_command  # noqa: E402  (registered after the group is defined)

cli.add_command(eval_command)
