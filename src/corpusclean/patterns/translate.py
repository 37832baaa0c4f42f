"""A rule's Python regular expression, rewritten for RE2 with the meaning Python gives it.

RE2 matches in time linear in the line, so no pattern can hang a run; but its `\\w`, `\\d`,
`\\s` and `\\b` are ASCII-only, its case folding is not Python's (Python's `(?i)i` also
matches 'ı' and 'İ'), and it has no look-around. Rule authors write Python patterns and expect
Unicode meaning, so a pattern is not handed to RE2 as written. It is parsed with Python's own
parser into a small tree (`Chars`, `Seq`, `Alt`, `Repeat`, `Anchor`, `Boundary`) in which every
one-character item holds the exact set of characters Python would let it match (case folding
included, see charsets.py), and then written out in RE2 syntax with those sets as explicit
ranges. RE2 runs case-sensitively on the result: the folding is already in the sets.

`\\b` and `\\B` look at one character on each side; RE2 cannot be told Python's idea of a
word character there. Rules only ever ask *whether* a line matches, never where, so a boundary
can be written out instead of asserted: split what comes before it by whether it ends in a
word character (or is empty) and what comes after by whether it starts with one, and keep the
pairs that make a boundary. Where the pattern's own edge is reached, the neighbour is the
line's character beyond the match, which an unanchored search may simply consume:
`(?:^|[non-word])` before, `(?:$|[non-word])` after. So `\\bfoo\\b` becomes
`(?:^|[^\\w])foo(?:$|[^\\w])` with Python's `\\w` spelled out, and is true on exactly the
same lines. Patterns are searched in single lines, which never hold a newline.

What cannot be translated is refused with a reason (`Untranslatable`): look-around,
backreferences, conditionals, atomic groups and possessive quantifiers, the ASCII and LOCALE
flags, repeat counts above RE2's 1000, and a `\\b` inside a repeated group.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence, Union

from . import charsets
from .charsets import Ranges

if sys.version_info >= (3, 11):
    from re import _constants as sc, _parser as sp  # type: ignore[attr-defined]  # Python's own parser
else:  # pragma: no cover - Python 3.10
    import sre_constants as sc
    import sre_parse as sp


class Untranslatable(ValueError):
    """The pattern uses something the linear-time engine cannot do with Python's meaning."""


# -- the tree --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chars:
    """One character from `members` (never empty: an empty set is pruned as a dead branch)."""
    members: Ranges


@dataclass(frozen=True)
class Seq:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Alt:
    branches: tuple["Node", ...]


@dataclass(frozen=True)
class Repeat:
    item: "Node"
    min: int
    max: int | None          # None: no upper bound


@dataclass(frozen=True)
class Anchor:
    kind: str                # "start", "end" (of the line), "line-start", "line-end" (?m)


@dataclass(frozen=True)
class Boundary:
    negated: bool            # \B


Node = Union[Chars, Seq, Alt, Repeat, Anchor, Boundary]
EMPTY = Seq(())
RE2_MAX_REPEAT = 1000


def seq(items: Sequence[Node | None]) -> Node | None:
    """A sequence, flattened; None (never matches) if any part never matches."""
    flat: list[Node] = []
    for item in items:
        if item is None:
            return None
        flat.extend(item.items if isinstance(item, Seq) else (item,))
    return flat[0] if len(flat) == 1 else Seq(tuple(flat))


def alt(branches: Sequence[Node | None]) -> Node | None:
    """An alternation, flattened, without the branches that never match; None if none is left."""
    flat: list[Node] = []
    for branch in branches:
        if branch is None:
            continue
        for b in (branch.branches if isinstance(branch, Alt) else (branch,)):
            if b not in flat:
                flat.append(b)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Alt(tuple(flat))


def chars(members: Ranges) -> Chars | None:
    return Chars(members) if members else None


# -- from Python's parse tree ----------------------------------------------------------------

_CATEGORIES = {
    sc.CATEGORY_WORD: ("\\w", False), sc.CATEGORY_NOT_WORD: ("\\w", True),
    sc.CATEGORY_DIGIT: ("\\d", False), sc.CATEGORY_NOT_DIGIT: ("\\d", True),
    sc.CATEGORY_SPACE: ("\\s", False), sc.CATEGORY_NOT_SPACE: ("\\s", True),
}
_ALLOWED_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.UNICODE


def parse(pattern: str, flags: int = 0) -> Node:
    """The tree of `pattern` as Python's `re` would read it with `flags`."""
    try:
        parsed = sp.parse(pattern, flags)
    except re.error as err:
        raise Untranslatable(str(err)) from None
    global_flags = parsed.state.flags
    if global_flags & ~_ALLOWED_FLAGS:
        raise Untranslatable("only the i, m, s and x flags are supported")
    return _convert(parsed, global_flags) or Chars(charsets.NOTHING)


def _convert(parsed: Any, flags: int) -> Node | None:
    items: list[Node | None] = []
    for op, av in parsed:
        items.append(_convert_item(op, av, flags))
    return seq(items) if items else EMPTY


def _convert_item(op: Any, av: Any, flags: int) -> Node | None:
    if op in (sc.LITERAL, sc.NOT_LITERAL, sc.IN, sc.ANY):
        return chars(_one_char(op, av, flags))
    if op is sc.SUBPATTERN:
        _group, add, remove, body = av
        if (add | remove) & ~_ALLOWED_FLAGS:
            raise Untranslatable("only the i, m, s and x flags are supported")
        return _convert(body, (flags | add) & ~remove)
    if op is sc.BRANCH:
        return alt([_convert(branch, flags) for branch in av[1]])
    if op in (sc.MAX_REPEAT, sc.MIN_REPEAT):   # lazy or greedy: the same lines match
        low, high, body = av
        high = None if high == sc.MAXREPEAT else high
        if low > RE2_MAX_REPEAT or (high is not None and high > RE2_MAX_REPEAT):
            raise Untranslatable(f"repeat counts above {RE2_MAX_REPEAT} are not supported")
        item = _convert(body, flags)
        if item is None:
            return EMPTY if low == 0 else None
        return Repeat(item, low, high)
    if op is sc.AT:
        return _anchor(av, flags)
    names = {sc.ASSERT: "look-around", sc.ASSERT_NOT: "look-around",
             sc.GROUPREF: "a backreference", sc.GROUPREF_EXISTS: "a conditional group"}
    for name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT"):
        if hasattr(sc, name):
            names[getattr(sc, name)] = "an atomic group or possessive quantifier"
    raise Untranslatable(f"{names.get(op, str(op))} needs backtracking")


def _anchor(at: Any, flags: int) -> Node:
    multiline = bool(flags & re.MULTILINE)
    if at is sc.AT_BEGINNING:
        return Anchor("line-start" if multiline else "start")
    if at is sc.AT_END:
        return Anchor("line-end" if multiline else "end")
    if at is sc.AT_BEGINNING_STRING:
        return Anchor("start")
    if at is sc.AT_END_STRING:
        return Anchor("end")
    if at in (sc.AT_BOUNDARY, sc.AT_NON_BOUNDARY):
        return Boundary(negated=at is sc.AT_NON_BOUNDARY)
    raise Untranslatable(f"unsupported assertion {at}")  # pragma: no cover - parser gives no other


def _one_char(op: Any, av: Any, flags: int) -> Ranges:
    """Exactly the characters Python matches with this one-character item under `flags`."""
    if op is sc.ANY:
        return charsets.EVERYTHING if flags & re.DOTALL else charsets.complement(((10, 10),))
    members: Ranges
    if op is sc.LITERAL:
        members, source = ((av, av),), _escape(av)
    elif op is sc.NOT_LITERAL:
        members, source = charsets.complement(((av, av),)), f"[^{_escape(av)}]"
    else:
        members, source = _class(av)
    if flags & re.IGNORECASE:
        members = charsets.ignoring_case(members, source, re.IGNORECASE)
    return members


def _class(items: Any) -> tuple[Ranges, str]:
    """A [...] class: its case-sensitive members and its Python source, rebuilt from the parse."""
    parts: list[Ranges] = []
    source = []
    negated = False
    for op, av in items:
        if op is sc.NEGATE:
            negated = True
        elif op is sc.LITERAL:
            parts.append(((av, av),))
            source.append(_escape(av))
        elif op is sc.RANGE:
            parts.append(((av[0], av[1]),))
            source.append(f"{_escape(av[0])}-{_escape(av[1])}")
        elif op is sc.CATEGORY:
            escape, inverted = _CATEGORIES[av]
            members = charsets.python_category(escape)
            parts.append(charsets.complement(members) if inverted else members)
            source.append(escape.upper() if inverted else escape)
        else:  # pragma: no cover - the parser puts nothing else in a class
            raise Untranslatable(f"unsupported class item {op}")
    members = charsets.union(*parts)
    if negated:
        members = charsets.complement(members)
    return members, "[" + ("^" if negated else "") + "".join(source) + "]"


def _escape(point: int) -> str:
    return f"\\U{point:08x}"


# -- writing out \b and \B -------------------------------------------------------------------

_MAX_BRANCHES = 512


def without_boundaries(node: Node) -> Node:
    """An equivalent tree (for an unanchored yes/no search) with no Boundary in it."""
    branches = list(_top_branches(node))
    done: list[Node] = []
    while branches:
        if len(branches) + len(done) > _MAX_BRANCHES:
            raise Untranslatable("\\b and \\B here would need too many cases written out; "
                                 "use fewer of them or simpler neighbours")
        branch = branches.pop()
        items: list[Node] = list(branch.items) if isinstance(branch, Seq) else [branch]
        position = _first_boundary(items)
        if position is None:
            done.append(branch)
            continue
        if isinstance(items[position], Alt):   # a boundary inside a group: lift the group out
            for inner in items[position].branches:  # type: ignore[union-attr]
                lifted = seq(items[:position] + [inner] + items[position + 1:])
                if lifted is not None:
                    branches.append(lifted)
            continue
        boundary = items[position]
        assert isinstance(boundary, Boundary)
        rewritten = _write_out(items[:position], items[position + 1:], boundary.negated)
        if rewritten is not None:
            branches.extend(_top_branches(rewritten))
    result = alt(list(reversed(done)))
    return result if result is not None else Chars(charsets.NOTHING)


def _top_branches(node: Node) -> list[Node]:
    return list(node.branches) if isinstance(node, Alt) else [node]


def _has_boundary(node: Node) -> bool:
    if isinstance(node, Boundary):
        return True
    if isinstance(node, Seq):
        return any(_has_boundary(i) for i in node.items)
    if isinstance(node, Alt):
        return any(_has_boundary(b) for b in node.branches)
    if isinstance(node, Repeat):
        return _has_boundary(node.item)
    return False


def _first_boundary(items: list[Node]) -> int | None:
    """Index of the first item that is, or holds, a Boundary; refuses one inside a repeat."""
    if any(isinstance(item, Repeat) and _has_boundary(item) for item in items):
        raise Untranslatable("\\b or \\B inside a repeated group is not supported")
    for i, item in enumerate(items):
        if _has_boundary(item):
            return i
    return None


def _write_out(before: list[Node], after: list[Node], negated: bool) -> Node | None:
    """`before` \\b `after` (or \\B) as alternatives without the boundary.

    Only the items next to the boundary are split: on each side up to the nearest item that
    always consumes a character; what lies beyond is written once."""
    word = charsets.word()
    other = charsets.complement(word)
    start = max((i for i, item in enumerate(before) if _empty_part(item) is None), default=0)
    end = min((i for i, item in enumerate(after) if _empty_part(item) is None), default=len(after) - 1) + 1
    near_before, near_after = before[start:], after[:end]
    # what may stand just before the boundary, by kind of character
    prev_word = _ends_with(near_before, word, Chars(word))
    prev_other = _ends_with(near_before, other, alt([Anchor("start"), Chars(other)]))
    next_word = _starts_with(near_after, word, Chars(word))
    next_other = _starts_with(near_after, other, alt([Anchor("end"), Chars(other)]))
    if negated:
        pairs = [(prev_word, next_word), (prev_other, next_other)]
    else:
        pairs = [(prev_word, next_other), (prev_other, next_word)]
    middle = alt([seq([a, b]) for a, b in pairs if a is not None and b is not None])
    if middle is None:
        return None
    return seq([*before[:start], middle, *after[end:]])


def _ends_with(items: list[Node], members: Ranges, outside: Node | None) -> Node | None:
    """`items` matching only where the character before the boundary is in `members`: either
    their own last character is, or they match empty and the line's character before the match
    is (consumed as `outside`, which for a non-word neighbour also allows the line's start)."""
    nonempty = _edge_in(items, members, last=True)
    empty = _empty_part(Seq(tuple(items)))
    from_outside = seq([outside, empty]) if empty is not None else None
    return alt([nonempty, from_outside])


def _starts_with(items: list[Node], members: Ranges, outside: Node | None) -> Node | None:
    nonempty = _edge_in(items, members, last=False)
    empty = _empty_part(Seq(tuple(items)))
    from_outside = seq([empty, outside]) if empty is not None else None
    return alt([nonempty, from_outside])


def _empty_part(node: Node) -> Node | None:
    """What `node` matches without consuming a character (anchors and boundaries only), or
    None if it always consumes one."""
    if isinstance(node, Chars):
        return None
    if isinstance(node, (Anchor, Boundary)):
        return node
    if isinstance(node, Seq):
        return seq([_empty_part(item) for item in node.items])
    if isinstance(node, Alt):
        return alt([_empty_part(b) for b in node.branches])
    if node.min == 0:
        return EMPTY
    return _empty_part(node.item)


def _edge_in(items: list[Node], members: Ranges, last: bool) -> Node | None:
    """The non-empty matches of `items` whose last (or first) character is in `members`:
    either the edge item ends (starts) with one, or it matches empty and the rest does."""
    if not items:
        return None
    edge, others = (items[-1], items[:-1]) if last else (items[0], items[1:])
    restricted = _node_edge_in(edge, members, last)
    own = None
    if restricted is not None:
        own = seq([*others, restricted] if last else [restricted, *others])
    empty = _empty_part(edge)
    beyond = None
    if empty is not None and others:
        inner = _edge_in(others, members, last)
        beyond = seq([inner, empty] if last else [empty, inner])
    return alt([own, beyond])


def _node_edge_in(node: Node, members: Ranges, last: bool) -> Node | None:
    if isinstance(node, Chars):
        return chars(charsets.intersect(node.members, members))
    if isinstance(node, Seq):
        return _edge_in(list(node.items), members, last)
    if isinstance(node, Alt):
        return alt([_node_edge_in(b, members, last) for b in node.branches])
    if isinstance(node, Repeat):
        return _repeat_edge(node, _node_edge_in(node.item, members, last), last)
    return None


def _repeat_edge(node: Repeat, edge_copy: Node | None, last: bool) -> Node | None:
    """X{m,n} whose last (or first) non-empty copy is `edge_copy`: the other copies are X{m-1,n-1}.
    When X can match empty, empty copies may stand anywhere, which is the same as standing
    among the other copies, provided the empty match asserts nothing."""
    if edge_copy is None or node.max == 0:
        return None
    empty = _empty_part(node.item)
    if empty is not None and empty != EMPTY:
        raise Untranslatable("\\b next to a repeated group that can match an empty anchor")
    others = Repeat(node.item, max(node.min - 1, 0), None if node.max is None else node.max - 1)
    rest: Node = EMPTY if others.max == 0 else others
    return seq([rest, edge_copy] if last else [edge_copy, rest])


# -- trimming: what a match needs at its ends -------------------------------------------------

def trim(node: Node) -> Node:
    """An equivalent tree (for an unanchored yes/no search) without the repeats a match can do
    without at its ends: `a.{0,200}` is found wherever `a` is, and `x{2,9}y` wherever `xxy` is
    (a match with more copies holds one with fewer, starting later or ending sooner). Where an
    anchor stands beyond the repeat (`\\w{1,120}$`) the copies are needed and stay.

    RE2 writes a counted repeat out copy by copy, and a copy of a written-out `\\w` class is
    hundreds of instructions: in the shipped packs the repeats at a pattern's ends were most of
    the cost of compiling the cuts for non-ASCII lines."""
    return _trim(_trim(node, last=True), last=False)


def _trim(node: Node, last: bool) -> Node:
    """`node` with what a match can do without at its last (or first) edge taken away."""
    if isinstance(node, Repeat):
        if node.min <= 1:
            return EMPTY if node.min == 0 else _trim(node.item, last)
        return node if node.max == node.min else Repeat(node.item, node.min, node.min)
    if isinstance(node, Alt):
        branches = [_trim(branch, last) for branch in node.branches]
        return EMPTY if EMPTY in branches else alt(branches) or EMPTY
    if isinstance(node, Seq):
        items = list(node.items)
        while items:
            edge = -1 if last else 0
            trimmed = _trim(items[edge], last)
            if trimmed == EMPTY:
                items.pop(edge)
                continue
            items[edge] = trimmed
            break
        return seq(items) or EMPTY
    return node


# -- factoring: one copy of what the branches share ---------------------------------------------

def factor(node: Node) -> Node:
    """An equivalent tree in which branches that begin (or end) alike share that item:
    `ab|ac` becomes `a(?:b|c)`. Only whether a line matches is ever asked, so the branches'
    order does not matter.

    Writing out `\\b` lifts the group next to it into one branch per alternative, each with
    its own copy of the rest of the pattern (`(the )?(author|reporter|...)\\b.{0,60}\\b(at|via)`
    becomes dozens of branches): the shipped packs held 48 copies of one written-out `\\w`
    class in one field. Factored, RE2 gets a program a fraction of the size."""
    if isinstance(node, Seq):
        return seq([factor(item) for item in node.items]) or EMPTY
    if isinstance(node, Repeat):
        return Repeat(factor(node.item), node.min, node.max)
    if isinstance(node, Alt):
        return _factor_branches([factor(branch) for branch in node.branches])
    return node


def _factor_branches(branches: list[Node]) -> Node:
    for first in (True, False):
        branches = _share_edges(branches, first)
    return alt(branches) or EMPTY


def _share_edges(branches: list[Node], first: bool) -> list[Node]:
    """Branches grouped by their first (or last) item; a group of several becomes that item
    and the alternation of what follows (precedes) it."""
    groups: dict[Node, list[Node]] = {}
    alone: list[Node] = []
    for branch in branches:
        items = branch.items if isinstance(branch, Seq) else (branch,)
        if not items:
            alone.append(branch)
            continue
        edge, rest = (items[0], items[1:]) if first else (items[-1], items[:-1])
        groups.setdefault(edge, []).append(seq(list(rest)) or EMPTY)
    shared: list[Node] = []
    for edge, rests in groups.items():
        if len(rests) == 1:
            only = seq([edge, rests[0]] if first else [rests[0], edge])
        else:
            inner = _factor_branches(rests)
            only = seq([edge, inner] if first else [inner, edge])
        assert only is not None
        shared.append(only)
    return shared + alone


# -- cutting a tree down to the characters a line can hold -----------------------------------

def restrict(node: Node, universe: Ranges) -> Node | None:
    """`node` for lines whose characters all lie in `universe`: every set cut down to it, and
    every branch that needs a character outside it dropped (None: nothing is left). On such a
    line it matches exactly where `node` does, since no other character is there to match.

    Written out, Python's `\\w` is some 700 ranges and a pattern with a few `\\b` holds dozens of
    copies; RE2 takes about a millisecond to compile each. Cut down to ASCII (most lines) or to
    the few blocks a line's other characters come from, the same pattern compiles in a fraction
    of that (see matcher.py)."""
    if isinstance(node, Chars):
        return chars(charsets.clip(node.members, universe))
    if isinstance(node, Seq):
        return seq([restrict(item, universe) for item in node.items])
    if isinstance(node, Alt):
        return alt([restrict(branch, universe) for branch in node.branches])
    if isinstance(node, Repeat):
        item = restrict(node.item, universe)
        if item is None:
            return EMPTY if node.min == 0 else None
        return Repeat(item, node.min, node.max)
    return node


def check_classes(node: Node) -> None:
    """Untranslatable if a set in `node` cannot be handed to RE2 (see `_class_source`), checked
    on the whole tree before any part of it is written out."""
    if isinstance(node, Chars):
        _check_class(node.members)
    elif isinstance(node, Seq):
        for item in node.items:
            check_classes(item)
    elif isinstance(node, Alt):
        for branch in node.branches:
            check_classes(branch)
    elif isinstance(node, Repeat):
        check_classes(node.item)


def written_size(node: Node) -> int:
    """About how big RE2's program for the whole of `node` is: the ranges its sets hold, a
    counted repeat X{n,m} counting as the max(n, m) copies RE2 writes out."""
    if isinstance(node, Chars):
        return len(node.members)
    if isinstance(node, Seq):
        return sum(written_size(item) for item in node.items)
    if isinstance(node, Alt):
        return sum(written_size(branch) for branch in node.branches)
    if isinstance(node, Repeat):
        return written_size(node.item) * max(node.min, node.max or 1, 1)
    return 1


@lru_cache(maxsize=4096)
def _check_class(members: Ranges) -> None:
    """Lone surrogates cannot reach RE2 (lines are handed to it with each one replaced by
    U+FFFD, see matcher.py), so a set must treat them all as it treats U+FFFD."""
    surrogates = charsets.intersect(members, charsets.SURROGATES)
    if surrogates not in ((), charsets.SURROGATES) or bool(surrogates) != charsets.contains(members, 0xFFFD):
        raise Untranslatable("a class that treats U+FFFD and lone surrogates differently")


# -- writing RE2 syntax ------------------------------------------------------------------------

def anchored(node: Node, anchor: Anchor) -> bool:
    """Whether every match of `node` passes `anchor` (the line's start or end), so that it
    starts (ends) where the line does. Writing out \\b can leave `^` inside the first of
    several alternatives, or after a part that can then only match nothing."""
    if isinstance(node, Anchor):
        return node == anchor
    if isinstance(node, Seq):
        return any(anchored(item, anchor) for item in node.items)
    if isinstance(node, Alt):
        return all(anchored(branch, anchor) for branch in node.branches)
    return False


_ANCHORS = {"start": "^", "end": "$", "line-start": "(?m:^)", "line-end": "(?m:$)"}


def to_re2(node: Node, universe: Ranges = charsets.EVERYTHING) -> str:
    """RE2 source for a tree without boundaries (case-sensitive: folding is in the sets), for
    lines whose characters all lie in `universe` (a set may then be written as its complement
    within it, whichever is shorter)."""
    if isinstance(node, Chars):
        return _class_source(node.members, universe)
    if isinstance(node, Anchor):
        return _ANCHORS[node.kind]
    if isinstance(node, Boundary):  # pragma: no cover - without_boundaries removed them all
        raise AssertionError("boundaries must be written out before emitting")
    if isinstance(node, Seq):
        return "".join(f"(?:{to_re2(i, universe)})" if isinstance(i, Alt) else to_re2(i, universe)
                       for i in node.items)
    if isinstance(node, Alt):
        return "|".join(to_re2(b, universe) for b in node.branches)
    inner = to_re2(node.item, universe)
    if not isinstance(node.item, Chars) or inner.startswith("(?"):
        inner = f"(?:{inner})"
    high = "" if node.max is None else str(node.max)
    if (node.min, node.max) == (0, None):
        suffix = "*"
    elif (node.min, node.max) == (1, None):
        suffix = "+"
    elif (node.min, node.max) == (0, 1):
        suffix = "?"
    elif node.min == node.max:
        suffix = f"{{{node.min}}}"
    else:
        suffix = f"{{{node.min},{high}}}"
    return inner + suffix


@lru_cache(maxsize=4096)
def _class_source(members: Ranges, universe: Ranges = charsets.EVERYTHING) -> str:
    """A character set as RE2 source. Lone surrogates are left out of what RE2 sees (they
    never reach it, see `_check_class`)."""
    _check_class(members)
    members = charsets.subtract(members, charsets.SURROGATES)
    if not members:
        return "[^\\x00-\\x{10ffff}]"
    if len(members) == 1 and members[0][0] == members[0][1]:
        return _char(members[0][0])
    # what the set leaves out, among the characters a line can hold
    inverse = charsets.subtract(charsets.subtract(universe, members), charsets.SURROGATES)
    if not inverse:
        return "[\\x00-\\x{10ffff}]"
    if len(inverse) < len(members):
        return "[^" + "".join(_range(r) for r in inverse) + "]"
    return "[" + "".join(_range(r) for r in members) + "]"


def _range(pair: tuple[int, int]) -> str:
    first, last = pair
    return _char(first) if first == last else f"{_char(first)}-{_char(last)}"


def _char(point: int) -> str:
    if chr(point).isalnum() and point < 128:
        return chr(point)
    return f"\\x{{{point:x}}}"


def translate(pattern: str, flags: int = 0) -> tuple[str, Node]:
    """(RE2 source, tree) for a Python pattern; Untranslatable says why not."""
    tree = without_boundaries(parse(pattern, flags))
    return to_re2(tree), tree
