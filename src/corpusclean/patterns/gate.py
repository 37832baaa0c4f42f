"""The keyword gate: a rule's regex is only tried on lines that can hold a match.

Most lines match no rule, and most rules name words ("subscribe", "newsletter", "share") that
a line must contain to match. A rule's patterns are an alternation; for each branch,
`requirement` reads off its translated tree what every match of that branch needs (a `Way`):
one literal string of each of one or two groups ("trade mark" or "trademark", and " of"), and,
for a branch anchored at both ends (`^(accept|ok)$`), a line no longer than the longest match.
One Aho-Corasick automaton over all rules' literals then says, in one pass over a line, which
groups it holds, and so which rules can match it: those with a way the line meets. A rule with
a branch that needs nothing (say `^\\d+$` with no length bound), or only a one-letter literal,
is always tried.

Literals are compared case-insensitively: each position of a literal is the set of characters
the pattern accepts there (a case-insensitive 's' accepts s, S and U+017F), a line is folded
character by character (`fold`: the simple lower-casing Python's regex engine uses, and one
letter for the variants of a letter such as U+017F) and a literal becomes every string of
folded choices. A line that matches a rule's pattern therefore always meets one of its ways:
the gate can hide nothing. The ways only ever narrow what the gate lets by: the regex decides.
`corpusclean rules check` verifies it on every rule's examples all the same.
"""
from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # Python's regex engine: how it lower-cases
import hashlib
import os
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import product
from typing import Callable, Iterable, Sequence, TypeVar

import ahocorasick  # type: ignore[import-not-found]  # pyahocorasick ships no type information

from . import charsets
from .translate import Alt, Anchor, Chars, Node, Repeat, Seq, anchored

T = TypeVar("T")

#: a literal is a sequence of positions, each the characters accepted there
Literal = tuple[str, ...]

_MAX_CHOICES = 4        # characters a position may accept and still count as literal
_MAX_STRINGS = 32       # alternatives one part of a pattern may expand to
_MAX_GATE_STRINGS = 4096  # strings one group of literals may expand to, case variants included
_MAX_LENGTH = 24        # positions kept of a long literal (any part of a required string is required)


@dataclass(frozen=True)
class _Info:
    exact: tuple[Literal, ...] | None      # every string the node can match, if few
    required: tuple[Literal, ...] | None   # one of these occurs in every match


#: literals one of which every match holds
Group = tuple[Literal, ...]
_MAX_GROUPS = 2         # groups a way asks for: a second one weeds out most lines the first lets by


@dataclass(frozen=True)
class Way:
    """What every match of one branch of a rule's patterns needs of a line (one without a
    newline): at most `max_chars` characters (None: any number), and one literal of each group,
    starting at or before the character `starts_by` gives for it (None, or no entry: anywhere;
    a branch anchored at the line's start with a bounded part before the literal, as in
    `^[\\w ]{0,30}\\b(privacy|terms)`, says where)."""
    max_chars: int | None
    groups: tuple[Group, ...]
    starts_by: tuple[int | None, ...] = ()
    #: a digest of the fields above, made with the way (and pickled with it): what the start-up
    #: cache knows a gate's ways by (stages/rules._gate), where writing all the shipped rules'
    #: ways out (their groups are some 60,000 short strings) took 15-25 ms of every start
    digest: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        written = repr((self.max_chars, self.groups, self.starts_by)).encode()
        object.__setattr__(self, "digest", hashlib.blake2b(written, digest_size=16).hexdigest())

    def __hash__(self) -> int:
        return hash(self.digest)   # equal ways have equal digests

    def start_bound(self, i: int) -> int | None:
        """The last character at which a literal of group i can start (None: any)."""
        return self.starts_by[i] if i < len(self.starts_by) else None


#: the ways a rule's patterns can match (a line that matches meets one of them), or None: any
#: line can
Requirement = tuple[Way, ...] | None


def requirement(tree: Node) -> Requirement:
    """For each top branch of `tree` (an alternation, or one branch), what a line needs for it
    to match there; None when some branch needs nothing at all."""
    ways: list[Way] = []
    for branch in tree.branches if isinstance(tree, Alt) else (tree,):
        groups, starts_by = _groups(branch)
        way = Way(_anchored_width(branch), _shared(groups), starts_by if any(b is not None for b in starts_by) else ())
        if way.max_chars is None and not way.groups:
            return None
        if way not in ways:
            ways.append(way)
    return tuple(ways)


#: one object for each distinct literal position, literal and group the ways made in this
#: process hold: a pack's rules then pickle each once (into the start-up cache), and later
#: copies as references to it. The shipped packs' ways hold some 50,000 short strings, 4,700
#: tuples; unpickled one by one they took 8.6 ms of every process that loads the packs, 1.5 so
_SHARED: dict[object, object] = {}


def _shared(item: T) -> T:
    """The one object equal to `item` (a string, or a tuple of them or of such tuples)."""
    if isinstance(item, tuple):
        item = tuple(map(_shared, item))  # type: ignore[assignment]  # a tuple again
    return _SHARED.setdefault(item, item)  # type: ignore[return-value]  # equal, so of its type


def required_literals(tree: Node) -> Group | None:
    """Literals one of which occurs in every match of `tree`, or None if there are none."""
    info = _info(tree)
    return _best([info.required, info.exact])


def _anchored_width(node: Node) -> int | None:
    """For a branch anchored at the start and the end of the text (`^...$`), the most
    characters a match can span, hence the longest line it can match; else None."""
    if not (anchored(node, Anchor("start")) and anchored(node, Anchor("end"))):
        return None
    return _width(node)


def _width(node: Node) -> int | None:
    """The most characters a match of `node` spans (None: no bound)."""
    if isinstance(node, Chars):
        return 1
    if isinstance(node, Anchor):
        return 0
    if isinstance(node, Repeat):
        inner = _width(node.item)
        return None if inner is None or node.max is None else inner * node.max
    if isinstance(node, Seq):
        parts = [_width(item) for item in node.items]
    elif isinstance(node, Alt):
        parts = [_width(branch) for branch in node.branches]
    else:
        return None  # a Boundary: none is left in a translated tree
    bounded = [part for part in parts if part is not None]
    if len(bounded) < len(parts):
        return None
    return sum(bounded) if isinstance(node, Seq) else max(bounded)


def _groups(node: Node) -> tuple[tuple[Group, ...], tuple[int | None, ...]]:
    """Up to _MAX_GROUPS groups of literals, from parts of `node` that do not overlap, every
    match holding one literal of each: the most selective first. And for each, the last
    character a literal of it can start at, where the branch is anchored at the line's start
    and what comes before the literal has a bounded width (else None)."""
    if not isinstance(node, Seq):
        best = required_literals(node)
        return ((best,), (None,)) if best is not None else ((), ())
    # of two as selective, the one that is all its items can match says best where it starts
    found = sorted(_seq_candidates([_info(item) for item in node.items])[0],
                   key=lambda c: (_selectivity(c[0]), c[3]), reverse=True)
    chosen: list[tuple[Group, int, int, bool]] = []
    for group, first, last, whole in found:
        if group is not None and _usable(group) and all(last < f or first > l for _, f, l, _ in chosen):
            chosen.append((group, first, last, whole))
            if len(chosen) == _MAX_GROUPS:
                break
    at_start = anchored(node, Anchor("start"))
    return (tuple(group for group, _, _, _ in chosen),
            tuple(_starts_by(node.items, first, whole) if at_start else None for _, first, _, whole in chosen))


def _starts_by(items: tuple[Node, ...], first: int, whole: bool) -> int | None:
    """The last character at which a literal of a group can start, in a match of `items`
    anchored at the line's start: the group spans items from `first`, and is `whole` when its
    literals are all the item(s) can match (a run of exact strings: a literal starts where the
    items do), else a literal lies somewhere within item `first`'s match."""
    before = _width(Seq(items[:first]))
    if before is None or whole:
        return before
    inside = _width(items[first])
    return None if inside is None else before + max(inside - 1, 0)


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
    candidates, run = _seq_candidates(infos)
    whole_exact = len(candidates) == len(infos) + 1    # no item broke the run of exact strings
    return _Info(exact=run if whole_exact else None, required=_best(c for c, _, _, _ in candidates))


def _seq_candidates(infos: Sequence[_Info]) -> tuple[list[tuple[Group | None, int, int, bool]], Group]:
    """Groups of literals every match of a sequence holds one of, each with the items it
    spans (first, last) and whether it is all they can match: each item's own (not whole),
    and each run of items whose exact strings join (whole). And the last run (the whole
    sequence's exact strings when nothing broke it)."""
    candidates: list[tuple[Group | None, int, int, bool]] = []
    run: Group = ((),)
    start = 0
    for i, info in enumerate(infos):
        candidates.append((info.required, i, i, False))
        if info.exact is None:
            candidates.append((run, start, i - 1, True))
            run, start = ((),), i + 1
            continue
        joined = _cross(run, info.exact)
        if joined is None:
            candidates.append((run, start, i - 1, True))
            run, start = info.exact, i
        else:
            run = joined
    candidates.append((run, start, len(infos) - 1, True))
    return candidates, run


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


def _best(candidates: Iterable[Group | None]) -> Group | None:
    """The most selective candidate (`_selectivity`)."""
    usable = [c for c in candidates if _usable(c)]
    if not usable:
        return None
    return max(usable, key=_selectivity)


def _usable(candidate: Group | None) -> bool:
    """A candidate holding the empty literal requires nothing."""
    return candidate is not None and len(candidate) > 0 and all(len(lit) > 0 for lit in candidate)


def _selectivity(candidate: Group | None) -> tuple[float, int]:
    """The one whose shortest literal is longest (`_length`) is the more selective, then the
    one with fewest literals."""
    if candidate is None or not _usable(candidate):
        return (-1, 0)
    return (min(map(_length, candidate)), -len(candidate))


def _length(literal: Literal) -> float:
    """How long a literal is, as a measure of how seldom lines hold it: a position that takes
    a space counts half (prose has one every few letters: " of" was legal.trademark's first
    group, on most lines of prose, and " on " social.follow's), one that takes only characters
    outside ASCII counts four (an "®" in another group made that group's shortest literal one
    character long, though "®" is rarer than any three letters)."""
    return sum(0.5 if " " in position else 4.0 if not any(map(str.isascii, position)) else 1.0
               for position in literal)


# -- the gate itself -------------------------------------------------------------------------

def _lower(ch: str) -> str:
    return chr(_sre.unicode_tolower(ord(ch)))


def fold(ch: str) -> str:
    """How the gate folds a character of a literal, and of a line: simply lower-cased, then
    one character for the few lower-case letters that are one letter's variants to Python's
    IGNORECASE (long s 'ſ' is 's', dotless 'ı' is 'i', final 'ς' is 'σ', as their upper case
    says). A case-insensitive "subscribe" is then one string to look for, not the 16 its
    spellings with ſ and ı make."""
    lowered = _lower(ch)
    upper = lowered.upper()
    return _lower(upper) if len(upper) == 1 else lowered


def literal_strings(literals: Group, prune: bool = True) -> list[str] | None:
    """The folded strings a group of literals expands to, or None if too many (the group is
    not looked for then). Pruned, unless `prune` is false, of the strings that hold another
    one: where a string stands matters, they are all kept."""
    strings: list[str] = []
    for literal in literals:
        literal = literal[:_MAX_LENGTH]
        choices = [sorted({fold(ch) for ch in position}) for position in literal]
        count = 1
        for c in choices:
            count *= len(c)
        if count + len(strings) > _MAX_GATE_STRINGS:
            return None
        strings.extend("".join(p) for p in product(*choices))
    if not prune:
        return sorted(set(strings))
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
    """A one-letter (or one-digit) literal is on almost every line: looking for it anywhere
    costs more than trying the rule. (Where it must start near the line's start, as the "a"
    of `^(a\\s*[-+]|aa)$`, it is still checked there: `_Bucket`.)"""
    return len(string) == 1 and string.isascii() and string.isalnum()


#: what building a gate works out from the rules' requirements before any automaton: for each
#: distinct group of literals (in the order `groups` gives them) the folded strings it expands
#: to (None: too many, or a one-letter one: the group is not looked for anywhere) and its
#: strings for checking where one starts: all of them but those that begin with another
#: (`_starts_apart`; None: too many, more than _MAX_PLACED before that); and how each
#: character those literals hold folds (code point -> code point)
Expanded = tuple[list[list[str] | None], list[list[str] | None], dict[int, int]]
_MAX_PLACED = 64


def _starts_apart(strings: list[str]) -> list[str]:
    """`strings` less those that begin with another of them: where one of those starts, the
    other does ("close this window" and "close this ad" start where "close" does)."""
    kept: list[str] = []
    for string in sorted(strings):   # a string comes right after the ones it begins with
        if not (kept and string.startswith(kept[-1])):
            kept.append(string)
    return kept


def groups(requirements: Sequence[Requirement]) -> list[Group]:
    """Every group of literals the requirements name, once, in order of first appearance."""
    found: dict[Group, None] = {}
    for ways in requirements:
        for way in ways or ():
            found.update(dict.fromkeys(way.groups))
    return list(found)


def expand(requirements: Sequence[Requirement]) -> Expanded:
    """Per group of `groups(requirements)`, the folded strings the gate looks for in a line
    (None: not looked for) and those for checking where one starts; and the folding table.
    Most of the cost of building a gate, and plain data: a run takes it from the start-up
    cache (stages/rules.py)."""
    strings: list[list[str] | None] = []
    placed: list[list[str] | None] = []
    table: dict[int, int] = {}
    for group in groups(requirements):
        found = literal_strings(group)
        every = literal_strings(group, prune=False) if found is not None else None
        placed.append(_starts_apart(every) if every is not None and len(every) <= _MAX_PLACED else None)
        strings.append(None if found is not None and any(_weak(string) for string in found) else found)
        for literal in group if found is not None else ():
            for position in literal:
                for ch in position:
                    table[ord(ch)] = ord(fold(ch))
    return strings, placed, table


#: a way as the gate uses it: (rule index, longest line, the groups it needs, most selective
#: first, each as (index into `groups(requirements)`, last character a literal of it can
#: start at or None)); groups that are not looked for are left out
_Way = tuple[int, int, tuple[tuple[int, int | None], ...]]
#: what a line is asked once the automaton found a way's first group: (strings, None) for
#: "holds one of them", (strings, n) for "holds one starting at or before character n"
_Check = tuple[tuple[str, ...], int | None]


def automaton_version() -> str:
    """Which pyahocorasick pickled a gate's automata: its module's file, size and time of
    change (it has no version attribute; asking the package metadata would import
    importlib.metadata). A gate from the start-up cache (stages/rules.py) is only taken from
    the same one: another could read the pickled automata otherwise, or not at all."""
    stat = os.stat(ahocorasick.__file__)
    return f"{ahocorasick.__file__}\0{stat.st_size}\0{stat.st_mtime_ns}"


class Gate:
    """For a line, which of a rulebook's rules can start on it (by index into the rule list).

    A rule cannot start on a line longer than its `max_chars`, nor match by a way on a line
    longer than the way allows. So lines are sorted by length into buckets, each with its own
    automaton holding only the literals of the ways that lines that long can take: a long
    paragraph is searched for the few literals of the rules that could still match it.

    Rules that can only start in part of a page (`within_first`, `within_last`) can be gated
    `apart`: each gets buckets of its own, asked (`admits`) only for the lines where the caller
    would try the rule, and the shared pass (`anywhere`) leaves them out. One such rule
    requiring "is" (a closing author bio) found its literal in most lines of prose."""

    def __init__(self, requirements: Sequence[Requirement], max_chars: Sequence[int | None] | None = None,
                 expanded: Expanded | None = None, apart: Sequence[bool] | None = None):
        """`expanded`: what expand(requirements) gives, when the caller has it already."""
        limits = [m if m is not None else _NO_LIMIT for m in (max_chars or [None] * len(requirements))]
        strings, placed, table = expanded if expanded is not None else expand(requirements)
        # a group is looked for when it has strings, or, a one-letter one, only where a way
        # says it starts (then near the line's start, where checking it is one `find`)
        number = {group: i for i, group in enumerate(groups(requirements))
                  if strings[i] is not None or placed[i] is not None}
        ways: list[list[_Way]] = []
        for index, requirement in enumerate(requirements):
            ways.append([(index, min(limits[index], way.max_chars if way.max_chars is not None else _NO_LIMIT),
                          tuple((number[group], way.start_bound(i) if placed[number[group]] is not None else None)
                                for i, group in enumerate(way.groups) if group in number
                                and (strings[number[group]] is not None or way.start_bound(i) is not None)))
                         for way in requirement or (Way(None, ()),)])
        apart = apart or [False] * len(requirements)
        self._shared = _Buckets([way for i in range(len(requirements)) if not apart[i] for way in ways[i]],
                                strings, placed)
        #: each rule gated apart, with buckets of its own
        self._apart = {i: _Buckets(ways[i], strings, placed) for i in range(len(requirements)) if apart[i]}
        #: the indices of the rules gated apart
        self.gated_apart = frozenset(self._apart)
        # Lines are lowered with str.lower (fast) unless they hold a character whose str.lower
        # differs from `fold` ('İ' becomes two characters, a final 'Σ' becomes 'ς', 'ſ' stays
        # 'ſ'); those lines go through the table instead.
        self._table = {k: v for k, v in table.items() if k != v}
        special = sorted(chr(k) for k in table if chr(k).lower() != chr(table[k]) or k == 0x3A3)
        #: the shipped packs have three; a few `in` tests beat a regex over every non-ASCII line
        self._special = tuple(special)

    def candidates(self, line: str) -> tuple[int, ...]:
        """Indices of the rules that may start on `line` (a superset of those that do), ascending."""
        found = self.anywhere(line)
        extra = [index for index in self._apart if self.admits(index, line)]
        return tuple(sorted(found + tuple(extra))) if extra else found

    def anywhere(self, line: str) -> tuple[int, ...]:
        """`candidates` among the rules not gated apart."""
        return self._shared.rules(line, self._fold)

    def admits(self, index: int, line: str) -> bool:
        """Whether rule `index`, gated apart, may start on `line`."""
        return bool(self._apart[index].rules(line, self._fold))

    def _fold(self, line: str) -> str:
        if not line.isascii():
            for special in self._special:
                if special in line:
                    return line.translate(self._table)
        return line.lower()


_MAX_MASKS = 4096   # distinct sets of groups found remembered per bucket (a page shows a few dozen)
_NO_LIMIT = 1 << 62
#: a bucket searches with the automaton of the bucket before it (which looks for more groups)
#: when that one holds at most this many times its own strings: see _Buckets
_SHARE_UP_TO = 1.1
#: a bucket whose first groups expand to at most this many strings looks for each with `in`
#: instead of an automaton: see _Bucket
_FIND_UP_TO = 12


class _Buckets:
    """Some rules' ways, bucketed by the longest line each allows: the bucket of the shortest
    limit at or above a line's length holds exactly the ways that line can take.

    Each bucket's ways are among those of the bucket before it (a shorter limit), so its first
    groups are too. Neighbouring buckets differ by a few ways: the shipped packs' 53 shared
    buckets hold 1,790 down to 6 strings, 61,854 in all, and building an automaton for each
    was most of the gate's build (0.08 CPU-s of every process's start). A bucket whose strings
    are nearly all of an earlier automaton's (_SHARE_UP_TO) searches with that one and keeps
    only the groups it asks for (`_Bucket.rules`: the same groups found, whichever automaton
    finds them); the packs then build 13 automata. Long lines still meet only the few literals
    of the rules that could match them: those buckets are far smaller than the first."""

    def __init__(self, ways: list[_Way], strings: list[list[str] | None], placed: list[list[str] | None]):
        self._limits = sorted({limit for _, limit, _ in ways})
        self._buckets: list[_Bucket] = []
        host: _Bucket | None = None
        digested = [(limit, _digest(index, needs, strings, placed)) for index, limit, needs in ways]
        for limit in self._limits:
            bucket = _Bucket([way for way_limit, way in digested if way_limit >= limit], strings, host)
            if bucket.owns_automaton:
                host = bucket
            self._buckets.append(bucket)

    def rules(self, line: str, fold: Callable[[str], str]) -> tuple[int, ...]:
        which = bisect_left(self._limits, len(line))
        return self._buckets[which].rules(line, fold) if which < len(self._buckets) else ()


#: a way as a bucket takes it: the rule's index, the group the automaton looks for (None: no
#: group of the way has strings), and what else to check on a line holding it
_Digested = tuple[int, int | None, tuple[_Check, ...]]


def _digest(index: int, needs: tuple[tuple[int, int | None], ...], strings: list[list[str] | None],
            placed: list[list[str] | None]) -> _Digested:
    """A way's groups (`needs`) sorted out once for all the buckets that hold it."""
    checks = [(tuple(placed[g] or ()), bound) if bound is not None else (tuple(strings[g] or ()), None)
              for g, bound in needs]
    first = next((k for k, (g, _) in enumerate(needs) if strings[g] is not None), None)
    if first is None:
        return index, None, tuple(checks)
    if needs[first][1] is None:
        del checks[first]   # the automaton found it: nothing more to ask
    return index, needs[first][0], tuple(checks)


class _Bucket:
    """Ways that all allow lines of some length. Each way's first group is looked for by one
    automaton (from each literal string to the groups it stands for; when they are a dozen
    strings or fewer, by `in` for each); the rest of a way (its
    other groups, where a literal must start) is checked, with `in` and `find`, only on the
    lines that hold its first group. (In the automaton, a second group such as " of" would stop
    at most words of prose.) A way whose only groups are one-letter literals at the line's
    start (the "a" of `^(a\\s*[-+]|aa)$`, not looked for anywhere) is checked on every line:
    one `find` at the start, instead of the rule's patterns."""

    def __init__(self, ways: list[_Digested], strings: list[list[str] | None], host: "_Bucket | None" = None):
        """`host`: an earlier bucket whose automaton this one may search with (see _Buckets)."""
        self._always = tuple(sorted({index for index, first, checks in ways if first is None and not checks}))
        #: the ways with groups, by the bit of the first group the automaton looks for: (rule
        #: index, what else to check)
        self._ways: dict[int, list[tuple[int, tuple[_Check, ...]]]] = {}
        #: the ways with only placed one-letter groups: (rule index, what to check)
        self._checked: list[tuple[int, tuple[_Check, ...]]] = []
        firsts = set()
        for index, first, checks in ways:
            if first is not None:
                self._ways.setdefault(1 << first, []).append((index, checks))
                firsts.add(first)
            elif checks:
                self._checked.append((index, checks))
        #: the first groups this bucket looks for, and how many strings they expand to
        self.firsts = frozenset(firsts)
        self.size = sum(len(strings[first] or ()) for first in firsts)
        self.automaton: ahocorasick.Automaton | None = None
        #: without an automaton: each string looked for, and the bits of the groups it stands for
        self._strings: tuple[tuple[str, int], ...] = ()
        #: with a host's automaton: the bits of this bucket's first groups (the host's finds more)
        self._mask: int | None = None
        self.owns_automaton = False
        if firsts and host is not None and host.automaton is not None and firsts <= host.firsts \
                and host.size <= _SHARE_UP_TO * self.size:
            self.automaton = host.automaton
            self._mask = sum(1 << first for first in firsts)
        elif firsts:
            by_string: dict[str, int] = {}
            for first in firsts:
                for string in strings[first] or ():
                    by_string[string] = by_string.get(string, 0) | 1 << first
            if len(by_string) <= _FIND_UP_TO:
                # the buckets of the longest lines (paragraphs: most of a page's characters)
                # look for a handful of strings ("author", "columnist"...): an automaton steps
                # through every character (7 ns a character for one string in pyahocorasick,
                # twice that for a dozen), `in` skips ahead (CPython's search: about 0.5 ns a
                # character a string), and finds the same strings
                self._strings = tuple(by_string.items())
            else:
                self.automaton = ahocorasick.Automaton()
                for string, mask in by_string.items():
                    self.automaton.add_word(string, mask)
                self.automaton.make_automaton()
                self.owns_automaton = True
        #: first groups found (a mask) -> (rules sure to be candidates, (rule, checks) to make)
        self._found: dict[int, tuple[tuple[int, ...], tuple[tuple[int, tuple[_Check, ...]], ...]]] = {}

    def rules(self, line: str, fold: Callable[[str], str]) -> tuple[int, ...]:
        if self.automaton is None and not self._strings and not self._checked:
            return self._always
        folded = fold(line)
        found = 0
        if self.automaton is not None:
            for _end, groups_here in self.automaton.iter(folded):
                found |= groups_here
            if self._mask is not None:
                found &= self._mask
        else:
            for string, groups_here in self._strings:
                if string in folded:
                    found |= groups_here
        known = self._found.get(found)
        if known is None:
            known = self._sort_out(found)
        sure, to_check = known
        if not to_check:
            return sure
        # where a literal stands is read off the folded line, which has the line's characters
        # one for one unless folding lengthened one ('İ' by str.lower): then only whether
        placed = len(folded) == len(line)
        more: set[int] = set()
        for index, checks in to_check:   # (plain loops: a generator per way cost more than the checks)
            for strings, bound in checks:
                if not _holds(folded, strings, bound if placed else None):
                    break
            else:
                more.add(index)
        return tuple(sorted(more.union(sure))) if more else sure

    def _sort_out(self, found: int) -> tuple[tuple[int, ...], tuple[tuple[int, tuple[_Check, ...]], ...]]:
        """The ways whose first group was found: rules sure to be candidates, and the ways of
        the other rules that have more to check."""
        ways = []
        rest = found
        while rest:
            bit = rest & -rest    # the lowest group found
            ways += self._ways[bit]
            rest ^= bit
        sure = set(self._always)
        sure.update(index for index, checks in ways if not checks)
        to_check = tuple((index, checks) for index, checks in ways + self._checked if checks and index not in sure)
        if len(self._found) > _MAX_MASKS:
            self._found.clear()
        known = self._found[found] = (tuple(sorted(sure)), to_check)
        return known


def _holds(folded: str, strings: tuple[str, ...], bound: int | None) -> bool:
    """Whether `folded` holds one of `strings` (starting at or before character `bound`)."""
    if bound is None:
        for string in strings:
            if string in folded:
                return True
        return False
    if bound == 0:   # most bounds: a branch anchored at the line's start with the literal first
        return folded.startswith(strings)
    for string in strings:
        if folded.find(string, 0, bound + len(string)) >= 0:
            return True
    return False
