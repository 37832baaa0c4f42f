"""Every dedup threshold in one place, settable from the CLI and recorded in the summary."""
from __future__ import annotations

import importlib.util
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import click

from ..cli_params import FiniteFloatRange

#: the shingle hashes dedup/hashing.py implements, and the MinHash scheme of its signatures
#: (named here, not imported from there: the parent of a run on several workers reads the
#: settings but never imports numpy, which hashing.py is written in)
SHINGLE_HASHES = ("poly64", "sha1")
MINHASH_SCHEME = "affine32"


@dataclass(frozen=True)
class DedupConfig:
    """How lines are compared and what counts as a duplicate or as template chrome.

    `bands` x `rows` (the LSH banding) default to the pair datasketch's `MinHashLSH` would
    pick for `jaccard_threshold` and `num_perm`; the summary records the pair used."""

    #: two long lines are near-duplicates when their estimated Jaccard similarity is at least this
    jaccard_threshold: float = 0.7
    #: words per shingle
    shingle_size: int = 3
    #: MinHash permutations
    num_perm: int = 128
    #: LSH bands and rows per band (bands * rows <= num_perm); None: chosen for the threshold
    bands: int | None = None
    rows: int | None = None
    #: seed of the MinHash permutations (datasketch's default is 1)
    seed: int = 1
    #: "poly64" (fast, vectorised) or "sha1" (datasketch's default sha1_hash32)
    shingle_hash: str = "poly64"
    #: low bits of each signature value the index keeps to verify candidates (b-bit MinHash)
    verify_bits: int = 8
    #: lines with fewer words match by exact normalised text instead of MinHash
    short_line_words: int = 8
    #: a line in at least this many pages is template chrome, removed from every page; a long
    #: line must also be in `template_min_share` of all pages (a story syndicated to many sites
    #: is content: kept in its first page). Fewer pages: duplicated content, kept in the first.
    template_min_pages: int = 10
    template_min_share: float = 0.01
    #: a page whose content (long lines) is at least this similar to an earlier page's is a page duplicate
    page_threshold: float = 0.8
    #: leave page duplicates out of the output (they are reported either way)
    drop_duplicate_pages: bool = False
    #: keep lines that repeat earlier lines of the same page (refrains, repeated list items)
    keep_page_repeats: bool = False
    #: remove every paragraph (long line) that repeats an earlier one of the same page; by
    #: default only a paragraph in a pasted block of repeated lines goes
    drop_paragraph_repeats: bool = False
    #: a short line repeated within a page is removed when it is one of at least this many
    #: copies, or follows its previous copy within `page_repeat_window` lines, or is part of a
    #: repeated run of lines; otherwise (a heading and its table-of-contents entry) it stays
    page_repeat_min_count: int = 3
    page_repeat_window: int = 4
    #: a long line repeats an earlier line of the same page when their word shingles are at
    #: least this similar (exact Jaccard). Higher than `jaccard_threshold`: pasted chrome
    #: repeats itself exactly or nearly ("Sign up" / "Sign Up"), while two paragraphs of one
    #: page that are only 70-90% alike ("Regarding item 11111 ..." / "item 22222 ...") are
    #: usually both content
    page_repeat_jaccard: float = 0.9
    #: a page is left whole (no line removed as a copy of an earlier page's) when more than
    #: this share of its remaining long lines (by characters) would be: its article is a syndicated story,
    #: and removing it line by line would keep the page's chrome and drop its content. 1.0
    #: removes every copy (the earlier behaviour); a page-level decision stays with
    #: `page_threshold` and `drop_duplicate_pages`
    syndicated_page_share: float = 0.5

    def __post_init__(self) -> None:
        def check(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(message)

        check(0.0 < self.jaccard_threshold <= 1.0, "the Jaccard threshold must be in (0, 1]")
        check(0.0 < self.page_threshold <= 1.0, "the page threshold must be in (0, 1]")
        check(self.shingle_size >= 1, "the shingle size must be at least 1")
        check(self.num_perm >= 2, "MinHash needs at least 2 permutations")
        check(self.shingle_hash in SHINGLE_HASHES, f"the shingle hash must be one of {', '.join(SHINGLE_HASHES)}")
        check(1 <= self.verify_bits <= 16, "verify bits must be between 1 and 16")
        check(self.short_line_words >= self.shingle_size,
              "short-line words must be at least the shingle size (a long line needs one whole shingle)")
        check(0.0 <= self.syndicated_page_share <= 1.0, "the syndicated page share must be in [0, 1]")
        check(self.template_min_pages >= 2, "a template line must be in at least 2 pages")
        check(0.0 <= self.template_min_share <= 1.0, "the template share must be in [0, 1]")
        check(self.page_repeat_min_count >= 2, "a repeat needs at least 2 copies")
        check(self.page_repeat_window >= 1, "the page repeat window must be at least 1 line")
        check(0.0 < self.page_repeat_jaccard <= 1.0, "the page repeat Jaccard threshold must be in (0, 1]")
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both --lsh-bands and --lsh-rows, or neither")
        if self.bands is None or self.rows is None:
            bands, rows = optimal_banding(self.jaccard_threshold, self.num_perm)
            object.__setattr__(self, "bands", bands)
            object.__setattr__(self, "rows", rows)
        else:
            bands, rows = self.bands, self.rows
        check(bands >= 1 and rows >= 1, "bands and rows must be at least 1")
        check(bands * rows <= self.num_perm, "bands x rows must not exceed the number of permutations")

    @property
    def banding(self) -> tuple[int, int]:
        """(bands, rows) of the LSH: as given, or as `__post_init__` chose them, never None."""
        assert self.bands is not None and self.rows is not None
        return self.bands, self.rows

    def signature(self) -> dict[str, Any]:
        """The settings as recorded in the run summary, with the MinHash scheme named."""
        return {**asdict(self), "minhash_scheme": f"datasketch {MINHASH_SCHEME}",
                "shingles": f"{self.shingle_size}-word shingles of casefolded words, hashed with {self.shingle_hash}"}


@lru_cache(maxsize=16)
def optimal_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows) datasketch's MinHashLSH picks: least false positives plus false
    negatives (equal weights) of the S-curve 1 - (1 - s**rows)**bands around the threshold.

    Every process that builds the dedup stage asks (6-9 ms for 128 permutations): the answer
    is kept in the start-up cache (cache.py), by the arguments and numpy's version (its
    arithmetic decides a near tie)."""
    from ..cache import cached

    return cached("banding", f"{threshold!r}\0{num_perm}\0numpy {_numpy_version()}",
                  lambda: _optimal_banding(threshold, num_perm))


def _numpy_version() -> str:
    """numpy's version module, read as text rather than imported: the parent of a run on
    several workers builds a DedupConfig but never imports numpy (0.13-0.16 CPU-s of its
    own; its workers do the numpy work). Where the module cannot be read, numpy says."""
    spec = importlib.util.find_spec("numpy")
    if spec is not None and spec.origin is not None:
        try:
            with open(os.path.join(os.path.dirname(spec.origin), "version.py"), encoding="utf-8") as module:
                return module.read()
        except OSError:
            pass
    import numpy

    return numpy.__version__


def _optimal_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    import numpy as np

    below = np.linspace(0.0, threshold, 401)
    above = np.linspace(threshold, 1.0, 401)
    # np.trapezoid's own arithmetic, spelled out: every run builds a DedupConfig, and for 128
    # permutations the function's overhead over 1,290 pairs was most of 13 ms. The powers
    # s**rows are made once per `rows`. Same operations on the same arrays, so the same errors
    # (tests/test_dedup_config.py checks the choice against np.trapezoid's loop)
    step_below, step_above = np.diff(below), np.diff(above)
    below_powers = {rows: 1 - below ** rows for rows in range(1, num_perm + 1)}
    above_powers = {rows: 1 - above ** rows for rows in range(1, num_perm + 1)}
    best, best_error = (1, 1), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            pos = 1 - below_powers[rows] ** bands
            neg = above_powers[rows] ** bands
            false_pos = (step_below * (pos[1:] + pos[:-1]) / 2.0).sum()
            false_neg = (step_above * (neg[1:] + neg[:-1]) / 2.0).sum()
            error = float(0.5 * false_pos + 0.5 * false_neg)
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


# -- the command line ---------------------------------------------------------------------------

_OPTIONS = [
    ("jaccard_threshold", click.option(
        "--jaccard-threshold", type=FiniteFloatRange(0, 1, min_open=True), default=DedupConfig.jaccard_threshold,
        show_default=True, help="Long lines at least this similar (estimated Jaccard of word shingles) are near-duplicates.")),
    ("shingle_size", click.option(
        "--shingle-size", type=click.IntRange(min=1), default=DedupConfig.shingle_size, show_default=True,
        help="Words per shingle.")),
    ("num_perm", click.option(
        "--num-perm", type=click.IntRange(min=2), default=DedupConfig.num_perm, show_default=True,
        help="MinHash permutations.")),
    ("bands", click.option(
        "--lsh-bands", "bands", type=click.IntRange(min=1), default=None,
        help="LSH bands (with --lsh-rows). Default: what datasketch's MinHashLSH picks for the threshold.")),
    ("rows", click.option(
        "--lsh-rows", "rows", type=click.IntRange(min=1), default=None, help="LSH rows per band (with --lsh-bands).")),
    ("seed", click.option(
        "--minhash-seed", "seed", type=int, default=DedupConfig.seed, show_default=True,
        help="Seed of the MinHash permutations.")),
    ("shingle_hash", click.option(
        "--shingle-hash", type=click.Choice(SHINGLE_HASHES), default=DedupConfig.shingle_hash, show_default=True,
        help="poly64: vectorised, fast. sha1: datasketch's default hash, for signatures equal to datasketch's defaults.")),
    ("verify_bits", click.option(
        "--verify-bits", type=click.IntRange(1, 16), default=DedupConfig.verify_bits, show_default=True,
        help="Low bits of each MinHash value kept in the index to verify candidates (b-bit MinHash).")),
    ("short_line_words", click.option(
        "--short-line-words", type=click.IntRange(min=1), default=DedupConfig.short_line_words, show_default=True,
        help="Lines with fewer words match by exact normalised text instead of MinHash.")),
    ("template_min_pages", click.option(
        "--template-pages", "template_min_pages", type=click.IntRange(min=2), default=DedupConfig.template_min_pages,
        show_default=True, help="A line in at least this many pages is template chrome, removed everywhere (a long line: see --template-share).")),
    ("template_min_share", click.option(
        "--template-share", "template_min_share", type=FiniteFloatRange(0, 1), default=DedupConfig.template_min_share,
        show_default=True, help="Least share of all pages a long template line must be in; a long line in fewer is duplicated content, kept in its first page.")),
    ("page_threshold", click.option(
        "--page-threshold", type=FiniteFloatRange(0, 1, min_open=True), default=DedupConfig.page_threshold,
        show_default=True, help="A page whose long lines are at least this similar to an earlier page's is a page duplicate.")),
    ("drop_duplicate_pages", click.option(
        "--drop-duplicate-pages", is_flag=True,
        help="Leave pages that nearly duplicate an earlier page out of the output (still reported).")),
    ("keep_page_repeats", click.option(
        "--keep-page-repeats", is_flag=True,
        help="Keep lines that repeat an earlier line of the same page (a refrain, repeated list items).")),
    ("drop_paragraph_repeats", click.option(
        "--drop-paragraph-repeats", is_flag=True,
        help="Remove every paragraph that repeats an earlier one of its page (default: only one in a pasted block of lines).")),
    ("page_repeat_min_count", click.option(
        "--page-repeat-count", "page_repeat_min_count", type=click.IntRange(min=2),
        default=DedupConfig.page_repeat_min_count, show_default=True,
        help="A short line with this many copies in a page loses all but the first.")),
    ("page_repeat_window", click.option(
        "--page-repeat-window", "page_repeat_window", type=click.IntRange(min=1),
        default=DedupConfig.page_repeat_window, show_default=True,
        help="A short line repeating a copy at most this many lines above it is removed (fewer copies, further apart: kept).")),
    ("page_repeat_jaccard", click.option(
        "--page-repeat-jaccard", "page_repeat_jaccard", type=FiniteFloatRange(0, 1, min_open=True),
        default=DedupConfig.page_repeat_jaccard, show_default=True,
        help="A long line repeats an earlier line of its page when their word shingles are at least this similar.")),
    ("syndicated_page_share", click.option(
        "--syndicated-share", "syndicated_page_share", type=FiniteFloatRange(0, 1),
        default=DedupConfig.syndicated_page_share, show_default=True,
        help="A page more than this share of whose remaining long lines are copies of earlier pages' (a "
             "syndicated story) keeps them; 1 removes every copy.")),
]


#: the dedup settings as click options, in --help order (the dedup stage declares them)
DEDUP_OPTIONS = tuple(option for _, option in _OPTIONS)
