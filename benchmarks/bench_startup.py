#!/usr/bin/env python3
"""What every `corpusclean run` pays before its first page: imports, rule packs, language data.

    python3 benchmarks/bench_startup.py              # medians of 5 runs
    python3 benchmarks/bench_startup.py --repeat 3

Every figure is CPU-seconds of a fresh interpreter (its workers included), the median of
--repeat runs, so the figures do not depend on what a previous measurement left in memory.
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
                       stages/language.Profiles, which works n-gram vectors out on demand
  stoplist vote        building StopwordVote (the stoplists' index of the language stage)
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
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"


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


def child(kind: str, argument: str) -> dict[str, float]:
    result: dict[str, float] = {}
    if kind == "imports":
        import corpusclean.cli  # noqa: F401
    elif kind == "run":
        from click.testing import CliRunner

        from corpusclean.cli import cli
        with tempfile.TemporaryDirectory() as scratch:
            done = CliRunner().invoke(cli, ["run", argument, str(Path(scratch) / "out"), "--workers", "1", "-q"])
            if done.exit_code != 0:
                raise SystemExit(done.output)
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

        from corpusclean.stages.language import SEED, Profiles, StopwordVote
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


def measure(kind: str, argument: str = "", cached: bool = True) -> dict[str, float]:
    environment = {**os.environ, **(CACHE if cached else {"CORPUSCLEAN_CACHE_DIR": ""})}
    done = subprocess.run([sys.executable, __file__, "--child", kind, "--argument", argument],
                          capture_output=True, text=True, check=True, env=environment)
    return json.loads(done.stdout.strip().splitlines()[-1])


def medians(kind: str, repeat: int, argument: str = "", cached: bool = True) -> dict[str, float]:
    measure(kind, argument, cached)  # fills the cache (and the system's file cache) first
    runs = [measure(kind, argument, cached) for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mb", type=float, default=5, help="make_corpus size for the first scan (default 5)")
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
        corpus = Path(scratch) / "corpus"
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), str(corpus), "--mb", str(args.mb)],
                       check=True, capture_output=True)
        CACHE["CORPUSCLEAN_CACHE_DIR"] = str(Path(scratch) / "cache")
        # imports from compiled bytecode, as from any installation, even where
        # PYTHONDONTWRITEBYTECODE is set (each run would then compile corpusclean's source)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "bytecode")
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
