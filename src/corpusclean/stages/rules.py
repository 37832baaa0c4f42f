"""The rules stage: remove the chrome that the rule packs name (see rulebook.py for the format).

The page is scanned top to bottom. At each live, non-blank line the rules are tried in rulebook
order and the first one that matches there removes its span (one line, a run or a block); the
scan goes on after that span. So where two rules could claim a line, the one whose span starts
earlier wins, and at the same line the one loaded first.

Most lines match no rule. The keyword gate (patterns/gate.py) says, in one pass over a line,
which rules can start there at all; only those are tried, still in rulebook order, so the
result is the same as trying every rule. Whether a rule can start on a line depends on the
line's text alone (where the line stands is checked apart), and pages repeat their chrome
line for line: a stage remembers, by text, the gate's answer and each pattern's (LineMemo).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

from ..cli_params import comma_separated
from ..memo import TextMemo
from ..model import Document
from ..rulepacks import RulePacks, read_packs
from .base import Stage

if TYPE_CHECKING:
    from ..config import RunConfig
    from ..rulebook import Rule, Rulebook
    from ..patterns.gate import Gate, Requirement


class Page:
    """What rules look at on one page: stripped lines, and where each non-blank line stands.

    Positions are counted on the encoding-fixed page, not on what earlier removals left, so a
    rule's zone does not move when another rule fires first."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.texts = list(map(str.strip, doc.lines))
        self.size = len(self.texts)
        self.nonblank = [i for i, text in enumerate(self.texts) if text]
        self.last_text = self.nonblank[-1] if self.nonblank else -1

    # Where each line stands, made when first asked (`in_zone`): the scan finds the lines of a
    # zone from `nonblank` alone (_zones), so most pages never need these.
    @cached_property
    def from_start(self) -> list[int]:
        """Per line, its rank among the non-blank lines (0 for the first), -1 for a blank one."""
        ranks = [-1] * self.size
        for rank, i in enumerate(self.nonblank):
            ranks[i] = rank
        return ranks

    @cached_property
    def from_end(self) -> list[int]:
        """Per line, its rank counted from the last non-blank line (0 for the last), -1 for a
        blank one."""
        last = len(self.nonblank) - 1
        return [last - rank if rank >= 0 else -1 for rank in self.from_start]


def in_zone(rule: Rule, page: Page, i: int) -> bool:
    """Whether line i stands where `rule` may start (`within_first`, `within_last`)."""
    if rule.within_first is not None and page.from_start[i] >= rule.within_first:
        return False
    return rule.within_last is None or page.from_end[i] < rule.within_last


def span_from(rule: Rule, page: Page, i: int) -> tuple[int, int] | None:
    """The lines (first, last; 0-based, inclusive) `rule` removes when it starts at line i (in
    its zone, `starts_at` true), or None when the span it would take does not qualify."""
    if rule.scope == "line":
        last: int | None = i
    elif rule.scope == "run":
        last = _extend(page, i, rule.max_lines, rule.through_blank, rule.starts_at)
    else:
        last = _block_end(rule, page, i)
    if last is None:
        return None
    texts = page.texts[i:last + 1]
    if len(texts) - texts.count("") < rule.min_lines:   # the span's non-blank lines (counted in C:
        return None                                      # a block to the page's end can be long)
    if rule.require is not None and sum(1 for t in texts if t and rule.require.search(t)) < rule.require_count:
        return None
    if rule.alone and not _stands_alone(page, i, last):
        return None
    return i, last


def _stands_alone(page: Page, first: int, last: int) -> bool:
    """A blank line or the page edge on both sides of lines first..last."""
    return (first == 0 or not page.texts[first - 1]) and (last == page.size - 1 or not page.texts[last + 1])


def _block_end(rule: Rule, page: Page, i: int) -> int | None:
    if rule.end is not None:
        for j in range(i + 1, min(page.size, i + rule.max_lines)):
            if page.texts[j] and rule.end.search(page.texts[j]):
                return j
        return None
    if rule.to_page_end:
        return page.last_text if page.last_text - i < rule.max_lines else None

    def continues(text: str) -> bool:
        if rule.continue_max_chars is not None and len(text) <= rule.continue_max_chars:
            return True
        return rule.continues is not None and bool(rule.continues.search(text))

    return _extend(page, i, rule.max_lines, rule.through_blank, continues)


def _extend(page: Page, i: int, max_lines: int, through_blank: bool,
            continues: Callable[[str], bool]) -> int:
    """The last line of the span that starts at i and goes on while lines `continue`: live,
    non-blank lines that pass the test, with blank lines between them if `through_blank`."""
    last = i
    for j in range(i + 1, min(page.size, i + max_lines)):
        if not page.texts[j]:
            if through_blank:
                continue
            break
        if not page.doc.is_live(j) or not continues(page.texts[j]):
            break
        last = j
    return last


def gate_for(rules: tuple[Rule, ...]) -> Gate:
    """The keyword gate for `rules`; the rules that can only start near a page's edges are gated
    apart (scan asks for them only there)."""
    return _gate(tuple(rule.requirement for rule in rules), tuple(rule.max_chars for rule in rules),
                 tuple(_zoned(rule) for rule in rules))


def _zoned(rule: Rule) -> bool:
    return rule.within_first is not None or rule.within_last is not None


@lru_cache(maxsize=8)
def _gate(requirements: tuple[Requirement, ...], max_chars: tuple[int | None, ...],
          apart: tuple[bool, ...]) -> Gate:
    """Built once per process for the same rules: a test suite, or a program cleaning with the
    library, loads the same packs again and again. The gate comes whole, its automata
    included, from the start-up cache (cache.py) when these rules were gated before by the same
    code and pyahocorasick (patterns/gate.automaton_version): unpickled in about half the CPU
    that building it takes from its expanded strings, which themselves took 0.3 s to expand."""
    from ..cache import cached
    from ..patterns.gate import Gate, automaton_version

    # the ways by their digests: written out whole, they took 15-25 ms of every process's start
    ways = [None if need is None else [way.digest for way in need] for need in requirements]
    key = f"{automaton_version()}\0{ways!r}\0{max_chars!r}\0{apart!r}"
    return cached("gate", key, lambda: Gate(requirements, max_chars, None, apart))


class LineMemo(TextMemo[str, "_Seen"]):
    """What the rules make of a line's text, for pages scanned one after another with one
    rule list and its gate: the rules the gate lets through anywhere on a page, and for each
    rule once a line in its zone has asked, whether it starts there (the gate's answer for a
    rule gated apart, then `Rule.starts_at`). Template chrome repeats line for line from page
    to page (a make_corpus corpus has 39% distinct non-blank lines): a repeat costs a
    dictionary lookup instead of the gate's pass and the patterns' searches.

    Bounded as every TextMemo (paragraphs are not kept)."""

    def __init__(self, rules: tuple[Rule, ...], gate: Gate, capacity: int = 2_000_000, max_chars: int = 1_000):
        super().__init__(capacity, max_chars)
        self.rules = rules
        self.gate = gate
        #: the rules gated apart, ascending: scan asks for them only on the lines of their zone
        self.apart = tuple(sorted(gate.gated_apart))
        #: the rules that can only start in part of a page and are not gated apart
        self.zoned_shared = frozenset(i for i, rule in enumerate(rules) if _zoned(rule)) - gate.gated_apart

    def line(self, text: str) -> "_Seen":
        """What is remembered of a text, remembering it first if it is new (`scan` looks in
        `found` itself first: a hit is then one dictionary lookup)."""
        seen = self.found.get(text)
        return seen if seen is not None else self.keep(text, text, _Seen(self.gate.anywhere(text)))

    def starts(self, seen: "_Seen", index: int, text: str) -> bool:
        """Whether rule `index` can start on a line of `text` (`seen` is memo.line(text))."""
        started = seen.starts.get(index)
        if started is None:
            rule = self.rules[index]
            started = seen.starts[index] = ((index not in self.gate.gated_apart or self.gate.admits(index, text))
                                            and rule.starts_at(text))
        return started


class _Seen:
    """One text in a LineMemo."""

    __slots__ = ("candidates", "starts")

    def __init__(self, candidates: tuple[int, ...]):
        self.candidates = candidates          # the gate's answer for the rules not gated apart
        self.starts: dict[int, bool] = {}     # rule index -> can it start here, once asked


def _zones(page: Page, rules: tuple[Rule, ...], apart: tuple[int, ...]) -> dict[int, tuple[int, ...]]:
    """Line -> the rules of `apart` (ascending) whose zone holds it and that are short enough
    for (`max_chars`): the lines `in_zone` says, read off the list of non-blank lines, less
    those the rule cannot start on for their length alone. (A closing letter's salutation is
    looked for in a page's last 40 lines, but only a line of 30 characters can be one.)"""
    zones: dict[int, tuple[int, ...]] = {}
    texts = page.texts
    for index in apart:
        rule = rules[index]
        if rule.within_first is not None:
            near = page.nonblank[:rule.within_first]
            if rule.within_last is not None:   # a zone bounded at both ends
                near = [i for i in near if page.from_end[i] < rule.within_last]
        else:
            near = page.nonblank[-rule.within_last:] if rule.within_last else []
        if rule.max_chars is not None:
            limit = rule.max_chars
            near = [i for i in near if len(texts[i]) <= limit]
        for i in near:
            zones[i] = zones.get(i, ()) + (index,)
    return zones


def scan(doc: Document, rules: tuple[Rule, ...], stage: str, gate: Gate | None = None,
         memo: LineMemo | None = None) -> None:
    """Apply `rules` to `doc`, top to bottom; each removal carries its rule's id, category and
    description. `gate` must have been built for exactly these rules (gate_for); `memo`, for
    exactly these rules and this gate."""
    if memo is None:
        memo = LineMemo(rules, gate if gate is not None else gate_for(rules))
    page = Page(doc)
    zones = _zones(page, rules, memo.apart) if memo.apart else {}
    # the loop runs once per line of every page: what it reads often is held in locals. Only
    # a rule with a zone that the gate does not keep apart can come up outside its zone (the
    # rules gated apart come up through `zones`, on their zone's lines only).
    texts, removed, seen_before, zoned = page.texts, doc.removed, memo.found.get, memo.zoned_shared
    i = 0
    while i < page.size:
        text = texts[i]
        if text and not removed[i]:
            seen = seen_before(text) or memo.line(text)
            candidates = seen.candidates
            near = zones.get(i)
            if near:  # the rules gated apart are never among the others
                candidates = tuple(sorted(candidates + near))
            for index in candidates:
                rule = rules[index]
                if index in zoned and not in_zone(rule, page, i):
                    continue
                started = seen.starts.get(index)
                if started is None:
                    started = memo.starts(seen, index, text)
                if not started:
                    continue
                span = span_from(rule, page, i)
                if span is not None:
                    doc.remove(span[0], span[1], stage=stage, rule=rule.id,
                               category=rule.category, reason=rule.description)
                    i = span[1]
                    break
        i += 1


@dataclass(frozen=True)
class RulesConfig:
    #: folders of extra rule packs, loaded after the shipped ones (a rule with a shipped id replaces it)
    rule_dirs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_dirs", tuple(str(folder) for folder in self.rule_dirs))


class RuleStage(Stage):
    name = "rules"
    step = "strip"
    Config = RulesConfig
    cli_options = (
        click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
                     help="A folder of extra rule packs (*.toml, repeatable). A rule with a shipped id replaces it."),
        # a run-level option (every stage that takes --disable names sees them), offered with
        # the rule packs, which most of the names switch off
        click.option("--disable", multiple=True, metavar="ID|CATEGORY", callback=comma_separated,
                     help="Switch off a rule by id, or a whole category (repeatable, or comma-separated)."),
    )

    def __init__(self, rules: Rulebook | RulePacks):
        """From loaded rules, or from packs read but not parsed: those are checked now (a
        RuleError for a bad pack or --disable name) and parsed on first use (`rulebook`)."""
        if isinstance(rules, RulePacks):
            self.packs: RulePacks | None = rules
            self._settings = rules.settings()
        else:
            self.rulebook = rules
            self.packs = None

    # The rules, their gate and the line memory are built when the first page is scanned (or
    # the stage is warmed), in the process that scans: the process that builds the stage only
    # to check the packs and record their settings (the parent of a run on several workers,
    # whose workers scan) never pays for them (the gate: about 0.025 CPU-s for the shipped
    # packs), nor imports the pattern engine they need (RulePacks.settings).
    @cached_property
    def rulebook(self) -> Rulebook:
        assert self.packs is not None  # built from a Rulebook otherwise
        return self.packs.load()

    @cached_property
    def gate(self) -> Gate:
        return gate_for(self.rulebook.rules)

    @cached_property
    def memo(self) -> LineMemo:
        return LineMemo(self.rulebook.rules, self.gate)

    def __getstate__(self) -> dict[str, Any]:
        # each worker remembers the lines it meets; the parent's are no use to it
        state = dict(self.__dict__)
        state.pop("memo", None)
        return state

    @classmethod
    def from_config(cls, config: RulesConfig, run: "RunConfig") -> "RuleStage":
        """The rule packs get every --disable name no other stage claims by its prefix
        (`heuristic.*` is the classifier's); an unknown name is a RuleError naming it. A
        category another stage emits (`quality`) is known; one that a stage --disable does not
        reach emits too (dedup's `duplicate`) is refused, saying so: switching it off would
        only switch off part of it."""
        from .registry import disable_prefixes, stage_categories

        claimed = disable_prefixes()
        honoured, unreachable = stage_categories(run.steps)
        for name in run.disable:
            if name in unreachable:
                raise ValueError(f"--disable: category {name!r} is removed by the {unreachable[name]} stage, "
                                 f"which --disable does not reach; its own options say what it removes "
                                 f"(corpusclean run --help)")
        return cls(read_packs(extra_dirs=config.rule_dirs, known_elsewhere=honoured,
                              disabled=[name for name in run.disable if not name.startswith(claimed)]))

    def settings(self) -> dict[str, Any]:
        return self.rulebook.settings() if self.packs is None else self._settings

    def get_ready(self) -> None:
        self.memo  # noqa: B018  (the rules parsed, their gate and the line memory built)

    def warm(self) -> None:
        self.gate  # noqa: B018  (built here, shared by the workers forked after)
        for rule in self.rulebook.rules:
            for matcher in (rule.patterns, rule.unless, rule.require, rule.end, rule.continues):
                if matcher is not None:
                    matcher.warm()

    def process(self, doc: Document) -> None:
        scan(doc, self.rulebook.rules, self.name, self.gate, self.memo)


# -- checking a rule against its own examples ----------------------------------------------

@dataclass(frozen=True)
class ExampleFailure:
    rule: Rule
    kind: str          # "example", "counter_example", "gate" (an example line the gate hid)
                       # or "whole" (a field RE2 cannot compile for every character)
    number: int        # 1-based, within its list
    text: str          # the example (for "whole": the field)
    removed: int       # non-blank lines the rule removed
    lines: int         # non-blank lines in the fragment
    reason: str = ""   # for "whole": what RE2 said

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 70 else self.text[:67] + "..."
        shown = shown.replace("\n", "\\n")
        if self.kind == "example":
            problem = f"example {self.number} not removed ({self.removed} of {self.lines} lines)"
        elif self.kind == "whole":
            return (f"{self.rule.source}: {self.rule.id}: RE2 cannot compile its {self.text} for every "
                    f"character, only for ASCII lines ({self.reason})")
        elif self.kind == "gate":
            problem = (f"example {self.number}: the keyword gate hides a line the rule matches "
                       f"(an engine bug: please report it)")
        else:
            problem = f"counter-example {self.number} touched ({self.removed} of {self.lines} lines removed)"
        return f"{self.rule.source}: {self.rule.id}: {problem}: {shown!r}"


def removed_lines(rule: Rule, fragment: str) -> tuple[int, int]:
    """(non-blank lines `rule` removes from `fragment`, non-blank lines in it): the fragment is
    treated as a whole page."""
    doc = Document("example", fragment if fragment.endswith("\n") else fragment + "\n")
    scan(doc, (rule,), "rules")
    nonblank = [i for i, line in enumerate(doc.lines) if line.strip()]
    return sum(1 for i in nonblank if not doc.is_live(i)), len(nonblank)


def check_example(rule: Rule, kind: str, number: int) -> ExampleFailure | None:
    """None when example `number` (1-based) of the given kind behaves, else what went wrong."""
    text = (rule.examples if kind == "example" else rule.counter_examples)[number - 1]
    removed, lines = removed_lines(rule, text)
    ok = removed == lines if kind == "example" else removed == 0
    return None if ok else ExampleFailure(rule, kind, number, text, removed, lines)


def check_gate(rules: tuple[Rule, ...], gate: Gate | None = None) -> list[ExampleFailure]:
    """Every example line a rule can start on (its patterns match, `max_chars` and `unless`
    allow it) must pass the keyword gate a run builds for `rules`, so that the gate can never
    hide a match."""
    gate = gate or gate_for(rules)
    failures = []
    for index, rule in enumerate(rules):
        for number, text in enumerate(rule.examples, start=1):
            for line in (line.strip() for line in text.splitlines()):
                if line and rule.starts_at(line) and index not in gate.candidates(line):
                    failures.append(ExampleFailure(rule, "gate", number, line, 0, 1))
    return failures


def check_whole(rules: tuple[Rule, ...]) -> list[ExampleFailure]:
    """A run compiles each field's patterns cut down to the characters of the lines it meets
    (patterns/matcher.py), and loading a pack only compiles the ASCII cut; here every field
    is compiled whole, so that no line of any script can meet a pattern RE2 cannot take."""
    from ..patterns.translate import Untranslatable

    failures = []
    for rule in rules:
        for name in ("patterns", "unless", "require", "end", "continues"):
            field = getattr(rule, name)
            if field is None:
                continue
            try:
                field.whole()
            except Untranslatable as err:
                failures.append(ExampleFailure(rule, "whole", 0, _FIELD_NAMES.get(name, name), 0, 0, str(err)))
    return failures


_FIELD_NAMES = {"continues": "continue"}   # the TOML name of each Rule field that differs


def check_rules(rules: Iterable[Rule]) -> list[ExampleFailure]:
    """Every rule's examples and counter-examples, every example through the keyword gate,
    and every field's patterns compiled whole."""
    rules = tuple(rules)
    failures = check_whole(rules)
    for rule in rules:
        for kind, texts in (("example", rule.examples), ("counter_example", rule.counter_examples)):
            for number in range(1, len(texts) + 1):
                failure = check_example(rule, kind, number)
                if failure is not None:
                    failures.append(failure)
    return failures + check_gate(rules)
