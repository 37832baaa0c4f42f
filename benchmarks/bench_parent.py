#!/usr/bin/env python3
"""Where the parent's coordinating CPU goes in a 2-worker `corpusclean run`, part by part.

    python3 benchmarks/bench_parent.py                          # the 20 MB bench corpus, medians of 3
    python3 benchmarks/bench_parent.py --baseline ../main       # against another checkout, side by side
    python3 benchmarks/bench_parent.py --only JSONL             # one form of the corpus

`bench_run.py` splits the parent's CPU in three (before the passes, getting the stages ready,
coordinating the passes); this script splits the third, the part that grows with the corpus.
Each measurement is a fresh `corpusclean run IN OUT -w 2` on the folder and the JSONL form of
bench_run.py's corpus (built by it: `bench_run.py --mb 20` first), in a subprocess, with its
functions wrapped in the parent to time the main thread's CPU (`time.thread_time`) in each
part, and every thread of the parent timed when it ends. Getting the stages ready
(`pipeline._get_ready_for_cleaning`, which bench_run.py counts apart) is left out of the main
thread's time, not of the pool's threads' (they run on meanwhile). Parts, in CPU-ms (medians):

  listing       the reader listing the input (once a pass; or once a run, where the workers
                hold the listing and tasks name documents by number)
  submitting    handing tasks to the process pool (its first task forks the workers)
  results       taking results from the pool, in order (the wait itself costs no CPU)
  absorbing     the corpus stages taking pass 1's observations (the dedup index)
  preparing     the corpus stages settling after pass 1 (the index's `prepare`)
                (both 0 since the seventeenth round: a worker builds the corpus state,
                pipeline._build_handover; older checkouts did it here)
  writing       writing results in input order (JSONL: appending the workers' lines)
  adding up     the summary (Summary.add, Totals.merge)
  rest          the rest of the main thread's coordinating (the loops, the progress)
  pool threads  the process pool's own threads: its manager (reads and unpickles results)
                and its call queue's feeder (pickles tasks)
  after         after the passes: the summary file, closing OUT

Functions a checkout does not have are not timed (their time is in `rest`).
"""
from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PARTS = ("listing", "submitting", "results", "absorbing", "preparing", "writing", "adding up", "rest",
         "pool threads", "after")


def child(source: Path, scratch: Path) -> dict[str, Any]:
    """One 2-worker run in this process, its parent's coordinating CPU by part (seconds)."""
    import bench_run

    import corpusclean.pipeline as pipeline
    import corpusclean.report as report
    import corpusclean.workers as workers
    from corpusclean.stages.base import Stage
    from corpusclean.writers.base import Writer

    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    inside = [0]    # the outermost timed call counts; what it calls is its part
    readying = [False]

    def timed(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if inside[0] or readying[0] or threading.current_thread() is not threading.main_thread():
                return function(*args, **kwargs)
            inside[0] += 1
            began = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[part] += time.thread_time() - began
                inside[0] -= 1
        return wrapper

    def timed_iterator(part: str, iterator: Any) -> Any:
        iterator = iter(iterator)
        while True:
            began = time.thread_time()
            try:
                item = next(iterator)
            except StopIteration:
                spent[part] += time.thread_time() - began
                return
            spent[part] += time.thread_time() - began
            yield item

    def wrap(owner: Any, name: str, part: str) -> None:
        if name in vars(owner):
            setattr(owner, name, timed(part, vars(owner)[name]))

    def subclasses(cls: type) -> list[type]:
        found = [cls]
        sub: type
        for sub in cls.__subclasses__():
            found += subclasses(sub)
        return found

    wrap(workers.Pool, "submit", "submitting")
    wrap(report.Summary, "add", "adding up")
    wrap(getattr(report, "Totals", report.Summary), "add", "adding up")
    wrap(getattr(report, "Totals", report.Summary), "merge", "adding up")
    for cls in subclasses(Writer):
        wrap(cls, "write", "writing")
    original_results = workers._results
    workers._results = lambda *args, **kwargs: timed_iterator("results", original_results(*args, **kwargs))

    threads: list[float] = []
    bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

    def counted_bootstrap(self: threading.Thread) -> None:
        try:
            bootstrap(self)
        finally:
            threads.append(time.thread_time())

    threading.Thread._bootstrap_inner = counted_bootstrap  # type: ignore[attr-defined]
    ready = pipeline._get_ready_for_cleaning

    def not_timed_ready(*args: Any, **kwargs: Any) -> Any:
        readying[0] = True
        began = time.thread_time()
        try:
            return ready(*args, **kwargs)
        finally:
            readying[0] = False
            spent["ready"] += time.thread_time() - began

    pipeline._get_ready_for_cleaning = not_timed_ready
    inner = pipeline.run_corpus
    marks: dict[str, float] = {}

    def listing(sources: Any) -> Any:
        """The run's input, its listing timed: a function (older checkouts), or a Reader,
        whose listings for one worker and for several are timed on the object itself."""
        if not hasattr(sources, "sources_for_workers"):
            return lambda: timed_iterator("listing", sources())
        for name in ("sources", "sources_for_workers"):
            setattr(sources, name, functools.partial(lambda list_: timed_iterator("listing", list_()),
                                                     getattr(sources, name)))
        if hasattr(sources, "listing"):  # the listing the workers hold (tasks by number), made once
            sources.listing = timed("listing", sources.listing)
        return sources

    def run_corpus(sources: Any, *args: Any, **kwargs: Any) -> Any:
        for cls in subclasses(Stage):  # the stage classes exist now
            wrap(cls, "absorb_batch", "absorbing")
            wrap(cls, "absorb", "absorbing")
            wrap(cls, "prepare", "preparing")
        marks["main"], marks["process"] = time.thread_time(), time.process_time()
        try:
            return inner(listing(sources), *args, **kwargs)
        finally:
            marks["main"] = time.thread_time() - marks["main"]
            marks["process"] = time.process_time() - marks["process"]
            marks["end"] = time.process_time()

    pipeline.run_corpus = run_corpus
    target = scratch / ("out.jsonl" if source.is_file() else "out")
    bench_run.run_cli(source, target, 2)
    after = time.process_time() - marks["end"]
    main = marks["main"] - spent.pop("ready", 0.0)  # the main thread's, while the pool's threads run on
    named = sum(spent.values())
    result: dict[str, float] = {part: spent[part] for part in PARTS if part in spent}
    result.update({"rest": main - named, "pool threads": sum(threads), "after": after,
                   "coordinating": main + sum(threads) + after,
                   "documents": sum(1 for _ in open_sources(source))})
    return result


def open_sources(source: Path) -> Any:
    from corpusclean.readers import open_input

    return open_input(str(source)).sources()


def measure(source: Path, checkout: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout / "src"), *filter(None, [env.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="bench-parent-") as scratch:
        done = subprocess.run([sys.executable, __file__, "--child", str(source), "--scratch", scratch],
                              capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"the run on {source} failed: {done.stderr.strip().splitlines()[-1:]}")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(Path(tempfile.gettempdir()) / "corpusclean-bench-run-20mb"),
                        help="bench_run.py's corpus folder (folder/ and jsonl/ in it)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="another checkout, measured side by side")
    parser.add_argument("--only", choices=("folder", "JSONL"), help="measure one form of the corpus")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), Path(args.scratch))))
        return
    corpus = Path(args.corpus)
    # as bench_run.py's children: the start-up cache filled, imports from bytecode
    os.environ["CORPUSCLEAN_CACHE_DIR"] = str(corpus / "start-up-cache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(corpus / "bytecode")
    checkouts: list[tuple[str, Path | None]] = [("here", None)]
    if args.baseline:
        checkouts.append(("baseline", Path(args.baseline).resolve()))
    for kind, source in (("folder", corpus / "folder"), ("JSONL", corpus / "jsonl" / "corpus.jsonl")):
        if args.only not in (None, kind):
            continue
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in checkouts}
        for _ in range(args.repeat):  # the checkouts take turns: a slow spell hits both
            for label, checkout in checkouts:
                runs[label].append(measure(source, checkout))
        documents = runs["here"][0]["documents"]
        print(f"\n{kind}, 2 workers, {documents:,} documents: the parent's coordinating CPU, ms (us a document), "
              f"medians of {args.repeat}")
        print(f"  {'part':14s}" + "".join(f"{label:>20s}" for label, _ in checkouts))
        for part in (*PARTS, "coordinating"):
            cells = []
            for label, _ in checkouts:
                values = [run.get(part, 0.0) for run in runs[label]]
                value = statistics.median(values)
                cells.append(f"{value * 1e3:10.1f} ({value / documents * 1e6:5.1f})")
            print(f"  {part:14s}" + "".join(f"{cell:>20s}" for cell in cells))


if __name__ == "__main__":
    main()
