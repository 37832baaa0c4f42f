#!/usr/bin/env python3
"""Does the language stage's stopword shortcut choose the language langdetect would?

    python3 benchmarks/language_agreement.py                     # both dev sets, txt and html
    python3 benchmarks/language_agreement.py --skip-html

For every page, the sample the stage detects on (`content_sample`) goes to langdetect alone
(what the stage did before the shortcut) and through the stage (stopwords first, langdetect
when they do not clearly decide). Printed per input: pages, how many the stopwords decided,
how many answers equal langdetect's, every page where they differ, and the CPU time of each
way. The multilingual sample is tests/multilingual.py (passages written for the tests, alone
and under an English menu).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
sys.path.insert(0, str(HERE.parent / "tests"))

from multilingual import ENGLISH_MENU, PASSAGES  # noqa: E402

from corpusclean.model import Document  # noqa: E402
from corpusclean.stages.language import LanguageStage, content_sample, has_letters  # noqa: E402


def documents(folder: Path) -> list[Document]:
    from corpusclean.errors import InputError
    from corpusclean.pipeline import load_document
    from corpusclean.readers.files import iter_directory

    docs = []
    for source in iter_directory(folder):
        try:
            docs.append(load_document(source, 64_000_000)[0])
        except InputError:
            continue
    return docs


def compare(label: str, docs: list[Document], stage: LanguageStage) -> None:
    before: list[str] = []
    after: list[dict] = []
    cpu_before = cpu_after = 0.0
    for doc in docs:
        sample = content_sample(doc.lines)
        started = time.process_time()
        if not has_letters(sample):
            before.append("unknown")
        else:
            before.append(stage.langdetect(sample)["code"])
        cpu_before += time.process_time() - started
        started = time.process_time()
        after.append(stage.detect(doc))
        cpu_after += time.process_time() - started
    voted = sum(1 for a in after if a.get("method") == "stopwords")
    same = sum(1 for b, a in zip(before, after) if b == a["code"])
    languages = Counter(before)
    print(f"{label:<34}{len(docs):>6}{voted:>8}{same:>7} ({same / max(len(docs), 1):6.1%})"
          f"{1000 * cpu_before / max(len(docs), 1):>9.2f}{1000 * cpu_after / max(len(docs), 1):>9.2f}"
          f"   {', '.join(f'{code} {n}' for code, n in languages.most_common(6))}")
    for doc, b, a in zip(docs, before, after):
        if b != a["code"]:
            print(f"    differs: {doc.name}: langdetect {b}, stage {a}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devsets", type=Path, nargs="*", default=[SHARED / "devset", SHARED / "devset-l3s"])
    parser.add_argument("--skip-html", action="store_true", help="text dumps only (HTML extraction is slow)")
    args = parser.parse_args()
    stage = LanguageStage()
    stage.prepare()
    print(f"{'input':<34}{'pages':>6}{'by stop':>8}{'same as langdetect':>17}"
          f"{'ms: before':>11}{'after':>9}   languages (langdetect)")
    multilingual = [Document(f"{code}-{i}", text) for code, texts in PASSAGES.items() for i, text in enumerate(texts)]
    compare("multilingual passages", multilingual, stage)
    menu = [Document(doc.name + "+menu", ENGLISH_MENU + doc.text) for doc in multilingual]
    compare("... under an English menu", menu, stage)
    for devset in args.devsets:
        for kind in ("txt",) if args.skip_html else ("txt", "html"):
            folder = devset / kind
            if folder.is_dir():
                compare(f"{devset.name}/{kind}", documents(folder), stage)


if __name__ == "__main__":
    main()
