"""Worker processes: a function over items in input order, on forked workers, that survives
a worker dying, stops within seconds when asked, and never outlives the parent.

`ordered_map` is the only entry point. What it promises, and how:

- **Input order, bounded memory**: items go out in tasks through a sliding window (see
  `ordered_map`).
- **A dead worker costs only its own item.** When the system kills a worker (the out-of-memory
  killer, a document over its time budget stuck in C code), the pool breaks and every task in
  flight fails with it. Those tasks' items are run again one at a time in a pool of their own,
  so the item that kills a worker again is known for sure; it becomes `crashed(item, reason)`,
  and the run goes on with a new pool.
- **Stopping within seconds.** Ctrl-C or SIGTERM in the parent: the workers are told to stop
  (SIGTERM); a worker in the middle of a document unwinds it (a half-written output's
  temporary file is removed on the way out) and exits; one that does not exit within
  `STOP_GRACE` seconds (stuck in C code) is killed.
- **No orphans.** A worker exits when its parent dies, even by `kill -9` (Linux:
  `PR_SET_PDEATHSIG`; elsewhere a thread that watches the parent's pid).
- **A time budget that interrupts.** `time_budget(seconds)` raises `DocumentTimeout` in the
  running Python code (SIGALRM, in a worker or in the parent alike, again every second in case
  a library swallowed it); in a worker, where the process may die, a CPU-time backstop
  (SIGPROF, default action: terminate) ends C code that never returns to Python, and the
  crash handling above turns that into the item's failure.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from .heap import keep_freed_memory

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

#: seconds a stopping worker gets to unwind its document before it is killed
STOP_GRACE = 5.0
#: CPU seconds past its budget a document may take before its worker is killed (the soft
#: interrupt is tried every second meanwhile; this only ends C code that never yields)
HARD_GRACE = 10.0


class DocumentTimeout(BaseException):
    """A document ran past its time budget. A BaseException, like KeyboardInterrupt, so that
    library code catching `Exception` cannot swallow it and run on."""


class WorkerStopped(BaseException):
    """The worker was told to stop (the run was interrupted, or its parent died)."""


# -- the per-document time budget ------------------------------------------------------------

_IN_WORKER = False   # True in a forked worker: there the CPU-time backstop may kill the process
_BUDGET_RUNNING = False  # an alarm that comes when no budget runs (a race at its end) does nothing


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise DocumentTimeout in this thread if the body runs longer than `seconds` of wall
    time, and again every second until the body has unwound. Signals reach the main thread
    only: elsewhere (a caller's own thread) there is no budget."""
    global _BUDGET_RUNNING
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    # the handler stays installed after the body: an alarm already on its way finds
    # _BUDGET_RUNNING false and is ignored, where the default action would end the process
    if signal.getsignal(signal.SIGALRM) is not _time_is_up:
        signal.signal(signal.SIGALRM, _time_is_up)
    _BUDGET_RUNNING = True
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    if _IN_WORKER:
        signal.setitimer(signal.ITIMER_PROF, seconds + HARD_GRACE)
    try:
        yield
    finally:
        _disarm()


def _disarm() -> None:
    global _BUDGET_RUNNING
    while True:
        try:
            _BUDGET_RUNNING = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            if _IN_WORKER:
                signal.setitimer(signal.ITIMER_PROF, 0)
            return
        except DocumentTimeout:  # it came just as the body ended: disarm again
            continue


def _time_is_up(signum: int, frame: Any) -> None:
    if _BUDGET_RUNNING:
        raise DocumentTimeout


# -- the map ---------------------------------------------------------------------------------

def ordered_map(fn: Callable[[Any], Any], items: Iterable[Any], workers: int,
                per_task: int = 32, in_flight: int = 8,
                crashed: Callable[[Any, str], Iterable[Any]] | None = None,
                split: Callable[[Any], list[Any]] = lambda item: [item],
                max_memory: int | None = None, pool: Pool | None = None) -> Iterator[Any]:
    """fn over items, results in input order, on `workers` forked processes.

    Items go out in tasks of `per_task`, and at most `in_flight` tasks per worker are out at
    once: a sliding window, refilled as each result is taken, so the workers never wait for
    the slowest task of a batch or for the caller digesting a burst of results, and memory
    holds the window, never the input.

    When a worker dies, the items of every task lost with the pool are run again alone, in
    order; an item that kills a worker alone is `split` into smaller items (when it is a batch
    of documents) and those are run alone, and one that cannot be split yields
    `crashed(item, reason)` (without `crashed`, BrokenProcessPool propagates).

    `max_memory` caps what each worker adds to the address space it was forked with (bytes):
    what needs more raises MemoryError there, and fails that item instead of taking the
    machine's memory.

    With one worker everything runs here, in this process: no pool, nothing to crash, no cap.

    `pool`: the caller's pool (of `workers` workers), whose workers then keep what they built
    for the caller's next map (the pipeline runs both passes on one pool); it is stopped when
    the map fails or is stopped early, and otherwise left open for the caller to close.

    Why not `multiprocessing.Pool`: its worker-handler thread wakes on every result waiting
    in the result pipe without reading it, and spins until the result thread does; with the
    parent busy (the dedup index build), that spinning took about 0.5 s of CPU per 100 MB
    (measured per thread), on a machine where the parent shares the cores with the workers.
    `ProcessPoolExecutor`'s manager thread reads each result when it wakes."""
    if workers <= 1:
        yield from map(fn, items)  # one by one: a caller stopping early has seen every result made
        return
    window = workers * in_flight
    own = pool is None
    pool = pool if pool is not None else Pool(workers, max_memory)
    pending: deque[tuple[list[Any], Future[list[Any]], int]] = deque()
    try:
        for task in chunked(items, per_task):
            if len(pending) >= window:
                yield from _results(pool, pending, fn, crashed, split)
            pending.append((task, pool.submit(fn, task), pool.generation))
        while pending:
            yield from _results(pool, pending, fn, crashed, split)
    except BaseException:
        pool.stop()  # an error, Ctrl-C, the caller stopping early: stop within seconds
        raise
    if own:
        pool.close()


def _results(pool: Pool, pending: deque[tuple[list[Any], Future[list[Any]], int]], fn: Callable[[Any], Any],
             crashed: Callable[[Any, str], Iterable[Any]] | None, split: Callable[[Any], list[Any]]) -> Iterator[Any]:
    """The results of the oldest task in flight; when its worker died, those of its items run
    again one by one."""
    task, future, generation = pending.popleft()
    results: Iterable[Any]
    try:
        results = future.result()
    except BrokenProcessPool:
        if crashed is None:
            raise
        if generation == pool.generation:
            # the tasks behind this one were lost with the same pool: they come here in
            # turn and run alone too, while new tasks go to a new pool
            pool.renew()
        results = _run_alone(fn, task, crashed, split, pool.max_memory)
    yield from results


def _run_alone(fn: Callable[[Any], Any], items: list[Any], crashed: Callable[[Any, str], Iterable[Any]],
               split: Callable[[Any], list[Any]], max_memory: int | None) -> Iterator[Any]:
    """Each item on a worker of its own, one after another, so that a worker's death names
    the item that caused it."""
    solo = Pool(1, max_memory)
    queue = deque(items)
    try:
        while queue:
            item = queue.popleft()
            try:
                results = solo.submit(fn, [item]).result()
            except BrokenProcessPool:
                reason = solo.death()
                solo.renew()
                parts = split(item)
                if len(parts) > 1:
                    queue.extendleft(reversed(parts))
                    continue
                results = list(crashed(item, reason))
            yield from results
    except BaseException:
        solo.stop()
        raise
    solo.close()


def chunked(items: Iterable[Any], size: int, tail: tuple[int, int] | None = None) -> Iterator[list[Any]]:
    """Consecutive items in lists of `size` (the last one shorter); with `tail` (first item,
    size), the items from that one on in lists of that size (a list never straddles it)."""
    iterator = iter(items)
    first, small = tail if tail is not None else (0, size)
    done = 0
    while chunk := list(islice(iterator, min(size, first - done) if done < first else small)):
        done += len(chunk)
        yield chunk


class Pool:
    """A ProcessPoolExecutor of forked workers that can be replaced when broken, told to
    stop, and asked why its worker died."""

    def __init__(self, workers: int, max_memory: int | None = None):
        self.workers = workers
        self.max_memory = max_memory
        self.generation = 0  # counts renewals: a task lost with an old pool is not a new break
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_start_worker, initargs=(os.getpid(), self.max_memory))
        _widen_result_pipe(executor)
        return executor

    def submit(self, fn: Callable[[Any], Any], task: list[Any]) -> Future[list[Any]]:
        return self._executor.submit(_run_task, fn, task)

    def call(self, fn: Callable[[], Any], times: int = 1) -> list[Future[Any]]:
        """`fn()`, `times` times, queued behind the tasks submitted so far: the queue is first
        in, first out, so a worker calls it when no earlier task is left to take. Each call
        goes to whichever worker is free, so a worker whose call ends while the others are
        still busy may take the next one too: `fn` must be one a worker can run twice."""
        return [self._executor.submit(_run_call, fn) for _ in range(times)]

    def renew(self) -> None:
        """Replace a broken pool; its workers are already gone or going."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()
        self.generation += 1

    def death(self) -> str:
        """Why a worker of this (broken, one-worker) pool died, for the item's report."""
        # _processes is private, but the only place the exit code is kept; when it is not
        # there, say what is known
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        codes = [code for code in map(_exit_code, processes) if code]
        if not codes:
            return "the worker process cleaning it died"
        code = codes[0]
        if code < 0:
            name = signal.Signals(-code).name
            why = {"SIGKILL": "killed, perhaps by the system for lack of memory",
                   "SIGPROF": "stopped after running in C code past its --doc-timeout",
                   "SIGSEGV": "crashed in a library's C code"}.get(name, "killed")
            return f"the worker process cleaning it died ({why}; signal {name})"
        return f"the worker process cleaning it exited with status {code}"

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def stop(self) -> None:
        """Stop now: drop the tasks not started, tell the workers to stop, give them
        STOP_GRACE seconds to unwind the document in hand, then kill those still running."""
        # None once the executor has shut down (a pool stopped twice: by a map and its caller)
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.exitcode is None:
                _signal(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                _signal(process.pid, signal.SIGKILL)
                process.join(1.0)


#: bytes the pipe carrying the workers' results may hold before a worker writing to it waits
#: (Linux's default is 64 kB; 1 MB is what an unprivileged process may ask for)
RESULT_PIPE_BYTES = 1 << 20


def _widen_result_pipe(executor: ProcessPoolExecutor) -> None:
    """Let a worker's result go into the pipe whole and the worker on to its next task. With
    the default 64 kB, a result of a few hundred kB (a corpus-pass chunk's observations: 300 kB
    for 64 pages of the 20 MB bench corpus) is written in pieces, each waiting for the parent's
    thread that reads the pipe, which waits its turn for the interpreter lock while the parent
    absorbs observations: each worker of a 2-worker run waited about 40 ms in all for that
    (bench_workers.py --timeline, "sending results"). Where the system refuses (not Linux, or a
    user over the pipe memory it may use), the pipe stays as it is."""
    reader = getattr(getattr(executor, "_result_queue", None), "_reader", None)  # private: the one place it is
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if reader is None or setting is None:
        return
    try:
        fcntl.fcntl(reader.fileno(), setting, RESULT_PIPE_BYTES)
    except OSError:
        pass


def _exit_code(process: multiprocessing.process.BaseProcess, wait: float = 5.0) -> int | None:
    """The exit code of a worker that died, once it is known. The executor's own thread reaps
    the dead worker too (waitpid) and records the code a moment after: asked in that moment,
    our waitpid finds nothing to reap and `exitcode` is still None, so ask again until the
    code is recorded (by whichever thread reaped it) or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    process.join(wait)
    while process.exitcode is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return process.exitcode


def _signal(pid: int | None, signum: int) -> None:
    if pid is None:
        return
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


# -- in each worker --------------------------------------------------------------------------

_STOPPING = False
_BUSY = False   # True while the worker runs a task: a stop then unwinds it instead of exiting


def _start_worker(parent: int, max_memory: int | None = None) -> None:
    """In each worker, first thing. Ctrl-C reaches the whole process group; the parent alone
    decides what to do with it and tells the workers (SIGTERM). A worker follows its parent
    when that dies. Its memory is capped: a document that needs more fails alone (MemoryError)
    instead of pushing the machine into swap or the out-of-memory killer."""
    global _IN_WORKER
    _IN_WORKER = True
    if max_memory:
        import resource

        # on top of the address space the fork inherited: a parent's mappings the worker never
        # touches count there too (a process running Ray maps its 8 GB object store), and a
        # cap below them would fail the worker's first import
        limit = _address_space() + max_memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY
                                                else min(limit, hard), hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the time budget's backstop ends the process
    _follow_parent(parent)
    keep_freed_memory()  # the next document's memory comes without page faults (heap.py)


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where /proc does not say)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _follow_parent(parent: int) -> None:
    """SIGTERM this worker when the parent dies, however it dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        watched = libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        watched = False
    if os.getppid() != parent:  # the parent died before the watch was set
        os._exit(1)
    if not watched:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _stop(signum: int, frame: Any) -> None:
    global _STOPPING
    _STOPPING = True
    if _BUSY:
        raise WorkerStopped  # unwind the document in hand: its temporary files are removed
    os._exit(1)


def _run_call(fn: Callable[[], Any]) -> Any:
    if _STOPPING:
        os._exit(1)
    return fn()


def _run_task(fn: Callable[[Any], Any], task: list[Any]) -> list[Any]:
    global _BUSY
    if _STOPPING:
        os._exit(1)
    _BUSY = True
    try:
        return [fn(item) for item in task]
    except WorkerStopped:
        os._exit(1)  # unwound; the parent is stopping or gone and wants no result
    finally:
        _BUSY = False
