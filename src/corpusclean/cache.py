"""Work every run would redo identically at its start, kept on disk between runs.

Loading the rule packs translates each pattern into RE2 and factors it, and the keyword gate
expands every rule's literals into the lowered strings it looks for: about 1.5 CPU-seconds of
pure Python, the same result every time for the same packs and the same code. `cached` keeps
such a result in a file of the user's cache folder, named by a digest of what it was made from
(the packs' text, say) and of the code that made it (every module of this package and the
Python version), so an edited pack or a new version of corpusclean is simply a miss.

It is only ever a cache: a file that is missing, unreadable, from another version or
corrupt is rebuilt (and rewritten) as if there were none; one that cannot be written (a
read-only home, a full disk) is not, and the run goes on. Files are written atomically (a
temporary file, then a rename), so two runs starting at once each see a whole file or none.
What a file holds is a pickle, trusted as the user's own files are.

The folder is $CORPUSCLEAN_CACHE_DIR, else the platform's cache folder (~/.cache/corpusclean
on Linux, under $XDG_CACHE_HOME when set); CORPUSCLEAN_CACHE_DIR set to an empty value turns
caching off. A file's modification time says when it was last used: written, or read by a run
(set again when a run reads it more than USED_EVERY after the last time, one `fstat` a read
otherwise). When a new file is written, the files not used for a month go, and so do, least
recently used first, those of a kind beyond KEEP files and those of any kind beyond BUDGET
bytes in all. Every run of one installation uses all of that installation's files, so the
files that go are those of installations (or edits of the code) not run lately, whole.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

ENV = "CORPUSCLEAN_CACHE_DIR"
#: files kept per kind, whatever code version made them; the oldest beyond this go (an edited
#: pack, or a new version of corpusclean, leaves the previous files behind). Never "every file
#: of another version": two installations sharing a home (two virtual environments, or
#: checkouts of different commits) would then evict each other's files at every start.
KEEP = 120
#: bytes kept in all, the most recently used files first (the file just written always stays).
#: One version of the code fills about 13 MB (the shipped packs' translations 6.8 MB, the
#: language profiles 4.2, the stoplist vote 1.7): this keeps about nine, for installations
#: sharing a home (virtual environments, checkouts of other commits, a benchmark's baseline)
#: that take turns. Until the ninth round the budget was 16 MB a kind, the oldest written
#: first: two versions of the packs, so a third installation in use evicted the first's and
#: each paid 1.3-1.5 CPU-s translating them again at its next start. A developer who edits and
#: runs all day leaves a version per edit behind; by count alone (KEEP) that was 600 MB.
BUDGET = 128 << 20
#: a run that reads a file last marked used longer ago than this marks it again (seconds)
USED_EVERY = 3600
#: seconds without a use after which a file goes when another is written (30 days)
MAX_AGE = 30 * 24 * 3600


def cache_dir() -> Path | None:
    """Where cached results live, or None when caching is off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "corpusclean" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "corpusclean"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "corpusclean"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of this package's code and the Python running it: what a cached result was
    made by. Any edit to any module makes every earlier file a miss. Each module's path
    relative to the package and its bytes, in the order of their paths' parts; found with
    os.walk and strings, read with open (Path.rglob, relative_to and read_bytes took twice as
    long: 6.5 ms of every run's start)."""
    digest = hashlib.sha256(sys.version.encode())
    package = os.path.dirname(os.path.realpath(__file__))
    modules = []
    for folder, _, names in os.walk(package):
        within = os.path.relpath(folder, package).replace(os.sep, "/")
        parts = [] if within == "." else within.split("/")
        modules += [(parts + [name], os.path.join(folder, name)) for name in names if name.endswith(".py")]
    for parts, path in sorted(modules):
        with open(path, "rb") as module:
            digest.update("/".join(parts).encode() + b"\0" + module.read())
    return digest.hexdigest()


#: what `read` returns for nothing kept, where None may be what was kept
_MISSING = object()


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """`build()`, or what it returned the last time for the same `kind`, `key` and code. `key`
    must say everything the result depends on besides the code (a pack's text and name)."""
    found = read(kind, key, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[return-value]  # what `build` returned when it was written
    value = build()
    write(kind, key, value)
    return value


def read(kind: str, key: str, default: object = None) -> object:
    """What was last `write`n for `kind` and `key` by this code, or `default` (nothing written,
    an unreadable or foreign file, caching off)."""
    path, digest = _file(kind, key)
    if path is None:
        return default
    try:
        with open(path, "rb") as handle:
            stored_digest, value = pickle.load(handle)
            if stored_digest == digest:
                _mark_used(handle.fileno(), path)
                return value
    except Exception:  # missing, unreadable, truncated, from an incompatible version: a miss
        pass
    return default


def write(kind: str, key: str, value: object) -> None:
    """Keep `value` for `kind` and `key` (atomically; a cache that cannot be written is none)."""
    path, digest = _file(kind, key)
    if path is not None:
        _store(path, (digest, value))


def _file(kind: str, key: str) -> tuple[Path | None, str]:
    """The file that holds `kind` and `key`, made by this code, and the digest it is checked by
    (None when caching is off, or which code made a file cannot be told: a module that cannot
    be read)."""
    folder = cache_dir()
    if folder is None:
        return None, ""
    try:
        version = code_version()
    except OSError:
        return None, ""
    digest = hashlib.sha256(f"{version}\0{kind}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()
    return folder / f"{kind}-{version[:12]}-{digest[:32]}.pickle", digest


def _store(path: Path, content: object) -> None:
    """Write `content` to `path` atomically; a cache that cannot be written is no cache."""
    from .writers.base import atomic_write  # the outputs' atomic write (a temporary file, a rename)

    try:
        atomic_write(path, pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(path.parent, path)
    except Exception:  # read-only, full, not a folder, an unpicklable value: run without it
        pass


def _mark_used(descriptor: int, path: Path) -> None:
    """Say that the file open as `descriptor` was used now (its modification time), unless it
    was said less than USED_EVERY ago: what `_prune` keeps is what runs use."""
    try:
        if os.fstat(descriptor).st_mtime < time.time() - USED_EVERY:
            os.utime(path)
    except OSError:  # a read-only cache, a file another run removed: it is only a cache
        pass


def _prune(folder: Path, kept: Path) -> None:
    """Remove the files not used for MAX_AGE, and, most recently used first, those of a kind
    beyond KEEP and those of any kind beyond BUDGET bytes; `kept` (just written) stays. A miss
    is the only time anything is written, so this runs rarely."""
    files = sorted(((*_age_and_size(path), path) for path in folder.glob("*-*-*.pickle")), reverse=True)
    oldest = time.time() - MAX_AGE
    newer = 0  # bytes of the files used since this one, and its own: once past BUDGET, all older go too
    per_kind: dict[str, int] = {}
    for mtime, size, path in files:
        kind = path.name.rsplit("-", 2)[0]
        per_kind[kind] = per_kind.get(kind, 0) + 1
        newer += size
        if path != kept and (per_kind[kind] > KEEP or mtime < oldest or newer > BUDGET):
            _remove(path)


def _age_and_size(path: Path) -> tuple[float, int]:
    """When `path` was written and its size (0.0 and 0 for a file another run removed)."""
    try:
        stat = path.stat()
    except OSError:
        return 0.0, 0
    return stat.st_mtime, stat.st_size


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
