"""corpusclean from Python: `run` does what `corpusclean run IN OUT` does (the CLI calls it).

    from corpusclean import run
    summary = run("pages/", "clean/", lang="en", workers=2)
    print(summary.documents, summary.failed)

Options are the run's flat options (see `config.RunConfig.build`), or a built `RunConfig`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from . import __version__
from .config import RunConfig
from .engines import engine_for
from .errors import OutputError, UsageError
from .pipeline import Job
from .progress import Callback, Progress
from .readers import REPORT_SUFFIX, RecordFields, is_jsonl, open_input
from .readers.files import FileReader, FolderReader
from .report import Summary
from .requirements import TRAFILATURA, RequirementError, may_hold_html
from .rulepacks import RuleError
from .stages.registry import build_stages
from .writers import DirectoryWriter, RecordOptions, is_record_output, open_output
from .writers.claim import SPILL, claim_output


def run(inputs: str | Path, output: str | Path, *, command: str = "run", config: RunConfig | None = None,
        progress: Progress | Callable[[int], None] | None = None, **options: Any) -> Summary:
    """Clean every document of `inputs` into `output`, as `corpusclean COMMAND IN OUT` does.

    `inputs` is a folder, one file, a .jsonl/.jsonl.gz file or "-" (JSONL on stdin); `output`
    a folder, a .jsonl/.jsonl.gz file or "-". `command` is "run" (every stage), "fix",
    "strip" or "dedup". Give either `config` or flat options (`lang="en"`, `disable=["social"]`,
    `workers=2`, ...). Returns the run's Summary (`.failed`, `.documents`, `.to_json()`); one
    bad document never stops the run: it is counted in `summary.failed` and named in
    `summary.failures`. Raises UsageError, before anything is written, for a refused run.
    """
    if config is not None and options:
        raise UsageError(f"give either config or options, not both ({', '.join(options)})")
    return Run(str(inputs), str(output), config or _build(command, options), command).execute(progress)


def _build(command: str, options: dict[str, Any]) -> RunConfig:
    try:
        return RunConfig.build(command, **options)
    except UsageError:
        raise
    except (ValueError, TypeError) as err:
        raise UsageError(str(err)) from None


class Run:
    """One run, set up (paths checked, stages built, output opened) but not started, so a
    caller can count the documents first (the CLI's progress bar)."""

    def __init__(self, inputs: str, output: str, config: RunConfig, command: str = "run"):
        check_paths(inputs, output, config.output.summary_path)
        self.command = command
        self.config = config
        try:
            self.stages = build_stages(config)
        except (ValueError, RuleError) as err:  # a bad rule pack or --disable name
            raise UsageError(str(err)) from None
        engine_for(config)  # an engine that cannot run here (Ray not installed) says so before anything is written
        self.fields = RecordFields(text=config.input.text_field, id=config.input.id_field)
        self.reader = open_input(inputs, config.input.patterns, self.fields, config.input.max_bytes)
        shards = isinstance(self.reader, FolderReader) and bool(self.reader.shards())
        check_formats(self.reader, inputs, output)
        if may_hold_html(self.reader.sources()):
            try:
                TRAFILATURA.check()  # before anything is written, not as a traceback on the first HTML page
            except RequirementError as err:
                raise UsageError(str(err)) from None
        self.settings = {"steps": ["fix", *config.steps], "max_bytes": config.input.max_bytes,
                         "stages": {stage.name: stage.settings() for stage in self.stages}}
        # one run at a time per OUT, no stale output; refusals come before anything is written
        self.claim = claim_output(output, {"command": command, "config": self.settings, "version": __version__},
                                  resume=config.output.resume, overwrite=config.output.overwrite)
        options = RecordOptions(self.fields, config.output.reports, config.output.report_file)
        try:
            self.writer = open_output(output, config.output.summary_path, options, shards=shards)
        except OSError as err:
            self.release()
            raise UsageError(f"cannot write to OUT ({output}): {err.strerror or err}") from None
        if config.output.resume and not hasattr(self.writer, "kept"):
            self.release()
            raise UsageError("--resume needs an output folder of documents; this OUT (a folder of record "
                             "shards) is written in input order and cannot tell whole records from the rest")
        # pass 1's spill files (pipeline.Loaded) go beside the output, on the disk that holds it,
        # named so that the next run into this OUT sweeps them when this one is killed outright
        # (stdout: the system's temporary folder)
        self.spill_parent = self.claim.spill_parent if self.claim is not None else None
        self.spill_prefix = self.claim.spill_prefix if self.claim is not None else SPILL

    def release(self) -> None:
        """Let go of OUT without running (a caller that counted and changed its mind)."""
        if self.claim is not None:
            self.claim.release()

    def count(self) -> int:
        """The documents the run will clean, or 0 when that is not known ahead (stdin)."""
        return self.reader.count()

    def execute(self, progress: Progress | Callable[[int], None] | None = None) -> Summary:
        """Both passes; `progress` hears how each pass goes (a `progress.Progress`), or, a plain
        function, `progress(n)` is called as documents are written. Sets the summary's
        `seconds` and `path` (where it was written, or None)."""
        config = self.config
        summary = Summary(self.command, self.settings)
        resume = config.output.resume
        # a folder's files are written by the workers themselves; one file of records is
        # written here, in input order
        in_workers = self.writer.in_workers
        job = Job(stages=self.stages, steps=list(config.steps), max_bytes=config.input.max_bytes,
                  fields=self.fields, worker_sink=self.writer if in_workers else None,
                  encoder=None if in_workers else self.writer.encoder(),
                  page_metadata=not isinstance(self.writer, DirectoryWriter),  # records keep it; a folder has no place
                  doc_timeout=config.input.doc_timeout or None,
                  max_html_elements=config.input.max_html_elements or None,
                  max_memory=config.input.max_memory_mb * 1_000_000 or None,
                  kept=getattr(self.writer, "kept", None) if resume else None, seen=set() if resume else None,
                  spill_parent=self.spill_parent, spill_prefix=self.spill_prefix)
        write = (lambda result: None) if in_workers else self.writer.write
        try:
            seconds = engine_for(config)(self.reader, job, write, summary, config.workers,
                                         progress if isinstance(progress, Progress) or progress is None
                                         else Callback(progress))
            if resume and self.claim is not None and job.seen is not None:
                self.claim.prune(job.seen)
            summary.seconds = seconds
            summary.skipped.update(self.reader.skipped)
            summary.path = self.writer.close(summary.to_json(seconds if config.output.timing else None))
        except OutputError as err:
            # OUT cannot take more: say what was written (the documents counted so far are
            # whole), in the summary file if there is room for it; --resume finishes the rest
            summary.seconds = 0.0
            err.summary = summary  # type: ignore[attr-defined]
            if in_workers:
                try:
                    summary.path = self.writer.close(summary.to_json())
                except OSError:
                    summary.path = None
            else:
                self.writer.abort()
            self.release()
            raise
        except BaseException:
            self.writer.abort()
            if self.claim is not None:
                self.claim.sweep()
            self.release()
            raise
        if self.claim is not None:
            self.claim.finish()
        return summary


def check_formats(reader: object, source: str, target: str) -> None:
    """Refuse what cannot be written: records in, documents out (a record file or stdin in
    needs one file of records out; a folder of shards may go to a folder, which mirrors it),
    and a folder that holds nothing to read."""
    if isinstance(reader, FolderReader):
        if next(iter(reader.listed()), None) is None:
            raise UsageError(f"IN ({source}) holds no file to read: looked for {' '.join(reader.patterns)} "
                             "(recursively); name others with --glob.")
        return
    if isinstance(reader, FileReader) or is_record_output(target):
        return
    if is_jsonl(source):
        raise UsageError("JSONL input writes JSONL: give OUT as a .jsonl or .jsonl.gz path, or - for stdout.")
    raise UsageError(f"{Path(source).name} holds records: give OUT as a .jsonl, .jsonl.gz or .parquet path, "
                     "or - for stdout (or put it in a folder: a folder OUT mirrors a folder of shards).")


def check_paths(source: str, target: str, summary_path: str | None = None) -> None:
    """Refuse before anything is written: a missing IN, OUT equal to IN, inside it or holding
    it (a write could land on an input), a summary inside IN."""
    if source != "-" and not Path(source).exists():
        raise UsageError(f"IN does not exist: {source}")
    if target != "-":
        out = Path(target)
        if is_record_output(target) and out.is_dir():
            raise UsageError(f"OUT ({target}) is a folder; a JSONL or Parquet OUT is a file path.")
        if not is_record_output(target) and out.exists() and not out.is_dir():
            raise UsageError(f"OUT ({target}) is a file; a folder OUT holds NAME.txt and NAME.report.json.")
    if summary_path is not None and summary_path != "-" and target != "-":
        summary, out = Path(summary_path).resolve(), Path(target).resolve()
        if summary == out:
            raise UsageError(f"--summary is OUT itself ({target}); the summary would replace the cleaned "
                             "documents. Choose another path.")
        if not is_jsonl(target) and out in summary.parents and summary.name.endswith((".txt", REPORT_SUFFIX)):
            raise UsageError(f"--summary ({summary_path}) is named like a document's output inside OUT; "
                             "choose a name that does not end in .txt or .report.json.")
    if source == "-":
        return
    src = Path(source).resolve()
    for label, given in (("OUT", target), ("--summary", summary_path)):
        if given is None or given == "-":
            continue
        dst = Path(given).resolve()
        if src == dst:
            raise UsageError(f"{label} is the same as IN; inputs are never overwritten. Choose another {label}.")
        if src.is_dir() and src in dst.parents:
            raise UsageError(f"{label} ({given}) is inside IN ({source}); outputs would be read as inputs. Choose a path outside IN.")
        if dst in src.parents and label == "OUT":
            raise UsageError(f"IN ({source}) is inside OUT ({given}); an output could overwrite an input. Choose an OUT that does not hold IN.")
