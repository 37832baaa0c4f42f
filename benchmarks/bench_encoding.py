"""How much the fix stage costs: its fast path on clean text, and the whole stage on a corpus.

1. Clean text of a few kinds: `corpusclean.encoding.fix_text` (the fast path, then ftfy only on
   lines that can need it) against plain `ftfy.fix_text` with the same settings; the median
   MB/s of each and the ratio.
2. A make_corpus corpus (`../shared/bench/make_corpus.py`, 20 MB by default, built once and kept
   by bench_stages.py's `ensure_corpus`): `corpusclean.encoding.fix` over every page's bytes as a run
   reads them (decoding, line endings, the lines that can need ftfy, ftfy on those), in a fresh
   interpreter per measurement: CPU-seconds, medians; with --baseline, another checkout's fix
   stage on the same pages, the two taking turns, and a digest of every result (the same text
   and report) per checkout.

Run from the project root:

    python benchmarks/bench_encoding.py                                  # about 1 minute
    python benchmarks/bench_encoding.py --mb 0.5 --corpus-mb 5           # quicker, noisier
    python benchmarks/bench_encoding.py --baseline /path/to/other/checkout --repeat 5
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

from bench_stages import DEFAULT_CACHE, DEFAULT_MAKE_CORPUS, HERE, ensure_corpus  # the corpus it keeps

# One paragraph of each kind of clean text the corpus holds; repeated to the size asked for.
SAMPLES = {
    "english": "The council voted on Tuesday to extend the programme for another two years, "
               "despite objections from residents who say it hasn't worked.\n",
    "english-typographic": "“It’s the right call,” said the mayor — adding that the £2m fund "
                           "would be reviewed… in 2025.\n",
    "french": "Le conseil a voté mardi la prolongation du programme pour deux années de plus, "
              "malgré les objections des habitants qui estiment qu’il n’a pas fonctionné.\n",
    "russian": "Совет во вторник проголосовал за продление программы ещё на два года, несмотря "
               "на возражения жителей, которые считают, что она не сработала.\n",
    "japanese": "市議会は火曜日、住民からの反対にもかかわらず、計画をさらに二年間延長することを"
                "決定した。住民はこの計画が機能していないと主張している。\n",
}


def megabytes_per_second(fn, text: str, repeats: int) -> float:
    size = len(text.encode("utf-8")) / 1e6
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - started)
    return size / statistics.median(times)


def clean_text_section(mb: float, repeats: int) -> None:
    import ftfy

    from corpusclean.encoding import fix_text
    from corpusclean.ftfy_calls import FTFY_CONFIG

    plain = FTFY_CONFIG._replace(explain=False)
    print(f"{'text':<22}{'fast path MB/s':>16}{'ftfy.fix_text MB/s':>20}{'ratio':>8}")
    for name, paragraph in SAMPLES.items():
        text = paragraph * max(1, int(mb * 1e6 / len(paragraph.encode("utf-8"))))
        assert fix_text(text)[0] == ftfy.fix_text(text, plain), f"{name}: outputs differ"
        fast = megabytes_per_second(fix_text, text, repeats)
        slow = megabytes_per_second(lambda t: ftfy.fix_text(t, plain), text, repeats)
        print(f"{name:<22}{fast:>16.1f}{slow:>20.2f}{fast / slow:>7.0f}x")


# -- the fix stage on a corpus ----------------------------------------------------------------------

def measure_corpus(folder: Path) -> dict[str, Any]:
    """In the child: fix() over every page's bytes, CPU-seconds, and what it made."""
    from corpusclean.encoding import fix

    pages = [path.read_bytes() for path in sorted(folder.rglob("*.txt"))]
    started = time.process_time()
    results = [fix(raw) for raw in pages]
    seconds = time.process_time() - started
    digest = hashlib.sha256(json.dumps(results, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    return {"seconds": seconds, "pages": len(pages), "mb": sum(map(len, pages)) / 1e6, "digest": digest,
            "lines_fixed": sum(len(info["ftfy"]) for _, info in results)}


def run_child(checkout: Path, folder: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"))
    done = subprocess.run([sys.executable, __file__, "--child", str(folder)], capture_output=True, text=True,
                          env=env, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def corpus_section(folder: Path, baseline: Path | None, repeat: int) -> None:
    checkouts = {"here": HERE.parent, **({"baseline": baseline.resolve()} if baseline else {})}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
    for _ in range(repeat):
        for name, checkout in checkouts.items():
            runs[name].append(run_child(checkout, folder))
    first = runs["here"][0]
    print(f"\nthe fix stage on {folder}: {first['pages']} pages, {first['mb']:.1f} MB, "
          f"{first['lines_fixed']} lines changed by ftfy; CPU-s, medians of {repeat}")
    seconds = {name: statistics.median(r["seconds"] for r in found) for name, found in runs.items()}
    for name, found in runs.items():
        line = (f"  {name:9s} {seconds[name]:6.2f} CPU-s  {first['mb'] / seconds[name]:6.1f} MB per CPU-s"
                f"  digest {', '.join(sorted({r['digest'] for r in found}))}")
        if name == "baseline":
            line += f"  (here / baseline: {seconds['here'] / seconds['baseline']:.2f})"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of each clean-text sample in MB")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per clean-text measurement")
    parser.add_argument("--corpus-mb", type=float, default=20, help="size of the make_corpus corpus (0: none)")
    parser.add_argument("--baseline", type=Path, help="another checkout (its src/ is imported) to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="corpus measurements per checkout (medians)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure_corpus(args.child)))
        return
    clean_text_section(args.mb, args.repeats)
    if args.corpus_mb:
        corpus_section(ensure_corpus(args.corpus_mb, DEFAULT_MAKE_CORPUS, DEFAULT_CACHE), args.baseline, args.repeat)


if __name__ == "__main__":
    main()
