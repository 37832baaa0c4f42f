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
import pickle
import select
import signal
import struct
import threading
import time
from _signal import getsignal as raw_getsignal  # type: ignore[import-not-found]  # see time_budget
from collections import deque
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


class BrokenProcessPool(RuntimeError):
    """A worker of the pool died, or the pool was stopped, while a task was out: its results
    will not come. Named after `concurrent.futures.process`'s, which says the same of its pool,
    and not imported from there: that module and what it brings (logging,
    multiprocessing.connection, queue) cost the parent of a run on several workers about
    0.01 CPU-s before its workers fork, alone on the cores, for one class."""


# -- the per-document time budget ------------------------------------------------------------

_IN_WORKER = False   # True in a forked worker: there the CPU-time backstop may kill the process
_MAX_MEMORY: int | None = None  # in a worker: the bytes it may add to its address space (`_start_worker`)
_BUDGET_RUNNING = False  # an alarm that comes when no budget runs (a race at its end) does nothing


class time_budget:
    """`with time_budget(seconds):` raise DocumentTimeout in this thread if the body runs longer
    than `seconds` of wall time, and again every second until the body has unwound. Signals
    reach the main thread only: elsewhere (a caller's own thread) there is no budget.

    A class rather than a @contextmanager generator: a run enters a budget six times a page
    (11,520 times on 1,920 pages), and the generator's machinery was a third of what one cost."""

    __slots__ = ("_armed",)

    def __init__(self, seconds: float | None) -> None:
        self._armed = seconds if seconds and threading.current_thread() is threading.main_thread() else None

    def __enter__(self) -> None:
        global _BUDGET_RUNNING
        seconds = self._armed
        if seconds is None:
            return
        # the handler stays installed after the body: an alarm already on its way finds
        # _BUDGET_RUNNING false and is ignored, where the default action would end the process.
        # Asked of _signal, what the signal module wraps: signal.getsignal returns the same
        # handler but first tries to make it a Handlers enum, which for a function raises and
        # catches a ValueError (7 of the 10 microseconds a budget cost)
        if raw_getsignal(signal.SIGALRM) is not _time_is_up:
            signal.signal(signal.SIGALRM, _time_is_up)
        _BUDGET_RUNNING = True
        signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
        if _IN_WORKER:
            signal.setitimer(signal.ITIMER_PROF, seconds + HARD_GRACE)

    def __exit__(self, *exc: object) -> None:
        if self._armed is not None:
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
    This module's `Pool` has no thread: results are read when the caller asks for one."""
    if workers <= 1:
        yield from map(fn, items)  # one by one: a caller stopping early has seen every result made
        return
    window = workers * in_flight
    own = pool is None
    pool = pool if pool is not None else Pool(workers, max_memory)
    pending: deque[tuple[list[Any], Pending, int]] = deque()
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


def _results(pool: Pool, pending: deque[tuple[list[Any], Pending, int]], fn: Callable[[Any], Any],
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
    """Forked workers that take tasks from one pipe in turn (a free worker takes the next
    task, so none waits while another has work queued) and send their results back on a pipe
    of their own. No thread in this process: tasks are written and results read when the
    caller submits or asks for a result (see `Crew`). A broken pool (a worker died) can be
    replaced, told to stop, and asked why its worker died.

    Why not `ProcessPoolExecutor`: its two threads in this process (one pickling tasks into the
    call queue, one reading results and waking the caller) took 72-91 ms of the parent's CPU
    in a 2-worker run of the 20 MB bench corpus, passing each task and result from thread to
    thread; and its workers only take tasks: here a worker can also be told what to do when
    it finds no task left (`when_idle`)."""

    def __init__(self, workers: int, max_memory: int | None = None):
        self.workers = workers
        self.max_memory = max_memory
        self.generation = 0  # counts renewals: a task lost with an old pool is not a new break
        self._crew: Crew | None = None   # forked on the first task
        self._retired: list[Crew] = []   # broken crews whose workers are still going

    def _started(self) -> Crew:
        if self._crew is None:
            self._crew = Crew(self.workers, self.max_memory)
        return self._crew

    def submit(self, fn: Callable[[Any], Any], task: list[Any]) -> Pending:
        """`[fn(item) for item in task]` on the next free worker."""
        return self._started().send(fn, task)

    def when_idle(self, fn: Callable[[], Any]) -> None:
        """Have each worker call `fn()` once: as soon as it finds no task left to take (at
        once if it has none), and at the latest before it runs a task submitted after this
        call; nothing comes back, and what fails in it is ignored. For work each worker must
        do before the tasks that follow (the pipeline's getting ready for pass 2), done while
        it would otherwise only wait for them."""
        self._started().tell_each(fn)

    def renew(self) -> None:
        """Replace a broken pool: its workers are told to stop (they are gone or going) and
        reaped when this pool closes or stops."""
        if self._crew is not None:
            self._crew.end()
            self._retired.append(self._crew)
        self._crew = None
        self.generation += 1

    def death(self) -> str:
        """Why a worker of this (broken, one-worker) pool died, for the item's report."""
        code = self._crew.dead_code() if self._crew is not None else None
        if not code:
            return "the worker process cleaning it died"
        if code < 0:
            name = signal.Signals(-code).name
            why = {"SIGKILL": "killed, perhaps by the system for lack of memory",
                   "SIGPROF": "stopped after running in C code past its --doc-timeout",
                   "SIGSEGV": "crashed in a library's C code"}.get(name, "killed")
            return f"the worker process cleaning it died ({why}; signal {name})"
        return f"the worker process cleaning it exited with status {code}"

    def close(self, wait: bool = True) -> None:
        """Let the workers finish and exit; wait for them, or (`wait` false) leave their exit
        to them: each has been told to exit, and has no task left; their processes are
        reaped when this process starts another or exits (multiprocessing does). A worker's
        exit takes a few tens of milliseconds (the system takes its memory back), which the
        caller may spend writing its summary instead of waiting."""
        if self._crew is not None:
            self._crew.close(wait)
            self._crew = None
        self._reap(STOP_GRACE)

    def stop(self) -> None:
        """Stop now: drop the tasks not started, tell the workers to stop, give them
        STOP_GRACE seconds to unwind the document in hand, then kill those still running."""
        if self._crew is not None:
            self._crew.end()
            self._retired.append(self._crew)
            self._crew = None
        self._reap(STOP_GRACE)

    def _reap(self, grace: float) -> None:
        deadline = time.monotonic() + grace
        for crew in self._retired:
            crew.reap(deadline)
        self._retired.clear()


class Pending:
    """A task sent to a worker: `result()` waits for it (reading whatever the workers send
    meanwhile) and gives its results, or raises what it raised, or BrokenProcessPool when a
    worker died before it came back."""

    __slots__ = ("_crew", "done", "_ok", "_payload", "_pickled")

    def __init__(self, crew: Crew):
        self._crew = crew
        self.done = False
        self._ok = False
        self._payload: Any = None
        self._pickled = False

    def _finish(self, ok: bool, payload: Any) -> None:
        """Done: `payload` is the results' pickle (unpickled when they are asked for, in
        order) or the exception."""
        self.done, self._ok, self._payload, self._pickled = True, ok, payload, ok

    def result(self) -> Any:
        while not self.done:
            self._crew.pump(wait=True)  # finishes it, or breaks the crew (which fails it)
        if not self._ok:
            raise self._payload
        if self._pickled:
            self._payload, self._pickled = pickle.loads(self._payload), False
        return self._payload


#: a message on a pipe: its pickle's length, the task's number (-1: none), whether it is a
#: result (1) or an exception (0); then the pickle
HEADER = struct.Struct("<QqB")
#: bytes a pipe may hold before its writer waits (Linux's default is 64 kB; 1 MB is what an
#: unprivileged process may ask for)
PIPE_BYTES = 1 << 20
#: the file descriptors this process holds for the crews it has forked: a worker forked
#: later closes them, so that nothing but the parent holds the parent's ends
_PARENT_FDS: set[int] = set()


class Member:
    """One worker of a crew, as the parent sees it, and the message it is sending: read
    straight into a buffer of its size (a result of pass 1 is a few hundred kB, a task's lines
    of JSONL records more), without a copy on the way to unpickling it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, results: int, control: int):
        self.process = process
        self.results = results          # read end of its results pipe
        self.control = control          # write end of its control pipe
        self.gone = False               # its results pipe reached its end
        self.head = bytearray(HEADER.size)
        self.body: bytearray | None = None  # the message being read, once its header is
        self.got = 0                    # bytes of the header, then of the body, read so far
        self.number = self.ok = 0


class Crew:
    """The workers of one generation of a Pool and the pipes to them; everything here runs in
    the parent's own thread, when the caller sends a task or waits for a result (`pump`).

    Tasks go into one pipe that every worker reads from, a whole message at a time under a
    lock; each worker writes its results into a pipe of its own, which the parent reads
    without ever blocking on half a message (a worker dying in the middle of one leaves the
    half in its own pipe, and its end of the pipe closed). A worker's exit is seen on its
    sentinel: any worker exiting before the crew is closed breaks it, and every task not
    back fails with BrokenProcessPool, as `ProcessPoolExecutor` does (ordered_map then runs
    them again one by one). Each worker has a control pipe too, for what it does when it finds
    no task left (`tell_each`) and for being told to exit."""

    def __init__(self, count: int, max_memory: int | None):
        context = multiprocessing.get_context("fork")
        tasks_read, self.tasks = os.pipe()
        _widen(self.tasks)
        self.take = context.Lock()
        self.members: list[Member] = []
        self.pending: dict[int, Pending] = {}
        self.numbers = 0
        self.outbox = bytearray()   # task bytes the pipe had no room for yet
        self.closing = False
        self.broken: Member | None = None
        self.poll = select.poll()
        self.watching = False       # the poll waits for room in the task pipe
        parent = os.getpid()
        _PARENT_FDS.add(self.tasks)
        try:
            for _ in range(count):
                results_read, results_write = os.pipe()
                _widen(results_write)
                control_read, control_write = os.pipe()
                _PARENT_FDS.update((results_read, control_write))
                process = context.Process(target=_work, name="corpusclean-worker",
                                          args=(parent, max_memory, tasks_read, self.take, control_read, results_write))
                member = Member(process, results_read, control_write)
                try:
                    process.start()
                except BaseException:  # a fork refused (no memory, a process limit): end those forked
                    for fd in (results_read, control_write):
                        _PARENT_FDS.discard(fd)
                        os.close(fd)
                    self.end()
                    self.reap(time.monotonic() + STOP_GRACE)
                    raise
                finally:
                    os.close(results_write)
                    os.close(control_read)
                os.set_blocking(results_read, False)
                self.members.append(member)
                self.poll.register(results_read, select.POLLIN)
                self.poll.register(process.sentinel, select.POLLIN)
        finally:
            os.close(tasks_read)
        os.set_blocking(self.tasks, False)
        self.by_fd = {member.results: member for member in self.members}
        self.by_sentinel = {member.process.sentinel: member for member in self.members}

    # -- sending -----------------------------------------------------------------------------
    def send(self, fn: Callable[[Any], Any], task: list[Any]) -> Pending:
        pending = Pending(self)
        if self.broken is not None or self.closing:
            pending._finish(False, BrokenProcessPool("a worker of this pool died"))
            return pending
        number = self.numbers
        self.numbers += 1
        payload = pickle.dumps((fn, task), pickle.HIGHEST_PROTOCOL)
        self.outbox += HEADER.pack(len(payload), number, 1)
        self.outbox += payload
        self.pending[number] = pending
        self._flush()
        return pending

    def tell_each(self, fn: Callable[[], Any]) -> None:
        # with the number of the next task: a worker calls fn before that task or any later
        payload = pickle.dumps((self.numbers, fn), pickle.HIGHEST_PROTOCOL)
        for member in self.members:
            try:
                _write_all(member.control, HEADER.pack(len(payload), -1, 1) + payload)
            except OSError:  # it died: the next pump says so
                pass

    def _flush(self) -> None:
        """Write what the task pipe has room for; the rest waits for the next pump."""
        while self.outbox:
            try:
                written = os.write(self.tasks, self.outbox)
            except BlockingIOError:
                break
            del self.outbox[:written]
        if bool(self.outbox) != self.watching:  # wait for room in the pipe while tasks wait
            if self.outbox:
                self.poll.register(self.tasks, select.POLLOUT)
            else:
                self.poll.unregister(self.tasks)
            self.watching = bool(self.outbox)

    # -- receiving ---------------------------------------------------------------------------
    def pump(self, wait: bool) -> None:
        """Write queued tasks and read results as the pipes allow; with `wait`, first wait
        until something can be done. Notices a worker's exit: before the crew is closed, that
        breaks it."""
        if not self.by_fd and not self.by_sentinel:  # every worker gone: nothing will come
            self._break(None)
            return
        for fd, _ in self.poll.poll(None if wait else 0):
            if fd == self.tasks:
                self._flush()
            elif fd in self.by_fd:
                self._read(self.by_fd[fd])
            elif fd in self.by_sentinel:
                member = self.by_sentinel.pop(fd)
                self.poll.unregister(fd)
                self._read(member)  # what it sent before it exited comes first
                if not self.closing:
                    self._break(member)

    def _read(self, member: Member) -> None:
        """Read what `member` sent until its pipe is empty for now, or ended, finishing each
        task whose results are whole."""
        while not member.gone:
            into = memoryview(member.head if member.body is None else member.body)[member.got:]
            try:
                count = os.readv(member.results, [into]) if into else 0
            except BlockingIOError:
                return
            if into and not count:
                member.gone = True
                self.poll.unregister(member.results)
                del self.by_fd[member.results]
                return
            member.got += count
            if member.body is None:
                if member.got < HEADER.size:
                    continue
                size, member.number, member.ok = HEADER.unpack(member.head)
                member.body, member.got = bytearray(size), 0
                if size:
                    continue
            elif member.got < len(member.body):
                continue
            body, member.body, member.got = member.body, None, 0
            pending = self.pending.pop(member.number, None)
            if pending is not None:
                pending._finish(bool(member.ok), body if member.ok else _remote_error(body))

    def _break(self, member: Member | None) -> None:
        if self.broken is None:
            self.broken = member or self.members[0]
        error = BrokenProcessPool("a worker process died while its tasks were running")
        for pending in self.pending.values():
            pending._finish(False, error)
        self.pending.clear()
        self.outbox.clear()

    def dead_code(self) -> int | None:
        """The exit code of the worker whose death broke this crew, once it is known."""
        if self.broken is None:
            for member in self.members:  # not noticed yet: look
                if member.process.exitcode is not None:
                    self.broken = member
                    break
            else:
                return None
        return _exit_code(self.broken.process)

    # -- ending ------------------------------------------------------------------------------
    def close(self, wait: bool = True) -> None:
        """Tell each worker to exit once no task is left, and (`wait`) wait for them."""
        while self.outbox and self.broken is None:
            self.pump(wait=True)
        self.closing = True
        for member in self.members:
            try:
                _write_all(member.control, HEADER.pack(0, -2, 1))
            except OSError:  # it is gone already
                pass
        if wait:
            self.reap(time.monotonic() + STOP_GRACE)
        else:
            self.let_go()

    def end(self) -> None:
        """Drop the tasks not started and tell the workers to stop now (SIGTERM: one in the
        middle of a document unwinds it); `reap` waits for them."""
        self.closing = True
        self.outbox.clear()
        error = BrokenProcessPool("the pool was stopped")
        for pending in self.pending.values():
            pending._finish(False, error)
        self.pending.clear()
        for member in self.members:
            if member.process.exitcode is None:
                _signal(member.process.pid, signal.SIGTERM)

    def reap(self, deadline: float) -> None:
        """Wait until `deadline` for the workers to exit, kill those still running, and let go
        of the pipes."""
        for member in self.members:
            process = member.process
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                _signal(process.pid, signal.SIGKILL)
                process.join(1.0)
        self.let_go()

    def let_go(self) -> None:
        """Close this process's ends of the pipes."""
        for fd in [self.tasks, *(fd for member in self.members for fd in (member.results, member.control))]:
            if fd in _PARENT_FDS:
                _PARENT_FDS.discard(fd)
                os.close(fd)
        self.members = []


def _widen(fd: int) -> None:
    """Let a pipe hold a whole task or result: with Linux's default 64 kB, a result of a few
    hundred kB (a corpus-pass chunk's observations: 300 kB for 64 pages of the 20 MB bench
    corpus) goes in pieces, each waiting for the parent to read the one before, which it does
    between absorbing observations: each worker of a 2-worker run waited about 40 ms in all
    for that (bench_workers.py --timeline, "sending results"). Where the system refuses (not
    Linux, or a user over the pipe memory it may use), the pipe stays as it is."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setting is None:
        return
    try:
        fcntl.fcntl(fd, setting, PIPE_BYTES)
    except OSError:
        pass


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class RemoteTraceback(Exception):
    """Where in a worker an exception was raised (set as its __cause__ in the parent)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _remote_error(payload: bytes | bytearray) -> BaseException:
    error: BaseException
    error, where = pickle.loads(payload)
    error.__cause__ = RemoteTraceback(where)
    return error


def _exit_code(process: multiprocessing.process.BaseProcess, wait: float = 5.0) -> int | None:
    """The exit code of a worker that died (None if it has not exited within `wait` s)."""
    process.join(wait)
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
    global _IN_WORKER, _MAX_MEMORY
    _IN_WORKER, _MAX_MEMORY = True, max_memory
    if max_memory:
        # on top of the address space the fork inherited: a parent's mappings the worker never
        # touches count there too (a process running Ray maps its 8 GB object store), and a
        # cap below them would fail the worker's first import
        _cap_memory(max_memory)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the time budget's backstop ends the process
    _follow_parent(parent)
    keep_freed_memory()  # the next document's memory comes without page faults (heap.py)


def _cap_memory(max_memory: int) -> None:
    """Cap this process's address space at what it has now plus `max_memory` bytes (the soft
    limit: the hard one stays, so the cap can be lifted again)."""
    import resource

    limit = _address_space() + max_memory
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


@contextmanager
def memory_cap_lifted() -> Iterator[None]:
    """In a worker with a memory cap: no cap for the body (work for the whole run, not for one
    document: the pipeline's building of the corpus state), then the cap again on top of what
    the process holds by then (the C heap keeps what the body freed: heap.py). Elsewhere
    nothing changes."""
    if not (_IN_WORKER and _MAX_MEMORY):
        yield
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        yield
    finally:
        _cap_memory(_MAX_MEMORY)


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


def _work(parent: int, max_memory: int | None, tasks: int, take: Any, control: int, results: int) -> None:
    """A worker's life: take the next task (or, with none left, what the control pipe says),
    run it, send its results, until told to exit."""
    for fd in _PARENT_FDS:  # the parent's ends of every crew's pipes: only the parent holds them
        os.close(fd)
    _PARENT_FDS.clear()
    _start_worker(parent, max_memory)
    either, task_pipe = select.poll(), select.poll()
    either.register(tasks, select.POLLIN)
    either.register(control, select.POLLIN)
    task_pipe.register(tasks, select.POLLIN)
    calls: list[tuple[int, Callable[[], Any]]] = []  # when_idle calls not made yet: (next task, fn)
    control_pipe = select.poll()
    control_pipe.register(control, select.POLLIN)
    while True:
        if calls and not task_pipe.poll(0):  # idle, with calls read before a task: made now
            _make_calls(calls, None)
        number, message = _take(either, task_pipe, tasks, take, control)
        if number == -2 or message is None:  # told to exit, or the parent is gone
            return
        if number == -1:  # a when_idle call, read with no task left: made now, unless the
            calls.append(pickle.loads(message))  # pool was closed meanwhile (it needs it no more)
            if _read_calls(control_pipe, control, calls):
                return
            _make_calls(calls, None)
            continue
        # a task: the when_idle calls sent before it come first (they wait in the control
        # pipe, which is read only when no task is left)
        stop = _read_calls(control_pipe, control, calls)  # told to exit: after this task
        _make_calls(calls, number)
        try:
            fn, task = pickle.loads(message)
            answer, ok = pickle.dumps(_run_task(fn, task), pickle.HIGHEST_PROTOCOL), 1
        except BaseException as error:  # as ProcessPoolExecutor does: the caller decides
            answer, ok = _pickled_error(error), 0
        try:
            _send(results, number, ok, answer)
        except OSError:  # the parent let go of the pipe: it is stopping, and wants nothing more
            return
        if stop:
            return


def _read_calls(control_pipe: Any, control: int, calls: list[tuple[int, Callable[[], Any]]]) -> bool:
    """Add the when_idle calls waiting in the control pipe to `calls`; True when the pipe
    also says to exit (or the parent is gone)."""
    while control_pipe.poll(0):
        number, call = _receive(control)
        if number != -1 or call is None:
            return True
        calls.append(pickle.loads(call))
    return False


def _make_calls(calls: list[tuple[int, Callable[[], Any]]], before: int | None) -> None:
    """Make the when_idle calls sent before task `before` (None: all of them), once each;
    what fails in one is left for the work it prepares to meet again."""
    for entry in [entry for entry in calls if before is None or entry[0] <= before]:
        calls.remove(entry)
        try:
            _run_call(entry[1])
        except Exception:
            pass


def _take(either: Any, task_pipe: Any, tasks: int, take: Any, control: int) -> tuple[int, bytes | None]:
    """The next message for this worker: a task from the pipe all workers share (whole,
    under their lock) when one is there, else one from its control pipe; waits for either.
    (None: the pipe ended: the parent is gone.)"""
    while True:
        ready = {fd for fd, _ in either.poll()}
        if tasks in ready:
            with take:  # another worker may have taken it meanwhile: look again, holding the lock
                if task_pipe.poll(0):
                    return _receive(tasks)
            continue
        if control in ready:
            return _receive(control)


def _receive(fd: int) -> tuple[int, bytes | None]:
    head = _read_exactly(fd, HEADER.size)
    if head is None:
        return -2, None
    size, number, _ = HEADER.unpack(head)
    return number, _read_exactly(fd, size) if size else b""


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = []
    while size:
        part = os.read(fd, size)
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _send(results: int, number: int, ok: int, answer: bytes) -> None:
    """A task's results to the parent: the header and the pickle in one system call where
    the pipe has room, without joining them into a copy first."""
    head = HEADER.pack(len(answer), number, ok)
    written = os.writev(results, [head, answer])
    if written < len(head):
        _write_all(results, head[written:])
        written = len(head)
    _write_all(results, memoryview(answer)[written - len(head):])


def _pickled_error(error: BaseException) -> bytes:
    """The exception and where it was raised, for the parent: or, when it cannot be pickled,
    a RuntimeError that says what it was."""
    import traceback

    where = "".join(traceback.format_exception(error))
    try:
        return pickle.dumps((error, where), pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps((RuntimeError(f"{type(error).__name__}: {error}"), where), pickle.HIGHEST_PROTOCOL)


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
