"""Taking OUT for one run: one run at a time, nothing stale, an interrupted run finished.

`claim_output` is called before anything is written. It

- **locks** OUT: a file beside the output (`OUT/.corpusclean-run`, or `.NAME.corpusclean-run`
  next to a JSONL OUT) held with `flock` for the whole run, and holding who runs (pid, host,
  start time) and with which settings. A second run into the same OUT is refused, naming
  the holder. The kernel drops the lock when the run dies, however it dies (workers forked
  from the run share it, so it is held until the last of them has exited).
- **sweeps** what a killed run left behind: its temporary files (`.NAME.txt.XXXXXXXX.tmp`)
  and its pass-1 spill folder (`.corpusclean-spill-XXXXXXXX` in a folder OUT,
  `.NAME.corpusclean-spill-XXXXXXXX` beside a JSONL OUT NAME), the only names this run can
  be sure are its own: the lock says no other run writes them.
- **decides about earlier output** in a folder OUT. The run file stays behind when a run
  does not finish (interrupted, killed, disk full), so it tells a finished run from an
  unfinished one:
    - a finished run's output (a summary, reports) is replaced whole: every earlier
      `NAME.txt` + `NAME.report.json` and the summary are removed first, so no document of
      an earlier input stays behind to be counted by `diff` or `review`;
    - an unfinished run is refused, naming `--resume` (keep its whole documents, clean the
      rest) and `--overwrite` (replace it whole);
    - `--resume` checks that the earlier run had the same command and settings, since only
      then is the result the same as one uninterrupted run.

A JSONL OUT is written to a temporary file renamed into place at the end, so a stopped run
leaves nothing to resume: `--resume` is refused for it, saying so.
"""
from __future__ import annotations

import datetime
import errno
import fcntl
import json
import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..readers.base import REPORT_SUFFIX, SUMMARY_NAME

#: the run file in a folder OUT (a dot-file ending in neither .txt nor .report.json, so no
#: input's output can take its name)
RUN_FILE = ".corpusclean-run"
#: atomic_file's temporary names: "." + the file's name + "." + mkstemp's 8 characters + ".tmp"
TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
#: pass 1's folder of loaded documents (pipeline.run_corpus) is named this + mkdtemp's 8
#: characters, after the run file's own prefix (none in a folder OUT, `.NAME` beside a JSONL
#: OUT NAME), so that the run holding the lock knows it as its own
SPILL = ".corpusclean-spill-"


class Claim:
    """A run's hold on its OUT; `finish` when the run ended well, `release` in any case."""

    def __init__(self, run_file: Path, fd: int, folder: Path | None):
        self.run_file = run_file
        self.fd: int | None = fd
        self.folder = folder   # the folder OUT, None for a JSONL OUT
        #: where pass 1 may keep its temporary folder, and how that folder's name begins
        self.spill_parent = run_file.parent
        self.spill_prefix = run_file.name[: -len(RUN_FILE)] + SPILL

    def finish(self) -> None:
        """The run is complete (its summary written): OUT holds no unfinished run."""
        self._unlink()
        self.release()

    def release(self) -> None:
        """Let go of OUT. A folder OUT keeps the run file when the run did not finish: it marks
        the output as unfinished, for `--resume`."""
        if self.folder is None:
            self._unlink()
        if self.fd is not None:
            os.close(self.fd)  # drops the lock
            self.fd = None

    def sweep(self) -> None:
        """Remove this run's temporary files: a worker killed mid-write (stopped after its grace
        time, or by the system) could not remove its own. Only this run writes here: it holds
        the lock."""
        if self.folder is not None:
            _sweep(self.folder, prefix=".", recursive=True)

    def prune(self, names: set[str]) -> None:
        """--resume: remove the output of documents this run did not list (an input removed
        since the interrupted run), so OUT holds what one uninterrupted run would have written."""
        assert self.folder is not None
        for dirpath, _, filenames in os.walk(self.folder):
            for filename in filenames:
                if filename.endswith(REPORT_SUFFIX):
                    path = Path(dirpath) / filename
                    name = path.relative_to(self.folder).as_posix()[: -len(REPORT_SUFFIX)]
                    if name not in names:
                        _remove(path)
                        _remove(path.with_name(filename[: -len(REPORT_SUFFIX)] + ".txt"))

    def _unlink(self) -> None:
        try:
            self.run_file.unlink()
        except FileNotFoundError:
            pass


def claim_output(target: str, settings: dict[str, Any], resume: bool = False, overwrite: bool = False) -> Claim | None:
    """Lock OUT for this run and make it ready (see the module's docstring). `settings` is
    what the run's output depends on (command, config, version): recorded in the run file and
    compared by `--resume`. Returns None for stdout. Raises UsageError, with OUT unchanged,
    when the run must not go ahead."""
    if resume and overwrite:
        raise UsageError("--resume keeps an earlier run's output and --overwrite replaces it: give one of them")
    if target == "-":
        if resume:
            raise UsageError("--resume needs an output folder: stdout keeps nothing to resume from")
        return None
    from . import is_record_output

    if is_record_output(target):
        if resume:
            raise UsageError("--resume needs an output folder: a JSONL or Parquet OUT is written whole at the end (to a "
                             "temporary file renamed into place), so a stopped run leaves nothing to resume from. "
                             "Run again without --resume.")
        path = Path(target)
        _make_folder(path.parent, target)
        claim = _lock(path.parent / f".{path.name}{RUN_FILE}", target)
        _sweep(path.parent, prefix=f".{path.name}.", recursive=False)
        _sweep_spill(claim)
        _record(claim, settings)
        return Claim(claim.run_file, claim.fd, None)  # type: ignore[arg-type]
    folder = Path(target)
    _make_folder(folder, target)
    claim = _lock(folder / RUN_FILE, target)
    try:
        earlier = _earlier_run(claim)
        if resume:
            _check_resumable(folder, earlier, settings)
        elif earlier is not None and not overwrite:
            raise UsageError(f"OUT ({target}) holds a run that did not finish (pid {earlier.get('pid')} on "
                             f"{earlier.get('host')}, started {earlier.get('started')}): pass --resume to finish it, "
                             "or --overwrite to replace it")
        _sweep(folder, prefix=".", recursive=True)
        _sweep_spill(claim)
        if not resume:
            _clear_earlier_output(folder)
        _record(claim, settings)
    except BaseException:
        claim.release()
        raise
    return claim


def _make_folder(folder: Path, target: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot write to OUT ({target}): {err.strerror or err}") from None


def _lock(run_file: Path, target: str) -> Claim:
    """Open and lock the run file, or say who holds it."""
    while True:
        try:
            fd = os.open(run_file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise UsageError(f"cannot write to OUT ({target}): {err.strerror or err}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = _read(fd)
            os.close(fd)
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise UsageError(f"cannot lock OUT ({target}): {err.strerror or err}") from None
            raise UsageError(f"OUT ({target}) is being written by another corpusclean run (pid "
                             f"{holder.get('pid', '?')} on {holder.get('host', '?')}, started "
                             f"{holder.get('started', '?')}); two runs into one OUT would mix their outputs. "
                             "Wait for it to end, or stop it.") from None
        try:
            if os.fstat(fd).st_ino == os.stat(run_file).st_ino:
                return Claim(run_file, fd, run_file.parent)
        except FileNotFoundError:
            pass
        os.close(fd)  # the run that held it finished and removed the file meanwhile: take a new one


def _read(fd: int) -> dict[str, Any]:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    try:
        found = json.loads(data) if data.strip() else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _record(claim: Claim, settings: dict[str, Any]) -> None:
    """Who runs, since when, and with which settings, for a second run and for --resume."""
    assert claim.fd is not None
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    data = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started, **settings},
                      ensure_ascii=False).encode("utf-8")
    try:
        os.ftruncate(claim.fd, 0)
        os.lseek(claim.fd, 0, os.SEEK_SET)
        os.write(claim.fd, data + b"\n")
    except OSError as err:
        raise UsageError(f"cannot write to OUT: {err.strerror or err}") from None


def _earlier_run(claim: Claim) -> dict[str, Any] | None:
    """What the run file of a run that did not finish says (None: there was none)."""
    assert claim.fd is not None
    found = _read(claim.fd)
    return found or None


def _check_resumable(folder: Path, earlier: dict[str, Any] | None, settings: dict[str, Any]) -> None:
    if earlier is None:
        try:
            summary = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise UsageError(f"--resume: OUT ({folder}) holds no earlier run to finish") from None
        # a finished run: its summary says how it ran
        earlier = {"command": summary.get("command"), "config": summary.get("config"),
                   "version": summary.get("versions", {}).get("corpusclean")}
    differs = [key for key in settings if earlier.get(key) != settings[key]]
    if differs:
        detail = _first_difference(earlier.get(differs[0]), settings[differs[0]], differs[0])
        raise UsageError(f"--resume: the earlier run into OUT ({folder}) ran with other settings ({detail}); "
                         "its documents would differ from this run's. Run again with the same options, or "
                         "with --overwrite to replace it.")


def _first_difference(earlier: Any, now: Any, where: str) -> str:
    if isinstance(earlier, dict) and isinstance(now, dict):
        for key in sorted(set(earlier) | set(now)):
            if earlier.get(key) != now.get(key):
                return _first_difference(earlier.get(key), now.get(key), f"{where}.{key}")
    return f"{where} was {json.dumps(earlier)}, now {json.dumps(now)}"


def _sweep(folder: Path, prefix: str, recursive: bool) -> None:
    """Remove temporary files an earlier run left when it was killed mid-write."""
    walk = os.walk(folder) if recursive else [(str(folder), [], os.listdir(folder))]
    for dirpath, _, filenames in walk:
        for filename in filenames:
            if filename.startswith(prefix) and TEMPORARY.match(filename):
                _remove(Path(dirpath) / filename)


def _sweep_spill(claim: Claim) -> None:
    """Remove the spill folder a run into this OUT left when it was killed outright (pass 1's
    loaded documents, which pass 2 deletes as it goes and the run's end removes)."""
    ours = re.compile(re.escape(claim.spill_prefix) + r"[a-z0-9_]{8}")
    for entry in os.scandir(claim.spill_parent):
        if ours.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


def _clear_earlier_output(folder: Path) -> None:
    """Remove what an earlier run wrote (each report, its text, the summary), and the folders
    that leaves empty; anything else in OUT is left alone."""
    for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
        here = Path(dirpath)
        for filename in filenames:
            if filename.endswith(REPORT_SUFFIX):
                _remove(here / filename)
                _remove(here / (filename[: -len(REPORT_SUFFIX)] + ".txt"))
        if here == folder:
            _remove(here / SUMMARY_NAME)
        else:
            try:
                here.rmdir()  # only when empty
            except OSError:
                pass


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        pass
