"""The Ray engine against the local engine on growing corpora: time, CPU and the largest process.

    python3 benchmarks/bench_ray.py [--sizes 20 40 80] [--workers 2] [--work work/bench-ray]

For each size, make_corpus.py (../shared/bench/) writes a corpus of that many MB; then
`corpusclean run IN OUT` runs once with the local engine and once with `--engine ray` (a local
Ray cluster of --workers CPUs, with the engine's default partitions, one per 4 MB of input, or
one per --mb-per-partition MB: either way they grow with the corpus), each as a child process. While
it runs, every process of its tree (the driver, local workers, or Ray's raylet, GCS and worker
processes) is sampled from /proc every 0.2 s: the table gives the wall time, the CPU seconds of
the whole tree, the peak resident memory of the largest single process (RSS, so pages of
Ray's shared object store that a process touched count in it; and private memory, which leaves
shared pages out) and the same of the parent (the Ray engine's driver). The two outputs are
compared byte for byte (the summary aside).

The point to read: the local engine's parent holds the whole corpus index and grows with the
corpus; the Ray engine's largest process and its driver stay flat, because the index is cut
into partitions whose number grows with the corpus, and a shuffle's pieces are (map tasks x
partitions), not (blocks x blocks).
"""
from __future__ import annotations

import argparse
import filecmp
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def tree(root: int) -> list[int]:
    """The pids of `root` and all its descendants now alive."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def sample(pid: int) -> tuple[str, int, int, float] | None:
    """(name, RSS bytes, private bytes, CPU seconds) of a process, or None if it is gone.
    Private (USS) leaves out pages shared with other processes: forked workers' copy-on-write
    pages, and Ray's shared-memory object store, which RSS counts in every process that
    touched it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        name = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return None
    private = sum(int(line.split()[1]) * 1024 for line in rollup if line.startswith(("Private_Clean", "Private_Dirty")))
    cpu = (int(fields[11]) + int(fields[12])) / TICKS          # utime + stime
    return name.strip(), int(fields[21]) * PAGE_SIZE, private, cpu


def measure(command: list[str]) -> dict:
    """Run a command; its wall time, its tree's CPU seconds, and its largest process's peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak: dict[int, tuple[str, int]] = {}
    private: dict[int, tuple[str, int]] = {}
    cpu: dict[int, float] = {}
    while child.poll() is None:
        for pid in tree(child.pid):
            seen = sample(pid)
            if seen:
                name, rss, uss, seconds = seen
                # forked workers share the parent's command line
                name = ("the parent (driver)" if pid == child.pid
                        else "a worker" if "corpusclean" in name and "run" in name else name)
                if rss > peak.get(pid, ("", 0))[1]:
                    peak[pid] = (name, rss)
                if uss > private.get(pid, ("", 0))[1]:
                    private[pid] = (name, uss)
                cpu[pid] = seconds
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{child.stderr.read().decode()[-2000:]}")
    name, rss = max(peak.values(), key=lambda p: p[1])
    uss_name, uss = max(private.values(), key=lambda p: p[1])
    return {"wall": wall, "cpu": sum(cpu.values()), "peak": rss, "largest": name, "uss": uss, "uss_largest": uss_name,
            "parent": peak[child.pid][1], "parent_uss": private[child.pid][1]}


def same_output(left: Path, right: Path) -> bool:
    """Every file but the summary equal, byte for byte."""
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file() and p.name != "corpusclean-summary.json")
    others = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file() and p.name != "corpusclean-summary.json")
    return names == others and all(filecmp.cmp(left / n, right / n, shallow=False) for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 40, 80], help="corpus sizes in MB")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=ROOT / "work" / "bench-ray")
    parser.add_argument("--mb-per-partition", type=float, default=None,
                        help="the Ray engine's partitions: one per this many MB of corpus (default: the engine's own)")
    args = parser.parse_args()
    corpusclean = [shutil.which("corpusclean") or "corpusclean"]
    rows = []
    for mb in args.sizes:
        corpus = args.work / f"corpus-{mb}"
        if not corpus.exists():
            subprocess.run([sys.executable, str(MAKE_CORPUS), str(corpus), "--mb", str(mb)], check=True,
                           stdout=subprocess.DEVNULL)
        outputs = {}
        for engine in ("local", "ray"):
            out = args.work / f"out-{mb}-{engine}"
            shutil.rmtree(out, ignore_errors=True)
            partitions = ["--partitions", str(max(1, round(mb / args.mb_per_partition)))] \
                if engine == "ray" and args.mb_per_partition else []
            figures = measure([*corpusclean, "run", str(corpus), str(out), "-q", "-w", str(args.workers),
                               "--engine", engine, *partitions])
            outputs[engine] = out
            figures["partitions"] = (int(partitions[1]) if partitions else default_partitions(corpus, args.workers)) \
                if engine == "ray" else None
            rows.append((mb, engine, figures))
            print(f"{mb} MB {engine}: {figures['wall']:.0f} s wall, {figures['cpu']:.0f} CPU-s, largest process "
                  f"{figures['peak'] / 1e6:.0f} MB RSS ({_short(figures['largest'])}), "
                  f"{figures['uss'] / 1e6:.0f} MB private ({_short(figures['uss_largest'])}); the parent "
                  f"{figures['parent'] / 1e6:.0f} MB RSS, {figures['parent_uss'] / 1e6:.0f} MB private", flush=True)
        print(f"{mb} MB: outputs byte-identical (summary aside): {same_output(outputs['local'], outputs['ray'])}",
              flush=True)
    print("\n| corpus | engine | partitions | wall s | CPU-s | largest process: peak RSS | largest process: peak private (USS) "
          "| the parent (driver): peak RSS, private |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for mb, engine, f in rows:
        print(f"| {mb} MB | {engine} | {f['partitions'] or '-'} | {f['wall']:.0f} | {f['cpu']:.0f} | {f['peak'] / 1e6:.0f} MB "
              f"({_short(f['largest'])}) | {f['uss'] / 1e6:.0f} MB ({_short(f['uss_largest'])}) "
              f"| {f['parent'] / 1e6:.0f} MB, {f['parent_uss'] / 1e6:.0f} MB |")


def default_partitions(corpus: Path, workers: int) -> int:
    """The partitions the Ray engine picks for a folder (engine.processed: by input bytes)."""
    from corpusclean.ray.engine import BYTES_PER_PARTITION

    size = sum(path.stat().st_size for path in corpus.rglob("*") if path.is_file())
    return max(2 * workers, math.ceil(size / BYTES_PER_PARTITION))


def _short(name: str) -> str:
    """A process's name for the table: Ray's own title, or the program."""
    if name.startswith(("the parent", "a worker")) or not name:
        return name or "?"
    return name.split()[0] if name.startswith("ray::") else Path(name.split()[0]).name


if __name__ == "__main__":
    main()
