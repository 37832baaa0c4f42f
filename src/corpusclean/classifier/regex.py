"""Regular expressions that run on every line of a crawl, made cheap without changing a match.

Python's engine backtracks: an alternation of many words is tried word by word at every
position of the text, and a 2,000-character paragraph meets a vocabulary of 250 words about
300 times. Two ways out, each exact:

- `line_test(pattern)`: a yes/no question ("does this line hold a comment's entry mark?")
  answered by RE2, in time linear in the line, with the pattern translated to mean exactly
  what Python makes of it (patterns/translate.py, the rules' engine).
- `terms_pattern(groups)`: one alternation of words and phrases whose matches (spans, and
  which group matched) are Python's own, but in which each term is only tried where the text
  has a character the term can start with (see `terms_pattern`).
"""
from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Callable, Sequence

from ..patterns import charsets
from ..patterns.charsets import Ranges
from ..patterns.matcher import Matcher, matcher, translate_all
from ..patterns.translate import Alt, Anchor, Boundary, Chars, Node, Repeat, Seq, Untranslatable, parse

class LineTest:
    """`bool(pattern.search(line))`, in time linear in the line. Translated and compiled on
    first use, not at import: the translation reads Python's character classes off `re`, a
    fraction of a second a process pays only when it cleans. A pattern RE2 cannot take with
    Python's meaning (look-around, backreferences) keeps Python's search."""

    __slots__ = ("pattern", "_search")

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self._search: Callable[[str], bool] | None = None

    def __call__(self, line: str) -> bool:
        if self._search is None:
            self._search = self._compile()
        return self._search(line)

    def _compile(self) -> Callable[[str], bool]:
        """The Matcher's search, its translation (27 ms for the classifier's ENTRY_MARK) kept in
        the start-up cache (cache.py) as the RE2 sources of its cuts."""
        from ..cache import cached

        source, flags = self.pattern.pattern, self.pattern.flags
        try:
            return cached("line-test", f"{flags}\0{source}",
                          lambda: matcher([source], flags, translate_all([source], flags))).search
        except Untranslatable:
            return lambda line: self.pattern.search(line) is not None

    def warm(self) -> None:
        """Compile now what this test's lines need (Stage.warm): the COMMON cut
        (`Matcher.warm`), which also answers the lines of other scripts with stand-ins. WIDE
        waits for a line with a character the pattern names outside COMMON: warming it cost
        the parent 0.028 CPU-s and saved no measurable search time in a run of the 20 MB
        corpus, where ENTRY_MARK never needs it (nor on devset-l3s)."""
        if self._search is None:
            self._search = self._compile()
        compiled = getattr(self._search, "__self__", None)  # the Matcher, unless Python's search is kept
        if isinstance(compiled, Matcher):
            compiled.warm()


#: every line test made: module-level constants of the classifier, which `warm_line_tests`
#: compiles ahead of their first use
_LINE_TESTS: list[LineTest] = []


def opens_with(text: str, starts: frozenset[str] = frozenset()) -> bool:
    r"""Whether `text` starts with white space (`\s`: str.isspace), a decimal digit (`\d`:
    str.isdecimal) or one of `starts`: asked before a pattern that can match only a text that
    starts so (`^\s*` and then a digit or one of those), where most texts start otherwise (a
    unit or line mostly starts with a capital), and the pattern's call costs more than this."""
    first = text[:1]
    return first in starts or first.isdecimal() or first.isspace()


def line_test(pattern: re.Pattern[str]) -> LineTest:
    """A yes/no test of a line with `pattern`'s answer (see LineTest)."""
    made = LineTest(pattern)
    _LINE_TESTS.append(made)
    return made


def warm_line_tests() -> None:
    """Compile every line test now (Stage.warm)."""
    for test in _LINE_TESTS:
        test.warm()


def terms_pattern(groups: Sequence[tuple[str | None, Sequence[str]]],
                  flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], dict[str, str]]:
    """`(?<!\\w)(?:(?P<a>t1|t2|...)|(?P<b>...)|...)(?!\\w)` for groups [("a", [t1, t2, ...]),
    ("b", [...]), ...] (a group named None is not captured), and a map from the pattern's group
    names to the given ones: `names[match.lastgroup]` is the group that matched.

    At a position, Python tries the terms in order and the first that matches wins. A term can
    only match where the text holds one of its possible first characters (Python's own set for
    it, case folding included, read off its parse tree). So the terms are put in buckets by
    first character, buckets whose sets overlap merged into one, and each bucket is tried only
    behind a look-ahead for its characters: at any position at most one bucket can be entered,
    and it holds every term that could match there, in the original order. The matches are
    the same; the work at each word is a few character tests and the bucket's own terms.

    One level further: in a bucket whose terms all start with two plain characters (most
    terms: a word), the terms are put in sub-buckets by their second character the same way,
    and the two characters are taken by character classes the engine tests before it enters a
    branch (a branch that opens with a class is skipped at one test, where a look-ahead or a
    case-insensitive letter costs a try): the `share\\w*` of a text is no longer tried at
    "search", "sign in", "site map" and the other "s" words one after another. A term whose own
    first two characters are fewer than its sub-bucket's classes looks back for them.

    A term that could match the empty string, or that the translation cannot read, makes the
    pattern the plain alternation (correct, only slower).

    Working the pattern out reads every term's parse tree (0.03 CPU-s for the classifier's
    vocabulary, in every process that cleans a page): the source and names are kept in the
    start-up cache (cache.py), so a run only compiles them."""
    from ..cache import cached

    source, names = cached("terms", repr((groups, flags)), lambda: _terms_source(groups, flags))
    return cached_compile(source, flags), names


def cached_compile(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, what Python's compiler makes of the pattern (its code for
    the engine) kept in the start-up cache (cache.py; the Python version is in its key): `re`
    parses and compiles in Python, and the classifier's vocabulary (alternations of hundreds
    of terms) and signals' classes of the Basic Multilingual Plane cost every process that
    classifies 50-90 ms on its first page. The Pattern is re.compile's, equal to it; with
    another compiler (Python 3.10, or internals that differ) it is re.compile's own."""
    from ..cache import cached

    flags = int(flags)   # as re.compile takes a RegexFlag
    try:
        import _sre  # type: ignore[import-not-found]  # Python's regex engine

        flags_used, code, groups, names, by_number = cached("regex-code", f"{flags}\0{source}",
                                                            lambda: _compiled_code(source, flags))
        return _sre.compile(source, flags_used, code, groups, names, by_number)  # type: ignore[no-any-return]
    except (ImportError, AttributeError, TypeError, RuntimeError):  # RuntimeError: code _sre refuses
        return re.compile(source, flags)


def _compiled_code(source: str, flags: int) -> tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]:
    """What re._compiler.compile hands the engine for `source` (Python 3.11's arguments of
    `_sre.compile` after the pattern): raises re.error where re.compile does."""
    from re import _compiler, _parser  # type: ignore[attr-defined]  # Python 3.11 on

    parsed = _parser.parse(source, flags)
    names = parsed.state.groupdict
    by_number: list[str | None] = [None] * parsed.state.groups
    for name, number in names.items():
        by_number[number] = name
    code = list(map(int, _compiler._code(parsed, flags)))   # its opcodes are named ints, which pickle cannot take
    return flags | parsed.state.flags, code, parsed.state.groups - 1, dict(names), tuple(by_number)


def _terms_source(groups: Sequence[tuple[str | None, Sequence[str]]], flags: int) -> tuple[str, dict[str, str]]:
    """What `terms_pattern` compiles, and its names."""
    for _, terms in groups:
        if not terms or any(not t for t in terms):
            raise ValueError("empty term in a vocabulary group: it would match everywhere")
    buckets: dict[Ranges, list[tuple[int, int]]] = {}   # first characters -> (group, term) indices
    for g, (_, terms) in enumerate(groups):
        for t, term in enumerate(terms):
            try:
                first, empty = _first_of_term(_leading_letter(term) or term, flags)
            except Untranslatable:
                return _plain(groups)
            if empty:
                return _plain(groups)
            if first:  # else a term that matches nothing
                buckets.setdefault(first, []).append((g, t))
    merged = _merge(list(buckets.items()))
    names: dict[str, str] = {}
    branches = []
    for b, (first, members) in enumerate(sorted(merged, key=_by_frequency)):
        pairs = {m: _two_characters(groups[m[0]][1][m[1]], flags) for m in members}
        seconds = [(pair[3], [m]) for m, pair in pairs.items() if pair is not None]
        if len(seconds) < len(members):
            parts = _parts(groups, members, lambda term: term, f"b{b}", names)
            branches.append(f"(?=(?-i:{_class(first)}))(?:{'|'.join(parts)})")
            continue
        subs = []
        for s, (second, within) in enumerate(_merge(seconds)):
            after = partial(_after_two, sets=(first, second), flags=flags)
            parts = _parts(groups, within, after, f"b{b}_{s}", names)
            subs.append(f"(?-i:{_class(second)})(?:{'|'.join(parts)})")
        branches.append(f"(?-i:{_class(first)})(?:{'|'.join(subs)})")
    # a word no term starts like fails after one test instead of one per bucket
    anywhere = _class(charsets.union(*(first for first, _ in merged)))
    return r"(?<!\w)(?=(?-i:" + anywhere + r"))(?:" + "|".join(branches) + r")(?!\w)", names


def _merge(buckets: list[tuple[Ranges, list[tuple[int, int]]]]) -> list[tuple[Ranges, list[tuple[int, int]]]]:
    """Buckets of (group, term) indices by character set, those whose sets overlap merged into
    one, each bucket's members in their original order."""
    merged: list[tuple[Ranges, list[tuple[int, int]]]] = []
    for first, members in buckets:
        overlapping = [b for b in merged if charsets.intersect(b[0], first)]
        merged = [b for b in merged if not any(b is o for o in overlapping)]
        merged.append((charsets.union(first, *(b[0] for b in overlapping)),
                       sorted(members + [m for b in overlapping for m in b[1]])))
    return merged


def _parts(groups: Sequence[tuple[str | None, Sequence[str]]], members: list[tuple[int, int]],
           written: Callable[[str], str], prefix: str, names: dict[str, str]) -> list[str]:
    """The members' terms as `written`, one alternation per group in order (each one contiguous
    run), a named group's recorded in `names`."""
    parts = []
    for g in dict.fromkeys(g for g, _ in members):
        body = "|".join(written(groups[g][1][t]) for gg, t in members if gg == g)
        name = groups[g][0]
        if name is None:
            parts.append(f"(?:{body})")
        else:
            names[f"{prefix}_{g}"] = name
            parts.append(f"(?P<{prefix}_{g}>{body})")
    return parts


def _two_characters(term: str, flags: int) -> tuple[str, str, Ranges, Ranges] | None:
    """The term's first two characters when each is one character of the pattern, neither
    repeated nor optional (most terms: a plain word), and Python's own sets for them (case
    folding included); None for any other term."""
    one = _one_character(term)
    two = _one_character(term[len(one):]) if one else None
    if not one or not two:
        return None
    return one, two, _first_of_term(one, flags)[0], _first_of_term(two, flags)[0]


def _after_two(term: str, sets: tuple[Ranges, Ranges], flags: int) -> str:
    """The term without its first two characters, which the bucket's and the sub-bucket's
    classes (`sets`) have taken; a term whose own sets are smaller looks back for its own."""
    one, two, *own = _two_characters(term, flags) or ("", "", (), ())
    check = "" if tuple(own) == sets else f"(?<={one}{two})"
    return check + term[len(one) + len(two):]


def _one_character(source: str) -> str | None:
    """The pattern text of the single character `source` starts with (a letter, or an escaped
    symbol such as `\\(`), when nothing repeats it; else None."""
    if source[:1] == "\\" and len(source) > 1 and not source[1].isalnum():
        one = source[:2]
    elif source[:1] and source[0] not in "\\()[]{}?*+|^$.":
        one = source[0]
    else:
        return None
    return None if source[len(one):len(one) + 1] in ("?", "*", "+", "{") else one


#: letters by how often English words start with them: the buckets of frequent initials are
#: tried first (the order of disjoint buckets changes no match, only the work)
_INITIALS = "tasiowcbpfmhdrelnguvkyjqxz"


def _by_frequency(bucket: tuple[Ranges, list[tuple[int, int]]]) -> tuple[int, int]:
    first = bucket[0]
    ranks = [i for i, letter in enumerate(_INITIALS) if charsets.contains(first, ord(letter))]
    return (min(ranks) if ranks else len(_INITIALS), first[0][0])


def _plain(groups: Sequence[tuple[str | None, Sequence[str]]]) -> tuple[str, dict[str, str]]:
    names = {f"g{g}": name for g, (name, _) in enumerate(groups) if name is not None}
    parts = [f"(?P<g{g}>{'|'.join(terms)})" if name is not None else f"(?:{'|'.join(terms)})"
             for g, (name, terms) in enumerate(groups)]
    return r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", names


def _leading_letter(term: str) -> str | None:
    """The term's first letter when that is all its first character can be (most terms: a
    plain word), so that 26 parses serve hundreds of terms."""
    if len(term) > 1 and term[0].isascii() and term[0].isalpha() and term[1] not in "?*+{|" and "|" not in term:
        return term[0]
    return None


@lru_cache(maxsize=4096)
def _first_of_term(term: str, flags: int) -> tuple[Ranges, bool]:
    return first_characters(parse(term, flags))


def first_characters(node: Node) -> tuple[Ranges, bool]:
    """The characters a match of `node` can start with, and whether it can match the empty
    string (anchors and boundaries take no character)."""
    if isinstance(node, Chars):
        return node.members, False
    if isinstance(node, (Anchor, Boundary)):
        return charsets.NOTHING, True
    if isinstance(node, Seq):
        found: Ranges = charsets.NOTHING
        for item in node.items:
            first, empty = first_characters(item)
            found = charsets.union(found, first)
            if not empty:
                return found, False
        return found, True
    if isinstance(node, Alt):
        each = [first_characters(branch) for branch in node.branches]
        return charsets.union(*(first for first, _ in each)), any(empty for _, empty in each)
    assert isinstance(node, Repeat)
    first, empty = first_characters(node.item)
    return first, empty or node.min == 0


def _class(ranges: Ranges) -> str:
    return "[" + "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]"


class GatedSearch:
    """`bool(pattern.search(line))`, skipping the search on a line that holds none of the
    characters `gate` (a character class) names, when every match of the pattern must hold one
    of them. That is proved on the pattern's parse tree when first used; a pattern for which it
    cannot be proved is always searched. A cheap gate for patterns Python's engine would try at
    every position of a line that cannot match (DATED needs a digit: most lines have none)."""

    __slots__ = ("pattern", "gate", "_decided", "_gate")

    def __init__(self, pattern: re.Pattern[str], gate: str):
        self.pattern = pattern
        self.gate = gate
        self._decided = False
        self._gate: re.Pattern[str] | None = None

    def __call__(self, line: str) -> bool:
        if not self._decided:
            self._gate, self._decided = self._proved_gate(), True
        if self._gate is not None and not self._gate.search(line):
            return False
        return self.pattern.search(line) is not None

    def _proved_gate(self) -> re.Pattern[str] | None:
        """The gate, compiled, when the proof holds. The proof's answer is kept in the start-up
        cache (cache.py): parsing the pattern under IGNORECASE asks Python about every cased
        character (charsets._cased), 0.012 CPU-s of each process's first dated line."""
        from ..cache import cached

        key = f"{self.gate}\0{int(self.pattern.flags)}\0{self.pattern.pattern}"
        return re.compile(self.gate) if cached("gated-search", key, self._proves) else None

    def _proves(self) -> bool:
        """Whether every match of the pattern holds a character of the gate."""
        try:
            members = first_characters(parse(self.gate))[0]
            tree = parse(self.pattern.pattern, self.pattern.flags)
        except Untranslatable:
            return False
        return holds_one_of(tree, members)


def holds_one_of(node: Node, members: Ranges) -> bool:
    """Does every match of `node` hold a character of `members`?"""
    if isinstance(node, Chars):
        return bool(node.members) and not charsets.subtract(node.members, members)
    if isinstance(node, (Anchor, Boundary)):
        return False
    if isinstance(node, Seq):
        return any(holds_one_of(item, members) for item in node.items)
    if isinstance(node, Alt):
        return all(holds_one_of(branch, members) for branch in node.branches)
    assert isinstance(node, Repeat)
    return node.min >= 1 and holds_one_of(node.item, members)
