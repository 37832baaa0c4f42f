#!/usr/bin/env python3
"""What a run on 2 workers costs in CPU beyond what the same run costs on 1, process by
process, part by part.

    python3 benchmarks/bench_workers.py                          # 20 MB bench corpus, folder and JSONL, 3 runs each
    python3 benchmarks/bench_workers.py --repeat 1 --only folder
    python3 benchmarks/bench_workers.py --baseline /tmp/base-27fe3ad   # the extra CPU against another checkout's
    python3 benchmarks/bench_workers.py --timeline --only folder    # where the wall time goes, worker by worker

Issue #11 wants 2 workers to finish in <= 0.55x the wall time of one. On 2 idle cores the
CPU allows at best (before + (cpu2 - before) / 2) / cpu1 of it, where `before` is what the
parent pays before the passes start, alone: the ratio can only be met when cpu2 <= 1.1 cpu1 -
before, so what the workers of a 2-worker run spend beyond the one process of a 1-worker run
counts twice over. This script finds where that extra goes.

Each run is `corpusclean run IN OUT` in a fresh interpreter, with a CPU timer around each part
(bench_run.py's `install_part_timer`: reading, the fix stage, each stage's passes, the report,
writing, and here also pass 1's spill, pass 2's unspill and the JSONL record encoding). The
timers are installed before the pools fork, so each worker times its own parts, and sends them
with its `getrusage` (CPU, minor page faults: a copy-on-write copy or a first touch of a page
is one) when it exits. Every task a process runs (a chunk of pass 1, a batch of pass 2) is
timed too, with the documents it holds, so a 2-worker run's task can be set beside the same
documents' task in the 1-worker run: the difference, by the task's place in its worker's
sequence, shows what a worker pays on its first pages (memos, caches and patterns it finds
cold) apart from what it pays on every page.

What it prints, medians over --repeat runs of each (1 and 2 workers take turns):
  parts        CPU-s per part in all processes of the 1-worker run, of the 2-worker run, and
               the difference; for the 2-worker run also the parent's and the workers'
  processes    each process of a 2-worker run: CPU (user, system), in its tasks, outside them
               (receiving tasks, sending results, the fork's own start), minor page faults
  cold start   the 2-worker tasks' CPU beyond the same documents' in the 1-worker run, summed
               over each worker's first task of a pass, its next 3, and the rest (per task on average)
  shutdown     the CPU the parent spends after its last figures, in its interpreter's shutdown
               (the driver's getrusage of all its children, less what every process reported)
  wall ratio   the ratio of wall times this CPU allows on 2 idle cores, and what puts it above
               0.5: the parent alone before and after the passes, the CPU the 2-worker run spends
               beyond the 1-worker run outside tasks, in its workers' first tasks (cold start),
               in the rest (see `ratio_account`); a bound, not a measured time (--timeline
               measures where the wall time goes, idle waits included)

With --timeline, no part timers and no memo counting (the run as it is, but for a clock read
around each task): the wall time of each run, from the driver launching the interpreter to its
exit, split for each process that ran tasks (each worker; with 1 worker the parent) into what
it spent in tasks and where it waited: before the passes (the parent alone, importing and
building), its start-up, between its tasks (sending a result, taking the next task), at the
end of each pass for the other worker's last task, between the passes (one worker building
the corpus state and writing the hand-over, while the other gets ready; then each taking it,
in its first task of pass 2), and after the passes (the parent alone: closing the pool, the
summary, its shutdown). The phases add up to the wall time; the wall times mean something
only on an idle machine, so the load average is printed beside them.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DEFAULT_CORPUS = Path(tempfile.gettempdir()) / "corpusclean-bench-run-20mb"


# -- in the measured interpreter -------------------------------------------------------------------

def child(source: Path, target: Path, workers: int, report: Path, parts: bool = True) -> None:
    """One run, timed part by part in every process (without `parts`: its tasks and moments
    only, as a run is without the timers); each process appends its figures, a JSON line, to
    `report`."""
    import multiprocessing.util

    from bench_run import PartTimer, install_part_timer, run_cli

    timer = install_part_timer() if parts else PartTimer()
    from corpusclean import pipeline, workers as workers_module

    for attr, label in (("spill", "spill (pass 1)"), ("unspill", "unspill (pass 2)"), ("_encoded", "encode record")):
        original = getattr(pipeline, attr, None)
        if original is not None and parts:
            setattr(pipeline, attr, timer.wrap(label, original))
    # per task run here: pass, first document, documents, CPU-s, minor faults, and its start
    # and end on the system's monotonic clock (the same in every process: the timeline)
    tasks: list[list[Any]] = []
    moments: dict[str, float] = {}  # what happened when, on that clock (first time only)
    spent: dict[str, float] = {}  # and this process's CPU-s by then

    def mark(name: str) -> None:
        moments.setdefault(name, time.monotonic())
        spent.setdefault(name, time.process_time())

    def task_timer(kind: str, fn: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
        @functools.wraps(fn)  # pickled by name to the workers, who find this same wrapper there
        def timed(items: list[Any]) -> Any:
            began, started, faults = time.monotonic(), time.process_time(), minor_faults()
            try:
                return fn(items)
            finally:
                tasks.append([kind, items[0][0] if items else -1, len(items), time.process_time() - started,
                              minor_faults() - faults, began, time.monotonic()])
        return timed

    def marked(before: str, after: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            mark(before)
            try:
                return fn(*args, **kwargs)
            finally:
                mark(after)
        return timed

    def waited(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn`, its wall time added up under `label` in `moments` (a worker's loop: taking a
        task from the pipe, blocking while it is empty; sending a task's results)."""
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began, switches = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
            try:
                return fn(*args, **kwargs)
            finally:
                moments[label] = moments.get(label, 0.0) + time.monotonic() - began
                # the times it blocked (a full pipe, an empty queue): voluntary context
                # switches, which the machine's load does not make, unlike the wall time
                blocked = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - switches
                moments[f"{label}, blocked"] = moments.get(f"{label}, blocked", 0) + blocked
        return timed

    # a worker's loop around its tasks (workers._work): taking the next task from the pipe
    # (waiting while there is none), sending each task's results; in a checkout from before
    # the pool had a loop of its own (9c0ed98 and earlier): ProcessPoolExecutor's call queue and result sending
    if hasattr(workers_module, "_take"):
        loop: list[tuple[Any, str, str]] = [(workers_module, "_send", "results"), (workers_module, "_take", "tasks")]
    else:
        import concurrent.futures.process as executor_module
        import multiprocessing.queues
        loop = [(executor_module, "_sendback_result", "results"), (multiprocessing.queues.Queue, "get", "tasks")]
    for owner, attr, what in loop:
        if parts:
            label = "send a task's results (worker)" if what == "results" else "take a task (worker)"
            setattr(owner, attr, timer.wrap(label, getattr(owner, attr)))
        else:
            setattr(owner, attr, waited(f"sum: {'sending results' if what == 'results' else 'taking tasks'}",
                                        getattr(owner, attr)))
    misses = count_misses() if parts else (lambda raw=False: {})
    pipeline._observe = task_timer("pass 1", pipeline._observe)
    pipeline._process = task_timer("pass 2", pipeline._process)
    for attr, name in (("run_corpus", "passes"), ("_build_handover", "corpus state built"),
                       ("_hand_over", "hand-over written"),
                       ("_take_handover", "hand-over taken"), ("_get_ready", "got ready")):
        if hasattr(pipeline, attr):
            setattr(pipeline, attr, marked(f"{name}: start", f"{name}: end", getattr(pipeline, attr)))

    def dump(role: str) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures = {"role": role, "children": children.ru_utime + children.ru_stime, "pid": os.getpid(), "user": usage.ru_utime, "system": usage.ru_stime,
                   "minflt": usage.ru_minflt, "maxrss_mb": usage.ru_maxrss / 1024, "majflt": usage.ru_majflt, "parts": timer.seconds, "tasks": tasks,
                   "misses": misses(), "moments": moments, "spent": spent}
        with open(report, "a") as out:
            out.write(json.dumps(figures) + "\n")

    original_start = workers_module._start_worker

    def start_worker(*args: Any, **kwargs: Any) -> None:
        # a fork starts with a copy of the parent's figures and a clock at zero: its own from here
        timer.seconds.clear()
        timer._stack.clear()
        tasks.clear()
        moments.clear()
        spent.clear()
        mark("forked")
        misses.since_fork = misses(raw=True)  # type: ignore[attr-defined]
        original_start(*args, **kwargs)
        multiprocessing.util.Finalize(None, dump, args=("worker",), exitpriority=100)

    workers_module._start_worker = start_worker
    run_cli(source, target, workers)
    for process in multiprocessing.active_children():  # the run leaves its workers' exit to them
        process.join()  # (Pool.close(wait=False)); the interpreter's exit would join them here
    dump("parent")


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def count_misses() -> Callable[..., dict[str, int]]:
    """A function giving this process's memo misses so far: per memo class, the answers a
    TextMemo had to compute (`keep`); per lru_cache'd corpusclean function, its misses.
    Deterministic, unlike CPU: the same documents in two workers instead of one show here
    as the answers each worker computes for itself."""
    from corpusclean.memo import TextMemo

    kept: dict[str, int] = {}
    original_keep = TextMemo.keep

    def keep(self: Any, key: Any, text: str, value: Any) -> Any:
        name = f"memo {type(self).__name__}"
        kept[name] = kept.get(name, 0) + 1
        return original_keep(self, key, text, value)

    TextMemo.keep = keep  # type: ignore[method-assign]
    caches = {f"lru {module.__name__.removeprefix('corpusclean.')}.{name}": value
              for module in list(sys.modules.values()) if module is not None and module.__name__.startswith("corpusclean")
              for name, value in list(vars(module).items()) if hasattr(value, "cache_info")
              and getattr(value, "__module__", None) == module.__name__}

    def misses(raw: bool = False) -> dict[str, int]:
        now = {**kept, **{name: cache.cache_info().misses for name, cache in caches.items()}}
        if raw:
            return now
        start = getattr(misses, "since_fork", {})
        return {name: count - start.get(name, 0) for name, count in now.items() if count - start.get(name, 0)}

    return misses


# -- the driver -----------------------------------------------------------------------------------

def run_child(source: Path, workers: int, scratch: Path, checkout: Path | None,
              parts: bool = True) -> list[dict[str, Any]]:
    """The figures of every process of one run (the parent's last, with the moments the
    interpreter was launched and had exited)."""
    report = scratch / f"figures-{len(list(scratch.iterdir()))}.jsonl"
    target = scratch / f"out-{len(list(scratch.iterdir()))}{'.jsonl' if source.is_file() else ''}"
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout / "src"), *filter(None, [env.get("PYTHONPATH")])])
    launched, spent = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, __file__, "--child", str(source), str(target), str(workers), str(report),
                    "parts" if parts else "tasks"], check=True, env=env)
    ended, now = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = sorted((json.loads(line) for line in report.read_text().splitlines()),
                       key=lambda p: p["role"] == "parent")
    processes[-1]["moments"].update({"launched": launched, "exited": ended})
    # every process of the run, their exits included (the parent's interpreter shutdown)
    processes[-1]["tree"] = now.ru_utime + now.ru_stime - spent.ru_utime - spent.ru_stime
    return processes


def cpu(process: dict[str, Any]) -> float:
    return float(process["user"] + process["system"])


def pass_of(process: dict[str, Any]) -> str:
    kinds = {task[0] for task in process["tasks"]}
    return "parent" if process["role"] == "parent" else "/".join(sorted(kinds)) or "idle"


def parts_by(processes: list[dict[str, Any]], which: Callable[[dict[str, Any]], bool]) -> dict[str, float]:
    """CPU-s per part over the chosen processes; `(outside the timed parts)` is the rest."""
    total: dict[str, float] = {}
    for process in processes:
        if not which(process):
            continue
        for label, seconds in process["parts"].items():
            total[label] = total.get(label, 0.0) + seconds
        total["(outside the timed parts)"] = (total.get("(outside the timed parts)", 0.0) + cpu(process)
                                              - sum(process["parts"].values()))
    return total


def task_cpu(processes: list[dict[str, Any]]) -> dict[tuple[str, int], float]:
    """CPU-s of each aligned group of documents' tasks, over all processes: (pass, first
    document of its 32) -> seconds (pass 2's tail splits a batch of 32 in four)."""
    spent: dict[tuple[str, int], float] = {}
    for process in processes:
        for kind, first, _, seconds, *_ in process["tasks"]:
            key = (kind, first - first % 32)
            spent[key] = spent.get(key, 0.0) + seconds
    return spent


def cold_start(one: list[dict[str, Any]], two: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per pass and place in a worker's sequence of that pass's tasks (first, next 3, the rest):
    [extra CPU-s summed over the workers, tasks]. Pass 1 runs chunks of 64 documents, so a
    chunk is matched with the 1-worker run's two halves."""
    alone = task_cpu(one)
    out: dict[str, list[float]] = {}
    for process in two:
        if process["role"] != "worker":
            continue
        places: dict[str, int] = {}  # a worker may run both passes (one pool) or one of them
        for kind, first, size, seconds, *_ in process["tasks"]:
            place = places[kind] = places.get(kind, -1) + 1
            if kind == "pass 2" and size < 32:
                continue  # the tail's quarter batches: no like-for-like task alone
            base = sum(alone.get((kind, start), 0.0) for start in range(first - first % 32, first + size, 32))
            where = "first" if place == 0 else "next 3" if place <= 3 else "rest"
            row = out.setdefault(f"{kind} {where}", [0.0, 0])
            row[0] += seconds - base
            row[1] += 1
    return out


def shutdowns(runs: list[list[dict[str, Any]]]) -> list[float]:
    """Per run, the CPU its processes spent after the last of them reported: the parent's
    shutdown (its workers had exited: `children` counts them)."""
    return [run[-1]["tree"] - cpu(run[-1]) - run[-1]["children"] for run in runs if "tree" in run[-1]]


def misses_of(run: list[dict[str, Any]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for process in run:
        for key, count in process.get("misses", {}).items():
            total[key] = total.get(key, 0) + count
    return total


def med(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report_kind(label: str, runs: dict[int, list[list[dict[str, Any]]]], name: str) -> tuple[float, float]:
    """Print one input kind's tables; the median extra CPU-s and page faults of the 2-worker runs."""
    ones, twos = runs[1], runs[2]
    total1 = med([sum(map(cpu, run)) for run in ones])
    total2 = med([sum(map(cpu, run)) for run in twos])
    faults1 = med([sum(p["minflt"] for p in run) for run in ones])
    faults2 = med([sum(p["minflt"] for p in run) for run in twos])
    print(f"\n{label}{name}: all processes {total1:.2f} CPU-s with 1 worker, {total2:.2f} with 2 "
          f"(extra {med([sum(map(cpu, b)) - sum(map(cpu, a)) for a, b in zip(ones, twos)]):+.2f}; medians of pairs); "
          f"minor page faults {faults1:,.0f} and {faults2:,.0f} (extra {faults2 - faults1:+,.0f})")
    everything = lambda process: True  # noqa: E731
    one_parts = [parts_by(run, everything) for run in ones]
    two_parts = [parts_by(run, everything) for run in twos]
    roles = {"parent": lambda p: p["role"] == "parent", "workers": lambda p: p["role"] == "worker"}
    by_role = {role: [parts_by(run, which) for run in twos] for role, which in roles.items()}
    labels = sorted({k for run in one_parts + two_parts for k in run}, key=lambda k: -med([r.get(k, 0) for r in two_parts]))
    print(f"  {'part (CPU-s)':<36}{'1 worker':>9}{'2 workers':>10}{'extra':>8}   of the 2: {'parent':>7}{'pass 1':>8}{'pass 2':>8}")
    for key in labels:
        a, b = med([r.get(key, 0.0) for r in one_parts]), med([r.get(key, 0.0) for r in two_parts])
        split = "".join(f"{med([r.get(key, 0.0) for r in by_role[role]]):>8.2f}" for role in roles)
        print(f"  {key:<36}{a:>9.2f}{b:>10.2f}{b - a:>+8.2f}   {'':>9}{split}")
    print(f"  {'processes of a 2-worker run':<36}{'CPU-s':>7}{'user':>7}{'system':>7}{'tasks':>7}{'outside':>8}"
          f"   minor faults: {'all':>7}{'outside':>8}{'1st task':>9}{'next 3':>8}{'rest':>8}")
    for process in twos[len(twos) // 2]:  # the middle run: one run's processes, as they were
        in_tasks = sum(task[3] for task in process["tasks"])
        faults = [task[4] for task in process["tasks"]]
        print(f"  {pass_of(process):<36}{cpu(process):>7.2f}{process['user']:>7.2f}{process['system']:>7.2f}"
              f"{in_tasks:>7.2f}{cpu(process) - in_tasks:>8.2f}   {'':>14}{process['minflt']:>7,}"
              f"{process['minflt'] - sum(faults):>8,}{sum(faults[:1]):>9,}{sum(faults[1:4]):>8,}{sum(faults[4:]):>8,}")
    one = ones[len(ones) // 2][-1]
    print(f"  {'the 1-worker run (one process)':<36}{cpu(one):>7.2f}{one['user']:>7.2f}{one['system']:>7.2f}"
          f"{'':>15}   {'':>14}{one['minflt']:>7,}")
    exits = [run[-1]["children"] - sum(cpu(p) for p in run[:-1]) for run in twos if "children" in run[-1]]
    print(f"  workers' CPU after they reported (exit, unmapping their memory): {med(exits):.2f} CPU-s in all")
    print(f"  the parent's CPU after it reported (its interpreter's shutdown): 1 worker {med(shutdowns(ones)):.3f}, "
          f"2 workers {med(shutdowns(twos)):.3f} CPU-s")
    print(f"  {'answers computed (memo misses)':<36}{'1 worker':>9}{'2 workers':>10}{'extra':>8}")
    summed = {workers: [misses_of(run) for run in runs[workers]] for workers in (1, 2)}
    for key in sorted({k for run in summed[1] + summed[2] for k in run}):
        a, b = med([run.get(key, 0) for run in summed[1]]), med([run.get(key, 0) for run in summed[2]])
        if a or b:
            print(f"  {key:<36}{a:>9,.0f}{b:>10,.0f}{b - a:>+8,.0f}")
    colds = [cold_start(a, b) for a, b in zip(ones, twos)]
    print("  2-worker tasks against the same documents' in the 1-worker run (extra CPU-s, all workers)")
    for key in sorted({k for c in colds for k in c}):
        extra = med([c.get(key, [0.0, 0])[0] for c in colds])
        count = med([c.get(key, [0.0, 0])[1] for c in colds])
        print(f"    {key:<20}{extra:>+7.2f} over {count:>4.0f} tasks ({extra / max(count, 1) * 1000:+.1f} ms a task)")
    accounts = [ratio_account(a, b) for a, b in zip(ones, twos)]
    bound = med([account["bound"] for account in accounts])
    print(f"  the wall ratio this CPU allows on 2 idle cores: {bound:.3f} (the parent's CPU before and after the "
          "passes run alone, all the rest split evenly over the cores; the 1-worker run takes its CPU-s), "
          f"{bound - 0.5:+.3f} over 0.5, of which:")
    for key in RATIO_TERMS:
        print(f"    {key:<86}{med([account[key] for account in accounts]):>+7.3f}")
    return (med([sum(map(cpu, b)) - sum(map(cpu, a)) for a, b in zip(ones, twos)]),
            med([sum(p["minflt"] for p in b) - sum(p["minflt"] for p in a) for a, b in zip(ones, twos)]))


#: the parts of `ratio_account`'s bound over 0.5
RATIO_TERMS = ("the parent alone before the passes (the interpreter, imports, building the stages)",
               "the parent alone after the passes (the summary, closing OUT)",
               "outside the tasks, beyond the 1-worker run's (each worker getting ready; coordinating)",
               "the workers' first 4 tasks of each pass, beyond the same documents' alone (cold start)",
               "the rest of their tasks, beyond the same documents' alone (two processes at once)",
               "the rest (pass 2's quarter batches at its end, the parent's serial parts' difference)")


def ratio_account(one: list[dict[str, Any]], two: list[dict[str, Any]]) -> dict[str, float]:
    """The wall ratio one 2-worker run's CPU allows against one 1-worker run's on 2 idle cores,
    and what puts it above 0.5. The 2-worker run takes at least S + (cpu2 - S) / 2, where S is
    what its parent spends alone (before the passes: the interpreter, imports, building; after
    them: the summary), and the 1-worker run its CPU, cpu1; so the ratio is 0.5 + S / (2 cpu1)
    + (cpu2 - cpu1) / (2 cpu1), and each CPU-s the 2-worker run spends beyond the 1-worker run,
    wherever it is spent, adds 1 / (2 cpu1). That difference is split here: outside the tasks
    (the parent coordinating, each worker getting ready for pass 2 where the 1-worker run did it
    once), the workers' first tasks of each pass (what each builds on its first pages) and the
    rest of their tasks (two processes running at once on the machine). This script's child
    imports more than `corpusclean run` does before the passes (bench_run.py, the timers: its
    parent spent 0.47-0.55 CPU-s there on the 20 MB corpus, the command 0.29-0.35), so the first
    term is larger here, by about 0.2 CPU-s / (2 cpu1)."""
    alone, parent = one[-1], two[-1]
    workers = [process for process in two if process["role"] == "worker"]

    def before(process: dict[str, Any]) -> float:
        return float(process["spent"].get("passes: start", 0.0))

    def after(process: dict[str, Any]) -> float:
        return cpu(process) - float(process["spent"].get("passes: end", cpu(process)))

    def serial(process: dict[str, Any]) -> float:
        return before(process) + after(process)

    def outside(process: dict[str, Any]) -> float:
        return cpu(process) - float(sum(task[3] for task in process["tasks"]))

    cpu1, cpu2 = sum(map(cpu, one)), sum(map(cpu, two))
    cold = cold_start(one, two)
    first = sum(extra for key, (extra, _) in cold.items() if not key.endswith("rest"))
    rest = sum(extra for key, (extra, _) in cold.items() if key.endswith("rest"))
    beyond = outside(parent) - serial(parent) + sum(map(outside, workers)) - (outside(alone) - serial(alone))
    bound = (serial(parent) + (cpu2 - serial(parent)) / 2) / cpu1
    terms = dict(zip(RATIO_TERMS[:5], (x / 2 / cpu1 for x in (before(parent), after(parent), beyond, first, rest))))
    terms[RATIO_TERMS[5]] = bound - 0.5 - sum(terms.values())
    return {"bound": bound, **terms}


def phases(run: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Where the wall time of one run went, in seconds, per process that ran tasks (the workers
    in the order they forked; with 1 worker the parent): each phase it spent busy in tasks or
    idle, which add up to the run's wall time (launch to exit)."""
    parent = run[-1]
    moments = parent["moments"]
    launched, exited = moments["launched"], moments["exited"]
    doers = sorted((p for p in run if p["tasks"]), key=lambda p: p["moments"].get("forked", 0.0))
    ends = {kind: max((t[6] for p in doers for t in p["tasks"] if t[0] == kind), default=None)
            for kind in ("pass 1", "pass 2")}
    out: dict[str, list[float]] = {}

    def add(name: str, seconds: float) -> None:
        out.setdefault(name, []).append(seconds)

    for process in doers:
        own = process["moments"]
        tasks = sorted(process["tasks"], key=lambda t: t[5])
        one = process is parent
        first = tasks[0][5]
        add("before the passes (the parent alone: imports, building)", moments["passes: start"] - launched)
        if one:
            add("passes start -> first task", first - moments["passes: start"])
        else:
            add("passes start -> this worker forked", own["forked"] - moments["passes: start"])
            add("forked -> its first task (start-up, first task's arrival)", first - own["forked"])
        handover = own.get("hand-over taken: end", 0.0) - own.get("hand-over taken: start", 0.0)
        for kind in ("pass 1", "pass 2"):
            mine = [t for t in tasks if t[0] == kind]
            if not mine:
                continue
            busy = sum(t[6] - t[5] for t in mine)
            if kind == "pass 2":
                add("pass 2: taking the hand-over (in its first task)", handover)
                busy -= handover
            add(f"{kind}: in tasks", busy)
            add(f"{kind}: waiting between its tasks", sum(b[5] - a[6] for a, b in zip(mine, mine[1:])))
            if kind == "pass 1":
                add("pass 1: its last task done -> the other's", ends["pass 1"] - mine[-1][6])
                later = [t for t in tasks if t[0] == "pass 2"]
                if later:
                    add("between passes: pass 1 done -> its first pass-2 task", later[0][5] - ends["pass 1"])
                ready = own.get("got ready: end", 0.0) - own.get("got ready: start", 0.0)
                if not one:
                    add("  of its waits at the end of pass 1: getting ready for pass 2", ready)
            else:
                add("pass 2: its last task done -> the other's", ends["pass 2"] - mine[-1][6])
        add("after the passes (the parent alone: closing, summary, exit)", exited - max(filter(None, ends.values())))
        if not one:
            add("  of its waits: taking tasks (blocked while none is queued)", own.get("sum: taking tasks", 0.0))
            add("  of its waits: sending results (blocked while the pipe is full)", own.get("sum: sending results", 0.0))
            add("  times it blocked taking a task (not seconds: a count)", own.get("sum: taking tasks, blocked", 0))
            add("  times it blocked sending results (not seconds: a count)", own.get("sum: sending results, blocked", 0))
        if not one and "hand-over written: end" in moments and ends["pass 1"] is not None:
            add("(the parent: pass 1 done -> hand-over written)", moments["hand-over written: end"] - ends["pass 1"])
    add("wall (launch -> exit)", exited - launched)
    return out


def report_timeline(label: str, runs: dict[int, list[list[dict[str, Any]]]], name: str) -> None:
    """Print where the wall time of the 1- and 2-worker runs went (medians over the runs, per
    worker for the 2-worker runs); wall times mean something only on an idle machine, so the
    load is printed beside them."""
    walls = {w: [phases(run)["wall (launch -> exit)"][0] for run in runs[w]] for w in (1, 2)}
    ratios = [b / a for a, b in zip(walls[1], walls[2])]
    load = os.getloadavg()
    print(f"\n{label}{name}: wall {med(walls[1]):.2f} s with 1 worker, {med(walls[2]):.2f} with 2: "
          f"ratio {med(ratios):.3f} (pairs {', '.join(f'{r:.3f}' for r in ratios)}); load now {load[0]:.1f}; "
          f"CPU-s: 1 worker {med([run[-1]['tree'] for run in runs[1]]):.2f}, 2 workers "
          f"{med([run[-1]['tree'] for run in runs[2]]):.2f}; the parent's shutdown {med(shutdowns(runs[1])):.3f} / "
          f"{med(shutdowns(runs[2])):.3f}")
    for workers in (1, 2):
        found = [phases(run) for run in runs[workers]]
        keys = list(dict.fromkeys(k for f in found for k in f))
        columns = max(len(f[k]) for f in found for k in f if not k.startswith("wall"))
        heads = "".join(f"{'worker ' + str(i + 1):>10}" for i in range(columns)) if workers > 1 else f"{'parent':>10}"
        print(f"  {workers} worker{'s' if workers > 1 else ''}: seconds (medians of {len(found)}){'':<28}{heads}")
        for key in keys:
            if key.startswith("wall"):
                continue
            cells = "".join(f"{med([f[key][i] for f in found if len(f.get(key, [])) > i]):>10.3f}" for i in range(columns))
            print(f"    {key:<62}{cells}")
        idle = [sum(v[i] for k, v in f.items() if not k.startswith(("wall", "(", " ")) and ": in tasks" not in k
                    and "taking the hand-over" not in k and "before the passes" not in k)
                - f.get("  of its waits at the end of pass 1: getting ready for pass 2", [0.0] * columns)[i]
                for f in found for i in range(columns)]
        print(f"    {'idle in the passes (all but before the passes, in tasks, getting ready, hand-over)':<62}"
              f"{med(idle):>10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="bench_run.py's corpus folder (folder/, jsonl/corpus.jsonl, start-up-cache/)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("folder", "jsonl"))
    parser.add_argument("--baseline", type=Path, help="another checkout, measured side by side")
    parser.add_argument("--save", type=Path, help="write every process's figures there (JSON)")
    parser.add_argument("--timeline", action="store_true",
                        help="time only the tasks and the moments between them (no part timers, no memo counting): "
                             "where the wall time of a 2-worker run goes, each worker's idle time by phase")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        source, target, workers, report, what = args.child
        child(Path(source), Path(target), int(workers), Path(report), parts=what == "parts")
        return
    os.environ["CORPUSCLEAN_CACHE_DIR"] = str(args.corpus / "start-up-cache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as bench_run.py: imports from bytecode
    os.environ["PYTHONPYCACHEPREFIX"] = str(args.corpus / "bytecode")
    checkouts: dict[str, Path | None] = {"": None}
    if args.baseline:
        checkouts[" (baseline)"] = args.baseline.resolve()
    kinds = {"folder": args.corpus / "folder", "jsonl": args.corpus / "jsonl" / "corpus.jsonl"}
    load = os.getloadavg()
    print(f"corpus {args.corpus} | load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} | medians of {args.repeat}")
    with tempfile.TemporaryDirectory(prefix="bench-workers-", dir=args.corpus) as scratch:
        for label, source in kinds.items():
            if args.only and label != args.only:
                continue
            for checkout in checkouts.values():  # fills the start-up cache for this code: the runs below find it
                run_child(args.corpus / "one" / "folder", 1, Path(tempfile.mkdtemp(dir=scratch)), checkout)
            runs: dict[str, dict[int, list[list[dict[str, Any]]]]] = {name: {1: [], 2: []} for name in checkouts}
            for _ in range(args.repeat):
                for workers in (1, 2):
                    for name, checkout in checkouts.items():  # side by side: a slow spell hits both
                        folder = Path(tempfile.mkdtemp(dir=scratch))
                        runs[name][workers].append(run_child(source, workers, folder, checkout,
                                                             parts=not args.timeline))
            if args.timeline:
                for name in checkouts:
                    report_timeline(label, runs[name], name)
                continue
            extra = {name: report_kind(label, runs[name], name) for name in checkouts}
            if args.save:
                args.save.with_suffix(f".{label}.json").write_text(json.dumps(runs))
            if args.baseline:
                (here, here_faults), (base, base_faults) = extra[""], extra[" (baseline)"]
                print(f"  what 2 workers cost beyond 1: {here:+.2f} CPU-s here, {base:+.2f} baseline; "
                      f"{here_faults:+,.0f} page faults here, {base_faults:+,.0f} baseline")
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
