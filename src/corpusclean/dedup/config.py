"""Every dedup threshold in one place, settable from the CLI and recorded in the summary."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable

import click


@dataclass(frozen=True)
class DedupConfig:
    drop_duplicate_pages: bool = False

    def signature(self) -> dict[str, Any]:
        return asdict(self)


def dedup_options(fn: Callable) -> Callable:
    fn = click.option("--drop-duplicate-pages", is_flag=True,
                      help="Leave pages that nearly duplicate an earlier page out of the output (still reported).")(fn)
    return fn


def config_from_options(options: dict[str, Any]) -> DedupConfig:
    return DedupConfig(drop_duplicate_pages=options.get("drop_duplicate_pages", False))
