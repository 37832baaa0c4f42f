#!/usr/bin/env python3
"""What every `corpusclean run` pays before its first page: imports, rule packs, language data.

    python3 benchmarks/bench_startup.py              # medians of 5 runs
    python3 benchmarks/bench_startup.py --repeat 3
    python3 benchmarks/bench_startup.py --baseline /path/to/other/checkout --parts-only \
        --corpus /tmp/corpusclean-bench-run-20mb/folder      # the fixed cost's parts, both checkouts

Every figure is CPU-seconds of a fresh interpreter (its workers included), the median of
--repeat runs, so the figures do not depend on what a previous measurement left in memory. A
run and the imports alone are the `corpusclean` command and `python -c "import corpusclean.cli"`
themselves, measured from outside as bench_run.py measures a run (nothing of this script in
the process, the interpreter's shutdown included); the parts are timed inside this script's
own children.
The start-up cache (corpusclean/cache.py) is a scratch folder of this script's: "cached" is a
run that finds it filled (any run after the first), "uncached" one with caching off (the first
run after installing or editing corpusclean, or after editing a rule pack):

  run, one page        `corpusclean run` on a folder holding one seed page, one worker
  imports alone        `import corpusclean.cli`: the floor under any run
  rule packs           load_rulebook() and the keyword gate, as a run does them; the baseline
                       is the same uncached plus every field compiled whole, unfactored, which
                       is what loading did before patterns were compiled in cuts (patterns/matcher.py)
  first scan           the rules stage on a make_corpus corpus the first time (it compiles
                       the non-ASCII cuts it meets) and again (the steady state)
  langdetect profiles  langdetect's DetectorFactory.load_profile (the baseline) against
                       language_detection.Profiles, which works n-gram vectors out on demand
  stoplist vote        building StopwordVote (the stoplists' index of the language stage)

With --baseline CHECKOUT, the fixed cost of a run in parts, here and in the other checkout
(each imports its own `src/`; the two take turns, each with a start-up cache of its own, filled
before timing): the imports of `corpusclean.cli`, building the stages (`build_stages`), the
`prepare` of the stages with no corpus pass (the parent's before workers fork), each stage's
`warm`, what a worker pays before its pages cost what they do (`Cleaner()` builds and prepares
the stages without warming them, then cleans one seed page twice: the first time pays for what
the stages build on first use), and a one-page run; with --corpus FOLDER also the parent's own
CPU in a 2-worker run of it (imports and interpreter included: what `run` pays besides its
workers).
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
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(HERE))

from bench_run import cpu, measured_process, run_command  # noqa: E402  (a sibling script, not a package)


def rule_packs(whole: bool) -> None:
    from corpusclean.patterns.matcher import compile_cut, translate_all
    from corpusclean.patterns.translate import alt
    from corpusclean.rulebook import load_rulebook
    from corpusclean.stages.rules import gate_for

    rules = load_rulebook().rules
    gate_for(rules)
    if whole:  # what loading also did before: every field compiled whole, as written
        from corpusclean.patterns import charsets
        for rule in rules:
            for name in ("patterns", "unless", "require", "end", "continues"):
                field = getattr(rule, name)
                if field is not None:
                    compile_cut(alt(translate_all(list(field.sources), field.flags)), charsets.EVERYTHING)


def first_scan(corpus: Path) -> dict[str, float]:
    from corpusclean.model import Document
    from corpusclean.rulebook import load_rulebook
    from corpusclean.stages.rules import gate_for, scan

    pages = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.rglob("*.txt"))]
    rules = load_rulebook().rules
    gate = gate_for(rules)
    times = []
    for _ in range(2):
        docs = [Document(str(i), text) for i, text in enumerate(pages)]
        started = time.process_time()
        for doc in docs:
            scan(doc, rules, "rules", gate)
        times.append(time.process_time() - started)
    return {"first": times[0], "again": times[1]}


def parts() -> dict[str, float]:
    """CPU-s of each part of a run's fixed cost, in the order a run pays them."""
    result: dict[str, float] = {}
    started = time.process_time()

    def lap(name: str) -> None:
        nonlocal started
        now = time.process_time()
        result[name] = now - started
        started = now

    import corpusclean.cli  # noqa: F401
    lap("imports")
    from corpusclean.config import RunConfig
    from corpusclean.stages.registry import build_stages
    stages = build_stages(RunConfig.build("run"))
    lap("building the stages")
    for stage in stages:
        if not stage.needs_corpus:
            stage.prepare()
    lap("prepare (stages without a corpus pass)")
    for stage in stages:
        stage.warm()
        lap(f"warm: {stage.name}")
    return result


def child(kind: str, argument: str) -> dict[str, float]:
    result: dict[str, float] = {}
    if kind == "parts":
        result.update(parts())
    elif kind == "first":   # what a worker pays before its pages cost what they do: the stages
        import corpusclean.cli  # noqa: F401  (built and prepared, not warmed) and its first page
        from corpusclean import Cleaner

        text = Path(argument).read_text(encoding="utf-8")
        started = time.process_time()
        cleaner = Cleaner()
        built = time.process_time()
        cleaner(text)
        first = time.process_time()
        cleaner(text)
        result.update({"Cleaner()": built - started, "its first page": first - built,
                       "the same page again": time.process_time() - first})
    elif kind in ("rules", "rules-whole"):
        import corpusclean.cli  # noqa: F401  (imports are not what is measured here)
        started = time.process_time()
        rule_packs(whole=kind == "rules-whole")
        result["part"] = time.process_time() - started
    elif kind == "scan":
        result.update(first_scan(Path(argument)))
    elif kind in ("langdetect", "profiles", "vote"):
        import corpusclean.cli  # noqa: F401
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        from corpusclean.stages.language import SEED
        try:
            from corpusclean.language_detection import Profiles, StopwordVote
        except ImportError:   # a tree from before the detectors had a module of their own
            from corpusclean.stages.language import Profiles, StopwordVote
        started = time.process_time()
        if kind == "langdetect":
            DetectorFactory().load_profile(PROFILES_DIRECTORY)
        elif kind == "profiles":
            Profiles(PROFILES_DIRECTORY, SEED)
        else:
            StopwordVote()
        result["part"] = time.process_time() - started
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu"] = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    return result


#: the start-up cache's folder for the children: set by main, "" (caching off) for uncached runs
CACHE = {"CORPUSCLEAN_CACHE_DIR": ""}


def measure(kind: str, argument: str = "", cached: bool = True, tree: Path | None = None) -> dict[str, float]:
    """One fresh interpreter's figures; `tree`: a checkout whose `src/` it imports (and whose
    start-up cache it fills and reads: a folder of its own)."""
    environment = {**os.environ, **(CACHE if cached else {"CORPUSCLEAN_CACHE_DIR": ""})}
    if tree is not None:
        environment["PYTHONPATH"] = str(tree / "src")
        if cached:
            environment["CORPUSCLEAN_CACHE_DIR"] = f"{CACHE['CORPUSCLEAN_CACHE_DIR']}{str(tree).replace(os.sep, '-')}"
    if kind in OUTSIDE:
        return OUTSIDE[kind](argument, environment)
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--argument", argument],
                          capture_output=True, text=True, check=True, env=environment)
    return json.loads(done.stdout.strip().splitlines()[-1])


def imports(argument: str, environment: dict[str, str]) -> dict[str, float]:
    """`python -c "import corpusclean.cli"`, measured from outside (bench_run.measured_process)."""
    with tempfile.TemporaryFile() as output:
        done = measured_process([sys.executable, "-c", "import corpusclean.cli"], environment, output)
        output.seek(0)
        if done["returncode"]:
            raise SystemExit(output.read().decode("utf-8", "replace"))
    return {"cpu": cpu(done)}


def one_worker(argument: str, environment: dict[str, str]) -> dict[str, float]:
    """`corpusclean run FOLDER OUT -w 1`, the command itself, measured from outside."""
    return {"cpu": cpu(run_command(Path(argument), 1, env=environment))}


def two_workers(argument: str, environment: dict[str, str]) -> dict[str, float]:
    """`corpusclean run FOLDER OUT -w 2`: its own process's CPU (the parent's) and all of it."""
    done = run_command(Path(argument), 2, env=environment)
    return {"parent": done["cpu_parent"], "cpu": cpu(done)}


#: what is measured as the command or the interpreter itself, from outside, with nothing of this
#: script in the process (bench_run.py's way): the other kinds are this script's own children
OUTSIDE: dict[str, Callable[[str, dict[str, str]], dict[str, float]]] = {
    "imports": imports, "run": one_worker, "parent": two_workers}


def medians(kind: str, repeat: int, argument: str = "", cached: bool = True) -> dict[str, float]:
    measure(kind, argument, cached)  # fills the cache (and the system's file cache) first
    runs = [measure(kind, argument, cached) for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def against_baseline(baseline: Path, repeat: int, one: Path, corpus: Path | None) -> None:
    """The fixed cost's parts here and in `baseline`, the two taking turns (see the docstring)."""
    trees = {"here": ROOT, "baseline": baseline}
    page = next(one.iterdir())
    kinds = [("parts", ""), ("first", str(page)), ("run", str(one))] + ([("parent", str(corpus))] if corpus else [])
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    for kind, argument in kinds:
        for tree in trees.values():
            measure(kind, argument, tree=tree)   # fills its cache (and the system's file cache)
        for _ in range(repeat):
            for label, tree in trees.items():
                runs.setdefault((label, kind), []).append(measure(kind, argument, tree=tree))

    def median(label: str, kind: str, key: str) -> float:
        return statistics.median(run.get(key, 0.0) for run in runs[(label, kind)])

    print(f"The fixed cost of a run, CPU-seconds, medians of {repeat} fresh interpreters each\n")
    print(f"{'':<44}{'here':>8}{'baseline':>10}{'ratio':>8}")
    rows = [("parts", key, key) for key in dict.fromkeys(k for run in runs[("here", "parts")] for k in run)
            if key != "cpu"]
    rows.append(("parts", "", "the parts together"))
    rows.append(("parts", "cpu", "  with the interpreter's start and exit"))
    rows += [("first", key, f"{key} (one page, a fresh process)" if key == "Cleaner()" else f"  {key}")
             for key in ("Cleaner()", "its first page", "the same page again")]
    rows.append(("run", "cpu", "corpusclean run, one page, 1 worker"))
    if corpus:
        rows.append(("parent", "parent", "the parent of a 2-worker run of --corpus"))
    for kind, key, title in rows:
        if key:
            here, base = median("here", kind, key), median("baseline", kind, key)
        else:   # the sum of the parts, run by run
            here, base = (statistics.median(sum(v for k, v in run.items() if k != "cpu")
                                            for run in runs[(label, "parts")]) for label in trees)
        ratio = f"{here / base:8.2f}" if base > 0.0005 else ""
        print(f"{title:<44}{here:8.3f}{base:10.3f}{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mb", type=float, default=5, help="make_corpus size for the first scan (default 5)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout: print the fixed cost's parts here and there")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="with --baseline: a folder whose 2-worker run's parent is timed too")
    parser.add_argument("--parts-only", action="store_true", help="with --baseline: print only that table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--argument", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.argument)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        one = Path(scratch) / "one"
        one.mkdir()
        seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
        (one / seed.name).write_bytes(seed.read_bytes())
        CACHE["CORPUSCLEAN_CACHE_DIR"] = str(Path(scratch) / "cache")
        # imports from compiled bytecode, as from any installation, even where
        # PYTHONDONTWRITEBYTECODE is set (each run would then compile corpusclean's source)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "bytecode")
        if args.baseline:
            against_baseline(args.baseline.resolve(), args.repeat, one,
                             args.corpus.resolve() if args.corpus else None)
            if args.parts_only:
                return
            print()
        corpus = Path(scratch) / "corpus"
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), str(corpus), "--mb", str(args.mb)],
                       check=True, capture_output=True)
        print(f"CPU-seconds, medians of {args.repeat} fresh interpreters\n")
        run, uncached = (medians("run", args.repeat, str(one), cached)["cpu"] for cached in (True, False))
        imports = medians("imports", args.repeat)["cpu"]
        print(f"{'corpusclean run, one page, 1 worker':<44}{run:8.2f}   uncached: {uncached:.2f}")
        print(f"{'imports alone (the floor)':<44}{imports:8.2f}")
        now, cold = (medians("rules", args.repeat, cached=cached)["part"] for cached in (True, False))
        before = medians("rules-whole", args.repeat, cached=False)["part"]
        print(f"{'rule packs + gate, as a run loads them':<44}{now:8.2f}   uncached: {cold:.2f}, "
              f"and compiled whole as before: {before:.2f} ({before / now:.1f}x)")
        scan = medians("scan", args.repeat, str(corpus))
        print(f"{f'rules scan of a {args.mb:g} MB corpus, first time':<44}{scan['first']:8.2f}   "
              f"again: {scan['again']:.2f} (the first pays {scan['first'] - scan['again']:.2f} for its cuts)")
        ours, theirs = medians("profiles", args.repeat)["part"], medians("langdetect", args.repeat)["part"]
        print(f"{'langdetect profiles, on demand':<44}{ours:8.2f}   "
              f"DetectorFactory.load_profile: {theirs:.2f} ({theirs / ours:.1f}x)")
        print(f"{'stoplist vote (language stage)':<44}{medians('vote', args.repeat)['part']:8.2f}")


if __name__ == "__main__":
    main()
