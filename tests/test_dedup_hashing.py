"""The dedup hashes agree with datasketch and with their plain-Python definitions.

Signatures are computed for a whole page at once in numpy; these tests feed datasketch's
`MinHash` the same shingles one line at a time and expect the very same numbers, for both
shingle hashes, several seeds and permutation counts, and for lines longer than one block of
the vectorised computation.
"""
from __future__ import annotations

import random
import re

import numpy as np
import pytest
from datasketch import MinHash, bBitMinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.dedup.config import DedupConfig, optimal_banding
from corpusclean import cache
from corpusclean.dedup.fingerprint import (Fingerprinter, Normaliser, casefold_table, line_shingles, normalise,
                                           normaliser_tables, split_words, words_per_line)
from corpusclean.dedup.hashing import (
    PowerTable, SpanHasher, bbit_estimates, minhash_signatures, permutations, poly64, poly64_hash32,
    row_weights,
)

WORDS = ("the city was retaken after a long and bloody campaign by forces of the coalition "
         "residents fled while officials said the operation went faster than expected").split()


def page_of(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def random_line(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def datasketch_signature(line: str, config: DedupConfig) -> np.ndarray:
    """What datasketch gives for one line, fed the shingles corpusclean defines."""
    shingles = line_shingles(normalise(line), config.shingle_size)
    if config.shingle_hash == "sha1":  # datasketch's defaults: affine32 with sha1_hash32
        minhash = MinHash(num_perm=config.num_perm, seed=config.seed)
    else:
        minhash = MinHash(num_perm=config.num_perm, seed=config.seed, scheme="affine32", hashfunc=poly64_hash32)
    minhash.update_batch(shingles)
    return minhash.hashvalues


def our_signatures(lines: list[str], config: DedupConfig) -> np.ndarray:
    fingerprinter = Fingerprinter(config)
    words, hasher = fingerprinter.split(page_of(lines))
    return fingerprinter.signatures(words, np.ones(len(words.line), dtype=bool), hasher)


@pytest.mark.parametrize("seed", [1, 7, 2024])
@pytest.mark.parametrize("num_perm", [16, 128, 256])
def test_permutations_are_the_ones_datasketch_draws(seed, num_perm):
    a, b = permutations(num_perm, seed)
    expected = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert np.array_equal(a, expected[0]) and np.array_equal(b, expected[1])


def test_a_fingerprinter_draws_the_same_numbers_whether_from_the_start_up_cache_or_not():
    config = DedupConfig(num_perm=64, seed=11)
    made, cached_copy = Fingerprinter(config), Fingerprinter(config)   # the second reads the cache's
    for fingerprinter in (made, cached_copy):
        assert np.array_equal(fingerprinter.perms[0], permutations(64, 11)[0])
        assert np.array_equal(fingerprinter.perms[1], permutations(64, 11)[1])
        assert np.array_equal(fingerprinter.row_weights, row_weights(config.banding[1]))


@pytest.mark.parametrize("shingle_hash", ["poly64", "sha1"])
@pytest.mark.parametrize("seed, num_perm, shingle_size", [(1, 128, 3), (42, 64, 5), (3, 200, 1)])
def test_signatures_equal_datasketch_minhash(shingle_hash, seed, num_perm, shingle_size):
    rng = random.Random(seed)
    config = DedupConfig(shingle_hash=shingle_hash, seed=seed, num_perm=num_perm, shingle_size=shingle_size,
                         short_line_words=max(8, shingle_size))
    # many lines in one page (the grouped minimum), and punctuation and case to normalise
    lines = [random_line(rng, rng.randint(8, 60)) for _ in range(40)]
    lines[3] = "Officials SAID, the operation -- went faster than expected; residents fled."
    ours = our_signatures(lines, config)
    for line, signature in zip(lines, ours):
        assert np.array_equal(signature, datasketch_signature(line, config))


def test_a_line_longer_than_one_block_still_equals_datasketch():
    rng = random.Random(5)
    config = DedupConfig()
    lines = [random_line(rng, 9), random_line(rng, 6000), random_line(rng, 12)]
    for line, signature in zip(lines, our_signatures(lines, config)):
        assert np.array_equal(signature, datasketch_signature(line, config))


def test_minhash_of_groups_is_the_minimum_within_each_group():
    perms = permutations(8, 1)
    hashes = np.array([5, 9, 1, 77, 3], dtype=np.uint32)
    grouped = minhash_signatures(hashes, np.array([2, 3]), perms)
    alone = [minhash_signatures(hashes[:2], np.array([2]), perms)[0],
             minhash_signatures(hashes[2:], np.array([3]), perms)[0]]
    assert np.array_equal(grouped, np.array(alone))


@given(st.binary(min_size=1, max_size=200), st.data())
def test_span_hashes_equal_the_polynomial_hash_of_each_span(data, draw):
    start = draw.draw(st.integers(0, len(data) - 1))
    end = draw.draw(st.integers(start + 1, len(data)))
    hashed = SpanHasher(np.frombuffer(data, dtype=np.uint8)).hash64(np.array([start]), np.array([end]))
    assert int(hashed[0]) == poly64(data[start:end])


def test_a_page_longer_than_the_kept_power_table_hashes_the_same_and_is_not_remembered():
    """The powers a huge page needs are made for it and dropped: a worker that met one does
    not carry them for the rest of the run."""
    table = PowerTable(keep=1 << 16)
    data = bytes(random.Random(3).randrange(256) for _ in range(100_000))
    starts, ends = np.array([0, 5, 99_000]), np.array([100_000, 70_000, 99_999])
    hashed = SpanHasher(np.frombuffer(data, dtype=np.uint8), table).hash64(starts, ends)
    assert hashed.tolist() == [poly64(data[s:e]) for s, e in zip(starts.tolist(), ends.tolist())]
    assert len(table.up) <= 1 << 16


def test_bbit_estimates_equal_datasketch_bbit_minhash():
    rng = random.Random(11)
    config = DedupConfig()
    base = random_line(rng, 40).split()
    edited = base[:30] + [rng.choice(WORDS) for _ in range(10)]
    left, right = (our_signatures([" ".join(words)], config)[0] for words in (base, edited))
    ours = bbit_estimates((left & 0xFF)[None, :], (right & 0xFF)[None, :], 8)[0]
    theirs = bBitMinHash(MinHash(hashvalues=left, scheme="affine32"), b=8).jaccard(
        bBitMinHash(MinHash(hashvalues=right, scheme="affine32"), b=8))
    assert ours == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
def test_default_banding_is_what_datasketch_lsh_picks(threshold):
    from datasketch.lsh import _optimal_param

    assert optimal_banding(threshold, 128) == _optimal_param(threshold, 128, 0.5, 0.5)


def _banding_by_trapezoid(threshold: float, num_perm: int) -> tuple[int, int]:
    """optimal_banding as first written, with np.trapezoid: the plain version of its loop."""
    below, above = np.linspace(0.0, threshold, 401), np.linspace(threshold, 1.0, 401)
    best, best_error = (1, 1), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            error = float(0.5 * np.trapezoid(1 - (1 - below ** rows) ** bands, below)
                          + 0.5 * np.trapezoid((1 - above ** rows) ** bands, above))
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


@pytest.mark.parametrize("num_perm", [2, 16, 64, 128, 200])
def test_the_spelled_out_banding_picks_what_the_trapezoid_loop_picks(num_perm):
    for threshold in np.linspace(0.05, 0.95, 19).tolist():
        assert optimal_banding(threshold, num_perm) == _banding_by_trapezoid(threshold, num_perm)


# -- normalisation -----------------------------------------------------------------------------

NORMALISER = Normaliser()


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_the_fast_normaliser_equals_the_regex_definition(text):
    assert NORMALISER.utf8(text) == normalise(text).encode("utf-8")


def test_the_fast_normaliser_folds_every_code_point_as_the_regex_does():
    """Its casefolding table against `str.casefold` for every code point of the BMP (the ones
    that fold to several, "ß", included) and a few beyond it, each between two words."""
    points = [p for p in range(0x10000) if not 0xD800 <= p < 0xE000] + [0x10332, 0x10400, 0x1D400, 0x1F600]
    text = "".join(f"a{chr(p)}b\n" for p in points)
    assert NORMALISER.utf8(text) == normalise(text).encode("utf-8")


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("aZ1 _-.\n\u00e9\u00c9\u017f\u212a\u2126\u1e9e\u0130\u00df\u03a3\u00b5"
                                        "\u00a0\u2014\u0301\u4e2d\ud800\U0001f600\U00010400"), max_size=40))
def test_the_normaliser_folds_characters_whose_bytes_change_in_a_row(text):
    """Worked on UTF-8 bytes: what folds to as many bytes is written in place, what folds to
    fewer or more ("\u017f" -> "s", the Kelvin sign -> "k", the Ohm sign -> omega, "\u00df" ->
    "ss", beyond the BMP) is spliced in; side by side, in any order."""
    assert NORMALISER.utf8(text) == normalise(text).encode("utf-8", "surrogatepass")


def test_the_normaliser_tables_are_the_plain_per_code_point_answers():
    """The tables are built in blocks and runs (they are part of every run's fixed cost): the
    same as asking str.casefold and the regex of each BMP code point alone."""
    folded = [chr(point).casefold() for point in range(0x10000)]
    sizes, first = casefold_table()
    assert sizes.tolist() == [len(f) for f in folded]
    assert first.tolist() == [ord(f[0]) for f in folded]
    word = [not 0xD800 <= point < 0xE000 and point != 0 and re.fullmatch(r"\w", chr(point)) is not None
            for point in range(0x10000)]
    assert (~NORMALISER.is_other[:0x10000]).tolist() == [w or point == 0x0A for point, w in enumerate(word)]


def test_the_normaliser_reads_the_tables_it_made_from_the_start_up_cache(tmp_path, monkeypatch):
    """Made once, then read from the cache (cache.py) by the next process: the same tables."""
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    made, read = Normaliser(), Normaliser()
    assert list(tmp_path.glob("normaliser-tables-*.pickle"))
    fresh = normaliser_tables()
    for normaliser in (made, read):
        assert (normaliser.is_other == fresh[0]).all() and (normaliser.fold == fresh[1]).all()
        assert normaliser.byte_fold == fresh[2]


def test_normalising_folds_case_and_punctuation_but_keeps_lines():
    assert normalise("Sign Up!\n  sign   up\n— Straße —\n") == "sign up \n sign up\n strasse \n"


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=st.sampled_from("ab Z1_-.,!ßİΣσ\u00a0\u2028\u0301\ud800😀中ǅ\t"), max_size=12),
                max_size=8))
def test_words_per_line_counts_what_normalising_each_line_leaves(lines):
    """The dedup stage's page pass needs only each line's word count (is it a long line?):
    words_per_line counts them from the folded code points, without the normalised text."""
    text = "".join(line + "\n" for line in lines)
    assert words_per_line(text, len(lines), NORMALISER).tolist() == [len(normalise(line).split()) for line in lines]


def test_lines_without_words_are_not_units():
    words = split_words(page_of(["Title", "* * *", "", "Body text here"]))
    assert words.line.tolist() == [0, 3]
    assert words.words.tolist() == [1, 3]


# -- the two passes agree ----------------------------------------------------------------------

LINE = st.text(alphabet=st.sampled_from(list("ab Cd-é.!\t’") + ["ß", "𝐀"]), max_size=30)


@settings(max_examples=200)
@given(st.lists(LINE, min_size=1, max_size=12))
def test_short_line_keys_are_the_keys_of_those_lines_alone(lines):
    """Pass 2 reads each short line's key from pass 1's fingerprint: it must be the key of
    that line normalised alone (the key `normalise` and `poly64` give)."""
    lines = [line.replace("\n", " ") for line in lines]
    page = Fingerprinter(DedupConfig(short_line_words=8)).page("p", page_of(lines), lines)
    want = [poly64(normalise(lines[i]).strip().encode("utf-8", "surrogatepass")) for i in page.short_line.tolist()]
    assert page.short_line_key.tolist() == want


def test_remembered_lines_give_the_fingerprints_a_fresh_fingerprinter_gives():
    """Recently seen long lines are looked up, not rehashed; that must change nothing, also
    when the memory fills up and starts afresh."""
    rng = random.Random(2)
    pages = [[random_line(rng, 20) for _ in range(6)] for _ in range(5)]
    pages += pages[:3]                                     # repeats, as template lines repeat
    remembering = Fingerprinter(DedupConfig())
    remembering.recent.capacity = 7                        # fills up and starts afresh often
    for lines in pages:
        seen = remembering.page("p", page_of(lines), lines)
        fresh = Fingerprinter(DedupConfig()).page("p", page_of(lines), lines)
        assert np.array_equal(seen.long_bands, fresh.long_bands)
        assert np.array_equal(seen.long_bits, fresh.long_bits)


def test_pages_fingerprinted_together_equal_one_page_at_a_time(monkeypatch):
    """`pages` hashes many pages as one text; each page's fingerprint must be the one `page`
    gives alone: with repeated lines across pages, an empty page, a text with no final
    newline, and batches cut short (BATCH_CHARS) mid-way."""
    import pickle

    from corpusclean.dedup import fingerprint

    rng = random.Random(5)
    shared = random_line(rng, 15)
    pages = [[random_line(rng, rng.choice([2, 5, 12, 30])) for _ in range(rng.randint(1, 8))] + [shared, "Share"]
             for _ in range(9)]
    texts = [page_of(lines) for lines in pages]
    pages.append([]), texts.append("")
    pages.append(["Last line has no newline at the end of it at all"]), texts.append(pages[-1][0])
    for batch_chars in (1 << 20, 300):
        monkeypatch.setattr(fingerprint, "BATCH_CHARS", batch_chars)
        together = Fingerprinter(DedupConfig()).pages([(f"p{i}", t, lines) for i, (t, lines) in enumerate(zip(texts, pages))])
        together = pickle.loads(pickle.dumps(together))       # as a worker hands them back
        assert len(together) == len(pages)
        for i, (text, lines) in enumerate(zip(texts, pages)):
            alone, got = Fingerprinter(DedupConfig()).page(f"p{i}", text, lines), together[i]
            assert got.name == alone.name
            for field in ("short_keys", "short_line", "short_line_key", "long_line", "long_key", "long_chars", "long_bands", "long_bits"):
                want, have = getattr(alone, field), getattr(got, field)
                assert have.dtype == want.dtype and np.array_equal(have, want), (i, field)
