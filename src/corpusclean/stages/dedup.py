"""The dedup stage: a line that repeats an earlier line of the same page is removed."""
from __future__ import annotations

import re
from typing import Any

from ..dedup.config import DedupConfig
from ..model import Document
from .base import Stage

_SPACE = re.compile(r"\s+")


def normalise(line: str) -> str:
    return _SPACE.sub(" ", line).strip().casefold()


class DedupStage(Stage):
    name = "dedup"
    step = "dedup"

    def __init__(self, config: DedupConfig):
        self.config = config

    def settings(self) -> dict[str, Any]:
        return self.config.signature()

    def process(self, doc: Document) -> None:
        first_seen: dict[str, int] = {}
        for i, line in enumerate(doc.lines):
            key = normalise(line)
            if not key:
                continue
            if key in first_seen and doc.is_live(i):
                kept = first_seen[key]
                doc.remove(i, i, stage=self.name, rule="dedup.page-repeat", category="duplicate",
                           reason="repeats an earlier line of this page",
                           details={"duplicate_of": {"document": doc.name, "line": kept + 1}})
            else:
                first_seen.setdefault(key, i)
