"""A worker keeps the memory it frees for its next document: asking for the same amount again
costs no page faults (each costs about 3 microseconds; see corpusclean/heap.py)."""
from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from corpusclean.workers import ordered_map


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def refaults(rounds: int) -> list[int]:
    """The page faults of making and dropping 20 MB in pieces the C heap serves (100 kB each,
    as a page's text or a fingerprinting array may be), round after round."""
    counts = []
    for _ in range(rounds):
        before = _faults()
        pieces = [bytearray(b"x" * 100_000) for _ in range(200)]
        counts.append(_faults() - before)
        del pieces
    return counts


def _in_worker(_: object) -> list[int]:
    return refaults(3)


SCRIPT = """
from corpusclean.heap import keep_freed_memory
from test_heap import refaults
print(keep_freed_memory(), *refaults(3))
"""


def in_fresh_process() -> tuple[bool, list[int]]:
    """keep_freed_memory's answer, then refaults(3), in a new interpreter (this one's heap is
    the test runner's)."""
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                         cwd=__file__.rsplit("/", 1)[0]).stdout.split()
    return out[0] == "True", [int(count) for count in out[1:]]


def test_memory_freed_is_asked_for_again_without_faults() -> None:
    kept, (first, *again) = in_fresh_process()
    if not kept:
        pytest.skip("this C library has no mallopt (not glibc)")
    assert first > 4_000  # 20 MB is some 5,000 pages of 4 kB, each written for the first time
    assert all(count < 250 for count in again)


def test_workers_keep_their_freed_memory() -> None:
    if not in_fresh_process()[0]:
        pytest.skip("this C library has no mallopt (not glibc)")
    # two workers, so the function runs on forked processes (with one, here); after its first
    # round a worker has the memory at hand
    for first, *again in ordered_map(_in_worker, [0, 1, 2, 3], workers=2, per_task=1):
        assert all(count < 250 for count in again)



# -- the end of the command's process ----------------------------------------------------------

AT_EXIT = """
import atexit, gc, sys
# hooks run last registered first: this one runs after any hook the code below registers,
# when only the interpreter's own shutdown (and its collections) is left
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count(), file=sys.stderr))
{body}
"""


def frozen_at_exit(body: str, *args: str) -> int:
    """How many objects the collector had frozen when the process's last exit hook ran."""
    done = subprocess.run([sys.executable, "-c", AT_EXIT.format(body=body), *args], capture_output=True, text=True,
                          cwd=__file__.rsplit("/", 1)[0])
    line = [line for line in done.stderr.splitlines() if line.startswith("frozen at exit:")]
    assert line, done.stderr
    return int(line[-1].split(":")[1])


def test_the_command_ends_without_walking_its_heap_again(tmp_path) -> None:
    # the interpreter's shutdown collects over every object still alive, to free what the
    # system takes back anyway: `corpusclean run` freezes them first, so those passes walk nothing
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text("A line of text that stays.\n")
    cli = "import sys; from corpusclean.cli import cli; sys.argv = ['corpusclean', *sys.argv[1:]]; cli()"
    assert frozen_at_exit(cli, "run", str(tmp_path / "in"), str(tmp_path / "out"), "-q") > 10_000
    assert (tmp_path / "out" / "page.txt").read_text() == "A line of text that stays.\n"


def test_a_program_using_the_library_keeps_its_collector(tmp_path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text("A line of text that stays.\n")
    library = f"from corpusclean import run; run({str(tmp_path / 'in')!r}, {str(tmp_path / 'out')!r})"
    assert frozen_at_exit(library) == 0


def test_the_exit_hook_is_registered_once() -> None:
    # calling it again (a program running several commands in one process) adds no hook
    body = ("import atexit; from corpusclean.heap import exit_without_collecting\n"
            "hooks = [atexit._ncallbacks()]\n"
            "for _ in range(2):\n"
            "    exit_without_collecting(); hooks.append(atexit._ncallbacks())\n"
            "print(*(count - hooks[0] for count in hooks), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", AT_EXIT.format(body=body)], capture_output=True, text=True, check=True)
    assert done.stderr.splitlines()[0] == "0 1 1"
