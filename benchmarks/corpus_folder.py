"""The folder a benchmark builds its make_corpus corpus in: reused when it was built for the
same size, rebuilt when for another, and never deleted when this code did not build it."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

#: written into a corpus folder once the corpus is whole; holds the size in MB it was built for
MARKER = ".complete"


def built_size(directory: Path) -> float | None:
    """The size in MB the folder's corpus was built for, or None where there is none. Compared
    as a number: one script writes "20", another "20.0" for the same corpus."""
    try:
        return float((directory / MARKER).read_text().strip())
    except (OSError, ValueError):
        return None


def clear_for_build(directory: Path) -> None:
    """Empties a folder about to receive a corpus of another size. A folder holding files
    but no marker is refused: `--corpus` may name someone's own data."""
    if not directory.exists() or not any(directory.iterdir()):
        return
    size = built_size(directory)
    if size is None:
        raise SystemExit(f"{directory} holds files but no corpus a benchmark built (no {MARKER});"
                         " name an empty or new folder with --corpus")
    # said, since a folder named for one size (--corpus .../80mb) without that size's --mb
    # loses its corpus and the run measures another
    print(f"{directory} holds a {size:g} MB corpus: removing it for the size asked for (--mb)", file=sys.stderr)
    shutil.rmtree(directory)


def mark_built(directory: Path, mb: float) -> None:
    (directory / MARKER).write_text(str(mb))
