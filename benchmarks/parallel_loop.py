#!/usr/bin/env python3
"""What this machine allows any job split over 2 processes: the same pure-CPU work done by one
process, then shared by two that run at once, and the second's wall time over the first's.

    python3 benchmarks/parallel_loop.py              # 9 pairs, alternating 1 then 2 processes
    python3 benchmarks/parallel_loop.py --repeat 21
    python3 benchmarks/parallel_loop.py --processes 2   # do the work once on 2 processes (bench_run.py)

Issue 11 asks 2 workers to finish in 0.55x the wall time of 1 "on an idle machine". This asks
the machine the same of a job that is as parallel as a job can be: a Python loop of integer
arithmetic (no memory beyond a few objects, no I/O, no messages), cut into CHUNKS chunks that
the processes take one at a time from a pipe until none is left (one byte a chunk: a read of
one byte from a pipe is atomic), so a process that runs faster takes more chunks, as a run's
workers take more tasks. A machine whose two cores run independently gives about 0.5 (the
interpreter's start, about 15 ms a process with `-S`, puts it a hair above); where the host
shares the cores' time with other guests, or slows one core when the other is busy, it gives
more, and no 2-worker run can get under that figure there. bench_run.py measures it in each
turn beside the 1- and 2-worker runs (the parallel loop), so the two ratios are read in the
same conditions. The loop's CPU is printed too: what the same work cost each time (on a
machine that is not shared it stays within a few percent from run to run).
"""
from __future__ import annotations

import os
import sys

#: the work: CHUNKS chunks of CHUNK iterations (1.8-2.0 CPU-s on one core of this machine,
#: 2026-12-02; long beside the interpreter's start, short beside a 1-worker run of the corpus)
CHUNKS = 200
CHUNK = 200_000


def spin(tokens: int, chunk: int) -> int:
    """Take a chunk at a time from the pipe `tokens` (one byte each) and run it, until the
    pipe is empty and closed; the number of chunks this process ran."""
    done = 0
    while os.read(tokens, 1):
        total = 0
        for number in range(chunk):
            total += number * number % 7
        done += 1
    return done


def share_work(processes: int, chunks: int = CHUNKS, chunk: int = CHUNK) -> list[int]:
    """Run `chunks` chunks on `processes` forked processes that take them as they go; the
    number each ran (they add up to `chunks`)."""
    reading, writing = os.pipe()
    os.write(writing, bytes(chunks))   # a pipe holds 64 KiB: room for every token at once
    os.close(writing)                  # so a read past the last token says the work is done
    children = []
    answers, answering = os.pipe()
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:   # a worker: its chunks' count to the parent, then out, with nothing else run
            try:
                os.write(answering, spin(reading, chunk).to_bytes(4, "little"))
            finally:
                os._exit(0)
        children.append(pid)
    os.close(answering)
    for pid in children:
        os.waitpid(pid, 0)
    with os.fdopen(answers, "rb") as said:
        data = said.read()
    counts = [int.from_bytes(data[at: at + 4], "little") for at in range(0, len(data), 4)]
    if sum(counts) != chunks:
        raise SystemExit(f"parallel_loop: {sum(counts)} of {chunks} chunks ran")
    return counts


def command(processes: int) -> list[str]:
    """The command that does the work once on `processes` processes, in an interpreter with no
    site packages (`-S`: no .pth file runs at its start) and no user environment (`-I`)."""
    return [sys.executable, "-S", "-I", os.path.abspath(__file__), "--processes", str(processes)]


def main() -> None:
    import argparse
    import statistics

    def positive(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
        return int(text)

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=positive, default=9, help="pairs (1 process, then 2), default 9")
    parser.add_argument("--processes", type=positive, default=None,
                        help="do the work once on this many processes and print nothing (what is measured)")
    args = parser.parse_args()
    if args.processes is not None:
        share_work(args.processes)
        return

    # measured as bench_run.py measures it beside a run (imported here only: it imports this module)
    from bench_run import cpu, median_interval, run_loop, wall_ratios

    run_loop(1)   # the interpreter and the script into the system's file cache
    loop: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for _ in range(args.repeat):
        for processes in (1, 2):
            loop[processes].append(run_loop(processes))
    ratios = wall_ratios(loop[1], loop[2])
    low, high = median_interval(ratios)
    print(f"{CHUNKS} chunks of {CHUNK:,} iterations, load average {' '.join(f'{a:.1f}' for a in os.getloadavg())}")
    for processes, label in ((1, "1 process"), (2, "2 processes")):
        done = loop[processes]
        print(f"{label}: wall {statistics.median(d['seconds'] for d in done):.2f} s, "
              f"CPU {statistics.median(map(cpu, done)):.2f} s (each: {', '.join(f'{cpu(d):.2f}' for d in done)})")
    print(f"2 processes take {statistics.median(ratios):.2f}x the wall time of 1, median of {len(ratios)} pairs "
          f"({', '.join(f'{ratio:.2f}' for ratio in ratios)}; a bootstrap 95% interval of their median "
          f"{low:.2f}-{high:.2f}); 0.50 where the two cores run independently")


if __name__ == "__main__":
    main()
