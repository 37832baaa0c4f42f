"""The obvious implementation of the dedup stage's job, as a baseline for bench_dedup.py.

Same units and same decisions as corpusclean's stage (lines; short lines by exact normalised
text; long lines by MinHash of 3-word shingles, Jaccard >= 0.7; template lines in >= 10 pages and 1% of them;
repeats removed after the first), written the way the datasketch docs suggest: one `MinHash`
per long line fed with `update_batch`, and a `MinHashLSH` queried, each candidate verified
with `MinHash.jaccard`, then inserted. Python dicts and lists hold the rest.
"""
from __future__ import annotations

import math
import re

from datasketch import MinHash, MinHashLSH

WORD = re.compile(r"\w+")
THRESHOLD, NUM_PERM, SHINGLE, SHORT_WORDS = 0.7, 128, 3, 8
TEMPLATE_PAGES, TEMPLATE_SHARE = 10, 0.01


class ObviousDedup:
    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.minhashes: list[MinHash] = []          # one per distinct long line, for verification
        self.cluster_pages: list[int] = []          # pages each long-line cluster is in
        self.cluster_first: list[tuple[int, int]] = []
        self.short_pages: dict[str, int] = {}       # normalised short line -> pages
        self.page_lines: dict[int, list[tuple[int, int]]] = {}  # page -> (line, cluster) of long lines
        self.template_pages = TEMPLATE_PAGES

    def observe(self, number: int, doc) -> None:
        seen_short: set[str] = set()
        seen_clusters: set[int] = set()
        assigned = []
        for i, line in enumerate(doc.lines):
            words = WORD.findall(line.casefold())
            if not words:
                continue
            if len(words) < SHORT_WORDS:
                key = " ".join(words)
                if key not in seen_short:
                    seen_short.add(key)
                    self.short_pages[key] = self.short_pages.get(key, 0) + 1
                continue
            minhash = MinHash(num_perm=NUM_PERM)
            minhash.update_batch([" ".join(words[j:j + SHINGLE]).encode("utf-8")
                                  for j in range(len(words) - SHINGLE + 1)])
            matches = [c for c in self.lsh.query(minhash) if self.minhashes[c].jaccard(minhash) >= THRESHOLD]
            if matches:
                cluster = min(matches)
            else:
                cluster = len(self.minhashes)
                self.lsh.insert(cluster, minhash)
                self.minhashes.append(minhash)
                self.cluster_pages.append(0)
                self.cluster_first.append((number, i))
            if cluster not in seen_clusters:
                seen_clusters.add(cluster)
                self.cluster_pages[cluster] += 1
            assigned.append((i, cluster))
        self.page_lines[number] = assigned

    def prepare(self) -> None:
        self.template_pages = max(TEMPLATE_PAGES, math.ceil(TEMPLATE_SHARE * len(self.page_lines)))

    def process(self, number: int, doc) -> None:
        first_in_page: dict[int, int] = {}
        for line, cluster in self.page_lines[number]:
            if self.cluster_pages[cluster] >= self.template_pages:
                self._remove(doc, line, "template")
            elif cluster in first_in_page or self.cluster_first[cluster][0] != number:
                self._remove(doc, line, "duplicate")
            first_in_page.setdefault(cluster, line)
        seen: set[str] = set()
        for i, line in enumerate(doc.lines):
            words = WORD.findall(line.casefold())
            if not words or len(words) >= SHORT_WORDS:
                continue
            key = " ".join(words)
            if self.short_pages[key] >= self.template_pages or key in seen:
                self._remove(doc, i, "template" if self.short_pages[key] >= self.template_pages else "duplicate")
            seen.add(key)

    @staticmethod
    def _remove(doc, line: int, category: str) -> None:
        if doc.is_live(line):
            doc.remove(line, line, stage="obvious", rule=f"obvious.{category}", category=category)
