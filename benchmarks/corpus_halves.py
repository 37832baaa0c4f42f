"""The bench corpus cut in two halves of about the same size, for bench_run.py's measure of
what the machine allows two processes (two independent 1-worker runs at once, one on each
half): the folder's top-level folders (make_corpus's sites: site0000/, site0001/, ...) in two
runs of whole sites, as hard links; the JSONL file's lines in two files. Built once, in
`halves/` beside the corpus's own folders (a name make_corpus never writes), and reused: the
corpus is never touched, and a corpus rebuilt for another size takes its folder, halves
included, with it (corpus_folder.clear_for_build)."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from corpus_folder import MARKER

HALVES = "halves"


def ensure_halves(directory: Path, folder: Path, jsonl: Path) -> dict[str, tuple[Path, Path]]:
    """The two halves of each input kind, by kind ("folder": two folders, "JSONL": two files),
    built in `directory / HALVES` unless they are there already. Built in a folder of their
    own and renamed into place when whole, so a script running beside this one (or stopped
    while building) never sees half-built halves."""
    halves = directory / HALVES
    paths = {"folder": (halves / "folder" / "a", halves / "folder" / "b"),
             "JSONL": (halves / "jsonl" / "a.jsonl", halves / "jsonl" / "b.jsonl")}
    built_from = (directory / MARKER).read_text()  # the corpus's size: halves of another one are stale

    def built() -> bool:
        return (halves / MARKER).is_file() and (halves / MARKER).read_text() == built_from

    if built():
        return paths
    building = Path(tempfile.mkdtemp(prefix=f".{HALVES}-", dir=directory))
    try:
        split_folder(folder, building / "folder")
        split_lines(jsonl, building / "jsonl")
        (building / MARKER).write_text(built_from)
        if halves.exists() and not built():  # of another corpus: moved aside in one step, then removed
            stale = Path(tempfile.mkdtemp(prefix=f".{HALVES}-stale-", dir=directory))
            with contextlib.suppress(FileNotFoundError):
                os.rename(halves, stale / HALVES)
            shutil.rmtree(stale)
        try:
            os.rename(building, halves)
        except OSError:  # there already: whole, if a script beside this one put its own there first
            if not built():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return paths


def middle(sizes: list[int]) -> int:
    """Where to cut a sequence of parts of these sizes so that both sides come closest to
    half the total: the number of parts on the first side (at least one on each)."""
    total, before, best, gap = sum(sizes), 0, 1, None
    for cut in range(1, len(sizes)):
        before += sizes[cut - 1]
        if gap is None or abs(2 * before - total) < gap:
            best, gap = cut, abs(2 * before - total)
    return best


def split_folder(folder: Path, target: Path) -> None:
    """The folder's top-level entries (sites) in two runs of about the same bytes, each whole,
    hard-linked into target/a and target/b with the same relative paths."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        groups.setdefault(path.relative_to(folder).parts[0], []).append(path)
    names = sorted(groups)
    cut = middle([sum(path.stat().st_size for path in groups[name]) for name in names])
    for half, chosen in (("a", names[:cut]), ("b", names[cut:])):
        for name in chosen:
            for path in groups[name]:
                link = target / half / path.relative_to(folder)
                link.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, link)


def split_lines(jsonl: Path, target: Path) -> None:
    """The file's lines in two files of about the same bytes, in order: the first lines in
    target/a.jsonl, the rest in target/b.jsonl."""
    lines = jsonl.read_bytes().splitlines(keepends=True)
    cut = middle([len(line) for line in lines])
    target.mkdir(parents=True)
    (target / "a.jsonl").write_bytes(b"".join(lines[:cut]))
    (target / "b.jsonl").write_bytes(b"".join(lines[cut:]))
