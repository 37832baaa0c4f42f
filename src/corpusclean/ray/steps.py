"""What runs on the Ray workers: pass 1 and pass 2 (actor classes, the stages built once per
worker), and the reductions of the corpus index, one partition per call.

Every reduction takes a batch holding all pieces of one partition (`shards.by_kind`) and returns
pieces for the next shuffle. The arithmetic is `dedup/resolve.py`'s, which the local engine
runs on one partition holding everything; these functions only cut and join.
"""
from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from ..dedup import resolve
from ..dedup.fingerprint import PageFingerprints
from ..dedup.index import Decisions
from ..pipeline import Job, observe_chunk, process_for_parent
from . import shards
from .shards import DRIVER, block_of, by_kind, join, partition, pieces, table


def _stages(job: Job) -> tuple[Any, Any]:
    """The job's dedup and classifier stages (either may be absent)."""
    dedup = next((s for s in job.stages if s.name == "dedup"), None)
    classifier = next((s for s in job.stages if s.name == "classifier"), None)
    return dedup, classifier


class Observe:
    """Pass 1 on a block of documents: load, screen, observe (`pipeline.observe_chunk`), and cut
    the observations into pieces by partition."""

    def __init__(self, job: bytes, partitions: int):
        self.job: Job = pickle.loads(job)   # cloudpickle's output loads with pickle
        self.partitions = partitions
        for stage in self.job.stages:
            if stage.screens:
                stage.prepare()        # language profiles: once per worker, not per block

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        chunk = [(int(n), pickle.loads(s)) for n, s in zip(batch["number"].tolist(), batch["source"].tolist())]
        failures: dict[int, str] = {}
        groups = observe_chunk(self.job, chunk, failures)
        rows: list[tuple[int, str, bytes]] = []
        page: dict[str, Any] = {"dedup_numbers": [], "names": [], "classifier_pages": 0, "failures": failures}
        lines: dict[str, list[np.ndarray]] = {"doc": [], "line": [], "key": []}
        for _, observed in groups:
            for stage, observation in zip(self.job.stages, observed):
                if observation is None:
                    continue
                numbers = np.asarray(observation[0], dtype=np.int64)
                if stage.name == "classifier":
                    page["classifier_pages"] += len(numbers)
                    hashes = np.concatenate(list(observation[1]))
                    rows += pieces("rec", partition(hashes, self.partitions), {"hash": hashes})
                elif stage.name == "dedup":
                    assert isinstance(observation[1], PageFingerprints)
                    rows += self._fingerprints(numbers, observation[1], page, lines)
        page["dedup_numbers"] = np.concatenate(page["dedup_numbers"] or [np.zeros(0, np.int64)])
        rows.append((DRIVER, "page", shards.pack(page)))
        # every block gets a piece for pass 2, empty or not: pass 2 runs once per block's pieces
        joined = {name: np.concatenate(parts) if parts else np.zeros(0, dtype)
                  for (name, parts), dtype in zip(lines.items(), (np.int64, np.uint32, np.uint64))}
        rows += pieces("lines", block_of(joined["doc"]), joined)
        present = {part for part, kind, _ in rows if kind == "lines"}
        empty = {name: a[:0] for name, a in joined.items()}
        rows += [(block, "lines", shards.pack(empty)) for block in sorted({block_of(n) for n, _ in chunk} - present)]
        return table(rows)

    def _fingerprints(self, numbers: np.ndarray, pages: PageFingerprints, page: dict[str, Any],
                      lines: dict[str, list[np.ndarray]]) -> list[tuple[int, str, bytes]]:
        page["dedup_numbers"].append(numbers)
        page["names"] += list(pages.names)
        rows_per_page = np.diff(pages.ends, axis=0, prepend=np.zeros((1, 3), dtype=np.int64))
        long_doc = np.repeat(numbers, rows_per_page[:, 2])
        rows = pieces("long", partition(pages.long_key, self.partitions), {
            "key": pages.long_key, "pos": resolve.position(long_doc, pages.long_line),
            "chars": pages.long_chars, "bands": pages.long_bands, "bits": pages.long_bits})
        short_doc = np.repeat(numbers, rows_per_page[:, 0])
        rows += pieces("short", partition(pages.short_keys, self.partitions),
                       {"doc": short_doc, "key": pages.short_keys})
        lines["doc"].append(np.repeat(numbers, rows_per_page[:, 1]))
        lines["line"].append(pages.short_line)
        lines["key"].append(pages.short_line_key)
        return rows


# -- the reductions, one partition each ----------------------------------------------------------

def first_occurrences(batch: dict[str, np.ndarray], partitions: int, excluded: np.ndarray | None,
                      min_pages: int) -> dict[str, np.ndarray]:
    """By exact key: each distinct long line's first occurrence, sent once per band to its
    bucket's partition; and the classifier's page count of each short line hash, where common."""
    kinds = by_kind(batch)
    rows: list[tuple[int, str, bytes]] = []
    if "long" in kinds:
        long = _without(join(kinds["long"]), excluded)
        if len(long["key"]):
            order = np.lexsort((long["pos"], long["key"]))
            key = long["key"][order]
            first = order[np.r_[True, key[1:] != key[:-1]]]
            bands = long["bands"][first]
            for band in range(bands.shape[1]):
                bucket = (np.uint64(band) << resolve.LINE_BITS) | bands[:, band].astype(np.uint64)
                rows += pieces("band", partition(bucket, partitions), {
                    "bucket": bucket, "key": long["key"][first], "first": long["pos"][first],
                    "bits": long["bits"][first]})
    if "rec" in kinds:
        hashes, counts = np.unique(join(kinds["rec"])["hash"], return_counts=True)
        common = counts >= min_pages
        rows.append((DRIVER, "common", shards.pack({"hash": hashes[common], "count": counts[common]})))
    return table(rows)


def earliest(batch: dict[str, np.ndarray], partitions: int, threshold: float, verify_bits: int) -> dict[str, np.ndarray]:
    """By band bucket: each distinct line's earliest verified bucket mate (itself if none)."""
    band = join(by_kind(batch)["band"])
    found = resolve.earliest_in_buckets(band["bucket"], band["first"], band["bits"], threshold, verify_bits)
    return table(pieces("found", partition(band["key"], partitions), {"key": band["key"], "found": found}))


def assign_groups(batch: dict[str, np.ndarray], partitions: int, excluded: np.ndarray | None) -> dict[str, np.ndarray]:
    """By exact key: each line's group (the least of its key's bucket answers), sent to the
    group's partition with every occurrence of the key."""
    kinds = by_kind(batch)
    if "found" not in kinds:
        return table([])
    found = join(kinds["found"])
    keys, group = resolve.min_by_key(found["key"], found["found"])
    long = _without(join(kinds["long"]), excluded)
    of = group[np.searchsorted(keys, long["key"])]
    return table(pieces("grp", partition(of, partitions), {
        "doc": resolve.doc_of(long["pos"]), "line": resolve.line_of(long["pos"]), "chars": long["chars"],
        "group": of}))


def page_firsts(batch: dict[str, np.ndarray], partitions: int) -> dict[str, np.ndarray]:
    """By group: which line of a page first belongs to a group and which earlier line of its
    page a line repeats; and each page's content and what it shares with earlier pages, summed
    in the driver (`resolve.page_shares` is additive over groups)."""
    rows = join(by_kind(batch)["grp"])
    first_in_page, page_first, _ = resolve.group_rows(rows["doc"], rows["line"], rows["group"])
    docs, content, p, q, shared = resolve.page_shares(rows["doc"], rows["group"], rows["chars"], first_in_page)
    out = [(DRIVER, "shares", shards.pack({"docs": docs, "content": content, "p": p, "q": q, "shared": shared}))]
    out += pieces("grp2", partition(rows["group"], partitions), {
        "doc": rows["doc"], "line": rows["line"], "group": rows["group"], "page_first": page_first,
        "first_in_page": first_in_page})
    return table(out)


def decide(batch: dict[str, np.ndarray], duplicate: np.ndarray, template_min: int,
           short_template_min: int) -> dict[str, np.ndarray]:
    """By group: the pages each group is on (page duplicates left out) and the lines pass 2
    decides about, sent to their block; by short key: the template keys, to the driver."""
    kinds = by_kind(batch)
    out: list[tuple[int, str, bytes]] = []
    if "grp2" in kinds:
        rows = join(kinds["grp2"])
        doc, line, group = rows["doc"], rows["line"], rows["group"]
        groups, counts = resolve.group_pages(group, rows["first_in_page"], ~duplicate[doc])
        pages_of = counts[np.searchsorted(groups, group)]
        chosen = (pages_of >= template_min) | (rows["page_first"] >= 0) | (group != resolve.position(doc, line))
        out += pieces("dec", block_of(doc[chosen]), {
            "doc": doc[chosen], "line": line[chosen], "group": group[chosen],
            "page_first": rows["page_first"][chosen], "pages": pages_of[chosen]})
    if "short" in kinds:
        short = join(kinds["short"])
        counted = ~duplicate[short["doc"]]
        keys, counts = np.unique(short["key"][counted], return_counts=True)
        common = counts >= short_template_min
        out.append((DRIVER, "template", shards.pack({"key": keys[common], "pages": counts[common]})))
    return table(out)


def _without(rows: dict[str, np.ndarray], excluded: np.ndarray | None) -> dict[str, np.ndarray]:
    """Long-line rows without those of excluded (dropped) pages."""
    if excluded is None or not len(rows.get("pos", ())):
        return rows
    keep = ~excluded[resolve.doc_of(rows["pos"])]
    return {name: a[keep] for name, a in rows.items()}


def gather(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """By block: all pieces of one block as one row, for pass 2."""
    return table([(int(batch["part"][0]), "block", shards.pack(by_kind(batch)))])


# -- pass 2 ------------------------------------------------------------------------------------

class Process:
    """Pass 2 on one block: its documents (fetched from the object store by block number) with
    the decisions the reductions sent to the block, through `pipeline.process_one`."""

    def __init__(self, job: bytes, documents: list[Any], shared: Any):
        import ray

        self.job: Job = pickle.loads(job)
        self.documents = documents
        self.shared: dict[str, Any] = ray.get(shared) if isinstance(shared, ray.ObjectRef) else shared
        for stage in self.job.stages:
            if not stage.needs_corpus:
                stage.prepare()
        self.job.failures = self.shared["failures"]   # documents pass 1 failed: reported, not run again
        dedup, classifier = _stages(self.job)
        if classifier is not None:
            classifier.recurrence = self.shared["recurrence"]

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import ray

        block = int(batch["part"][0])
        kinds = pickle.loads(batch["blob"][0])
        documents = ray.get(self.documents[block])
        numbers = documents["number"].to_pylist()
        dedup, _ = _stages(self.job)
        if dedup is not None:
            dedup.use(self._decisions(numbers[0], len(numbers), kinds))
        results = [process_for_parent(self.job, pickle.loads(source), number)
                   for number, source in zip(numbers, documents["source"].to_pylist())]
        return {"number": np.array(numbers, dtype=np.int64),
                "result": np.array([pickle.dumps(r, protocol=5) for r in results], dtype=object)}

    def _decisions(self, first: int, count: int, kinds: dict[str, list[bytes]]) -> Decisions:
        shared = self.shared
        lines = join(kinds["lines"])
        short_end, short_line, short_key, short_pages = resolve.short_decisions(
            lines["doc"], lines["line"], lines["key"], shared["template_keys"], shared["template_pages"], first, count)
        dec = join(kinds.get("dec", []))
        if not dec:
            dec = {"doc": np.zeros(0, np.int64), "line": np.zeros(0, np.int64), "group": np.zeros(0, np.uint64),
                   "page_first": np.zeros(0, np.int64), "pages": np.zeros(0, np.int64)}
        order = np.lexsort((dec["line"], dec["doc"]))
        return Decisions(
            pages=shared["pages"], absorbed=shared["absorbed"], names=shared["names"], name_end=shared["name_end"],
            template_min=shared["template_min"], short_end=short_end, short_line=short_line, short_key=short_key,
            short_pages=short_pages, rec_doc=dec["doc"][order], rec_line=dec["line"][order],
            rec_group=dec["group"][order], rec_page_first=dec["page_first"][order], rec_pages=dec["pages"][order],
            dup_of=shared["dup_of"], similarity=shared["similarity"], first_page=first)


class ProcessAlone(Process):
    """Pass 2 for a job with no corpus stage (`fix`): a block of documents as it comes."""

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        numbers = batch["number"].tolist()
        results = [process_for_parent(self.job, pickle.loads(source), int(number))
                   for number, source in zip(numbers, batch["source"].tolist())]
        return {"number": np.array(numbers, dtype=np.int64),
                "result": np.array([pickle.dumps(r, protocol=5) for r in results], dtype=object)}
