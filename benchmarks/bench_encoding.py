"""How much the fix stage's fast path saves on clean text.

Times `corpusclean.encoding.fix_text` (the fast path, then ftfy only on lines that can need
it) against plain `ftfy.fix_text` with the same settings, on clean text of a few kinds, and
prints the median MB/s of each and the ratio. Run from the project root:

    python benchmarks/bench_encoding.py            # about 30 s
    python benchmarks/bench_encoding.py --mb 0.5   # quicker, noisier
"""
from __future__ import annotations

import argparse
import statistics
import time

import ftfy

from corpusclean.encoding import FTFY_CONFIG, fix_text

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of each sample text in MB")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement")
    args = parser.parse_args()
    plain = FTFY_CONFIG._replace(explain=False)
    print(f"{'text':<22}{'fast path MB/s':>16}{'ftfy.fix_text MB/s':>20}{'ratio':>8}")
    for name, paragraph in SAMPLES.items():
        text = paragraph * max(1, int(args.mb * 1e6 / len(paragraph.encode("utf-8"))))
        assert fix_text(text)[0] == ftfy.fix_text(text, plain), f"{name}: outputs differ"
        fast = megabytes_per_second(fix_text, text, args.repeats)
        slow = megabytes_per_second(lambda t: ftfy.fix_text(t, plain), text, args.repeats)
        print(f"{name:<22}{fast:>16.1f}{slow:>20.2f}{fast / slow:>7.0f}x")


if __name__ == "__main__":
    main()
