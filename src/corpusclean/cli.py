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
from importlib import import_module
from typing import Any, Callable, Iterator

# The command's own process (and the workers it forks, which inherit the setting): numpy's
# OpenBLAS starts a thread for every core but one when numpy loads, and each spins about 0.1
# CPU-s waiting for work before it sleeps, a fifth of a 2-worker run's parent outside the
# passes. A run's arrays are far too small for BLAS to split among threads, so unless the user
# chose a number, OpenBLAS starts none. Set here, before the imports below load numpy: a program
# using the library (`import corpusclean`) keeps its BLAS threads as it set them.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# What the imports below make (the modules, numpy's and click's, the stages' declarations)
# lives as long as the process, yet the collector walked it as it was made: 58 young
# collections, 10-12 ms of CPU before a run's first page (in the parent of a 2-worker run: alone
# on the cores, before its workers fork). They load with it paused, as the stages are built
# (collector.py): what they made goes to the oldest generation unwalked. Their dataclasses'
# methods are compiled once, not at every start (dataclass_code.py).
from .collector import paused

with paused():
    from .dataclass_code import dataclass_code

    with dataclass_code():
        import click
        from click.core import ParameterSource

        from . import __version__
        from .api import Run
        from .engines import ENGINES
        from .cli_params import F, FiniteFloatRange
        from .config import COMMANDS, MAX_HTML_ELEMENTS, RunConfig, read_config_file
        from .errors import OutputError, UnwritableRecords, UsageError
        from .heap import exit_without_collecting, keep_freed_memory
        from .progress import LOG_EVERY, Bar, Log, Progress
        from .readers import DEFAULT_PATTERNS
        from .report import Summary
        from .stages.registry import STAGES


class Commands(click.Group):
    """The group. Its commands that read a finished run or rule packs (diff, review, rules,
    eval) live in their own modules (cli_review.py, cli_rules.py, cli_eval.py), imported when
    one of them is asked for (run, listed in --help): a run's process never needs them
    (click's lazily loaded subcommands)."""

    #: command name: its module and the command's name there
    ELSEWHERE = {"diff": ("cli_review", "diff"), "review": ("cli_review", "review"),
                 "rules": ("cli_rules", "rules"), "eval": ("cli_eval", "eval_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.ELSEWHERE])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.ELSEWHERE:
            module, attribute = self.ELSEWHERE[name]
            command: click.Command = getattr(import_module(f".{module}", __package__), attribute)
            return command
        return super().get_command(ctx, name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
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

#: the types of the options naming a file, made once for every command that takes them: click
#: looks up a translation of a path type's name when the type is made (gettext searching the
#: locale folders each time), twelve times on every start when each command's options made
#: their own
A_FILE = click.Path(dir_okay=False)
AN_EXISTING_FILE = click.Path(exists=True, dir_okay=False)


def io_options(fn: F) -> F:
    """IN, OUT and the options every corpus command takes."""
    for decorator in reversed([
        click.argument("source", metavar="IN"),
        click.argument("target", metavar="OUT"),
        click.option("-w", "--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1,
                     show_default="all cores",
                     help="Processes to run documents on. Output is the same for any number. With 1 they run in "
                          "this process: no --max-memory-mb cap, and --doc-timeout cannot stop C code."),
        click.option("--glob", "patterns", multiple=True, metavar="PATTERN",
                     help=f"Which files of a directory IN to read (repeatable). Default: {' '.join(DEFAULT_PATTERNS)}."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=64_000_000, show_default=True,
                     help="Larger inputs are reported as failed instead of read."),
        click.option("--doc-timeout", type=FiniteFloatRange(min=0), default=600, show_default=True, metavar="SECONDS",
                     help="A document taking longer than this is reported as failed and the run goes on (0: no limit)."),
        click.option("--max-html-elements", type=click.IntRange(min=0), default=MAX_HTML_ELEMENTS, show_default=True,
                     help="HTML pages with more elements are reported as failed, unparsed (0: no limit)."),
        click.option("--max-memory-mb", type=click.IntRange(min=0), default=4000, show_default=True,
                     help="Memory a worker process may take (-w 2 or more); a document needing more is reported "
                          "as failed (0: no limit)."),
        click.option("--resume", is_flag=True,
                     help="Finish an interrupted run into the same OUT folder: documents whose text and report are "
                          "whole are kept, the rest are cleaned (same options required)."),
        click.option("--overwrite", is_flag=True,
                     help="Replace the output of an earlier run into OUT that did not finish. (A finished run's "
                          "output is always replaced whole: its texts, reports and summary are removed first.)"),
        click.option("--summary", "summary_path", type=A_FILE, default=None,
                     help="Where to write the run summary (default: OUT/corpusclean-summary.json, or OUT.summary.json for JSONL)."),
        click.option("--timing", is_flag=True, help="Record the run's time in the summary (makes it differ between runs)."),
        click.option("--text-field", default="text", show_default=True, metavar="NAME",
                     help="The record field (JSONL, Parquet) that holds the text, e.g. content or raw_content; "
                          "the clean text goes back into it."),
        click.option("--id-field", default="id", show_default=True, metavar="NAME",
                     help="The record field that holds each document's id."),
        click.option("--reports/--no-reports", default=True, show_default=True,
                     help="Put each document's report in its output record (JSONL, Parquet); reports of a "
                          "folder of documents are always their own files."),
        click.option("--report-file", type=A_FILE, default=None,
                     help="Write the reports of output records to this JSONL file (.gz, .zst: compressed) "
                          "instead of into the records."),
        click.option("--config", "config_file", type=AN_EXISTING_FILE, default=None,
                     help="A TOML file of options (see the README); options given on the command line win."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar or closing line on stderr."),
        click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
                     help="local: worker processes on this machine. ray: a Ray cluster, the corpus index sharded "
                          "(pip install 'corpusclean[ray]'). The output is the same."),
        click.option("--address", default=None, metavar="ADDR",
                     help="With --engine ray: the cluster to join (default: start a local one with --workers CPUs)."),
        click.option("--partitions", type=click.IntRange(min=1), default=None,
                     help="With --engine ray: partitions of the corpus index (default: sized from the input)."),
        click.option("--log-every", type=FiniteFloatRange(min=0), default=LOG_EVERY, show_default=True,
                     metavar="SECONDS", help="When stderr is not a terminal (a job's log), a progress line this "
                                             "often instead of the bar."),
    ]):
        fn = decorator(fn)
    return fn


def stage_options(command: str) -> Callable[[F], F]:
    """The options of every stage the command runs, as the stages declare them, in stage order."""
    def decorate(fn: F) -> F:
        options = [option for stage in STAGES if stage.step in COMMANDS[command] for option in stage.cli_options]
        for option in reversed(options):
            fn = option(fn)
        return fn
    return decorate


#: options that steer the command line itself, not the run
CLI_ONLY = ("source", "target", "quiet", "log_every", "config_file")


def build_config(command: str, options: dict[str, Any]) -> RunConfig:
    """The run's config: the --config file's options, then those given on the command line
    (a click default never overrides the file)."""
    ctx = click.get_current_context()
    given = {name: value for name, value in options.items() if name not in CLI_ONLY
             and ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)}
    try:
        from_file = read_config_file(options["config_file"]) if options.get("config_file") else {}
        return RunConfig.build(command, **{**from_file, **given})
    except (ValueError, TypeError) as err:
        raise click.ClickException(str(err)) from None


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C and `kill PID` stop a run: tasks not started are dropped, the workers unwind the
    document in hand and exit within seconds, nothing half-written stays ("Aborted!", exit 1).
    By default SIGTERM would end this process at once and leave its workers behind.

    The interrupt is raised as KeyboardInterrupt wherever the run is. Library code that
    catches everything (langdetect's profile loader turns it into "Profile format error")
    must not make it look like a crash: any exception while a stop is asked for is one."""
    asked: list[int] = []

    def interrupt(signum: int, frame: Any) -> None:
        asked.append(signum)
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    except Exception:
        if asked:
            raise KeyboardInterrupt from None
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def output_error_message(err: OutputError) -> str:
    """OUT filled up or turned read-only mid-run: what happened, what was written, what next."""
    summary: Summary | None = getattr(err, "summary", None)
    if summary is None or isinstance(err, UnwritableRecords):  # no room or rights to make: nothing to resume
        return f"cannot write to OUT: {err}"
    written = sum(summary.documents.values())
    where = f"; the summary of them is {summary.path}" if summary.path else "; there was no room for the summary"
    return (f"cannot write to OUT: {err}. The run stopped: {written} documents were written whole before it "
            f"({summary.failed} failed){where}. Make room, then run the same command with --resume to finish.")


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def progress_for(command: str, job: Run, quiet: bool, log_every: float) -> Progress:
    """A bar per pass on a terminal, a line every `log_every` seconds in a log, or nothing."""
    if quiet:
        return Progress()
    total = job.count()  # may read the input once: cheap next to cleaning it
    if stderr_is_terminal():
        return Bar(command, total)
    return Log(command, total, every=log_every)


def run_command(command: str, options: dict[str, Any]) -> None:
    """A corpus command: `api.Run` with a progress bar and a closing line on stderr."""
    keep_freed_memory()  # this process is the command's own: its heap may keep what it frees (heap.py)
    exit_without_collecting()  # and it ends without a last walk of everything alive (heap.py)
    config = build_config(command, options)
    with interruptible():
        try:
            job = Run(options["source"], options["target"], config, command)
        except UsageError as err:
            raise click.ClickException(str(err)) from None
        try:
            summary = job.execute(progress_for(command, job, options["quiet"], options["log_every"]))
        except OutputError as err:
            raise click.ClickException(output_error_message(err)) from None
    if not options["quiet"]:
        seconds, written = summary.seconds, summary.path
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
@stage_options("fix")
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
@stage_options("strip")
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
@stage_options("dedup")
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
@stage_options("run")
def run(**options: Any) -> None:
    """Run every stage in one pass: fix, strip, dedup. No intermediate folders.

    Gives the same text and removals as `fix`, `strip` and `dedup` chained through folders.

    Example:

        corpusclean run seeds/ clean/

        corpusclean run pages.jsonl.gz clean.jsonl.gz --workers 4
    """
    run_command("run", options)


