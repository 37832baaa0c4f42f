#!/usr/bin/env python3
"""What a page costs in HTML mode, against `trafilatura.extract` alone on the same pages.

    python3 benchmarks/bench_html.py                 # both dev sets' html/, medians of 3
    python3 benchmarks/bench_html.py --html ../shared/devset/html --repeat 5

For each folder of pages it prints, in CPU-seconds (a shared machine disturbs them far less
than wall time):
  run        `corpusclean run` (1 worker) on every page, minus a run on the first page alone
             (the fixed cost of any run: imports, language profiles, rule packs), per page, in
             a fresh interpreter each time, beside `trafilatura.extract` (its own dedup off)
             on every page in a fresh interpreter; the ratio is issue 11's HTML target
  steps      in one process, after a first page that pays for lazy set-up: each step of
             extract.extract_html per page (decoding, parsing, pruning hidden elements,
             exposing captions, finding repeats, link blocks and subheadings to restore,
             trafilatura, readability-lxml where it runs, layout), beside trafilatura.extract on the same pages in the same process
The run figures come from benchmarks/bench_run.py's HTML section (the same measurement).
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_run import html_pages, html_section  # noqa: E402  (a sibling script, not a package)

SHARED = HERE.parent.parent / "shared"
DEFAULT_FOLDERS = (SHARED / "devset" / "html", SHARED / "devset-l3s" / "html")


def read_page(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def steps(folder: Path, repeat: int) -> None:
    """CPU per page of each step of extract_html, in this process, with a timer around each
    of its functions (exclusive of the timed functions it calls)."""
    import trafilatura

    from corpusclean import extract

    timed = ("decode_html", "repair_html", "parse_html", "prune_hidden", "expose_blocks", "block_pairs",
             "repeated_blocks", "link_runs", "heading_runs", "_trafilatura", "_readability", "restore_repeats",
             "restore_dropped", "page_paragraphs", "code_line_ranges")
    seconds: dict[str, list[float]] = {name: [] for name in (*timed, "extract_html", "trafilatura.extract")}
    originals = {name: getattr(extract, name) for name in timed}
    pages = [read_page(path) for path in html_pages(folder)]
    spent: dict[str, float] = {}
    stack: list[list[float]] = []

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            frame = [time.process_time(), 0.0]
            stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                stack.pop()
                took = time.process_time() - frame[0]
                spent[name] = spent.get(name, 0.0) + took - frame[1]
                if stack:
                    stack[-1][1] += took
        return inner

    extract.extract_html(pages[0])  # lazy imports and set-up are not a page's cost
    trafilatura.extract(pages[0], deduplicate=False)
    for _ in range(repeat):
        for name in timed:
            setattr(extract, name, wrap(name, originals[name]))
        spent.clear()
        started = time.process_time()
        for page in pages[1:]:
            extract.extract_html(page)
        total = time.process_time() - started
        for name in timed:
            setattr(extract, name, originals[name])
        for name in timed:
            seconds[name].append(spent.get(name, 0.0))
        seconds["extract_html"].append(total)
        started = time.process_time()
        for page in pages[1:]:
            trafilatura.extract(page, deduplicate=False)
        seconds["trafilatura.extract"].append(time.process_time() - started)
    count = len(pages) - 1
    per_page = {name: statistics.median(values) / count * 1000 for name, values in seconds.items()}
    print(f"  one process, ms of CPU per page (medians of {repeat}):")
    print(f"    trafilatura.extract alone             {per_page['trafilatura.extract']:7.2f}")
    print(f"    extract.extract_html                  {per_page['extract_html']:7.2f}  "
          f"({per_page['extract_html'] / per_page['trafilatura.extract']:.2f}x), of which:")
    for name in timed:
        print(f"      {name:<34}{per_page[name]:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, action="append",
                        help="a folder of .html/.html.gz pages (repeat for several; default: both dev sets' html/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are printed")
    args = parser.parse_args()
    for folder in args.html or DEFAULT_FOLDERS:
        if not folder.is_dir():
            parser.error(f"no folder {folder}; pass --html")
        html_section(folder, args.repeat)
        steps(folder, args.repeat)


if __name__ == "__main__":
    main()
