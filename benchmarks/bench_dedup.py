#!/usr/bin/env python3
"""Benchmark the dedup stage against the obvious implementation, and the whole `run`.

    python3 benchmarks/bench_dedup.py                 # 200 MB corpus, 5 repeats
    python3 benchmarks/bench_dedup.py --mb 20 --repeat 1

The corpus comes from `../shared/bench/make_corpus.py` (built once, then reused). Every
configuration runs in a fresh subprocess, so its peak memory is its own: the parent's peak
RSS, the largest worker's peak RSS, and their sum over all processes as an upper bound
(forked workers share pages, so the true total is lower); and the CPU seconds of the parent
and of all workers, which a busy machine disturbs less than wall time. Printed figures are
medians over the repeats (the CPU seconds include interpreter start and imports). Runs on 1
and 2 workers take turns, and the 2-worker speed-up is the median of each pair's ratio: this
is a shared machine, and a slow spell then slows both runs of a pair.

Configurations:
  stage    the dedup stage alone (both passes, over --workers processes), reading the files
           but not fixing or writing them: what the stage itself costs
  obvious  the obvious implementation of the same job, one process: datasketch `MinHash`
           (default scheme and hash) with `update_batch` per long line, `MinHashLSH`
           query-then-insert with every candidate verified, short lines in a dict
  ceiling  not ours: the machine's own speed-up for two processes doing the stage's
           fingerprinting at once with no messages between them, after each stage pair (a
           shared machine gives 2x on a quiet minute, far less on a busy one)
  dedup    `corpusclean dedup IN OUT` (fix + dedup + writing)
  run      `corpusclean run IN OUT` (fix + strip + dedup + writing)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus_folder import built_size, clear_for_build, mark_built  # noqa: E402
from dedup_obvious import ObviousDedup  # noqa: E402

DEFAULT_MAKE_CORPUS = HERE.parent.parent / "shared" / "bench" / "make_corpus.py"


# -- the corpus ---------------------------------------------------------------------------------

def ensure_corpus(directory: Path, mb: float, make_corpus: Path) -> None:
    if built_size(directory) == mb:
        return
    clear_for_build(directory)
    print(f"building a {mb} MB corpus in {directory} ...", file=sys.stderr)
    subprocess.run([sys.executable, str(make_corpus), str(directory), "--mb", str(mb)], check=True)
    mark_built(directory, mb)


def corpus_files(directory: Path, limit_mb: float | None = None) -> list[Path]:
    files = sorted(directory.rglob("*.txt"))
    if limit_mb is None:
        return files
    chosen, size = [], 0
    for path in files:
        if size >= limit_mb * 1e6:
            break
        chosen.append(path)
        size += path.stat().st_size
    return chosen


def read_document(path: Path):
    from corpusclean.model import Document

    return Document(path.stem, path.read_bytes().decode("utf-8", "replace"))


# -- what a child process runs -------------------------------------------------------------------

_STAGE = None  # the stage, set before the pools fork
#: CPU-seconds of the corpus pass's parts in this process (all of them with one worker: the
#: pool runs in the parent then): fingerprinting (observe_batch, not reading the files), the
#: index (absorb_batch), settling it (prepare) and building the stage
_PARTS = {"build": 0.0, "fingerprint": 0.0, "index": 0.0, "prepare": 0.0}


def _observe(chunk):
    numbers = [number for number, _ in chunk]
    docs = [read_document(path) for _, path in chunk]
    started = time.process_time()
    observations = _STAGE.observe_batch(docs)
    _PARTS["fingerprint"] += time.process_time() - started
    return numbers, observations


def _process(numbered):
    number, path = numbered
    doc = read_document(path)
    doc.meta.number = number
    _STAGE.process(doc)
    return len(doc.removals)


def run_stage(files: list[Path], workers: int, shingle_hash: str) -> dict:
    """Both passes of the dedup stage, the way pipeline.run_corpus runs them: pass 1 in
    chunks of documents (`observe_batch`), pass 2 one document at a time."""
    global _STAGE
    from corpusclean.dedup.config import DedupConfig
    from corpusclean.pipeline import OBSERVE_CHUNK, chunked, ordered_map
    from corpusclean.stages.dedup import DedupStage

    cpu = time.process_time()
    _STAGE = DedupStage(DedupConfig(shingle_hash=shingle_hash))
    _PARTS["build"] = time.process_time() - cpu
    started = time.perf_counter()
    chunks = chunked(enumerate(files), OBSERVE_CHUNK)
    for numbers, observations in ordered_map(_observe, chunks, workers, per_task=1):
        if numbers:
            cpu = time.process_time()
            _STAGE.absorb_batch(numbers, observations)
            _PARTS["index"] += time.process_time() - cpu
    stats = _STAGE._index.stats()
    cpu = time.process_time()
    _STAGE.prepare()
    _PARTS["prepare"] = time.process_time() - cpu
    removals = sum(ordered_map(_process, enumerate(files), workers))
    return {"seconds": time.perf_counter() - started, "removals": removals, "index": stats, "parts": dict(_PARTS)}


def run_obvious(files: list[Path]) -> dict:
    dedup = ObviousDedup()
    started = time.perf_counter()
    for number, path in enumerate(files):
        dedup.observe(number, read_document(path))
    dedup.prepare()
    removals = 0
    for number, path in enumerate(files):
        doc = read_document(path)
        dedup.process(number, doc)
        removals += len(doc.removals)
    return {"seconds": time.perf_counter() - started, "removals": removals}


def run_ceiling(files: list[Path]) -> dict:
    """The machine's own ceiling for two processes: the corpus pass's fingerprinting of the
    same documents (read beforehand, no pool, no messages), done twice in a row and then as
    two forked copies at once. On a quiet 2-core machine the ratio is near 2; what a shared
    machine gives in the same minute is the most the stage's 2-worker run could show."""
    from corpusclean.dedup.config import DedupConfig
    from corpusclean.pipeline import OBSERVE_CHUNK, chunked
    from corpusclean.stages.dedup import DedupStage

    docs = [read_document(path) for path in files]

    def fingerprint_all() -> None:
        stage = DedupStage(DedupConfig())   # fresh: no line remembered from the last round
        for chunk in chunked(docs, OBSERVE_CHUNK):
            stage.observe_batch(chunk)

    fingerprint_all()                       # warm up: tables, caches
    started = time.perf_counter()
    fingerprint_all()
    fingerprint_all()
    serial = time.perf_counter() - started
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fingerprint_all()
        os._exit(0)
    fingerprint_all()
    os.waitpid(pid, 0)
    return {"seconds": serial, "serial": serial, "parallel": time.perf_counter() - started}


def run_cli(command: str, corpus: Path, workers: int) -> dict:
    from corpusclean.cli import cli

    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as out:
        started = time.perf_counter()
        try:
            cli.main([command, str(corpus), str(Path(out) / "out"), "--workers", str(workers), "-q"],
                     standalone_mode=False)
        except SystemExit as exit_:  # a run with failed documents exits 1 after writing everything
            if exit_.code not in (0, 1, None):
                raise
        return {"seconds": time.perf_counter() - started}


def child(args: argparse.Namespace) -> None:
    corpus = Path(args.corpus)
    files = corpus_files(corpus, args.limit_mb)
    result = {"mb": sum(p.stat().st_size for p in files) / 1e6, "documents": len(files)}
    try:
        if args.child == "stage":
            result.update(run_stage(files, args.workers, args.shingle_hash))
        elif args.child == "obvious":
            result.update(run_obvious(files))
        elif args.child == "ceiling":
            result.update(run_ceiling(files))
        else:
            result.update(run_cli(args.child, corpus, args.workers))
    except Exception as err:  # reported in the table, not fatal for the other configurations
        result["error"] = f"{type(err).__name__}: {err}"
    me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["rss_parent_mb"] = me.ru_maxrss / 1024
    result["rss_worker_mb"] = workers.ru_maxrss / 1024
    result["cpu_parent_s"] = me.ru_utime + me.ru_stime
    result["cpu_workers_s"] = workers.ru_utime + workers.ru_stime
    print(json.dumps(result))


# -- the parent: run everything, print medians ---------------------------------------------------

def measure(kind: str, workers: int, args: argparse.Namespace, limit_mb: float | None = None,
            shingle_hash: str = "poly64", repeat: int | None = None) -> list[dict]:
    runs = []
    for _ in range(repeat or args.repeat):
        runs.append(run_child(kind, workers, args, limit_mb, shingle_hash))
        if "error" in runs[-1]:
            break
    return runs


def measure_pairs(kind: str, args: argparse.Namespace, repeat: int, ceiling: bool = False) -> dict:
    """1 and 2 workers taking turns, so that a slow spell of this shared machine hits both
    alike; `scaling` compares each 2-worker run with the 1-worker run just before it. With
    `ceiling`, each pair is followed by the machine's own 2-process ceiling (`run_ceiling`,
    on --ceiling-mb of the corpus), under runs["ceiling"]."""
    runs: dict = {1: [], 2: [], "ceiling": []}
    for _ in range(repeat):
        for workers in (1, 2):
            runs[workers].append(run_child(kind, workers, args))
            if "error" in runs[workers][-1]:
                return runs
        if ceiling:
            runs["ceiling"].append(run_child("ceiling", 1, args, limit_mb=args.ceiling_mb))
    return runs


def scaling(runs: dict[int, list[dict]]) -> str:
    pairs = [one["seconds"] / two["seconds"] for one, two in zip(runs[1], runs[2])
             if "error" not in one and "error" not in two]
    if not pairs:
        return "n/a"
    return f"{statistics.median(pairs):.2f}x (median of {len(pairs)} pairs; each: {', '.join(f'{p:.2f}' for p in pairs)})"


def run_child(kind: str, workers: int, args: argparse.Namespace, limit_mb: float | None = None,
              shingle_hash: str = "poly64") -> dict:
    command = [sys.executable, __file__, "--child", kind, "--corpus", str(args.corpus),
               "--workers", str(workers), "--shingle-hash", shingle_hash]
    if limit_mb is not None:
        command += ["--limit-mb", str(limit_mb)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(label: str, workers: int, runs: list[dict]) -> dict | None:
    failed = [r for r in runs if "error" in r]
    if failed:
        print(f"{label:<34} {workers:>2}  failed: {failed[0]['error'][:90]}")
        return None
    seconds = statistics.median(r["seconds"] for r in runs)
    parent = statistics.median(r["rss_parent_mb"] for r in runs)
    worker = statistics.median(r["rss_worker_mb"] for r in runs) if workers > 1 else 0.0
    total = parent + workers * worker if workers > 1 else parent
    mb = runs[0]["mb"]
    cpu_parent = statistics.median(r["cpu_parent_s"] for r in runs)
    cpu_workers = statistics.median(r["cpu_workers_s"] for r in runs)
    print(f"{label:<34} {workers:>2}  {mb:8.1f}  {seconds:8.2f}  {mb / seconds:8.2f}  "
          f"{parent:8.0f}  {worker:8.0f}  {total:8.0f}  {cpu_parent:7.1f} {cpu_workers:7.1f}")
    return {**runs[0], "seconds": seconds, "mb": mb, "mb_s": mb / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="corpus size to build (default 200)")
    parser.add_argument("--corpus", type=Path, default=None, help="where the corpus lives (default: a folder in the temp dir)")
    parser.add_argument("--make-corpus", type=Path, default=DEFAULT_MAKE_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="runs per configuration; medians are printed")
    parser.add_argument("--obvious-mb", type=float, default=None,
                        help="run the obvious implementation on the first N MB only (it is slow); MB/s stays comparable")
    parser.add_argument("--ceiling-mb", type=float, default=50,
                        help="corpus share for the machine's 2-process ceiling, measured after each stage pair (default 50)")
    parser.add_argument("--skip-cli", action="store_true", help="only the stage and the obvious implementation")
    parser.add_argument("--cli-repeat", type=int, default=1,
                        help="runs of the whole commands (slow: they fix and strip too); default 1")
    parser.add_argument("--sha1", action="store_true", help="also time the stage with --shingle-hash sha1")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--limit-mb", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--shingle-hash", default="poly64", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    args.corpus = args.corpus or Path(tempfile.gettempdir()) / f"corpusclean-bench-{args.mb:g}mb"
    ensure_corpus(args.corpus, args.mb, args.make_corpus)
    load = os.getloadavg()
    print(f"corpus {args.corpus} | {os.cpu_count()} cores | load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"| medians of {args.repeat} (whole commands: {args.cli_repeat})")
    print(f"{'configuration':<34} {'w':>2}  {'MB':>8}  {'seconds':>8}  {'MB/s':>8}  "
          f"{'parent':>8}  {'worker':>8}  {'sum MB':>8}  {'cpu: parent':>7} {'workers':>7}")
    stage_runs = measure_pairs("stage", args, args.repeat, ceiling=True)
    stage = {w: summarise("dedup stage", w, stage_runs[w]) for w in (1, 2)}
    parts = [r["parts"] for r in stage_runs[1] if "parts" in r]
    if parts:
        print("dedup stage, 1 worker, the corpus pass's CPU-seconds (medians): "
              + ", ".join(f"{name} {statistics.median(p[name] for p in parts):.3f}" for name in parts[0])
              + " (fingerprint: observe_batch in the workers; index, prepare: the parent; build: the stage)")
    if args.sha1:
        summarise("dedup stage, sha1 shingle hash", 1, measure("stage", 1, args, shingle_hash="sha1"))
    obvious = summarise("obvious (datasketch MinHash+LSH)", 1, measure("obvious", 1, args, limit_mb=args.obvious_mb))
    commands = {}
    if not args.skip_cli:
        for command in ("dedup", "run"):
            commands[command] = measure_pairs(command, args, args.cli_repeat)
            for w in (1, 2):
                summarise(f"corpusclean {command} (whole command)", w, commands[command][w])
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if stage[1] and obvious:
        print(f"stage vs obvious, 1 worker: {stage[1]['mb_s'] / obvious['mb_s']:.1f}x faster (target 10x, aim 20x)")
    if stage[1] and stage[2]:
        print(f"stage, 2 workers vs 1: {scaling(stage_runs)} (target 1.7x); "
              f"ratio of the medians {stage[1]['seconds'] / stage[2]['seconds']:.2f}x")
        ceilings = [r["serial"] / r["parallel"] for r in stage_runs["ceiling"] if "error" not in r]
        if ceilings:
            print(f"the machine's own 2-process ceiling for the same work, run after each pair: "
                  f"{statistics.median(ceilings):.2f}x (each: {', '.join(f'{c:.2f}' for c in ceilings)})")
    for command, runs in commands.items():
        print(f"corpusclean {command}, 2 workers vs 1: {scaling(runs)}")
    if stage[1]:
        index = stage[1]["index"]
        distinct = index["distinct_long"] + index["distinct_short"]
        per_line = (index["long_index_bytes"] + index["short_index_bytes"]) / max(distinct, 1)
        per_long = index["long_index_bytes"] / max(index["distinct_long"], 1)
        print(f"index: {distinct:,} distinct lines ({index['distinct_long']:,} long), "
              f"{per_line:.0f} bytes per distinct line, {per_long:.0f} per distinct long line (target < 300); "
              f"plus {index['occurrence_bytes'] / 1e6:.1f} MB of long-line occurrence records and "
              f"{index['page_bytes'] / 1e6:.1f} MB of page names")
        print(f"removals: stage {stage[1]['removals']:,}" + (f", obvious {obvious['removals']:,}" if obvious and args.obvious_mb is None else ""))


if __name__ == "__main__":
    main()
