#!/usr/bin/env python3
"""What a `.jsonl.gz` OUT costs `corpusclean run`, against a baseline checkout, side by side.

    python3 benchmarks/bench_gzip_output.py --baseline /tmp/base-d508645           # medians of 3
    python3 benchmarks/bench_gzip_output.py --baseline ../main --repeat 5
    python3 benchmarks/bench_gzip_output.py --baseline ../main --engine ray --corpus SMALLER.jsonl

Each turn runs `corpusclean run CORPUS.jsonl OUT.jsonl.gz -q` with 2 workers and then with 1,
for each checkout (the two taking turns to go first), every run measured from outside as
bench_run.py measures a run (`measured_process`: the command's own CPU, every thread of it, its
workers' CPU, its wall time), the outputs on /dev/shm (bench_run.py says why: no file system's
inode allocator in the figures). Printed, medians of --repeat, per checkout and as ratios:

  2w CPU          the 2-worker run's CPU, all processes (CPU-s)
  2w parent       the command's own process: it writes OUT in input order
  2w share        the parent's share of the 2-worker run's CPU (issue 11: under 5%)
  2w wall         the 2-worker run's wall time
  1w CPU          the 1-worker run's CPU
  2w/1w wall      the 2-worker run's wall time over the 1-worker run's, run right after it
                  (issue 11: at most 0.55 on an idle machine)
  size            OUT's bytes (the baseline's is one gzip stream, if it predates gzip members)

With `--engine ray` the runs are `--engine ray` ones (each starts its own local cluster): the
parent is then the Ray engine's driver.

The script also checks that both checkouts' files hold the same records (decompressed, byte
for byte) and counts the gzip members in each.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_run  # noqa: E402  (from this folder)

DEFAULT_CORPUS = Path(tempfile.gettempdir()) / "corpusclean-bench-run-20mb" / "jsonl" / "corpus.jsonl"
FIGURES = ("2w CPU", "2w parent", "2w share", "2w wall", "1w CPU", "2w/1w wall", "size")


def run(checkout: Path, source: Path, target: Path, workers: int, engine: str = "local") -> dict[str, Any]:
    """One `corpusclean run SOURCE TARGET --workers N -q` with `checkout`'s code, measured."""
    with open(target.with_name(target.name + ".said"), "w+b") as output:
        done = bench_run.measured_process(
            [*bench_run.command(), "run", str(source), str(target), "--workers", str(workers), "-q",
             "--engine", engine], bench_run.checkout_env(checkout), output)
        bench_run.check_ran(source, done, output)
    return done


def members(data: bytes) -> int:
    count = 0
    while data:
        member = zlib.decompressobj(wbits=31)
        member.decompress(data)
        data = member.unused_data
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a JSONL file (default: bench_run.py's 20 MB corpus)")
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout, measured side by side")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    parser.add_argument("--outputs", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
                        help="where the runs write (default /dev/shm)")
    args = parser.parse_args()
    checkouts = {"baseline": args.baseline.resolve(), "here": HERE.parent}
    scratch = Path(tempfile.mkdtemp(prefix="bench-gzip-output-", dir=args.outputs))
    # the children's start-up cache and compiled bytecode: this script's own, filled by a first
    # run of each checkout on a few documents (not counted)
    os.environ["CORPUSCLEAN_CACHE_DIR"] = str(scratch / "start-up-cache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    bench_run.adopt_orphans()
    load = os.getloadavg()
    print(f"corpus {args.corpus} ({args.corpus.stat().st_size / 1e6:.1f} MB) | engine {args.engine} | "
          f"{os.cpu_count()} cores | load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} | medians of {args.repeat} | outputs in {scratch}")
    figures: dict[str, dict[str, list[float]]] = {name: {figure: [] for figure in FIGURES} for name in checkouts}
    try:
        few = scratch / "few.jsonl"
        with open(args.corpus, "rb") as corpus:
            few.write_bytes(b"".join(line for _, line in zip(range(100), corpus)))
        for checkout in checkouts.values():
            run(checkout, few, scratch / "warm.jsonl.gz", 2, args.engine)
        for turn in range(args.repeat):
            order = list(checkouts.items()) if turn % 2 == 0 else list(reversed(checkouts.items()))
            for name, checkout in order:
                target = scratch / f"{name}.jsonl.gz"
                two = run(checkout, args.corpus, target, 2, args.engine)
                one = run(checkout, args.corpus, scratch / f"{name}-1.jsonl.gz", 1, args.engine)
                total = two["cpu_parent"] + two["cpu_workers"]
                row = figures[name]
                row["2w CPU"].append(total)
                row["2w parent"].append(two["cpu_parent"])
                row["2w share"].append(two["cpu_parent"] / total)
                row["2w wall"].append(two["seconds"])
                row["1w CPU"].append(one["cpu_parent"] + one["cpu_workers"])
                row["2w/1w wall"].append(two["seconds"] / one["seconds"])
                row["size"].append(target.stat().st_size)
                print(f"  turn {turn + 1} {name:8}: 2w {total:6.2f} CPU-s, parent {two['cpu_parent']:5.2f} "
                      f"({two['cpu_parent'] / total:.1%}), wall {two['seconds']:5.2f} s | 1w {row['1w CPU'][-1]:6.2f} CPU-s, "
                      f"wall {one['seconds']:5.2f} s", 
                      flush=True)
        contents = {name: (scratch / f"{name}.jsonl.gz").read_bytes() for name in checkouts}
        same = len({gzip.decompress(data) for data in contents.values()}) == 1
        one_like_two = all((scratch / f"{name}.jsonl.gz").read_bytes() == (scratch / f"{name}-1.jsonl.gz").read_bytes()
                           for name in checkouts)
        print(f"\n{'':12}{'baseline':>12}{'here':>12}{'ratio':>9}")
        for figure in FIGURES:
            base, here = (statistics.median(figures[name][figure]) for name in checkouts)
            shown = (f"{base:12.1%}{here:12.1%}" if figure == "2w share" else
                     f"{base:12.3f}{here:12.3f}" if figure == "2w/1w wall" else
                     f"{base:12,.0f}{here:12,.0f}" if figure == "size" else f"{base:12.2f}{here:12.2f}")
            print(f"{figure:12}{shown}{here / base:9.3f}")
        print(f"gzip members: " + ", ".join(f"{name} {members(data):,}" for name, data in contents.items()))
        print(f"the same records in both files (decompressed): {'yes' if same else 'NO'}; "
              f"1 worker's file = 2 workers': {'yes' if one_like_two else 'NO'}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
