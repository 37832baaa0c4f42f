"""A rule field's patterns, translated (translate.py), joined, and searched with RE2.

A translated pattern spells Python's classes out for all of Unicode: `\\w` alone is 734
ranges, and a field with a few `\\b` held dozens of copies of it (fewer once factored,
translate.factor). RE2 compiles each copy in about a millisecond: the shipped packs took a
second of every run's start to compile whole, most of it for characters few lines hold. So a
Matcher compiles its tree cut down to the characters a line can hold (translate.restrict),
and on such a line the cut matches exactly where the whole would:

  ASCII lines (most of any corpus)   the ASCII cut, compiled at load (proving RE2 takes it;
                                     unpickled, when the first such line comes)
  other Latin-script lines           first the ASCII cut, with each character outside
                                     ASCII replaced by a stand-in (as below: an accented
                                     letter is just `\\w` to most patterns, a curly quote or
                                     a dash just `\\W`); only a line with a character the
                                     pattern names or sets apart from all of ASCII (a
                                     `©`, a `»`, a `ß`) goes on to
                                     the cut to Latin-1, Latin Extended, punctuation and
                                     symbols, compiled when the first such line comes (and
                                     from then on searched with it)
  any other line                     first the COMMON cut, with each character outside
                                     COMMON replaced by a stand-in: a character of COMMON
                                     that every set of the pattern holds or lacks alike (a
                                     Cyrillic letter, a CJK ideograph and an Ethiopic letter
                                     are all just `\\w` to most patterns, as is "ª"), so the
                                     answer is the whole's. Only a line with a character the
                                     pattern names itself or sets apart from all of COMMON
                                     (a Greek word, `[α-λ]`) goes on, and from then on, once
                                     its cut is compiled, every such line of the matcher:
  lines in Greek, Cyrillic, Hebrew,  that cut and those scripts (U+0300-10FF), Vietnamese,
  Arabic, Indic scripts, Thai,       the symbol blocks (arrows, math, box drawing, shapes,
  Georgian; Chinese, Japanese,       dingbats), the East Asian blocks (ideographs, kana,
  Korean; with emoji or U+FFFD       hangul, full-width forms), the specials and emoji
  (with Latin-script text or not)    (WIDE): \\w is hundreds of ranges fewer there, and the
                                     cut compiles in a third of the whole's time, but still
                                     dear (5 ms a field: 0.13 CPU-s for the 25 fields a
                                     one-worker run of the 20 MB corpus met such a line for
                                     before the stand-ins into COMMON; now 1)
  the rest (Ethiopic, Cherokee,      the WIDE cut too, with stand-ins of WIDE for the
  historic scripts...)               characters outside it; the whole is compiled only for a
                                     line with a character no character of WIDE can stand in
                                     for (one the pattern names itself)

A cut is never bigger than the whole, and a pattern big enough that RE2 might refuse the
whole is compiled whole at load as well, so what RE2 cannot take is still refused at load.

RE2 is handed UTF-8 bytes. A line holding a lone surrogate (possible in JSONL input) cannot be
encoded, so its surrogates are replaced by U+FFFD first: translate.py only accepts classes
that treat the two alike, so the answer is the same.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from functools import cache, lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from . import charsets
from .charsets import Ranges
from .translate import (Alt, Anchor, Chars, Node, Repeat, Seq, Untranslatable, alt, anchored, check_classes, factor,
                        parse, trim, restrict, to_re2, without_boundaries, written_size)

_SURROGATE = re.compile("[\ud800-\udfff]")
_FROM_START = re2._Anchor.ANCHOR_START   # every cut is written to be searched so (cut_source)
_NO_MATCH = (-1, -1)
_UNCOMPILED = object()
ASCII: Ranges = ((0, 0x7F),)
#: Latin-1 and Latin Extended (the accented letters of most languages written in Latin
#: script), general punctuation (curly quotes, dashes), currency and letterlike symbols
#: (€, ™): what most non-ASCII lines of a corpus in those languages hold.
COMMON: Ranges = ((0, 0x2FF), (0x2000, 0x21FF))
#: COMMON and what most other lines of a multilingual crawl hold: combining marks, Greek,
#: Cyrillic, Armenian, Hebrew, Arabic, the Indic scripts, Sinhala, Thai, Lao, Tibetan, Myanmar,
#: Georgian (U+0300-10FF); Latin Extended Additional (Vietnamese)
#: and the punctuation and symbol blocks up to U+2BFF (arrows, the minus sign, box drawing,
#: shapes, dingbats); the East Asian blocks: CJK symbols and punctuation, kana, bopomofo, the
#: CJK ideographs (and extension A), hangul syllables, CJK compatibility ideographs; the
#: specials up to U+FFFF (full-width forms, U+FFFD) and emoji. Lone surrogates are in it too:
#: a line meets RE2 with each replaced by U+FFFD, which the cut holds (translate._check_class
#: wants a set to treat them alike, and cutting only one of them away would not).
WIDE: Ranges = charsets.union(COMMON, ((0x300, 0x10FF), (0x1E00, 0x2BFF), (0x3000, 0x9FFF), (0xAC00, 0xD7AF),
                                       (0xD800, 0xDFFF), (0xF900, 0xFAFF), (0xFE00, 0xFFFF), (0x1F000, 0x1FAFF)))


def _outside(ranges: Ranges) -> re.Pattern[str]:
    """Finds a character that is not in `ranges`: a line without one can take their cut.

    Written as the negated class or as the class of the rest, whichever names fewer characters
    below U+10000: `re` compiles a class into a table of those, and for WIDE (most of them) the
    negated class took 3.5 ms of every process's import, the class of the rest 1.1 ms."""
    rest = charsets.complement(ranges)
    below = ((0, 0xFFFF),)
    negated = charsets.size(charsets.intersect(ranges, below)) <= charsets.size(charsets.intersect(rest, below))
    written = "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in (ranges if negated else rest))
    return re.compile(f"[^{written}]" if negated else f"[{written}]")


_OUTSIDE_ASCII = re.compile("[^\x00-\x7f]")
_OUTSIDE_COMMON = _outside(COMMON)


@cache
def _outside_wide() -> re.Pattern[str]:
    """`_outside(WIDE)`, compiled when a line outside COMMON first comes (2 ms): a process
    whose lines are all ASCII or COMMON (an English corpus, a parent that only builds the
    stages) never needs it."""
    return _outside(WIDE)


# A pattern this big (translate.written_size) is compiled whole at load too: RE2 refuses
# programs from about 2.5 million (`^\w{1000}\W{1000}\w{1000}\W{1000}$`); the biggest
# shipped pattern is 0.16 million.
_CHECK_WHOLE_ABOVE = 250_000


def _options() -> re2.Options:
    options = re2.Options()
    options.never_capture = True        # a yes/no answer needs no groups
    options.case_sensitive = True       # folding is already in the translated sets
    options.max_mem = 64 << 20          # written-out \w classes make big programs
    options.log_errors = False          # RE2 would print to stderr when its DFA gives up (it
                                        # then goes on with its NFA, still in linear time)
    return options


@lru_cache(maxsize=2048)
def _compiled(re2_source: str) -> Any:
    """The RE2 object itself (searched directly: no Match object per call), compiled once per
    process for each source: tests and `--rules` runs load the same packs many times."""
    try:
        return re2.compile(re2_source, _options())._regexp
    except re2.error as err:
        raise Untranslatable(f"RE2 cannot compile the translation: {err}") from None


def compile_cut(tree: Node, characters: Ranges) -> Any:
    """The RE2 object for `tree` on lines whose characters lie in `characters` (None if no
    such line can match)."""
    source = cut_source(tree, characters)
    return None if source is None else _compiled(source)


def cut_source(tree: Node, characters: Ranges) -> str | None:
    """The RE2 source of `tree` cut down to `characters` (None if no such line can match),
    written to be searched from the line's start (`Matcher.search`): a tree whose matches do
    not all start there is led by `(?s:.*?)`.

    A search with no anchor is RE2's own `.*?` in front; but asked where the match lies (as
    the Python binding always asks, for the match's span), RE2 then works out where it starts
    by running the pattern backwards from its end: a second program compiled (a quarter of all
    the rules stage's compiling) and a second scan, for every line that matches. Searched from
    the line's start, a match starts there, and one forward scan answers."""
    cut = tree if characters == charsets.EVERYTHING else restrict(tree, characters)  # nothing to cut
    if cut is None:
        return None
    source = to_re2(cut, characters)
    return source if anchored(cut, Anchor("start")) else f"(?s:.*?)(?:{source})"


#: the cuts a Matcher compiles, in the order of its `cut_sources`
_CUTS = (ASCII, COMMON, WIDE, charsets.EVERYTHING)
#: each cut's RE2 source (None where no line of those characters can match)
CutSources = tuple[str | None, ...]
#: (firsts, lasts, stand-ins): piece i is the code points firsts[i]..lasts[i], outside WIDE, and
#: stand-ins[i] the one character of WIDE that every set of a pattern holds or lacks as it holds
#: or lacks each of them; sorted. Arrays of machine integers: the shipped fields have 49,000
#: pieces, which unpickled as tuples of ints would cost every run's start 8 ms, as arrays a copy.
StandIns = tuple["array[int]", "array[int]", "array[int]"]


def stand_ins(tree: Node, universe: Ranges = WIDE, among: Ranges = charsets.EVERYTHING) -> StandIns:
    """For the characters of `among` outside `universe` (WIDE, COMMON or ASCII), one inside it
    that `tree` cannot tell from each (see StandIns): a line's characters only ever meet the
    tree's sets, so a line with each of them replaced matches exactly where the line does.
    (Surrogates never stand in, nor are stood in for: a line meets RE2 with them replaced by
    U+FFFD.) About 1.5 ms for a rule field; kept with the cuts' sources."""
    sets = sorted(_sets_of(tree, set()))
    cuts = {0, charsets.MAX_CHAR + 1}
    for ranges in (*sets, universe, among, charsets.SURROGATES):
        for first, last in ranges:
            cuts.update((first, last + 1))
    points = sorted(cuts)     # piece i: points[i] .. points[i + 1] - 1, every set holds all of it or none
    number = {point: i for i, point in enumerate(points)}
    held = [0] * (len(points) - 1)   # piece -> the sets holding it, one bit each
    for bit, ranges in enumerate(sets):
        for first, last in ranges:
            for piece in range(number[first], number[last + 1]):
                held[piece] |= 1 << bit
    surrogate = [charsets.contains(charsets.SURROGATES, point) for point in points[:-1]]
    inside = [charsets.contains(universe, point) and not surrogate[piece] for piece, point in enumerate(points[:-1])]
    standing: dict[int, int] = {}
    for piece, sets_held in enumerate(held):
        if inside[piece]:
            standing.setdefault(sets_held, points[piece])
    kept = [piece for piece, sets_held in enumerate(held)
            if not charsets.contains(universe, points[piece]) and charsets.contains(among, points[piece])
            and not surrogate[piece] and sets_held in standing]
    return (array("L", (points[piece] for piece in kept)), array("L", (points[piece + 1] - 1 for piece in kept)),
            array("L", (standing[held[piece]] for piece in kept)))


def _sets_of(node: Node, found: set[charsets.Ranges]) -> set[charsets.Ranges]:
    if isinstance(node, Chars):
        found.add(node.members)
    elif isinstance(node, Seq):
        for item in node.items:
            _sets_of(item, found)
    elif isinstance(node, Alt):
        for branch in node.branches:
            _sets_of(branch, found)
    elif isinstance(node, Repeat):
        _sets_of(node.item, found)
    return found


class Matcher:
    """Searches a line for any of several Python patterns, in time linear in the line.

    Pickles as the RE2 sources of its four cuts (_CUTS) and its stand-ins, not as its tree:
    unpickling is then a string copy, where the tree took 0.16 s for the shipped packs and
    restricting it as much again. That is what a cached rule pack (cache.py) and a Ray worker
    receive; each compiles the cuts when it needs them."""

    __slots__ = ("sources", "flags", "tree", "_cut_sources", "_stand_ins", "_common_stand_ins", "_ascii_stand_ins",
                 "_ascii", "_common", "_wide", "_whole")

    def __init__(self, sources: tuple[str, ...], flags: int, tree: Node | None,
                 cut_sources: CutSources | None = None, stand_ins: StandIns | None = None,
                 common_stand_ins: StandIns | None = None, ascii_stand_ins: StandIns | None = None):
        self.sources = sources            # the Python patterns whose meaning this has
        self.flags = flags
        self.tree = tree                  # translated, without boundaries, factored (None when unpickled)
        self._cut_sources = cut_sources   # made from the tree when first needed
        self._stand_ins = stand_ins       # likewise
        self._common_stand_ins = common_stand_ins   # likewise
        self._ascii_stand_ins = ascii_stand_ins     # likewise
        # made from a tree, the ASCII cut is compiled now, proving RE2 takes the patterns;
        # unpickled (a cached pack, a Ray worker), they were proven when the cuts were made, and
        # it waits for the first ASCII line: a parent that only builds the stages, or a run whose
        # lines never reach some field, compiles none of the packs' 69 (0.02 CPU-s in all)
        self._ascii: Any = self._compile(0) if cut_sources is None else _UNCOMPILED
        self._common: Any = _UNCOMPILED
        self._wide: Any = _UNCOMPILED
        self._whole: Any = _UNCOMPILED

    def _compile(self, cut: int) -> Any:
        if self._cut_sources is None:
            assert self.tree is not None
            return compile_cut(self.tree, _CUTS[cut])
        source = self._cut_sources[cut]
        return None if source is None else _compiled(source)

    def cut_sources(self) -> CutSources:
        """The RE2 source of each cut: ASCII, the common Latin-script characters, those and
        the other scripts and symbols most lines hold (WIDE), everything."""
        if self._cut_sources is None:
            assert self.tree is not None
            self._cut_sources = tuple(cut_source(self.tree, characters) for characters in _CUTS)
        return self._cut_sources

    def stand_ins(self) -> StandIns:
        """What stands in for the characters outside WIDE (see `stand_ins`)."""
        if self._stand_ins is None:
            assert self.tree is not None
            self._stand_ins = stand_ins(self.tree)
        return self._stand_ins

    def common_stand_ins(self) -> StandIns:
        """What stands in for the characters outside COMMON (see `stand_ins`)."""
        if self._common_stand_ins is None:
            assert self.tree is not None
            self._common_stand_ins = stand_ins(self.tree, COMMON)
        return self._common_stand_ins

    def ascii_stand_ins(self) -> StandIns:
        """What stands in for the characters of COMMON outside ASCII (see `stand_ins`)."""
        if self._ascii_stand_ins is None:
            assert self.tree is not None
            self._ascii_stand_ins = stand_ins(self.tree, ASCII, COMMON)
        return self._ascii_stand_ins

    def search(self, text: str) -> bool:
        if not text.isascii():
            return self._search_other(text)
        regexp = self._ascii
        if regexp is _UNCOMPILED:
            regexp = self._ascii = self._compile(0)
        if regexp is None:
            return False
        data = text.encode("ascii")
        return bool(regexp.Match(_FROM_START, data, 0, len(data))[0] != _NO_MATCH)

    def _search_other(self, text: str) -> bool:
        """`search` on a line with characters outside ASCII."""
        # a line outside COMMON whose every other character has a stand-in in COMMON is
        # searched with the COMMON cut, until this matcher has the WIDE cut anyway (see `warm`)
        common = not _OUTSIDE_COMMON.search(text)
        if not common and self._wide is _UNCOMPILED:
            stood_in = self._stood_in(text, self.common_stand_ins(), _OUTSIDE_COMMON)
            if stood_in is not None:
                text, common = stood_in, True
        if common:
            if self._common is _UNCOMPILED:
                # likewise a line of COMMON whose every character outside ASCII has a stand-in
                # in ASCII (an accented letter is just `\w` to most patterns, a dash or a
                # curly quote just `\W`) is searched with the ASCII cut, until this matcher has
                # the COMMON cut: 33 of the 41 fields that met such a line in a one-worker run
                # of the 20 MB corpus then never compile it (1.4 ms each)
                stood_in = self._stood_in(text, self.ascii_stand_ins(), _OUTSIDE_ASCII)
                if stood_in is not None:
                    return self.search(stood_in)
                self._common = self._compile(1)
            regexp = self._common
        elif not _outside_wide().search(text):
            regexp = self._wide_cut()
        else:
            stood_in = self._stood_in(text, self.stand_ins(), _outside_wide())
            if stood_in is not None:
                text = stood_in
                regexp = self._wide_cut()
            else:   # a character the pattern itself names, or sets apart from all of WIDE
                if self._whole is _UNCOMPILED:
                    self._whole = self.whole()
                regexp = self._whole
        if regexp is None:
            return False
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = _SURROGATE.sub("\ufffd", text).encode("utf-8")
        return bool(regexp.Match(_FROM_START, data, 0, len(data))[0] != _NO_MATCH)

    def _wide_cut(self) -> Any:
        if self._wide is _UNCOMPILED:
            self._wide = self._compile(2)
        return self._wide

    @staticmethod
    def _stood_in(text: str, table: StandIns, outside: re.Pattern[str]) -> str | None:
        """`text` with each character `outside` finds replaced by its stand-in in `table` (see
        `stand_ins`), or None if one has none."""
        firsts, lasts, stand_ins = table
        missing = False

        def stand_in(found: re.Match[str]) -> str:
            nonlocal missing
            point = ord(found.group())
            i = bisect_right(firsts, point) - 1
            if i >= 0 and lasts[i] >= point:
                return chr(stand_ins[i])
            missing = True
            return ""

        replaced = outside.sub(stand_in, text)
        return None if missing else replaced

    def whole(self) -> Any:
        """The RE2 object for any line."""
        return self._compile(3)

    def warm(self, wide: bool = False) -> None:
        """Compile now the cuts most corpora's lines need, ASCII (when unpickled) and COMMON
        (Stage.warm: workers forked after this share them instead of each compiling them), and
        with `wide` WIDE too.

        WIDE is the dear one (the rule packs' 55 pattern fields: 0.13 CPU-s against COMMON's
        0.04) and most fields never need it: a line must hold both a field's keywords and a
        character the field's sets tell apart from all of COMMON (without WIDE, other lines
        are searched with stand-ins in COMMON). On the 20 MB make_corpus corpus, a
        multilingual one, a one-worker run compiles WIDE for 1 of the 55 fields. So a field
        whose line must first get past the keyword gate leaves WIDE to the worker that meets
        such a line, as it leaves the whole to a line of a rare script. (A matcher with WIDE
        searches its lines of other scripts with it as they are, without stand-ins; the
        classifier's line test no longer warms it: regex.LineTest.warm.)"""
        if self._ascii is _UNCOMPILED:
            self._ascii = self._compile(0)
        if self._common is _UNCOMPILED:
            self._common = self._compile(1)
        if wide and self._wide is _UNCOMPILED:
            self._wide = self._compile(2)

    def python(self) -> re.Pattern[str]:
        """The same patterns compiled by Python's `re`: the meaning this matcher has, for tests
        and the benchmark (never for matching: it can backtrack for ever)."""
        return re.compile("|".join(f"(?:{p})" for p in self.sources), self.flags)

    def __getstate__(self) -> tuple[tuple[str, ...], int, CutSources, StandIns, StandIns, StandIns]:
        return (self.sources, self.flags, self.cut_sources(), self.stand_ins(), self.common_stand_ins(),
                self.ascii_stand_ins())

    def __setstate__(self, state: tuple[tuple[str, ...], int, CutSources, StandIns, StandIns, StandIns]) -> None:
        sources, flags, cut_sources, stand_ins, common_stand_ins, ascii_stand_ins = state
        self.__init__(sources, flags, None, cut_sources, stand_ins, common_stand_ins,  # type: ignore[misc]
                      ascii_stand_ins)

    def __repr__(self) -> str:
        return f"Matcher({self.sources!r})"


@lru_cache(maxsize=2048)
def _translated(pattern: str, flags: int) -> Node:
    return without_boundaries(parse(pattern, flags))


def translate_all(patterns: list[str], flags: int) -> list[Node]:
    """Each pattern's tree; Untranslatable names the pattern that cannot be taken."""
    trees = []
    for pattern in patterns:
        try:
            trees.append(_translated(pattern, flags))
        except Untranslatable as err:
            raise Untranslatable(f"{pattern!r}: {err}") from None
    return trees


@lru_cache(maxsize=2048)
def compiled_matcher(patterns: tuple[str, ...], flags: int) -> Matcher:
    """The Matcher for `patterns` (any may match), made once per process: tests and `--rules`
    runs load the same packs many times. Untranslatable names the pattern that cannot be taken."""
    return matcher(list(patterns), flags, translate_all(list(patterns), flags))


def matcher(patterns: list[str], flags: int, trees: list[Node]) -> Matcher:
    """One Matcher for `patterns` (any may match), from their trees."""
    tree = alt(list(trees))
    assert tree is not None
    check_classes(tree)
    found = Matcher(tuple(patterns), flags, factor(trim(tree)))
    if written_size(tree) > _CHECK_WHOLE_ABOVE:
        found.whole()  # so that a pattern RE2 may not take whole is refused at load, not mid-run
    return found
