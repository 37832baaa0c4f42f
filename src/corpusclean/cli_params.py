"""Parsing shared by the commands' options (kept apart from cli.py, which imports the command
modules that use it)."""
from __future__ import annotations

import fnmatch
import math
from typing import Any, Callable, Iterable, TypeVar

import click

from .errors import with_close_names


#: a click command function, for decorators that add options to one and hand it back
F = TypeVar("F", bound=Callable[..., Any])


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, refusing "nan" and "inf". Python's float() reads both, and click's
    bounds let NaN through (every comparison with it is false): `--jaccard-threshold nan`
    would otherwise run, and fail or quietly change every decision, far from the command line."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)  # before the range, which says less of inf
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


def comma_separated(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A click callback: a repeatable option also takes comma-separated lists, so
    `--disable social --disable byline` and `--disable social,byline` mean the same."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def check_names(option: str, given: Iterable[str], valid: list[str], what: str = "category") -> None:
    """Refuse names that are not in `valid`, as a usage error listing the close ones. A name
    with shell wildcards (*, ?, [) must match at least one valid name."""
    unknown = [name for name in given
               if not (fnmatch.filter(valid, name) if any(c in name for c in "*?[") else name in valid)]
    if not unknown:
        return
    known = (f"Known: {', '.join(valid)}." if len(valid) <= 40
             else f"{len(valid)} are known; `corpusclean rules list` shows the shipped ones.")
    raise click.BadParameter(f"unknown {what} {with_close_names(unknown, valid)}. {known}", param_hint=option)
