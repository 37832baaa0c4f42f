"""Chrome rule packs: loading and validating the TOML files that name known site chrome.

Rules are data. Each file in `rules/` is a *pack* for one category; the shipped packs load
first, then any `--rules DIR` the user gives (a rule whose id is already loaded replaces it).
A pack that is wrong fails the whole run at load time, naming its file and rule id, rather than
quietly matching nothing (or everything).

The format
----------
A pack is a TOML file. Its top level may set `category` (the default for its rules),
`description` and `words` (below); each rule is a `[[rule]]` table::

    category = "newsletter"
    description = "E-mail sign-up prompts and what a sign-up form says around them."

    [[rule]]
    id = "newsletter.signup-button"          # CATEGORY.NAME: lower case, digits, '-'
    description = "A bare sign-up button"    # becomes the `reason` of every removal
    patterns = ['^sign[ -]?up( now| today)?[.!]?$']
    max_chars = 40
    examples = ["Sign up", "Sign-up today!"]
    counter_examples = ["Sign up for the draft was compulsory until 1973."]

Patterns are Python regular expressions (write them as TOML literal strings, '...', so
backslashes need no escaping). They are searched in each line with its surrounding white space
stripped, case-insensitively unless the rule says `case_sensitive = true`; anchor them with
`^`/`$` to match a whole line. Blank lines are never matched.

They mean what Python's `re` makes of them (Unicode `\\w`, `\\d`, `\\s`, `\\b`, Python's case
folding) but are matched by RE2, in time linear in the line, so no pattern can hang a run (see
patterns/translate.py for how). What needs backtracking is refused at load: look-around,
backreferences, conditionals, atomic groups, possessive quantifiers; so are the ASCII and
LOCALE flags, repeat counts above 1000 and `\\b`/`\\B` inside a repeated group. A rule's
regex is only tried on lines holding the literals its patterns require, and short enough for
a pattern anchored at both ends (the keyword gate, patterns/gate.py); `corpusclean rules
check` verifies that on every example.

A pack may also name vocabulary once and use it in several patterns of the same pack::

    [words]
    section = ["news", "politics", "sports?"]

    [[rule]]
    patterns = ['^{section}$']           # {section} becomes (?:news|politics|sports?)

An unknown {name}, or an empty entry (which would make the alternation match everything), is
an error.

A pack may add a category of its own: it names it at the top with the colour `corpusclean
diff` and `corpusclean review` show it in (a "#rrggbb" at least colours.MIN_DELTA_E in
CIEDE2000 from every other category's, so no two look alike)::

    category = "recipe-card"
    colour = "#87d7ff"

Its rules have that category unless they name a shipped one; `--disable recipe-card` switches
them off, and a run's summary records the colour.

Fields every rule may have:

  id, description, patterns, examples, counter_examples   required
  category          required unless the pack sets it; one of CATEGORIES below, or the category
                    its pack adds
  scope             "line" (default), "run" or "block", see below
  case_sensitive    false by default
  max_chars         the (first) line is at most this long: a guard against matching a sentence
  unless            patterns that veto a match of the (first) line
  alone             the span must stand as its own paragraph (blank line or page edge around it)
  within_first      the (first) line is among the page's first N non-blank lines
  within_last       the (first) line is among the page's last N non-blank lines
  require           patterns; at least `require_count` (default 1) lines of the span must match
  require_count     see `require`

Positions (`within_first`, `within_last`, `alone`) are measured on the encoding-fixed page,
whatever other rules removed, so a rule's decision does not depend on the order rules run in.

Scopes:

  line    every matching line is removed on its own.
  run     a run of consecutive lines that all match `patterns` (blank lines between them are
          allowed with `through_blank = true`), removed when it holds at least `min_lines`
          non-blank lines (default 2). For menus, lists of share buttons, archive lists.
  block   starts at a line matching `patterns` and extends by exactly one of:
            end = [...]               to the first later line matching one of these (included);
                                      no end line within `max_lines`, no block
            continue = [...]          while the following lines match one of these ...
            continue_max_chars = N    ... or (and/or) while they are at most N characters long;
                                      a blank line ends the block unless `through_blank = true`
            to_page_end = true        to the last line of the page (which must lie within
                                      `max_lines`)
          `min_lines` (non-blank lines, default 1) and `max_lines` (all lines, default 80)
          bound the block.

Examples are small page fragments: the rule must remove every non-blank line of each example
and nothing of each counter-example (one line is a one-line page; use '''...''' for several
lines). `corpusclean rules check` and the test suite run them all.

How rules apply: the page is read top to bottom; at each live line the rules are tried in load
order (shipped packs by file name, each in file order; a replacing rule keeps the place of the
one it replaces, a new one comes after) and the first that matches removes its span. Every
removal records the rule's id, its category and its description as the reason.

Overriding and switching off: `--rules DIR` (repeatable) loads DIR/*.toml after the shipped
packs; an id defined twice within one layer is an error, an id from an earlier layer is
replaced. `--disable` takes rule ids or category names; an unknown name is an error.
"""
from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .errors import with_close_names
# RuleError and reading the packs live in rulepacks.py (the main process of a run on several
# workers checks packs without this module); they are this module's names too
from .rulepacks import RuleError as RuleError, RulePacks, read_packs

if TYPE_CHECKING:  # the pattern engine (re2) is imported where packs are parsed (_parse_pack)
    from .patterns.gate import Requirement
    from .patterns.matcher import Matcher

#: the kinds of chrome a rule may name (the report's `category`)
CATEGORIES = (
    "navigation", "widget", "newsletter", "paywall", "donation", "social",
    "byline", "credit", "legal", "contact", "author-bio", "comments",
)
SCOPES = ("line", "run", "block")

_CATEGORY_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
_PACK_FIELDS = {"category", "colour", "description", "words", "rule"}
_WORD_LIST_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_WORD_LIST_REF = re.compile(r"\{([a-z][a-z0-9-]*)\}")
_REQUIRED = ("id", "description", "patterns", "examples", "counter_examples")
# field -> the type TOML must give it
_TYPES: dict[str, type] = {
    "id": str, "category": str, "description": str, "scope": str,
    "patterns": list, "unless": list, "require": list, "end": list, "continue": list,
    "examples": list, "counter_examples": list,
    "case_sensitive": bool, "alone": bool, "through_blank": bool, "to_page_end": bool,
    "max_chars": int, "within_first": int, "within_last": int, "require_count": int,
    "min_lines": int, "max_lines": int, "continue_max_chars": int,
}
_PATTERN_FIELDS = {"patterns", "unless", "require", "end", "continue"}
_RUN_FIELDS = {"through_blank", "min_lines", "max_lines"}
_BLOCK_FIELDS = {"end", "continue", "continue_max_chars", "to_page_end", "through_blank",
                 "min_lines", "max_lines"}
# Texts no sensible pattern matches: a pattern that does has an empty alternative ('a||b',
# '(|a)', a trailing '|') or is otherwise so loose that it would remove every line.
_TOO_BROAD_PROBES = ("", "qzj vwx 7")
# \1 or (?P=name): group numbers shift once a rule's patterns are joined into one alternation
_BACKREFERENCE = re.compile(r"(?<!\\)(\\\\)*\\[1-9]|\(\?P=")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    description: str
    patterns: Matcher                            # a rule's patterns, any of which may match
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    source: str                                  # the pack file, for messages
    scope: str = "line"
    max_chars: int | None = None
    unless: Matcher | None = None
    alone: bool = False
    within_first: int | None = None
    within_last: int | None = None
    require: Matcher | None = None
    require_count: int = 1
    end: Matcher | None = None
    continues: Matcher | None = None             # the TOML field `continue`
    continue_max_chars: int | None = None
    to_page_end: bool = False
    through_blank: bool = False
    min_lines: int = 1
    max_lines: int = 80
    #: what a line needs for `patterns` to match it (the keyword gate's ways; None: nothing)
    requirement: Requirement = None
    fingerprint: str = field(default="", compare=False)
    #: the colour of the rule's category when its pack added that category (see `colour` above)
    colour: str | None = None

    def starts_at(self, text: str) -> bool:
        """Whether a (stripped, non-blank) line can be this rule's line or a block's first line,
        before any positional condition."""
        if self.max_chars is not None and len(text) > self.max_chars:
            return False
        if not self.patterns.search(text):
            return False
        return self.unless is None or not self.unless.search(text)


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    packs: tuple[str, ...]       # where the rules came from, for the run summary
    disabled: tuple[str, ...]

    def settings(self) -> dict[str, Any]:
        digest = hashlib.sha256("".join(r.fingerprint for r in self.rules).encode()).hexdigest()
        settings: dict[str, Any] = {"packs": list(self.packs), "rules": len(self.rules),
                                    "disabled": list(self.disabled), "fingerprint": digest[:16]}
        if self.added_categories:  # so `diff` and `review` can colour them
            settings["categories"] = dict(self.added_categories)
        return settings

    @property
    def added_categories(self) -> dict[str, str]:
        """Categories the user's packs added (not switched off), with their colours."""
        return {rule.category: rule.colour for rule in self.rules if rule.colour is not None}

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# -- loading -------------------------------------------------------------------------------

def load_rulebook(extra_dirs: Iterable[str | Path] = (), disabled: Iterable[str] = (),
                  known_elsewhere: Iterable[str] = ()) -> Rulebook:
    """The shipped rules, then each extra folder's (same id replaces), minus the disabled ones.
    `known_elsewhere`: categories other stages emit, which a disabled name may be too."""
    return load_packs(read_packs(extra_dirs, disabled, known_elsewhere))


def _add_layer(rules: dict[str, Rule], layer: list[Rule]) -> None:
    """One layer (the shipped set, or one --rules folder): ids must be unique within it; an id
    already loaded by an earlier layer is replaced where it stood."""
    seen: dict[str, str] = {}
    for rule in layer:
        if rule.id in seen:
            raise RuleError(f"{rule.source}: rule {rule.id!r}: duplicate id (also in {seen[rule.id]})")
        seen[rule.id] = rule.source
        rules[rule.id] = rule


def _added_categories(rules: Iterable[Rule]) -> dict[str, str]:
    """The categories user packs added, each with its colour: one colour per category, and one
    that cannot be mistaken for another category's on the review page."""
    from .colours import CATEGORY_COLOURS, MIN_DELTA_E, UNHIGHLIGHTED, closest

    added: dict[str, str] = {}
    declared_in: dict[str, str] = {}
    for rule in rules:
        if rule.colour is None:
            continue
        if rule.category in added and added[rule.category].lower() != rule.colour.lower():
            raise RuleError(f"{rule.source}: category {rule.category!r} is given colour {rule.colour}, but "
                            f"{declared_in[rule.category]} gives it {added[rule.category]}; one category, one colour")
        if rule.category not in added:
            others = {**{c: v for c, v in CATEGORY_COLOURS.items() if c not in UNHIGHLIGHTED}, **added}
            near = closest(rule.colour, others)
            if near is not None and near[1] < MIN_DELTA_E:
                raise RuleError(f"{rule.source}: colour {rule.colour} of category {rule.category!r} looks like "
                                f"{near[0]}'s ({others[near[0]]}): CIEDE2000 difference {near[1]:.1f}, at least "
                                f"{MIN_DELTA_E:g} needed. Pick a colour further from it.")
            added[rule.category] = rule.colour
            declared_in[rule.category] = rule.source
    return added


def _unknown_names_message(unknown: list[str], rules: dict[str, Rule], categories: list[str]) -> str:
    return (f"--disable: unknown rule or category {with_close_names(unknown, [*categories, *rules])}. "
            f"Categories: {', '.join(categories)}. Rule ids: {', '.join(sorted(rules))}.")


def load_packs(packs: RulePacks) -> Rulebook:
    """`RulePacks.load`: the rules of every layer (an id a later layer defines again is
    replaced where it stood), minus the disabled ones. RuleError names a pack's problem or an
    unknown name."""
    rules: dict[str, Rule] = {}
    for layer in packs.layers:
        _add_layer(rules, [rule for name, text in layer for rule in parse_pack(text, name)])
    added = _added_categories(rules.values())
    switched_off = packs.disabled
    elsewhere = [category for category in packs.known_elsewhere if category not in CATEGORIES and category not in added]
    unknown = [name for name in switched_off
               if name not in rules and name not in CATEGORIES and name not in added and name not in elsewhere]
    if unknown:
        raise RuleError(_unknown_names_message(unknown, rules, [*CATEGORIES, *added, *elsewhere]))
    kept = tuple(rule for rule in rules.values()
                 if rule.id not in switched_off and rule.category not in switched_off)
    return Rulebook(rules=kept, packs=packs.sources, disabled=switched_off)


# -- parsing one pack ----------------------------------------------------------------------

def parse_pack(text: str, source: str) -> list[Rule]:
    """The rules of one pack; RuleError naming `source` (and the rule id) if anything is wrong.

    A pack loaded before, unchanged, by the same code comes from the cache (cache.py): a run
    starts without translating its patterns again. A pack that fails is never cached."""
    from .cache import cached

    return cached("pack", f"{source}\0{text}", lambda: _parse_pack(text, source))


def _parse_pack(text: str, source: str) -> list[Rule]:
    # imported here (as difflib for a misspelt name): a pack is parsed only when the start-up
    # cache misses, and a run that finds it filled never needs tomllib (1-2 ms to import)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RuleError(f"{source}: not valid TOML: {err}") from None
    unknown = sorted(set(data) - _PACK_FIELDS)
    if unknown:
        raise RuleError(f"{source}: unknown top-level field(s) {', '.join(unknown)}; "
                        f"a pack has {', '.join(sorted(_PACK_FIELDS))} ([[rule]] tables)")
    default_category = data.get("category")
    colour = _pack_colour(data, source)
    if default_category is not None and colour is None:
        _check_category(default_category, source)
    words = _parse_words(data.get("words", {}), source)
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not tables:
        raise RuleError(f"{source}: no rules: add at least one [[rule]] table")
    return [_parse_rule(table, number, source, default_category, words, colour)
            for number, table in enumerate(tables, start=1)]


def _pack_colour(data: dict[str, Any], source: str) -> str | None:
    """A pack adds a category of its own by naming it at the top with a `colour` ("#rrggbb",
    how `diff` and `review` show it); the shipped categories have theirs already."""
    from .colours import is_hex_colour

    category, colour = data.get("category"), data.get("colour")
    if colour is None:
        return None
    if not is_hex_colour(colour):
        raise RuleError(f"{source}: colour must be a string \"#rrggbb\", not {colour!r}")
    if category is None:
        raise RuleError(f"{source}: colour goes with a new category: set the pack's category too")
    if not isinstance(category, str) or not _CATEGORY_NAME.match(category):
        raise RuleError(f"{source}: a new category's name is lower case letters, digits and '-', "
                        f"starting with a letter, not {category!r}")
    if category in CATEGORIES:
        raise RuleError(f"{source}: colour is only for a category the pack adds; {category!r} is shipped "
                        "and has its colour")
    return str(colour)


def _parse_words(table: Any, source: str) -> dict[str, str]:
    """The pack's named word lists, each as one non-capturing alternation."""
    if not isinstance(table, dict):
        raise RuleError(f"{source}: words must be a table of named lists, e.g. words.section = [...]")
    lists = {}
    for name, items in table.items():
        where = f"{source}: words.{name}"
        if not _WORD_LIST_NAME.match(name):
            raise RuleError(f"{where}: a word-list name is lower case letters, digits and '-', starting with a letter")
        if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
            raise RuleError(f"{where}: must be a non-empty list of strings")
        if any(not item.strip() for item in items):
            raise RuleError(f"{where}: has an empty entry, which would make the alternation match everything")
        lists[name] = "(?:" + "|".join(items) + ")"
    return lists


def _parse_rule(table: dict[str, Any], number: int, source: str, default_category: str | None,
                words: dict[str, str], colour: str | None = None) -> Rule:
    from .patterns.gate import requirement

    rule_id = table.get("id")
    where = f"{source}: rule {rule_id!r}" if isinstance(rule_id, str) else f"{source}: rule #{number}"

    def fail(problem: str) -> RuleError:
        return RuleError(f"{where}: {problem}")

    unknown = sorted(set(table) - set(_TYPES))
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(_TYPES))}")
    missing = [name for name in _REQUIRED if name not in table]
    if "category" not in table and default_category is None:
        missing.append("category")
    if missing:
        raise fail(f"missing field(s) {', '.join(missing)}")
    for name, value in table.items():
        expected = _TYPES[name]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise fail(f"{name} must be {_type_name(expected)}, not {type(value).__name__}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise fail(f"{name} must be a list of strings")
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise fail(f"{name} must be at least 1")
    assert isinstance(rule_id, str)  # required and checked to be a string above
    if not _ID.match(rule_id):
        # a dot is required, so an id can never be mistaken for a category name by --disable
        raise fail("id must look like CATEGORY.NAME (lower case letters, digits and '-', dot-separated)")
    category = table.get("category", default_category)
    added = default_category if colour is not None else None
    assert isinstance(category, str)  # the rule's own (checked a string above) or the pack's
    if category != added:
        colour = None
        try:
            _check_category(category, source)
        except RuleError:
            raise fail(f"unknown category {category!r}; categories: {', '.join(CATEGORIES)}"
                       + (f", and this pack's {added}" if added else
                          "; a pack adds a category with `category = NAME` and `colour = \"#rrggbb\"` at its top")
                       ) from None
    if not table["description"].strip():
        raise fail("description is empty")
    for name in ("patterns", "examples", "counter_examples", *(_PATTERN_FIELDS & set(table))):
        if not table[name]:
            raise fail(f"{name} is empty")
    for name in ("examples", "counter_examples"):
        if any(not text.strip() for text in table[name]):
            raise fail(f"{name} has a blank entry, which would prove nothing")

    scope = table.get("scope", "line")
    _check_scope(table, scope, fail)
    flags = 0 if table.get("case_sensitive", False) else re.IGNORECASE

    def patterns(name: str) -> Matcher | None:
        compiled = _compile(table.get(name, []), name, flags, words, fail)
        return compiled[0] if compiled else None

    compiled = _compile(table["patterns"], "patterns", flags, words, fail)
    assert compiled is not None  # `patterns` is required and was checked non-empty above
    first_lines, tree = compiled
    fingerprint = hashlib.sha256(repr((sorted((k, repr(v)) for k, v in table.items()),
                                       sorted(words.items()))).encode()).hexdigest()
    return Rule(
        id=rule_id, category=category, description=table["description"].strip(),
        patterns=first_lines,
        examples=tuple(table["examples"]), counter_examples=tuple(table["counter_examples"]),
        source=source, scope=scope,
        max_chars=table.get("max_chars"), unless=patterns("unless"), alone=table.get("alone", False),
        within_first=table.get("within_first"), within_last=table.get("within_last"),
        require=patterns("require"), require_count=table.get("require_count", 1),
        end=patterns("end"), continues=patterns("continue"),
        continue_max_chars=table.get("continue_max_chars"),
        to_page_end=table.get("to_page_end", False), through_blank=table.get("through_blank", False),
        min_lines=table.get("min_lines", 2 if scope == "run" else 1),
        max_lines=table.get("max_lines", 80),
        requirement=requirement(tree),
        fingerprint=fingerprint, colour=colour,
    )


def _check_scope(table: dict[str, Any], scope: str, fail: Callable[[str], RuleError]) -> None:
    """The scope is known, and the fields that shape a run or a block fit it."""
    if scope not in SCOPES:
        raise fail(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    for name in sorted(set(table) & (_RUN_FIELDS | _BLOCK_FIELDS)):
        scopes = [s for s, fields in (("run", _RUN_FIELDS), ("block", _BLOCK_FIELDS)) if name in fields]
        if scope not in scopes:
            raise fail(f"{name} only applies to scope = {' or '.join(repr(s) for s in scopes)}, "
                       f"and this rule's scope is {scope!r}")
    if scope == "block":
        extents = [name for name in ("end", "to_page_end") if table.get(name)]
        if "continue" in table or "continue_max_chars" in table:
            extents.append("continue")
        if len(extents) != 1:
            raise fail("a block needs exactly one way to extend: end, continue/continue_max_chars, "
                       f"or to_page_end (it has {', '.join(extents) or 'none'})")
        if table.get("through_blank") and extents[0] != "continue":
            raise fail("through_blank only applies to a block that extends by continue")
    if "require_count" in table and "require" not in table:
        raise fail("require_count needs require")


def _compile(texts: list[str], name: str, flags: int, words: dict[str, str],
             fail: Callable[[str], RuleError]) -> tuple[Matcher, Any] | None:
    """A field's patterns, each checked on its own, then matched together by one RE2 search
    (see patterns/): one search per line instead of one per pattern, in time linear in the
    line. (Matcher, joined tree), or None for an absent field."""
    from .patterns.matcher import compiled_matcher, translate_all
    from .patterns.translate import Untranslatable, alt

    checked = []
    for text in texts:
        unknown_lists = sorted({ref for ref in _WORD_LIST_REF.findall(text) if ref not in words})
        if unknown_lists:
            raise fail(f"{name} uses unknown word list(s) {', '.join(unknown_lists)}; "
                       f"this pack defines: {', '.join(sorted(words)) or 'none'}")
        expanded = _WORD_LIST_REF.sub(lambda m: words[m.group(1)], text)
        try:
            re.compile(expanded, flags)
        except re.error as err:
            raise fail(f"bad regex in {name}: {text!r}: {err}") from None
        if _BACKREFERENCE.search(expanded):
            raise fail(f"regex in {name} uses a backreference, which rules do not support: {text!r}")
        try:
            alone = compiled_matcher((expanded,), flags)
        except Untranslatable as err:
            raise fail(f"regex in {name} is refused: {text!r}: {str(err).split(': ', 1)[-1]} "
                       "(rules are matched in linear time, without backtracking)") from None
        broad = next((probe for probe in _TOO_BROAD_PROBES if alone.search(probe)), None)
        if broad is not None:
            raise fail(f"regex in {name} matches {broad!r}, so it would match every line "
                       f"(an empty alternative such as 'a||b', '(|a)' or a trailing '|'?): {text!r}")
        checked.append(expanded)
    if not checked:
        return None
    try:
        joined = compiled_matcher(tuple(checked), flags)
    except Untranslatable as err:  # pragma: no cover - each pattern compiled alone above
        raise fail(f"{name}: {err}") from None
    return joined, alt(translate_all(checked, flags))   # the tree as written, for the gate


def _check_category(category: Any, source: str) -> None:
    if category not in CATEGORIES:
        raise RuleError(f"{source}: unknown category {category!r}; categories: {', '.join(CATEGORIES)}. "
                        "A pack adds a category with `category = NAME` and `colour = \"#rrggbb\"` at its top.")


def _type_name(kind: type) -> str:
    return {str: "a string", list: "a list", bool: "true or false", int: "a whole number"}[kind]
