"""The keyword gate: a rule's regex is only tried on lines that hold one of its required literals.

Most lines match no rule, and most rules name words ("subscribe", "newsletter", "share") that
a line must contain to match. `required_literals` reads, from a translated pattern tree, a
short list of literal strings at least one of which every match contains; one Aho-Corasick
automaton over all rules' literals then says, in one pass over a line, which rules can match
it. A rule with no such literal (say `^\\d+$`), or only a one-letter one, is always tried.

Literals are compared case-insensitively: each position of a literal is the set of characters
the pattern accepts there (a case-insensitive 's' accepts s, S and U+017F), a line is lowered
character by character with the same simple lower-casing (`_sre.unicode_tolower`, what Python's
regex engine folds with) and a literal becomes every string of lowered choices. A line that
matches a rule's pattern therefore always contains one of its literals: the gate can hide
nothing. `corpusclean rules check` verifies it on every rule's examples all the same.
"""
from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # Python's regex engine: how it lower-cases
import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import product
from typing import Iterable, Sequence

import ahocorasick  # type: ignore[import-not-found]  # pyahocorasick ships no type information

from . import charsets
from .translate import Alt, Anchor, Chars, Node, Repeat, Seq

#: a literal is a sequence of positions, each the characters accepted there
Literal = tuple[str, ...]

_MAX_CHOICES = 4        # characters a position may accept and still count as literal
_MAX_STRINGS = 32       # alternatives one part of a pattern may expand to
_MAX_GATE_STRINGS = 4096  # strings one rule's literals may expand to, case variants included
_MAX_LENGTH = 24        # positions kept of a long literal (any part of a required string is required)


@dataclass(frozen=True)
class _Info:
    exact: tuple[Literal, ...] | None      # every string the node can match, if few
    required: tuple[Literal, ...] | None   # one of these occurs in every match


def required_literals(tree: Node) -> tuple[Literal, ...] | None:
    """Literals one of which occurs in every match of `tree`, or None if there are none."""
    info = _info(tree)
    best = _best([info.required, info.exact])
    return best


def _info(node: Node) -> _Info:
    if isinstance(node, Chars):
        if charsets.size(node.members) <= _MAX_CHOICES:
            return _Info(exact=(("".join(map(chr, charsets.points(node.members))),),), required=None)
        return _Info(None, None)
    if isinstance(node, Anchor):
        return _Info(exact=((),), required=None)
    if isinstance(node, Seq):
        return _seq_info([_info(item) for item in node.items])
    if isinstance(node, Alt):
        infos = [_info(b) for b in node.branches]
        exact = None
        if all(i.exact is not None for i in infos):
            exact = _unique(lit for i in infos for lit in i.exact)  # type: ignore[union-attr]
            if len(exact) > _MAX_STRINGS:
                exact = None
        per_branch = [_best([i.required, i.exact]) for i in infos]
        required = None
        if all(r is not None for r in per_branch):
            required = _unique(lit for r in per_branch for lit in r)  # type: ignore[union-attr]
        return _Info(exact, required)
    if isinstance(node, Repeat):
        inner = _info(node.item)
        exact = None
        if inner.exact is not None and node.max is not None and node.max <= 1:
            exact = _unique(([()] if node.min == 0 else []) + list(inner.exact))
        elif inner.exact is not None and node.min == node.max and node.min <= 3:
            exact = _power(inner.exact, node.min)
        required = _best([inner.required, inner.exact]) if node.min >= 1 else None
        return _Info(exact, required)
    return _Info(exact=((),), required=None)  # pragma: no cover - no boundaries left


def _seq_info(infos: Sequence[_Info]) -> _Info:
    candidates: list[tuple[Literal, ...] | None] = []
    run: tuple[Literal, ...] | None = ((),)
    whole_exact = True
    for info in infos:
        candidates.append(info.required)
        if info.exact is None:
            candidates.append(run)
            run = ((),)
            whole_exact = False
            continue
        joined = _cross(run, info.exact) if run is not None else None
        if joined is None:
            candidates.append(run)
            run = info.exact
            whole_exact = False
        else:
            run = joined
    candidates.append(run)
    return _Info(exact=run if whole_exact else None, required=_best(candidates))


def _cross(a: tuple[Literal, ...], b: tuple[Literal, ...]) -> tuple[Literal, ...] | None:
    if len(a) * len(b) > _MAX_STRINGS:
        return None
    return _unique(x + y for x in a for y in b)


def _power(base: tuple[Literal, ...], times: int) -> tuple[Literal, ...] | None:
    result: tuple[Literal, ...] | None = ((),)
    for _ in range(times):
        result = _cross(result, base) if result is not None else None
    return result


def _unique(literals: Iterable[Literal]) -> tuple[Literal, ...]:
    return tuple(dict.fromkeys(literals))


def _best(candidates: Iterable[tuple[Literal, ...] | None]) -> tuple[Literal, ...] | None:
    """The most selective candidate: the one whose shortest literal is longest, then the one
    with fewest literals. A candidate holding the empty literal requires nothing."""
    usable = [c for c in candidates if c and all(len(lit) > 0 for lit in c)]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(lit) for lit in c), -len(c)))


# -- the gate itself -------------------------------------------------------------------------

def _lower(ch: str) -> str:
    return chr(_sre.unicode_tolower(ord(ch)))


def literal_strings(literals: tuple[Literal, ...]) -> list[str] | None:
    """The lowered strings a requirement expands to, or None if too many (no gate then)."""
    strings: list[str] = []
    for literal in literals:
        literal = literal[:_MAX_LENGTH]
        choices = [sorted({_lower(ch) for ch in position}) for position in literal]
        count = 1
        for c in choices:
            count *= len(c)
        if count + len(strings) > _MAX_GATE_STRINGS:
            return None
        strings.extend("".join(p) for p in product(*choices))
    # a string holding another one of the list adds nothing ("subscribe now" beside "subscribe");
    # each string's pieces of the lengths kept so far are looked up, rather than every kept
    # string searched in it (a rule's literals may expand to a few thousand strings)
    unique = sorted(set(strings), key=len)
    kept: list[str] = []
    seen: set[str] = set()
    lengths: set[int] = set()
    for string in unique:
        if not any(string[i:i + n] in seen for n in lengths for i in range(len(string) - n + 1)):
            kept.append(string)
            seen.add(string)
            lengths.add(len(string))
    return kept


def _weak(string: str) -> bool:
    """A one-letter (or one-digit) literal is on almost every line: gating on it costs more
    than trying the rule."""
    return len(string) == 1 and string.isascii() and string.isalnum()


#: what building a gate works out from the rules' literals before any automaton: per rule the
#: lowered strings to look for (None: always tried), and how each character those literals
#: hold lowers (code point -> code point)
Expanded = tuple[list[list[str] | None], dict[int, int]]


def expand(requirements: Sequence[tuple[Literal, ...] | None]) -> Expanded:
    """Per rule, the lowered strings the gate looks for in a line, or None for a rule that is
    always tried (no literal, too many strings, or a one-letter one); and the lowering table.
    Most of the cost of building a gate, and plain data: a run takes it from the start-up
    cache (stages/rules.py)."""
    strings: list[list[str] | None] = []
    table: dict[int, int] = {}
    for literals in requirements:
        found = literal_strings(literals) if literals else None
        if found is not None and any(_weak(string) for string in found):
            found = None
        strings.append(found)
        for literal in literals if found is not None else ():  # type: ignore[union-attr]
            for position in literal:
                for ch in position:
                    table[ord(ch)] = ord(_lower(ch))
    return strings, table


class Gate:
    """For a line, which of a rulebook's rules can start on it (by index into the rule list).

    A rule with `max_chars` cannot start on a longer line, so the gate keeps one automaton per
    distinct `max_chars` holding only the rules that allow lines that long: a long paragraph
    is searched for the few literals of the rules that could still take it.

    Rules that can only start in part of a page (`within_first`, `within_last`) can be gated
    `apart`: each gets an automaton of its own, asked (`admits`) only for the lines where the
    caller would try the rule, and the shared pass (`anywhere`) leaves them out. One such
    rule requiring "is" (a closing author bio) found its literal in most lines of prose."""

    def __init__(self, requirements: Sequence[tuple[Literal, ...] | None],
                 max_chars: Sequence[int | None] | None = None, expanded: Expanded | None = None,
                 apart: Sequence[bool] | None = None):
        """`expanded`: what expand(requirements) gives, when the caller has it already."""
        limits = [m if m is not None else _NO_LIMIT for m in (max_chars or [None] * len(requirements))]
        strings, table = expanded if expanded is not None else expand(requirements)
        apart = apart or [False] * len(requirements)
        shared = [i for i in range(len(requirements)) if not apart[i]]
        self._thresholds = sorted({limits[i] for i in shared})
        self._buckets = [_Bucket([(i, strings[i]) for i in shared if limits[i] >= threshold])
                         for threshold in self._thresholds]
        #: each rule gated apart: the longest line it allows, and its own automaton
        self._apart = {i: (limits[i], _Bucket([(i, strings[i])])) for i in range(len(requirements)) if apart[i]}
        #: the indices of the rules gated apart
        self.gated_apart = frozenset(self._apart)
        # Lines are lowered with str.lower (fast) unless they hold a character whose str.lower
        # differs from the simple lower-casing the literals were made with ('İ' becomes two
        # characters, a final 'Σ' becomes 'ς'); those lines go through the table instead.
        self._table = {k: v for k, v in table.items() if k != v}
        special = sorted(chr(k) for k in table if chr(k).lower() != chr(table[k]) or k == 0x3A3)
        self._special = re.compile("[" + "".join(map(re.escape, special)) + "]") if special else None
        self._indices: dict[int, tuple[int, ...]] = {}   # a mask of rules -> their indices

    def candidates(self, line: str) -> tuple[int, ...]:
        """Indices of the rules that may start on `line` (a superset of those that do), ascending."""
        found = self.anywhere(line)
        extra = [index for index in self._apart if self.admits(index, line)]
        return tuple(sorted(found + tuple(extra))) if extra else found

    def anywhere(self, line: str) -> tuple[int, ...]:
        """`candidates` among the rules not gated apart."""
        which = bisect_left(self._thresholds, len(line))
        if which == len(self._buckets):
            return ()
        bucket = self._buckets[which]
        mask = bucket.always
        if bucket.automaton is not None:
            for _end, found in bucket.automaton.iter(self._fold(line)):
                mask |= found
        indices = self._indices.get(mask)
        if indices is None:
            if len(self._indices) > _MAX_MASKS:
                self._indices.clear()
            indices = self._indices[mask] = tuple(i for i in range(mask.bit_length()) if mask >> i & 1)
        return indices

    def admits(self, index: int, line: str) -> bool:
        """Whether rule `index`, gated apart, may start on `line`."""
        limit, bucket = self._apart[index]
        if len(line) > limit:
            return False
        if bucket.always:
            return True
        return bucket.automaton is not None and next(bucket.automaton.iter(self._fold(line)), None) is not None


    def _fold(self, line: str) -> str:
        if line.isascii() or self._special is None or not self._special.search(line):
            return line.lower()
        return line.translate(self._table)


_MAX_MASKS = 4096   # distinct sets of candidate rules remembered (a page shows a few dozen)
_NO_LIMIT = 1 << 62


class _Bucket:
    """The rules that allow lines of some length: those always tried (a bit mask) and an
    automaton from each literal string to the rules it admits."""

    def __init__(self, rules: list[tuple[int, list[str] | None]]):
        self.always = 0
        by_string: dict[str, int] = {}
        for index, strings in rules:
            if strings is None:
                self.always |= 1 << index
                continue
            for string in strings:
                by_string[string] = by_string.get(string, 0) | 1 << index
        self.automaton: ahocorasick.Automaton | None = None
        if by_string:
            self.automaton = ahocorasick.Automaton()
            for string, mask in by_string.items():
                self.automaton.add_word(string, mask)
            self.automaton.make_automaton()
