"""How fast the rules stage is, against the engine it replaced, in one run.

Three engines scan the same pages with the shipped rules, and each must remove exactly the same
lines:

  python re, no gate   every rule's patterns compiled by Python's `re` and tried on every line
                       (the engine before RE2 and the keyword gate: the baseline)
  re2, no gate         the translated RE2 patterns, tried on every line
  re2 + gate           what a run uses: RE2, only for the rules the keyword gate admits, with
                       what the gate and the patterns made of a line remembered from page to
                       page (one LineMemo per timed pass over the pages, as one per worker)

Pages: a corpus built with ../shared/bench/make_corpus.py (20 MB by default) and the dev set's
text dumps. Figures are MB of text per CPU-second of the scan alone (reading, fixing and
everything else left out), the median of several timed runs, and each engine's ratio to the
baseline. Run from the project root:

    python benchmarks/bench_rules.py                 # about 10 minutes on a 2-core machine
    python benchmarks/bench_rules.py --mb 2 --repeats 3
    python benchmarks/bench_rules.py --first-use     # only the split below, 20 MB: about 30 s

It also prints what the rules stage pays the first time a worker scans (--first-use alone
prints only that): in a fresh interpreter, the scan of the make_corpus pages twice, each pass
with a fresh LineMemo as a worker has. The first pass compiles each rule's RE2 cuts for lines
beyond ASCII (COMMON, WIDE, the whole) when a line first needs them; the second finds them
compiled. Their difference, and the compile CPU counted per cut, is what a one-worker run
pays that the median of repeated passes in one interpreter does not show.

    python benchmarks/bench_rules.py --in-run        # only the split below, 20 MB: about 3 minutes

--in-run times each stage's `process` inside whole one-worker runs of the make_corpus corpus,
taking turns between pass 2 as a run does it (each stage over a batch of
pipeline.CLEAN_BATCH documents before the next stage) and one document at a time (each
document through every stage before the next document, as runs did before). Inside a run the
rules stage cost about 0.5 CPU-s more than its first pass alone over the same texts: the
other stages' work between two pages had pushed its automata, compiled patterns and line
memory out of the CPU's caches. In batches a stage meets its next page with them still there.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from corpusclean.model import Document
from corpusclean.patterns.gate import Gate
from corpusclean.rulebook import Rule, load_rulebook
from corpusclean.stages.rules import LineMemo, gate_for, scan

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def read_pages(folder: Path) -> list[tuple[str, str]]:
    pages = []
    for path in sorted(folder.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        pages.append((str(path), text if text.endswith("\n") else text + "\n"))
    return pages


def with_python_re(rule: Rule) -> Rule:
    """The rule as the old engine ran it: each field's patterns joined and compiled by `re`."""
    fields = {name: getattr(rule, name) for name in ("patterns", "unless", "require", "end", "continues")}
    return dataclasses.replace(rule, **{name: m.python() for name, m in fields.items() if m is not None})


#: an engine: given nothing, a fresh scanner (so that what one pass remembers is not the next one's)
Engine = Callable[[], Callable[[Document], None]]


def engines() -> dict[str, Engine]:
    rules = load_rulebook().rules
    python_rules = tuple(with_python_re(rule) for rule in rules)
    everything = Gate([None] * len(rules))
    gate = gate_for(rules)

    def with_memo() -> Callable[[Document], None]:
        memo = LineMemo(rules, gate)
        return lambda doc: scan(doc, rules, "rules", gate, memo)

    return {
        "python re, no gate": lambda: lambda doc: scan(doc, python_rules, "rules", everything),
        "re2, no gate": lambda: lambda doc: scan(doc, rules, "rules", everything),
        "re2 + gate": with_memo,
    }


def removals(engine: Engine, pages: list[tuple[str, str]]) -> list[tuple]:
    out = []
    run = engine()
    for name, text in pages:
        doc = Document(name, text)
        run(doc)
        out.extend((name, r.line_start, r.line_end, r.rule) for r in doc.iter_removals())
    return out


def cpu_seconds(engine: Engine, pages: list[tuple[str, str]]) -> float:
    docs = [Document(name, text) for name, text in pages]
    run = engine()
    started = time.process_time()
    for doc in docs:
        run(doc)
    return time.process_time() - started


def measure(label: str, pages: list[tuple[str, str]], repeats: int) -> None:
    size = sum(len(text.encode("utf-8")) for _, text in pages) / 1e6
    lines = sum(text.count("\n") for _, text in pages)
    runs = engines()
    reference = removals(runs["python re, no gate"], pages)
    print(f"\n{label}: {len(pages)} pages, {size:.1f} MB, {lines} lines, "
          f"{len(reference)} removals by the rules")
    print(f"{'engine':<22}{'MB/CPU-s':>10}{'CPU-s (median)':>16}{'x baseline':>12}")
    baseline = None
    for name, run in runs.items():
        assert removals(run, pages) == reference, f"{name}: removals differ from the baseline"
        seconds = statistics.median(cpu_seconds(run, pages) for _ in range(repeats))
        baseline = baseline or seconds
        print(f"{name:<22}{size / seconds:>10.2f}{seconds:>16.2f}{baseline / seconds:>11.1f}x")


#: the cuts of patterns.matcher._CUTS, by index, as the first-use split names them
CUT_NAMES = ("ascii", "common", "wide", "whole")


def first_use(pages: list[tuple[str, str]]) -> dict[str, object]:
    """The scan's first and second pass over `pages` (CPU-s) and the RE2 compiles of the
    first, per cut (how many, CPU-s). Meant for a fresh interpreter: patterns.matcher
    compiles each source once per process."""
    from corpusclean.patterns import matcher

    compiles = {name: [0, 0.0] for name in CUT_NAMES}
    original = matcher.Matcher._compile

    def timed(self: matcher.Matcher, cut: int) -> object:
        started = time.process_time()
        compiled = original(self, cut)
        counted = compiles[CUT_NAMES[cut]]
        counted[0] += 1
        counted[1] += time.process_time() - started
        return compiled

    rules = load_rulebook().rules          # the ASCII cuts are compiled here, as at start-up
    gate = gate_for(rules)
    matcher.Matcher._compile = timed        # type: ignore[method-assign]
    try:
        passes = []
        for _ in range(2):
            docs = [Document(name, text) for name, text in pages]
            memo = LineMemo(rules, gate)
            started = time.process_time()
            for doc in docs:
                scan(doc, rules, "rules", gate, memo)
            passes.append(time.process_time() - started)
    finally:
        matcher.Matcher._compile = original  # type: ignore[method-assign]
    return {"first": passes[0], "second": passes[1], "compiles": compiles}


def print_first_use(corpus: Path, repeats: int) -> None:
    """first_use in `repeats` fresh interpreters; medians."""
    results = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, __file__, "--first-use-child", str(corpus)],
                              capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = statistics.median(r["first"] for r in results)
    second = statistics.median(r["second"] for r in results)
    print(f"\nfirst use (make_corpus pages, fresh interpreter, medians of {repeats}):")
    print(f"  first pass {first:.2f} CPU-s, second pass {second:.2f} CPU-s, difference {first - second:.2f}")
    for name in CUT_NAMES[1:]:
        count = statistics.median(r["compiles"][name][0] for r in results)
        seconds = statistics.median(r["compiles"][name][1] for r in results)
        print(f"  {name:<7} cut compiled for {count:>4.0f} fields in the first pass: {seconds:.3f} CPU-s")


def in_run(corpus: Path, batch: int) -> dict[str, float]:
    """Each stage's `process` CPU-s in a one-worker `run` of `corpus` whose pass 2 cleans
    `batch` documents at a time (pipeline.CLEAN_BATCH; 1: one document at a time). Meant for a
    fresh interpreter."""
    from corpusclean import pipeline
    from corpusclean.cli import cli
    from corpusclean.stages.registry import STAGES

    spent: dict[str, float] = {}

    def timed(name: str, process: Callable[..., None]) -> Callable[..., None]:
        def run(self: object, doc: Document) -> None:
            started = time.process_time()
            process(self, doc)
            spent[name] = spent.get(name, 0.0) + time.process_time() - started
        return run

    for cls in STAGES:
        cls.process = timed(cls.name, cls.process)  # type: ignore[method-assign]
    pipeline.CLEAN_BATCH = batch
    with tempfile.TemporaryDirectory() as out:
        try:
            cli.main(["run", str(corpus), str(Path(out) / "clean"), "--workers", "1", "-q"], standalone_mode=False)
        except SystemExit as exit_:  # a run with failed documents exits 1 after writing everything
            if exit_.code not in (0, 1, None):
                raise
    return spent


def print_in_run(corpus: Path, repeats: int) -> None:
    """in_run in fresh interpreters, batches and one document at a time taking turns; medians."""
    from corpusclean.pipeline import CLEAN_BATCH

    results: dict[int, list[dict[str, float]]] = {CLEAN_BATCH: [], 1: []}
    for _ in range(repeats):
        for batch in results:
            done = subprocess.run([sys.executable, __file__, "--in-run-child", str(corpus), str(batch)],
                                  capture_output=True, text=True, check=True)
            results[batch].append(json.loads(done.stdout.strip().splitlines()[-1]))
    stages = list(results[CLEAN_BATCH][0])
    print(f"\ninside a one-worker run (make_corpus pages, CPU-s of each stage's process, medians of {repeats}):")
    print(f"{'stage':<14}{f'batches of {CLEAN_BATCH}':>16}{'one at a time':>16}{'ratio':>8}")
    for name in stages + ["all"]:
        def seconds(batch: int) -> float:
            return statistics.median(sum(r.values()) if name == "all" else r.get(name, 0.0) for r in results[batch])
        batched, single = seconds(CLEAN_BATCH), seconds(1)
        print(f"{name:<14}{batched:>16.2f}{single:>16.2f}{batched / single if single else 0:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20, help="size of the make_corpus corpus")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per engine (median)")
    parser.add_argument("--first-use", action="store_true", help="print only the first-use split")
    parser.add_argument("--first-use-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--in-run", action="store_true", help="print only the in-run split")
    parser.add_argument("--in-run-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_use_child:
        print(json.dumps(first_use(read_pages(args.first_use_child))))
        return
    if args.in_run_child:
        print(json.dumps(in_run(Path(args.in_run_child[0]), int(args.in_run_child[1]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), str(corpus),
                        "--mb", str(args.mb)], check=True, stdout=subprocess.DEVNULL)
        if not (args.first_use or args.in_run):
            measure(f"make_corpus --mb {args.mb:g}", read_pages(corpus), args.repeats)
        if args.in_run:
            print_in_run(corpus, min(args.repeats, 3))
            return
        print_first_use(corpus, min(args.repeats, 3))
        if args.first_use:
            return
    for devset in ("devset", "devset-l3s"):
        folder = SHARED / devset / "txt"
        if folder.is_dir():
            measure(f"{devset}/txt", read_pages(folder), args.repeats)


if __name__ == "__main__":
    main()
