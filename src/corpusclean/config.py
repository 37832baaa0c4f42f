"""One typed configuration for a run, built the same way by the CLI, the API and a --config file.

A `RunConfig` holds what the run reads (`InputConfig`), where its summary goes
(`OutputConfig`), the `--disable` names, and each stage's own frozen `Config` (registered in
`stages/registry.py`). Each stage is handed its own part (`Stage.from_config`); nothing reads a
dict of command-line keywords by key.

Options have one flat name each, the same everywhere: `corpusclean.run(..., lang="en",
template_min_pages=20)`, `--lang en --template-pages 20`, or in a TOML file:

    workers = 2
    disable = ["social", "byline"]
    max_bytes = 10_000_000

    [language]
    lang = ["en", "de"]

    [dedup]
    template_min_pages = 20

Top-level keys are the run's own (`RUN_OPTIONS`); each table is a stage's, by its name.
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import with_close_names

if TYPE_CHECKING:  # stages import this module
    from .stages.base import Stage

#: what each command runs after the fix stage, which always runs
COMMANDS: dict[str, tuple[str, ...]] = {
    "fix": (), "strip": ("strip",), "dedup": ("dedup",), "run": ("strip", "dedup"),
}

#: elements a page may have before it is refused (--max-html-elements). trafilatura's work and
#: memory grow faster than the page: 56k elements (2 MB of markup) took 4 CPU-s and 180 MB,
#: 168k (6 MB) 20 CPU-s and 460 MB, so a 63 MB page would take minutes and gigabytes. Real
#: pages, even long ones, have a few thousand; counting them costs one pass of the parser.
MAX_HTML_ELEMENTS = 100_000


@dataclass(frozen=True)
class InputConfig:
    #: which files of a folder IN are read; empty: the reader's default patterns
    patterns: tuple[str, ...] = ()
    #: larger inputs are reported as failed instead of read
    max_bytes: int = 64_000_000
    #: the record field (JSONL, Parquet) that holds the text; the clean text goes back into it
    text_field: str = "text"
    #: the record field that holds the document's id
    id_field: str = "id"
    #: seconds one document may take before it is reported as failed; 0: no limit
    doc_timeout: float = 600
    #: HTML pages with more elements are reported as failed, unparsed; 0: no limit
    max_html_elements: int = MAX_HTML_ELEMENTS
    #: megabytes of memory a worker process may take; a document needing more fails; 0: no limit
    max_memory_mb: int = 4000

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", _strings(self.patterns, "patterns"))
        if self.max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        if not 0 <= self.doc_timeout < math.inf:  # false for NaN too
            raise ValueError("doc_timeout must be a finite number of seconds, 0 (no limit) or more")


@dataclass(frozen=True)
class OutputConfig:
    #: where the run summary goes; None: the writer's default place
    summary_path: str | None = None
    #: record the run's time in the summary (which then differs between runs)
    timing: bool = False
    #: output records (JSONL, Parquet) carry their document's report; False leaves it out
    reports: bool = True
    #: write the reports of output records to this JSONL file instead of into the records
    report_file: str | None = None
    #: finish an interrupted run into the same folder OUT: its whole documents are kept
    resume: bool = False
    #: replace the output of an earlier run that did not finish (a finished one is always replaced)
    overwrite: bool = False


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs to know, checked when built."""

    #: the steps after `fix`: "strip", "dedup" (see COMMANDS)
    steps: tuple[str, ...] = COMMANDS["run"]
    #: worker processes; output is the same for any number
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    input: InputConfig = field(default_factory=InputConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    #: rule ids, classifier tests or categories switched off (the stages check the names)
    disable: tuple[str, ...] = ()
    #: stage name -> that stage's `Config`; a stage not named runs with its defaults
    stages: Mapping[str, Any] = field(default_factory=dict)
    #: where documents are processed: "local" (worker processes) or "ray" (a Ray cluster;
    #: see engines.py); the output is the same
    engine: str = "local"
    #: the Ray cluster to join (None: start a local one with `workers` CPUs)
    address: str | None = None
    #: partitions of the Ray engine's corpus index (None: sized from the input)
    partitions: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", _strings(self.steps, "steps"))
        object.__setattr__(self, "disable", _strings(self.disable, "disable"))
        unknown = [step for step in self.steps if step not in COMMANDS["run"]]
        if unknown:
            raise ValueError(f"unknown step(s) {', '.join(unknown)}; steps are {', '.join(COMMANDS['run'])}")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        from .engines import ENGINES

        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; engines are {', '.join(ENGINES)}")
        if self.partitions is not None and self.partitions < 1:
            raise ValueError("partitions must be at least 1")

    def stage_config(self, stage: type[Stage]) -> Any:
        """A stage's own configuration (its defaults when the run does not name it)."""
        return self.stages.get(stage.name) or stage.Config()

    @classmethod
    def build(cls, command: str = "run", **options: Any) -> "RunConfig":
        """A config from flat options, as `corpusclean.run` and the CLI take them: `workers`,
        `disable`, `patterns`, `max_bytes`, `summary_path`, `timing`, and any stage option
        (`lang`, `rule_dirs`, `classifier`, `jaccard_threshold`, ...). Raises ValueError
        naming an unknown option or a bad value."""
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}; commands are {', '.join(COMMANDS)}")
        owners = option_owners()
        unknown = [name for name in options if name not in owners]
        if unknown:
            raise ValueError(_unknown_options_message(unknown, owners))
        parts: dict[str, dict[str, Any]] = {}
        for name, value in options.items():
            parts.setdefault(owners[name], {})[name] = value
        run = parts.pop("run", {})
        stages = {}
        from .stages.registry import STAGES

        for stage in STAGES:
            if stage.name in parts:
                stages[stage.name] = stage.Config(**parts[stage.name])
        return cls(steps=COMMANDS[command], workers=run.get("workers", os.cpu_count() or 1),
                   input=InputConfig(**parts.get("input", {})), output=OutputConfig(**parts.get("output", {})),
                   disable=run.get("disable", ()), stages=stages,
                   **{name: run[name] for name in ("engine", "address", "partitions") if name in run})


#: the run's own flat options and where they belong (a stage's options come from its Config)
RUN_OPTIONS: dict[str, str] = {
    "workers": "run", "disable": "run", "engine": "run", "address": "run", "partitions": "run",
    **{f.name: "input" for f in fields(InputConfig)},
    **{f.name: "output" for f in fields(OutputConfig)},
}


def option_owners() -> dict[str, str]:
    """Every flat option name -> "run", "input", "output" or the stage whose Config holds it."""
    from .stages.registry import STAGES

    owners = dict(RUN_OPTIONS)
    for stage in STAGES:
        for f in fields(stage.Config):
            if f.name in owners:  # a programming error in a new stage, found by the tests
                raise TypeError(f"stage {stage.name}: option {f.name!r} is already {owners[f.name]}'s")
            owners[f.name] = stage.name
    return owners


def read_config_file(path: str | Path) -> dict[str, Any]:
    """A TOML config file as flat options. Raises ValueError naming the file and the bad key."""
    # imported here, as is difflib below: most processes read no config file (1-2 ms each)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as err:
        raise ValueError(f"cannot read config file {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"config file {path}: not valid TOML ({err})") from None
    owners = option_owners()
    stage_names = {owner for owner in owners.values()} - {"run", "input", "output"}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            if key not in stage_names:
                raise ValueError(f"config file {path}: unknown table [{key}]; "
                                 f"stage tables are {', '.join(sorted(stage_names))}")
            for name, item in value.items():
                if owners.get(name) != key:
                    valid = sorted(n for n, owner in owners.items() if owner == key)
                    raise ValueError(f"config file {path}: [{key}] has no option {name!r}; "
                                     f"its options are {', '.join(valid)}")
                flat[name] = item
        elif RUN_OPTIONS.get(key) is None:
            raise ValueError(f"config file {path}: {_unknown_options_message([key], RUN_OPTIONS)} "
                             "(a stage's options go in its [table])")
        else:
            flat[key] = value
    return flat


def _strings(value: Iterable[str] | str, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError(f"{name} is a list of strings, not a string ({value!r})")
    items = tuple(value)
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{name} is a list of strings")
    return items


def _unknown_options_message(unknown: list[str], owners: Mapping[str, str]) -> str:
    return f"unknown option(s) {with_close_names(unknown, owners)}"
