"""Parsing shared by the commands' options (kept apart from cli.py, which imports the command
modules that use it)."""
from __future__ import annotations

import click


def comma_separated(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A click callback: a repeatable option also takes comma-separated lists, so
    `--disable social --disable byline` and `--disable social,byline` mean the same."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())
