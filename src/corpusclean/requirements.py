"""Library versions checked before a run, so that a too-old install fails at the start with
what to do, not with a traceback on the first page that needs the library.

The case met in practice: datatrove's `processing` extra installs (or pins) a trafilatura
older than 2.0, and pip lets the two packages disagree. trafilatura 2.0 changed what
`bare_extraction` returns (a Document, not a dict) and replaced its `no_fallback` option by
`fast`, both of which `extract.py` relies on.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable

from .readers.base import Source
from .readers.files import HTML_SUFFIXES


class RequirementError(Exception):
    """An installed library is missing or older than corpusclean needs."""


@dataclass(frozen=True)
class Requirement:
    package: str
    minimum: tuple[int, ...]
    why: str                         # what the older versions lack, for the message

    @property
    def specifier(self) -> str:
        return f"{self.package}>={'.'.join(map(str, self.minimum))}"

    def check(self, version_of: Callable[[str], str] | None = None) -> None:
        """Raise RequirementError saying which version is there, which is needed and how to
        upgrade, unless an installed version satisfies the minimum. `version_of` looks a
        package's version up, raising importlib.metadata.PackageNotFoundError for one that is
        not installed (default: the installed distribution's metadata, as the run summary
        records it: report.package_version, from the start-up cache, so that the main process
        of a run reading HTML does not import importlib.metadata and the e-mail parser, about
        20 ms, to check it)."""
        found: str | None
        if version_of is None:
            from .report import NOT_INSTALLED, package_version

            found = package_version(self.package)
            found = None if found == NOT_INSTALLED else found
        else:
            from importlib import metadata

            try:
                found = version_of(self.package)
            except metadata.PackageNotFoundError:
                found = None
        if found is not None and release(found) >= self.minimum:
            return
        there = f"{self.package} {found} is installed" if found else f"{self.package} is not installed"
        raise RequirementError(
            f"{there}, and corpusclean needs {self.specifier} to read HTML ({self.why}). "
            f"Upgrade it with: pip install --upgrade '{self.specifier}'")


#: the one place the minimum is written besides pyproject.toml (a test checks the two agree)
TRAFILATURA = Requirement(
    "trafilatura", (2, 0),
    why="older ones return a dict from bare_extraction and lack its `fast` option; "
        "datatrove's `processing` extra may have installed one")


def release(version: str) -> tuple[int, ...]:
    """The release numbers of a version string: "1.6.1" -> (1, 6, 1), "2.0.0rc1" -> (2, 0, 0)."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in match.group().split(".")) if match else ()


def may_hold_html(sources: Iterable[Source], look_at: int = 10_000) -> bool:
    """Whether a run over `sources` will read HTML, judged from the first `look_at` documents
    (file names, records with `html` and no `text`, WARC responses read while listing),
    without reading any file. A later HTML document is still caught: `extract.py` checks again
    when it first runs."""
    for source in islice(sources, look_at):
        if source.path is not None and os.fspath(source.path).endswith(HTML_SUFFIXES):
            return True
        if source.line is not None and b'"html"' in source.line.raw:
            source = source.parsed()  # the lines that may name `html` (cheaper than parsing them all)
        if source.record is not None and "text" not in source.record and "html" in source.record:
            return True
        if source.payload is not None and source.payload.kind == "html":  # a WARC response
            return True
    return False
