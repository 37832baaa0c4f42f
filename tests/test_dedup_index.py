"""The corpus index: it clusters lines exactly like a plain datasketch implementation would,
whatever the batch size, in little memory, on containers that behave like their obvious
Python equivalents."""
from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH, bBitMinHash
from hypothesis import given
from hypothesis import strategies as st

from corpusclean.dedup import index as index_module
from corpusclean.dedup import resolve
from corpusclean.dedup.arrays import Column, SortedRuns, distinct
from corpusclean.dedup.config import DedupConfig
from corpusclean.dedup.fingerprint import Fingerprinter, PageFingerprints, line_shingles, normalise
from corpusclean.dedup.index import CorpusIndex
from corpusclean.model import Document
from corpusclean.stages.dedup import DedupStage

WORDS = [f"w{i}" for i in range(400)]


def near_duplicate_pages(seed: int = 0, pages: int = 14, lines: int = 9) -> list[list[str]]:
    """Pages of long lines, many of them edits of a few base paragraphs: 0 to 3 of 30 words
    replaced, so pairs fall on both sides of the Jaccard threshold."""
    rng = random.Random(seed)
    bases = [[rng.choice(WORDS) for _ in range(30)] for _ in range(6)]
    result = []
    for _ in range(pages):
        page = []
        for _ in range(lines):
            if rng.random() < 0.2:
                words = [rng.choice(WORDS) for _ in range(rng.randint(8, 30))]
            else:
                words = list(rng.choice(bases))
                for _ in range(rng.randint(0, 3)):
                    words[rng.randrange(len(words))] = rng.choice(WORDS)
            page.append(" ".join(words))
        result.append(page)
    return result


def reference_decisions(pages: list[list[str]], config: DedupConfig) -> dict[tuple[int, int], tuple]:
    """The same job done plainly with datasketch: MinHashLSH with the same bands x rows, every
    line queried then inserted, candidates verified with bBitMinHash; a line's group is the
    earliest line that verifies (itself if none). A line whose group is on its page, or that
    has an earlier line of its group on its page, repeats that line; else a line whose group
    is on an earlier page repeats it."""
    lsh = MinHashLSH(num_perm=config.num_perm, params=(config.bands, config.rows))
    seen: dict[tuple[int, int], bBitMinHash] = {}
    decisions = {}
    for p, lines in enumerate(pages):
        first_of_group: dict[tuple[int, int], int] = {}
        for i, line in enumerate(lines):
            minhash = MinHash(num_perm=config.num_perm, seed=config.seed)   # sha1_hash32, affine32
            minhash.update_batch(line_shingles(normalise(line), config.shingle_size))
            bits = bBitMinHash(minhash, b=config.verify_bits)
            matches = sorted(c for c in lsh.query(minhash) if seen[c].jaccard(bits) >= config.jaccard_threshold)
            group = matches[0] if matches else (p, i)
            if group[0] == p and group[1] != i:
                decisions[(p, i)] = ("page-repeat", p, group[1])
            elif group in first_of_group:
                decisions[(p, i)] = ("page-repeat", p, first_of_group[group])
            elif group[0] != p:
                decisions[(p, i)] = ("corpus-repeat", *group)
            first_of_group.setdefault(group, i)
            seen[(p, i)] = bits
            lsh.insert((p, i), minhash)
    return decisions


def stage_decisions(pages: list[list[str]], config: DedupConfig) -> dict[tuple[int, int], tuple]:
    stage = DedupStage(config)
    docs = [Document(f"p{n}", "\n".join(lines) + "\n") for n, lines in enumerate(pages)]
    for n, doc in enumerate(docs):
        stage.absorb(n, stage.observe(doc))
    stage.prepare()
    decisions = {}
    for n, doc in enumerate(docs):
        doc.meta.number = n
        stage.process(doc)
        for removal in doc.removals:   # a run of lines repeats a run of lines, line by line
            pointer = removal.details["duplicate_of"]
            for offset in range(removal.line_end - removal.line_start + 1):
                decisions[(n, removal.line_start - 1 + offset)] = (
                    removal.rule.removeprefix("dedup."), int(pointer["document"][1:]), pointer["line"] - 1 + offset)
    return decisions


@pytest.mark.parametrize("batch_lines", [1, 5, 10**9])
def test_groups_are_those_of_a_plain_datasketch_implementation(monkeypatch, batch_lines):
    """However the index gathers lines before merging them, every line must point where
    query-then-insert with datasketch says: at its earliest verified near-duplicate."""
    monkeypatch.setattr(index_module, "BATCH_LINES", batch_lines)
    # the index's clusters are under test, not the stage's stricter bar for repeats within a
    # page (page_repeat_jaccard), so that bar is set as low as it goes
    config = DedupConfig(shingle_hash="sha1", template_min_pages=1000, page_repeat_jaccard=1e-9,
                         drop_paragraph_repeats=True,  # the reference drops every repeated paragraph
                         syndicated_page_share=1.0)    # and every copy of an earlier page's line
    pages = near_duplicate_pages()
    expected = reference_decisions(pages, config)
    assert len(expected) > 30           # the corpus exercises both kinds of repeat
    assert {kind for kind, *_ in expected.values()} == {"page-repeat", "corpus-repeat"}
    assert stage_decisions(pages, config) == expected


def synthetic_fingerprints(config: DedupConfig, pages: int, lines_per_page: int):
    fingerprinter = Fingerprinter(config)
    rng = random.Random(1)
    for n in range(pages):
        lines = [" ".join(rng.choice(WORDS) for _ in range(25)) for _ in range(lines_per_page)]
        lines.append(f"short line {n}")
        text = "\n".join(lines) + "\n"
        yield n, fingerprinter.page(f"page-{n}", text, lines)


def test_the_index_holds_a_distinct_long_line_in_under_300_bytes():
    config = DedupConfig()
    index = CorpusIndex(config)
    for n, fingerprint in synthetic_fingerprints(config, pages=400, lines_per_page=50):
        index.add(n, fingerprint)
    index._flush()
    stats = index.stats()
    assert stats["distinct_long"] == 20_000 and stats["distinct_short"] == 400
    assert stats["long_index_bytes"] / stats["distinct_long"] < 300
    assert stats["short_index_bytes"] / stats["distinct_short"] < 300


def test_chunks_of_pages_with_gaps_build_the_index_one_page_at_a_time_builds():
    """The pipeline hands the index a worker's chunk of fingerprints whole (`add_pages`), with
    gaps where a page failed to load; the decisions must be those of adding page by page."""
    config = DedupConfig(template_min_pages=3)
    rng = random.Random(5)
    base = [" ".join(rng.choice(WORDS) for _ in range(20)) for _ in range(6)]
    fingerprinter = Fingerprinter(config)
    pages = {}
    for n in [0, 1, 2, 4, 5, 6, 9, 10]:                     # 3, 7 and 8 failed to load
        lines = [rng.choice(base), "menu", "sign up", " ".join(rng.choice(WORDS) for _ in range(20)), rng.choice(base)]
        pages[n] = fingerprinter.page(f"p{n}", "\n".join(lines) + "\n", lines)
    one_by_one = CorpusIndex(config)
    for n, page in pages.items():
        one_by_one.add(n, page)
    in_chunks = CorpusIndex(config)
    numbers = list(pages)
    for chunk in (numbers[:3], numbers[3:4], numbers[4:]):
        in_chunks.add_pages(chunk, PageFingerprints.of([pages[n] for n in chunk]))
    want, got = one_by_one.finish(), in_chunks.finish()
    assert got.pages == want.pages == 11 and got.absorbed == want.absorbed == 8
    for n in range(11):
        assert got.name(n) == want.name(n)
        assert got.short_lines(n) == want.short_lines(n)
        mine, theirs = got.page(n), want.page(n)
        assert (mine.duplicate_of, mine.similarity) == (theirs.duplicate_of, theirs.similarity)
        for field in ("line", "group_doc", "group_line", "page_first", "group_pages"):
            assert getattr(mine, field).tolist() == getattr(theirs, field).tolist()
    assert any(got.page(n).line.size for n in range(11)), "the corpus has repeats to decide about"


def test_pages_must_arrive_in_input_order():
    config = DedupConfig()
    index = CorpusIndex(config)
    fingerprints = list(synthetic_fingerprints(config, pages=2, lines_per_page=1))
    index.add(1, fingerprints[1][1])
    with pytest.raises(ValueError, match="out of order"):
        index.add(0, fingerprints[0][1])


# -- the containers ------------------------------------------------------------------------------

@given(st.lists(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1000)), max_size=20), max_size=12),
       st.lists(st.integers(0, 35), max_size=20))
def test_sorted_runs_answer_like_a_dict_of_lists(batches, queries):
    runs, reference = SortedRuns(np.uint32, np.uint32), {}
    for batch in batches:
        runs.add(np.array([k for k, _ in batch], dtype=np.uint32), np.array([v for _, v in batch], dtype=np.uint32))
        for key, value in batch:
            reference.setdefault(key, []).append(value)
    which, values = runs.lookup(np.array(queries, dtype=np.uint32))
    found = sorted(zip(which.tolist(), values.tolist()))
    assert found == sorted((i, v) for i, q in enumerate(queries) for v in reference.get(q, []))
    assert runs.contains(np.array(queries, dtype=np.uint32)).tolist() == [q in reference for q in queries]
    assert len(runs) == sum(len(v) for v in reference.values())


@given(st.lists(st.integers(0, 3000), max_size=8))
def test_a_column_reads_and_adds_like_a_list(sizes):
    column, reference = Column(np.int64), []
    for size in sizes:
        rows = np.arange(len(reference), len(reference) + size)
        column.extend(rows)
        reference.extend(rows.tolist())
    picks = np.array(sorted(set(range(0, len(reference), 97))), dtype=np.int64)
    assert column.take(picks).tolist() == [reference[i] for i in picks]
    column.add(picks, np.full(len(picks), 5))
    assert column.compact().tolist() == [v + 5 if i % 97 == 0 else v for i, v in enumerate(reference)]
    assert column.nbytes <= max(Column.MIN_CHUNK * 8, len(reference) * 8 * 1.2)


@given(st.lists(st.integers(0, 40) | st.integers(0, 2**32 - 1), max_size=80))
def test_crowded_rows_hold_every_row_of_a_shared_bucket(keys):
    bucket = np.array(keys, dtype=np.uint32)
    crowded = resolve.crowded_rows(bucket).tolist()
    assert crowded == sorted(set(crowded))
    assert {i for i, key in enumerate(keys) if keys.count(key) > 1} <= set(crowded)


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 3)), max_size=50), st.booleans())
def test_earliest_in_buckets_is_the_earliest_bucket_member_that_verifies(rows, wide):
    """Each row's answer, by the definition: the `first` of the earliest member of its bucket
    (by first, then row) that verifies against it, else its own; rows in crowded buckets or not."""
    rng = np.random.default_rng(len(rows))
    bases = rng.integers(0, 256, size=(4, 64), dtype=np.uint8)
    bits = np.array([bases[variant] for _, variant in rows], dtype=np.uint8).reshape(len(rows), 64)
    bucket = np.array([key * 0x9E3779B1 % 2**32 for key, _ in rows], dtype=np.uint64 if wide else np.uint32)
    first = np.arange(len(rows), dtype=np.int64) * 3
    found = resolve.earliest_in_buckets(bucket, first, bits, 0.7, 8)
    for i in range(len(rows)):
        members = [j for j in range(i) if bucket[j] == bucket[i]]
        verified = [j for j in members if resolve.bbit_estimates(bits[[i]], bits[[j]], 8)[0] >= 0.7]
        assert found[i] == (first[verified[0]] if verified else first[i])


@given(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 9), max_size=60))
def test_distinct_is_numpys_unique(values):
    array = np.array(values, dtype=np.uint64)
    assert distinct(array).tolist() == np.unique(array).tolist()
    assert distinct(array).dtype == array.dtype


def test_building_and_finishing_an_index_leaves_numpy_ma_unimported():
    """np.unique imports numpy.ma (numpy 2); the index, which the parent builds after the
    workers fork, keeps that 10 ms import out of the run (`arrays.distinct`)."""
    code = """if True:
        import sys
        from corpusclean.dedup.config import DedupConfig
        from corpusclean.dedup.fingerprint import Fingerprinter
        from corpusclean.dedup.index import CorpusIndex
        config = DedupConfig()
        fingerprinter, index = Fingerprinter(config), CorpusIndex(config)
        for n in range(30):
            lines = ["home about contact", f"a long line of words that is on page {n} and on no other page at all",
                     "a long line of words that every page of this small corpus holds word for word"]
            index.add(n, fingerprinter.page(f"p{n}", "\\n".join(lines), lines))
        index.finish()
        print("numpy.ma" in sys.modules)"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6)), max_size=40), st.booleans(), st.booleans())
def test_bucket_order_is_lexsorts_order(rows, ascending, small_keys):
    """The packed sort `earliest_in_buckets` uses where it can (32-bit band keys, rows in order
    of first appearance) puts rows where np.lexsort((first, bucket)) does, ties included; with
    other keys or rows it is lexsort."""
    bucket = np.array([b * 0x33333333 for b, _ in rows], dtype=np.uint32 if small_keys else np.uint64)
    first = np.array([f for _, f in rows], dtype=np.uint64)
    if ascending:
        first = np.sort(first)
    assert resolve.bucket_order(bucket, first).tolist() == np.lexsort((first, bucket)).tolist()
