"""Errors with a message meant for the user."""
from __future__ import annotations

import errno
from typing import Iterable



def with_close_names(unknown: Iterable[str], valid: Iterable[str]) -> str:
    """The unknown names quoted, joined by commas, each followed by up to three valid names
    that are spelt alike: "'lnag' (did you mean lang?), 'xyz'"."""
    from difflib import get_close_matches  # here: only a misspelt name asks (1 ms to import)

    choices = list(valid)
    hints = []
    for name in unknown:
        close = get_close_matches(name, choices, n=3)
        hints.append(f"{name!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return ", ".join(hints)


class InputError(Exception):
    """One input cannot be processed (binary, undecodable, too large, malformed record).

    The run records the message for that input and goes on with the rest."""


class OutputError(Exception):
    """OUT itself cannot be written (disk full, read-only, no permission): no later document
    could be written either, so the run stops, saying what was written before."""


class UnwritableRecords(OutputError):
    """The records cannot be written in OUT's format as they are (a Parquet column whose
    values differ in type inside lists or objects): the run stops; another format can hold them."""


#: write errors that are about OUT, not about one document's name: they stop the run
OUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


class UsageError(ValueError):
    """A run refused before anything is written: IN missing, OUT inside IN, a bad option.

    The command line shows the message as "Error: ..." and exits 1."""
