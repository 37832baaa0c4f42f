"""Dev-set quality of corpusclean, text and HTML, beside the extractors it has to beat, and
what the classifier costs in speed.

Each configuration turns a dev set into clean texts the way a user would (the `corpusclean`
command in a subprocess, into a temporary folder) and is scored with corpusclean.evaluate, the
same metric as the dev sets' score.py. Then the classifier stage alone is timed in-process on
the text the rules leave, and its cost is given as MB/s and as the share it adds to the strip
step. Run from the project root:

    python benchmarks/quality.py --workers 2                  # both dev sets, a few minutes
    python benchmarks/quality.py --devset ../shared/devset-l3s --repeats 5

Both dev sets beside the checkout are scored by default (`../shared/devset`, 130 pages of many
kinds; `../shared/devset-l3s`, 618 news pages). The HTML configurations clean DEVSET/html (the
raw pages) instead; the reference rows are the extractors reading the same HTML:
trafilatura with its defaults and with `favor_precision`, and readability-lxml (Mozilla
Readability's scoring). A page an extractor finds nothing in scores as an empty output.

To measure another way of cleaning a dev set (other inputs, other options), append a
Configuration to CONFIGURATIONS: a name, and a function from the dev set folder and an empty
output folder to the command's exit (the outputs are then read from that folder).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from corpusclean.config import RunConfig
from corpusclean.evaluate import load_gold, load_outputs, score_texts
from corpusclean.pipeline import load_document
from corpusclean.readers.files import iter_directory
from corpusclean.stages.classify import ClassifierStage
from corpusclean.stages.registry import build_stages

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_DEVSETS = (SHARED / "devset", SHARED / "devset-l3s")


@dataclass(frozen=True)
class Configuration:
    name: str
    #: writes clean NAME.txt files for the dev set into the given output folder
    produce: Callable[[Path, Path, int], None]


def copy_dump(devset: Path, out: Path, workers: int) -> None:
    """The text dumps as they are: every line of chrome kept."""
    for source in sorted((devset / "txt").glob("*.txt")):
        shutil.copy(source, out / source.name)


def corpusclean(command: str, *options: str) -> Callable[[Path, Path, int], None]:
    """`corpusclean COMMAND devset/txt OUT OPTIONS...`, as a user runs it."""
    def produce(devset: Path, out: Path, workers: int) -> None:
        subprocess.run([sys.executable, "-c", "from corpusclean.cli import cli; cli()", command,
                        str(devset / "txt"), str(out), "-q", "--workers", str(workers), *options], check=True)
    return produce


# -- HTML input (devset/html/NAME.html.gz) ---------------------------------------------------

def html_pages(devset: Path) -> list[tuple[str, bytes]]:
    """(name, raw bytes) of every page of DEVSET/html."""
    import gzip

    return [(source.name[: -len(".html.gz")], gzip.decompress(source.read_bytes()))
            for source in sorted((devset / "html").glob("*.html.gz"))]


def trafilatura_alone(**settings: bool) -> Callable[[Path, Path, int], None]:
    """A reference: trafilatura.extract (its own dedup off, as ours is) with these settings."""
    def produce(devset: Path, out: Path, workers: int) -> None:
        import trafilatura

        for name, raw in html_pages(devset):
            text = trafilatura.extract(raw, deduplicate=False, **settings) or ""
            (out / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return produce


def readability_alone(devset: Path, out: Path, workers: int) -> None:
    """A reference: readability-lxml's article, as its text (one line per block element)."""
    from lxml import html as lxml_html
    from readability import Document as Readable
    from readability.readability import Unparseable

    from corpusclean.extract import decode_html

    for name, raw in html_pages(devset):
        try:
            summary = Readable(decode_html(raw)[0]).summary(html_partial=True)
            text = "\n".join(lxml_html.fromstring(summary).itertext()) if summary.strip() else ""
        except (Unparseable, ValueError):
            text = ""
        (out / f"{name}.txt").write_text(text + "\n", encoding="utf-8")


def corpusclean_html(command: str, *options: str) -> Callable[[Path, Path, int], None]:
    """`corpusclean COMMAND devset/html OUT OPTIONS...`: extraction (extract.py), then the stages."""
    def produce(devset: Path, out: Path, workers: int) -> None:
        subprocess.run([sys.executable, "-c", "from corpusclean.cli import cli; cli()", command,
                        str(devset / "html"), str(out), "-q", "--workers", str(workers), *options], check=True)
    return produce


CONFIGURATIONS = [
    Configuration("raw dump", copy_dump),
    Configuration("rules only (strip --no-classifier)", corpusclean("strip", "--no-classifier")),
    Configuration("rules + classifier (strip)", corpusclean("strip")),
    Configuration("all stages (run)", corpusclean("run")),
    Configuration("HTML: trafilatura alone", trafilatura_alone()),
    Configuration("HTML: trafilatura favor_precision", trafilatura_alone(favor_precision=True)),
    Configuration("HTML: readability-lxml alone", readability_alone),
    Configuration("HTML: extraction only (fix)", corpusclean_html("fix")),
    Configuration("HTML: rules only", corpusclean_html("strip", "--no-classifier")),
    Configuration("HTML: rules + classifier (strip)", corpusclean_html("strip")),
    Configuration("HTML: all stages (run)", corpusclean_html("run")),
]


def score_configurations(devset: Path, workers: int) -> None:
    gold = load_gold(devset / "gold.json")
    print(f"\n{devset.name}: {len(gold)} pages")
    print(f"{'configuration':<38}{'precision':>10}{'recall':>8}{'F1':>7}{'seconds':>9}{'CPU s':>8}")
    for configuration in CONFIGURATIONS:
        with tempfile.TemporaryDirectory(prefix="corpusclean-quality-") as folder:
            started, cpu_started = time.perf_counter(), cpu_seconds()
            configuration.produce(devset, Path(folder), workers)
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
            score = score_texts(load_outputs(folder), gold)
        print(f"{configuration.name:<38}{score.precision:>10.3f}{score.recall:>8.3f}{score.f1:>7.3f}"
              f"{seconds:>9.1f}{cpu:>8.1f}")


def cpu_seconds() -> float:
    """CPU time of this process and of the finished commands it ran (and their workers): on a
    shared machine wall time says more about the neighbours than about the configuration."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def classifier_cost(devset: Path, repeats: int) -> None:
    """Time the rules, the language stage and the classifier separately, in one process, on
    every dev-set page; the best of `repeats` runs of each."""
    sources = list(iter_directory(devset / "txt"))
    size = sum(os.stat(source.path).st_size for source in sources if source.path) / 1e6
    rules, language = build_stages(RunConfig.build("strip", classifier=False))
    times: dict[str, list[float]] = {"rules": [], "language": [], "classifier": []}
    for _ in range(repeats):
        documents = [load_document(source, 64_000_000)[0] for source in sources]
        for name, stage in (("rules", rules), ("language", language)):
            started = time.perf_counter()
            for doc in documents:
                stage.process(doc)
            times[name].append(time.perf_counter() - started)
        classifier = ClassifierStage()
        started = time.perf_counter()
        for number, doc in enumerate(documents):  # the corpus pass
            classifier.absorb(number, classifier.observe(doc))
        classifier.prepare()
        for doc in documents:
            classifier.process(doc)
        times["classifier"].append(time.perf_counter() - started)
    best = {name: min(values) for name, values in times.items()}
    print(f"\ninput: {len(sources)} pages, {size:.2f} MB; best of {repeats} runs, one process")
    for name, seconds in best.items():
        print(f"  {name:<28}{seconds:6.2f} s {size / seconds:7.2f} MB/s  (median {statistics.median(times[name]):.2f} s)")
    without = best["rules"] + best["language"]
    print(f"  strip step without / with the classifier: {size / without:.2f} / "
          f"{size / (without + best['classifier']):.2f} MB/s (the classifier adds {best['classifier'] / without:.0%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, action="append",
                        help="folder with txt/, html/ and gold.json (repeat for several; default: both dev sets)")
    parser.add_argument("--workers", type=int, default=1, help="workers for the corpusclean commands")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the classifier cost")
    args = parser.parse_args()
    devsets = args.devset or list(DEFAULT_DEVSETS)
    for devset in devsets:
        if not (devset / "gold.json").is_file():
            parser.error(f"no gold.json in {devset}; pass --devset")
    for devset in devsets:
        score_configurations(devset, args.workers)
    classifier_cost(devsets[0], args.repeats)


if __name__ == "__main__":
    main()
