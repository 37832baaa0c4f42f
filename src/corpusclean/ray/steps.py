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
from ..dedup.pages import PageFingerprints
from ..dedup.index import Decisions
from ..pipeline import CLEAN_BATCH, Job, Result, Written, observe_chunk, process_batch_for_parent
from ..workers import chunked
from . import shards
from .shards import DRIVER, block_of, by_kind, join, partition, pieces, table


def load_job(packed: Any) -> Job:
    """The job the driver put in the object store (cloudpickle's output loads with pickle)."""
    import ray

    job: Job = pickle.loads(ray.get(packed) if isinstance(packed, ray.ObjectRef) else packed)
    return job


def _stages(job: Job) -> tuple[Any, Any]:
    """The job's dedup and classifier stages (either may be absent)."""
    dedup = next((s for s in job.stages if s.name == "dedup"), None)
    classifier = next((s for s in job.stages if s.name == "classifier"), None)
    return dedup, classifier


class Observe:
    """Pass 1 on a block of documents: load, screen, observe (`pipeline.observe_chunk`), and cut
    the observations into pieces by partition."""

    def __init__(self, job: Any, partitions: int, per_block: int):
        self.job = load_job(job)
        self.partitions, self.per_block = partitions, per_block
        for stage in self.job.stages:
            if stage.screens:
                stage.prepare()        # language profiles: once per worker, not per block

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        chunk = [(int(n), pickle.loads(s)) for n, s in zip(batch["number"].tolist(), batch["source"].tolist())]
        failures: dict[int, str] = {}
        groups = observe_chunk(self.job, chunk, failures)
        rows: list[tuple[int, str, bytes]] = []
        page: dict[str, Any] = {"last": -1, "absorbed": 0, "classifier_pages": 0}   # counts, for the driver
        lines: dict[str, list[np.ndarray]] = {"doc": [], "line": [], "key": []}
        names: dict[str, list[Any]] = {"doc": [], "name": []}
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
                    names["doc"].append(numbers)
                    names["name"] += list(observation[1].names)
        rows.append((DRIVER, "page", shards.pack(page)))
        # kept by block: the names, for the later pages that point at these, and the failures,
        # for pass 2 to report
        doc = np.concatenate(names["doc"]) if names["doc"] else np.zeros(0, np.int64)
        rows += pieces("names", block_of(doc, self.per_block), {"doc": doc, "name": np.array(names["name"], dtype=object)})
        failed = np.array(list(failures), dtype=np.int64)
        rows += pieces("fail", block_of(failed, self.per_block), {"doc": failed, "message": np.array(
            list(failures.values()), dtype=object)})
        # every block gets a piece for pass 2, empty or not: pass 2 runs once per block's pieces
        joined = {name: np.concatenate(parts) if parts else np.zeros(0, dtype)
                  for (name, parts), dtype in zip(lines.items(), (np.int64, np.uint32, np.uint64))}
        rows += pieces("lines", block_of(joined["doc"], self.per_block), joined)
        present = {part for part, kind, _ in rows if kind == "lines"}
        empty = {name: a[:0] for name, a in joined.items()}
        rows += [(block, "lines", shards.pack(empty)) for block in sorted({block_of(n, self.per_block) for n, _ in chunk} - present)]
        return table(rows)

    def _fingerprints(self, numbers: np.ndarray, pages: PageFingerprints, page: dict[str, Any],
                      lines: dict[str, list[np.ndarray]]) -> list[tuple[int, str, bytes]]:
        page["last"] = max(page["last"], int(numbers.max(initial=-1)))
        page["absorbed"] += len(numbers)
        rows_per_page = np.diff(pages.ends, axis=0, prepend=np.zeros((1, 3), dtype=np.int64))
        long_doc = np.repeat(numbers, rows_per_page[:, 2])
        parts = partition(pages.long_key, self.partitions)
        rows = pieces("occ", parts, {"key": pages.long_key, "pos": resolve.position(long_doc, pages.long_line),
                                     "chars": pages.long_chars})
        # a line's bands and signature are a function of its text: once per distinct line of
        # the block, not with every occurrence (they are ten times the occurrence's size)
        _, once = np.unique(pages.long_key, return_index=True)
        rows += pieces("sig", parts[once], {"key": pages.long_key[once], "bands": pages.long_bands[once],
                                            "bits": pages.long_bits[once]})
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
    """By exact key: each distinct long line's first occurrence, sent to its bucket's partition
    in each band as a key alone (the signature stays here, in "known", until a bucket turns out
    to hold another line); and the classifier's page count of each short line hash, where common."""
    kinds = by_kind(batch)
    rows: list[tuple[int, str, bytes]] = []
    if "occ" in kinds:
        occ = _without(join(kinds["occ"]), excluded)
        keys, first = resolve.first_occurrences(occ["key"], occ["pos"])
        if len(keys):
            sig = join(kinds["sig"])
            sig_keys, once = np.unique(sig["key"], return_index=True)
            at = once[np.searchsorted(sig_keys, keys)]
            bands = sig["bands"][at]
            bucket = resolve.buckets(bands)                      # (line, band), row-major
            per_band = bands.shape[1]
            rows += pieces("band", partition(bucket, partitions), {
                "bucket": bucket, "first": np.repeat(first, per_band), "key": np.repeat(keys, per_band)})
            rows += pieces("known", partition(keys, partitions), {"key": keys, "bits": sig["bits"][at]})
    if "rec" in kinds:
        hashes, counts = np.unique(join(kinds["rec"])["hash"], return_counts=True)
        common = counts >= min_pages
        rows.append((DRIVER, "common", shards.pack({"hash": hashes[common], "count": counts[common]})))
    return table(rows)


def crowded(batch: dict[str, np.ndarray], partitions: int) -> dict[str, np.ndarray]:
    """By band bucket: the members of buckets holding more than one line, sent to their key's
    partition for their signature. Most lines are alone in every bucket and go no further."""
    band = join(by_kind(batch)["band"])
    shared = resolve.in_shared_buckets(band["bucket"])
    return table(pieces("crowd", partition(band["key"][shared], partitions),
                        {name: column[shared] for name, column in band.items()}))


def attach(batch: dict[str, np.ndarray], partitions: int) -> dict[str, np.ndarray]:
    """By exact key: the signature of each line asked for, sent back to its bucket."""
    kinds = by_kind(batch)
    if "crowd" not in kinds:
        return table([])
    crowd, known = join(kinds["crowd"]), join(kinds["known"])
    at = shards.positions(known["key"], crowd["key"])
    return table(pieces("vote", partition(crowd["bucket"], partitions), {**crowd, "bits": known["bits"][at]}))


def earliest(batch: dict[str, np.ndarray], partitions: int, threshold: float, verify_bits: int) -> dict[str, np.ndarray]:
    """By band bucket (buckets of more than one line): each line's earliest verified bucket
    mate, sent to its key where it is earlier than the line itself."""
    vote = join(by_kind(batch)["vote"])
    found = resolve.earliest_in_buckets(vote["bucket"], vote["first"], vote["bits"], threshold, verify_bits)
    earlier = found < vote["first"]
    return table(pieces("found", partition(vote["key"][earlier], partitions),
                        {"key": vote["key"][earlier], "found": found[earlier]}))


def assign_groups(batch: dict[str, np.ndarray], partitions: int, excluded: np.ndarray | None) -> dict[str, np.ndarray]:
    """By exact key: each line's group (its first occurrence, or the least of its earlier
    bucket mates), sent to the group's partition with every occurrence of the key."""
    kinds = by_kind(batch)
    if "occ" not in kinds:
        return table([])
    occ = _without(join(kinds["occ"]), excluded)
    keys, group = resolve.first_occurrences(occ["key"], occ["pos"])
    if "found" in kinds:
        found = join(kinds["found"])
        found_keys, least = resolve.min_by_key(found["key"], found["found"])
        at = np.searchsorted(keys, found_keys)     # every line found has a first occurrence here
        group[at] = np.minimum(group[at], least)
    of = group[np.searchsorted(keys, occ["key"])]
    return table(pieces("grp", partition(of, partitions), {
        "doc": resolve.doc_of(occ["pos"]), "line": resolve.line_of(occ["pos"]), "chars": occ["chars"],
        "group": of}))


def page_firsts(batch: dict[str, np.ndarray], partitions: int, per_block: int) -> dict[str, np.ndarray]:
    """By group: which line of a page first belongs to a group and which earlier line of its
    page a line repeats; and each page's content and what it shares with earlier pages, as
    parts of sums (`resolve.page_shares` is additive over groups), sent to the pages' blocks."""
    rows = join(by_kind(batch)["grp"])
    first_in_page, page_first, _ = resolve.group_rows(rows["doc"], rows["line"], rows["group"])
    docs, content, p, q, shared = resolve.page_shares(rows["doc"], rows["group"], rows["chars"], first_in_page)
    out = pieces("chars", block_of(docs, per_block), {"doc": docs, "content": content})
    out += pieces("share", block_of(q, per_block), {"p": p, "q": q, "shared": shared})
    out += pieces("grp2", partition(rows["group"], partitions), {
        "doc": rows["doc"], "line": rows["line"], "group": rows["group"], "page_first": page_first,
        "first_in_page": first_in_page})
    return table(out)


def page_pairs(batch: dict[str, np.ndarray], per_block: int) -> dict[str, np.ndarray]:
    """By block (of the earlier page of a pair): each page's content, summed, kept here; what a
    later page shares with each page here, summed, sent to the later page's block with this
    page's content."""
    kinds = by_kind(batch)
    chars = join(kinds.get("chars", []))
    docs, content = resolve.sum_by(chars.get("doc", np.zeros(0, np.int64)), chars.get("content", np.zeros(0)))
    out = pieces("content", block_of(docs, per_block), {"doc": docs, "content": content})
    if "share" in kinds:
        share = join(kinds["share"])
        pairs, shared = resolve.sum_by(resolve.position(share["p"], share["q"]), share["shared"])
        p, q = resolve.doc_of(pairs), resolve.line_of(pairs)
        out += pieces("pair", block_of(p, per_block), {"p": p, "q": q, "shared": shared,
                                                       "content_q": shards.lookup(docs, content, q, 0.0)})
    return table(out)


def duplicates(batch: dict[str, np.ndarray], threshold: float, per_block: int) -> dict[str, np.ndarray]:
    """By block (of the later page of a pair): each page's page duplicate, kept for pass 2,
    named (the earlier page's name is asked for at its block) and counted in the driver."""
    kinds = by_kind(batch)
    if "pair" not in kinds:
        return table([])
    pair, content = join(kinds["pair"]), join(kinds["content"])
    order = np.argsort(content["doc"])
    content_p = shards.lookup(content["doc"][order], content["content"][order], pair["p"], 0.0)
    page, of, score = resolve.page_duplicates(pair["p"], pair["q"], pair["shared"], content_p, pair["content_q"],
                                              threshold)
    out = pieces("dup", block_of(page, per_block), {"page": page, "of": of, "similarity": score})
    out += pieces("ask", block_of(of, per_block), {"doc": of, "block": block_of(page, per_block)})
    out.append((DRIVER, "dups", shards.pack({"page": page})))
    return table(out)


def decide(batch: dict[str, np.ndarray], duplicate: np.ndarray, template_min: int,
           short_template_min: int, per_block: int) -> dict[str, np.ndarray]:
    """By group: the pages each group is on (page duplicates, the sorted `duplicate`, left out)
    and the lines pass 2 decides about, sent to their block, with the names of the earlier
    pages they point at asked for; by short key: the template keys, to the driver."""
    kinds = by_kind(batch)
    out: list[tuple[int, str, bytes]] = []
    if "grp2" in kinds:
        rows = join(kinds["grp2"])
        doc, line, group = rows["doc"], rows["line"], rows["group"]
        groups, counts = resolve.group_pages(group, rows["first_in_page"], ~shards.among(duplicate, doc))
        pages_of = counts[np.searchsorted(groups, group)]
        chosen = (pages_of >= template_min) | (rows["page_first"] >= 0) | (group != resolve.position(doc, line))
        out += pieces("dec", block_of(doc[chosen], per_block), {
            "doc": doc[chosen], "line": line[chosen], "group": group[chosen],
            "page_first": rows["page_first"][chosen], "pages": pages_of[chosen]})
        source, asker = resolve.doc_of(group[chosen]), block_of(doc[chosen], per_block)
        other = source != doc[chosen]
        out += pieces("ask", block_of(source[other], per_block), {"doc": source[other], "block": asker[other]})
    if "short" in kinds:
        short = join(kinds["short"])
        counted = ~shards.among(duplicate, short["doc"])
        keys, counts = np.unique(short["key"][counted], return_counts=True)
        common = counts >= short_template_min
        out.append((DRIVER, "template", shards.pack({"key": keys[common], "pages": counts[common]})))
    return table(out)


def names(batch: dict[str, np.ndarray], per_block: int) -> dict[str, np.ndarray]:
    """By block: the names of this block's pages that later blocks asked for, sent to them."""
    kinds = by_kind(batch)
    if "ask" not in kinds:
        return table([])
    ask, known = join(kinds["ask"]), join(kinds["names"])
    asked = np.unique(resolve.position(ask["block"], ask["doc"]))     # each name once per block asking
    block, doc = resolve.doc_of(asked), resolve.line_of(asked)
    at = shards.positions(known["doc"], doc)     # an asked page was observed: it is here
    return table(pieces("name", block, {"doc": doc, "name": known["name"][at]}))


def _without(rows: dict[str, np.ndarray], excluded: np.ndarray | None) -> dict[str, np.ndarray]:
    """Long-line rows without those of excluded (dropped) pages, a sorted array."""
    if excluded is None or not len(rows.get("pos", ())):
        return rows
    keep = ~shards.among(excluded, resolve.doc_of(rows["pos"]))
    return {name: a[keep] for name, a in rows.items()}


def gather(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """By block: all pieces of one block as one row, for pass 2."""
    return table([(int(batch["part"][0]), "block", shards.pack(by_kind(batch)))])


# -- pass 2 ------------------------------------------------------------------------------------

class Process:
    """Pass 2 on one block: its documents (fetched from the object store by block number) with
    the decisions the reductions sent to the block, through `pipeline.process_one`."""

    def __init__(self, job: Any, documents: list[Any], shared: Any):
        import ray

        self.job = load_job(job)
        self.documents = documents
        self.shared: dict[str, Any] = ray.get(shared) if isinstance(shared, ray.ObjectRef) else shared
        for stage in self.job.stages:
            if not stage.needs_corpus:
                stage.prepare()
        dedup, classifier = _stages(self.job)
        if classifier is not None:
            classifier.recurrence = self.shared["recurrence"]

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import ray

        block = int(batch["part"][0])
        kinds = pickle.loads(batch["blob"][0])
        failed = join(kinds.get("fail", []))
        # documents pass 1 failed: reported, not run again
        self.job.failures = dict(zip(failed["doc"].tolist(), failed["message"].tolist())) if failed else {}
        documents = ray.get(self.documents[block])
        numbers = documents["number"].to_pylist()
        dedup, _ = _stages(self.job)
        if dedup is not None:
            dedup.use(self._decisions(numbers[0], len(numbers), kinds))
        return _rows(_cleaned(self.job, numbers, documents["source"].to_pylist()), numbers[0])

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
        dup_of, similarity = np.full(count, -1, dtype=np.int32), np.zeros(count, dtype=np.float64)
        dup = join(kinds.get("dup", []))
        if dup:
            dup_of[dup["page"] - first], similarity[dup["page"] - first] = dup["of"], dup["similarity"]
        named = join(kinds.get("name", []))
        names = dict(zip(named["doc"].tolist(), named["name"].tolist())) if named else {}
        return Decisions(
            pages=shared["pages"], absorbed=shared["absorbed"], names=names,
            template_min=shared["template_min"], short_end=short_end, short_line=short_line, short_key=short_key,
            short_pages=short_pages, rec_doc=dec["doc"][order], rec_line=dec["line"][order],
            rec_group=dec["group"][order], rec_page_first=dec["page_first"][order], rec_pages=dec["pages"][order],
            dup_of=dup_of, similarity=similarity, first_page=first)


class ProcessAlone(Process):
    """Pass 2 for a job with no corpus stage (`fix`): a block of documents as it comes."""

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        numbers = batch["number"].tolist()
        return _rows(_cleaned(self.job, numbers, batch["source"].tolist()), numbers[0])


def _cleaned(job: Job, numbers: list[int], sources: list[bytes]) -> list[Result | Written]:
    """Pass 2 on a block's documents (input numbers, pickled sources), CLEAN_BATCH at a time as
    the local engine's workers clean them (`pipeline.process_batch`: each stage over a batch
    before the next); what the driver takes of them, in order, as a local worker hands them
    over (`pipeline.gathered`: a document's Result, or a Written of consecutive documents, for
    a .jsonl.gz OUT the members of the groups of 32 a block holds whole)."""
    numbered = [(int(number), pickle.loads(source)) for number, source in zip(numbers, sources)]
    return [part for batch in chunked(numbered, CLEAN_BATCH) for part in process_batch_for_parent(job, batch)]


def _rows(parts: list[Result | Written], first: int) -> dict[str, np.ndarray]:
    """Pass 2's rows: each part pickled, under the number of its first document (`first` is
    the block's)."""
    numbers = []
    for part in parts:
        numbers.append(first)
        first += part.documents if isinstance(part, Written) else 1
    return {"number": np.array(numbers, dtype=np.int64),
            "result": np.array([pickle.dumps(part, protocol=5) for part in parts], dtype=object)}
