#!/usr/bin/env python3
"""What each stage's page pass costs, here and in a baseline checkout, on the same documents.

    python3 benchmarks/bench_stages.py                              # 5 MB corpus, this checkout
    python3 benchmarks/bench_stages.py --baseline /path/to/other/checkout --repeat 5

`corpusclean run` spends most of its CPU in the stages' page pass (rules, language,
classifier, dedup, quality). This times each stage's `process` alone, document by document,
as a one-worker run calls it: the corpus is built with `../shared/bench/make_corpus.py` (once
per size, then reused), loaded and fixed as `run` loads it, the corpus pass (observe, absorb,
prepare) done untimed, then every document goes through the stages in order with a CPU timer
around each, the garbage collector tuned as a run tunes it. Each repeat runs in a fresh
interpreter, so what a worker pays once (compiling a rule's RE2 cut, langdetect's profiles,
the classifier's regexes) counts once per repeat, as in a run. Figures are CPU-seconds, medians over --repeat; with --baseline the two checkouts
take turns, so a busy spell on a shared machine hits both alike.

It also prints a digest of every removal and every page's language, per checkout: a speed
change must leave it the same (the same decisions, the same reports).

What it prints, per stage: CPU-s here, CPU-s in the baseline, their ratio; and the page
pass as a whole in MB of input per CPU-second. The whole `run` (reading, writing, start-up,
the parent) is benchmarks/bench_run.py's.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
DEFAULT_MAKE_CORPUS = SHARED / "bench" / "make_corpus.py"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "corpusclean-bench"


def ensure_corpus(mb: float, make_corpus: Path, cache: Path) -> Path:
    """The folder corpus of `mb` MB, built once and reused."""
    folder = cache / f"stages-{mb:g}mb"
    done = folder / ".complete"
    if not done.exists():
        print(f"building a {mb:g} MB corpus in {folder} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(make_corpus), str(folder), "--mb", str(mb)], check=True,
                       stdout=subprocess.DEVNULL)
        done.write_text(str(mb))
    return folder


# -- one measurement, in a child process whose `corpusclean` is the checkout being measured -------

def measure(source: Path) -> dict[str, Any]:
    """Each stage's page-pass CPU-s over the corpus, and the digest of what they decided."""
    from corpusclean.config import RunConfig
    from corpusclean.pipeline import load_document
    from corpusclean.readers import open_input
    from corpusclean.stages.registry import build_stages

    config = RunConfig.build("run")
    stages = build_stages(config)
    sources = list(open_input(str(source), config.input.patterns).sources())

    def load_all() -> list[Any]:
        docs = [load_document(s, config.input.max_bytes)[0] for s in sources]
        for number, doc in enumerate(docs):
            doc.meta.number = number  # its place in the input, as the pipeline numbers it
        return docs

    docs = load_all()
    for stage in stages:  # the corpus pass, untimed (no --lang: no stage screens pages out)
        if stage.needs_corpus:
            stage.absorb_batch(range(len(docs)), stage.observe_batch(docs))
        stage.prepare()
    docs = load_all()  # as pass 2 gets them: fixed, nothing removed yet
    # the garbage collector as a run tunes it (fewer young collections, what exists so far
    # frozen out of them): with Python's defaults a collection is charged to whichever stage
    # trips its threshold, which moved one stage's figure by 10% between two trees whose code
    # for it was the same. A checkout from before the tuning keeps the defaults.
    from corpusclean import pipeline

    collect_for_a_run = getattr(pipeline, "_collect_for_a_run", None)
    if collect_for_a_run is not None:
        collect_for_a_run()
    seconds = {stage.name: 0.0 for stage in stages}
    for doc in docs:
        for stage in stages:
            started = time.process_time()
            stage.process(doc)
            seconds[stage.name] += time.process_time() - started
            if doc.meta.dropped:
                break
    digest = hashlib.sha256()
    for doc in docs:
        decided = {"removals": [r.to_json() for r in doc.iter_removals()], "language": doc.meta.language,
                   "dropped": doc.meta.dropped}
        digest.update(json.dumps(decided, sort_keys=True, default=str).encode())
    return {"seconds": seconds, "digest": digest.hexdigest()[:16]}


def run_child(checkout: Path | None, source: Path) -> dict[str, Any]:
    """One measurement in a fresh interpreter, importing corpusclean from `checkout`'s src/
    (None: the corpusclean this interpreter has)."""
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout / "src")
    done = subprocess.run([sys.executable, __file__, "--child", str(source)], capture_output=True, text=True,
                          env=env)
    if done.returncode != 0:
        raise SystemExit(f"measuring {checkout or 'this checkout'} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5, help="corpus size to build (default 5)")
    parser.add_argument("--corpus", type=Path, default=None, help="a folder of documents instead of a built corpus")
    parser.add_argument("--make-corpus", type=Path, default=DEFAULT_MAKE_CORPUS)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where built corpora are kept")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of corpusclean (its src/ is imported) to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per checkout; medians are printed")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child)))
        return
    source = args.corpus or ensure_corpus(args.mb, args.make_corpus, args.cache)
    mb = sum(p.stat().st_size for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")) / 1e6
    here = HERE.parent
    checkouts = {"here": here, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
    for _ in range(args.repeat):
        for name, checkout in checkouts.items():
            runs[name].append(run_child(checkout, source))
    stages = list(runs["here"][0]["seconds"])
    print(f"page pass of each stage on {source} ({mb:.1f} MB), CPU-s, medians of {args.repeat}")
    header = f"  {'stage':12s} {'here':>8s}"
    if args.baseline:
        header += f" {'baseline':>9s} {'ratio':>6s}"
    print(header)
    totals = {name: [sum(r["seconds"].values()) for r in found] for name, found in runs.items()}
    for stage in [*stages, "all stages"]:
        values = {name: statistics.median(sum(r["seconds"].values()) if stage == "all stages"
                                          else r["seconds"].get(stage, 0.0) for r in found)
                  for name, found in runs.items()}
        line = f"  {stage:12s} {values['here']:8.2f}"
        if args.baseline:
            base = values["baseline"]
            line += f" {base:9.2f} {values['here'] / base if base else float('nan'):6.2f}"
        print(line)
    for name in checkouts:
        print(f"  {name}: {mb / statistics.median(totals[name]):.2f} MB per CPU-s of page pass; "
              f"decisions digest {', '.join(sorted({r['digest'] for r in runs[name]}))}")
    if args.baseline:
        same = {r["digest"] for r in runs["here"]} == {r["digest"] for r in runs["baseline"]}
        print("  decisions: " + ("identical" if same else "DIFFERENT from the baseline's"))


if __name__ == "__main__":
    main()
