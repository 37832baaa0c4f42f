"""How a run tells what it is doing while it runs, on stderr.

A run has up to two passes over its input: "indexing" (the corpus pass: stages that need the
whole corpus, the dedup index and the classifier's recurrence counts, read every document
first) and "cleaning" (every document through the stages, then written). The pipeline says
when a pass starts and how many documents it has done; a `Progress` decides what to show:

    Progress      nothing (`--quiet`, and the library's default)
    Bar           on a terminal: one bar per pass, named, with its position and time left
    Log           when stderr is a file or a pipe (a batch job's log): one line every
                  `--log-every` seconds, with a timestamp, so a long job's log shows life
    Callback      `api.run(progress=fn)`: fn(n) as documents are written

Time left is the pass's documents still to do at the pass's average pace so far (it is not
given before a second or 1% of the pass has gone by: the first documents include starting the
worker processes and say little about the rest).
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Any, Callable, TextIO

import click

INDEXING = "indexing"
CLEANING = "cleaning"

#: `--log-every`'s default, in seconds: often enough to see a job is alive, rarely enough that
#: a day-long job logs a few thousand lines
LOG_EVERY = 30.0


class Progress:
    """Hears how a run goes; says nothing. Subclasses show it."""

    def start(self, name: str) -> None:
        """A pass begins (INDEXING or CLEANING)."""

    def advance(self, done: int) -> None:
        """`done` more documents of the current pass are finished."""

    def finish(self) -> None:
        """The current pass is over (also called when the run stops early)."""


class Callback(Progress):
    """Calls `fn(n)` as documents of the cleaning pass are written."""

    def __init__(self, fn: Callable[[int], None]) -> None:
        self.fn = fn
        self.cleaning = False

    def start(self, name: str) -> None:
        self.cleaning = name == CLEANING

    def advance(self, done: int) -> None:
        if self.cleaning:
            self.fn(done)


class _Pace:
    """Documents done in a pass, and the time left at its average pace so far."""

    def __init__(self, total: int | None, clock: Callable[[], float]) -> None:
        self.total = total or None       # 0: not known ahead (stdin)
        self.clock = clock
        self.started = clock()
        self.done = 0

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def seconds_left(self) -> float | None:
        elapsed = self.elapsed
        if self.total is None or self.done == 0 or elapsed < 1 or self.done < self.total / 100:
            return None
        return max(0.0, (self.total - self.done) * elapsed / self.done)


class Bar(Progress):
    """One click progress bar per pass, labelled with the command and the pass."""

    def __init__(self, command: str, total: int | None, file: TextIO | None = None) -> None:
        self.command = command
        self.total = total or None
        self.file = file or sys.stderr
        self._bar: Any = None
        self._label = ""
        self._done = 0

    def start(self, name: str) -> None:
        self.finish()
        self._label = f"corpusclean {self.command}: {name}"
        self._done = 0
        if self.total is None:  # stdin: no length to draw a bar against, so a running count
            click.echo(f"{self._label} ...", file=self.file, nl=False)
            return
        self._bar = click.progressbar(length=self.total, label=self._label, file=self.file,
                                      show_pos=True, show_eta=True)
        self._bar.__enter__()

    def advance(self, done: int) -> None:
        self._done += done
        if self._bar is not None:
            self._bar.update(done)
        elif self._label:
            plural = "" if self._done == 1 else "s"
            click.echo(f"\r{self._label} {self._done:,} document{plural}", file=self.file, nl=False)

    def finish(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.__exit__(None, None, None)
        elif self._label:
            click.echo("", file=self.file)
        self._label = ""


class Log(Progress):
    """A line every `every` seconds while a pass runs:

        [06:41:07] corpusclean run: cleaning 4,096 of 51,200 documents (8.0%), 52.1 a second, about 15m03s left
    """

    def __init__(self, command: str, total: int | None, every: float = LOG_EVERY, file: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.command = command
        self.total = total or None
        self.every = every
        self.file = file or sys.stderr
        self.clock = clock
        self.now = now
        self._pace: _Pace | None = None
        self._name = ""
        self._last = 0.0

    def start(self, name: str) -> None:
        self._name = name
        self._pace = _Pace(self.total, self.clock)
        self._last = self._pace.started

    def advance(self, done: int) -> None:
        pace = self._pace
        if pace is None:
            return
        pace.done += done
        if self.clock() - self._last >= self.every:
            self._last = self.clock()
            click.echo(self.line(pace), file=self.file)

    def line(self, pace: _Pace) -> str:
        count = (f"{pace.done:,} of {pace.total:,} documents ({pace.done / pace.total:.1%})"
                 if pace.total else f"{pace.done:,} documents")
        elapsed = pace.elapsed
        rate = f", {pace.done / elapsed:,.1f} a second" if elapsed > 0 else ""
        left = pace.seconds_left()
        eta = f", about {duration(left)} left" if left is not None else ""
        return f"[{self.now():%H:%M:%S}] corpusclean {self.command}: {self._name} {count}{rate}{eta}"

    def finish(self) -> None:
        self._pace = None


def duration(seconds: float) -> str:
    """12s, 4m05s, 2h07m."""
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
