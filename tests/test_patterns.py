"""How rule patterns are matched: Python's meaning, RE2's linear time, and the keyword gate.

A rule author writes a Python regular expression and expects Python's Unicode meaning (`\\w`
takes 'é', `(?i)` folds 'İ' to 'i'); the engine must give exactly that meaning while never
backtracking. These tests show both: the same answers as Python's `re` (on chosen cases, on
every shipped pattern with random text, and on random small patterns), patterns that would
hang Python answered at once, what is refused at load and why, and a gate that never hides a
match. The rule examples themselves run in test_rule_examples.py.
"""
from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corpusclean.patterns import charsets
from corpusclean.patterns.gate import Gate, Way, _holds, _starts_apart, fold, literal_strings, required_literals, requirement
from corpusclean.patterns.matcher import ASCII, COMMON, WIDE, cut_source, matcher, translate_all
from corpusclean.patterns.translate import (Untranslatable, factor, parse, restrict, to_re2, translate, trim,
                                             written_size)
from corpusclean.rulebook import RuleError, load_rulebook, parse_pack
from corpusclean.stages.rules import check_gate, gate_for

from conftest import run_cli, write_tree

SHIPPED = load_rulebook().rules


def engine(pattern: str, flags: int = re.IGNORECASE):
    """The RE2 matcher a rule field with this one pattern gets."""
    return matcher([pattern], flags, translate_all([pattern], flags))


def agrees(pattern: str, text: str, flags: int = re.IGNORECASE) -> bool:
    return engine(pattern, flags).search(text) == bool(re.search(pattern, text, flags))


# -- Python's meaning, kept -------------------------------------------------------------------

UNICODE_CASES = [
    (r"\bcafé\b", "un café noir"),           # é is a word character on both sides of \b
    (r"\bcafé\b", "cafés"),                  # ... so no boundary before the s
    (r"\bcaf\b", "café"),                    # RE2's ASCII \b would see one after 'caf'
    (r"\bnews\b", "übernews"),               # and one before 'news' here
    (r"^\w+$", "Straße"),
    (r"^\w+$", "naïve-ish"),
    (r"\W", "日本語"),                        # no non-word character in CJK text
    (r"^\d+$", "٣٤٥"),                        # Arabic-Indic digits are \d in Python
    (r"^a\sb$", "a\u00a0b"),                 # NBSP is \s in Python, not in RE2
    (r"^sign in$", "SIGN İN"),               # Python's IGNORECASE folds İ and ı to i
    (r"^sign in$", "sıgn ın"),
    (r"^kelvin$", "\u212aelvin"),            # the Kelvin sign folds to k
    (r"^(?-i:[A-Z])\w+$", "ölaf"),           # a case-sensitive group inside an IGNORECASE rule
    (r"\B-\B", "a - b"),                     # \B between two non-word characters
    (r"\d{1,4}\b", "2017年"),                 # 年 is a word character: no boundary after 7
    (r"^[\w'’.-]+\s+(is|was)\b", "José’s was"),
    (r"\bновости\b", "Последние новости дня"),    # each script's line gets its own cut
    (r"\bновости\b", "Последниеновости"),
    (r"^\W+$", "😀 🎉 ✓"),                        # emoji are not word characters
    (r"\bδελτίο\b", "ΔΕΛΤΊΟ τύπου"),
    (r"^\w+\s\w+$", "新闻 中心"),
]


@pytest.mark.parametrize("pattern, text", UNICODE_CASES, ids=[f"{p} on {t!r}" for p, t in UNICODE_CASES])
def test_the_engine_gives_python_unicode_meaning(pattern, text):
    assert agrees(pattern, text)


def test_a_line_is_searched_with_the_pattern_cut_down_to_the_characters_it_can_hold():
    """Python's `\\w` written out for all of Unicode is 734 ranges, and RE2 takes about a
    millisecond to compile each copy; an ASCII line needs a handful of them. So an ASCII line is
    searched with the pattern cut down to ASCII (compiled at load), a line of accented Latin
    letters and typographic punctuation with the cut to those, and only other lines with the
    whole pattern (both compiled when the first such line comes)."""
    tree = translate(r"\bnews\b", re.IGNORECASE)[1]
    assert len(to_re2(restrict(tree, ASCII), ASCII)) < 200 < len(to_re2(restrict(tree, COMMON), COMMON)) \
        < 2_000 < 20_000 < len(to_re2(tree))
    news = engine(r"\bnews\b")
    for line in ("Latest news", "Die Nachrichten für heute’s news", "Последние news", "新闻news"):
        assert news.search(line) == bool(re.search(r"\bnews\b", line, re.IGNORECASE))


def test_a_cut_is_searched_from_the_line_start_with_any_prefix_written_in():
    """Asked where a match lies (the Python binding always asks), RE2 finds the start of an
    unanchored match by running the pattern backwards from its end: a second program to
    compile and a second scan of every line that matches. So each cut is searched from the
    line's start, with `(?s:.*?)` written in front of a pattern whose matches may start
    anywhere, and the answers stay Python's wherever the match lies (after a line break too)."""
    assert cut_source(translate(r"\bnews\b", re.IGNORECASE)[1], ASCII).startswith("(?s:.*?)(?:")
    assert cut_source(translate(r"^news|^sport", re.IGNORECASE)[1], ASCII).startswith("^")
    for pattern in (r"\bnews\b", r"news$", r"^news", r"^news$", r"(?m)^news", r"(?m)news$", r"x|^news", r"\d{2}"):
        for line in ("news", "Latest news", "news today", "the news of the day", "x", "", "no", "a\nnews",
                     "news\nb", "Die Nachrichten für heute’s news", "新闻 news 12"):
            assert engine(pattern).search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)


def test_a_line_in_another_common_script_gets_a_wide_cut_that_matches_as_the_whole_does():
    """A multilingual crawl's lines hold Chinese, Japanese or Korean text, Cyrillic, Greek,
    Arabic or Hebrew, emoji, arrows, box drawing, a minus sign or U+FFFD, with or without Latin
    words; cut to those blocks, `\\w` is hundreds of ranges fewer, so such a line does not need
    the whole pattern (which every worker would compile). Only rarer scripts (Ethiopic,
    Cherokee) do, and a lone surrogate matches as the U+FFFD it is searched as."""
    tree = translate(r"\bnews\b", re.IGNORECASE)[1]
    assert len(to_re2(restrict(tree, COMMON), COMMON)) < len(to_re2(restrict(tree, WIDE), WIDE)) \
        < len(to_re2(tree)) / 3
    for pattern in (r"\bnews\b", r"^\w+$", r"\W", r"^\S+\s\S+$", r"^[^a-z]+$", r"\bＡ", r"^\w+\W\w+$",
                    r"\bδελτίο\b", r"^\D+$", r"(?-i:^[^\WA-Z]+$)"):
        compiled = engine(pattern)
        compiled.warm(wide=True)     # else most of these lines take the COMMON cut with stand-ins
        for line in ("新闻news", "新闻 news", "ニュース・news", "뉴스 NEWS", "ＮＥＷＳ", "ａｂｃ", "日本語",
                     "〇〇", "「news」", "news、新闻", "Новости 新闻", "news\ufffd新闻", "Ａ", "Новости",
                     "ΔΕΛΤΊΟ τύπου", "δελτίο", "חדשות news", "أخبار news", "٣ news", "news → more",
                     "news 😀", "news\u2212news", "│ news │", "tin tức news", "news\ud800news", "Ǆemal",
                     "समाचार news", "ข่าว", "ახალი ამბები", "ዜና news", "𝐧𝐞𝐰𝐬"):
            assert compiled.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)


def test_branches_that_begin_or_end_alike_share_one_copy():
    """Writing out \\b lifts the group next to it into one branch per alternative, each with a
    copy of the rest of the pattern; factoring gives RE2 one copy again."""
    pattern = r"\b(author|reporter|editor)\b.{0,60}\b(at|via)\s+\S+@\S+"
    tree = translate(pattern, re.IGNORECASE)[1]
    assert written_size(factor(tree)) < 0.8 * written_size(tree)
    factored = matcher([pattern], re.IGNORECASE, [tree])
    for line in ("Email the author at a@b.org", "the editors via x@y", "reporter: at@", "author at x@y"):
        assert factored.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), line


@pytest.mark.parametrize("pattern, needed", [
    (r"news.{0,200}", "news"),                  # found wherever "news" is
    (r"\w{2,40}:\s*", r"\w{2}:"),               # a longer run of letters holds one of two
    (r"(?:by|via) (?:\w+ ){0,3}reuters", r"(?:by|via) (?:\w+ ){0,3}reuters"),   # nothing at an edge
    (r"^\w{1,120}$", r"^\w{1,120}$"),            # anchored: every copy is needed
    (r"^.{0,80}(?:more|read)", r"^.{0,80}(?:more|read)"),
    (r"share(?: this| it|)", "share"),          # an edge that may be empty goes whole
    (r"x+(?:a{2,5}|b)", r"x(?:a{2}|b)"),
])
def test_repeats_a_match_can_do_without_at_its_ends_are_not_compiled(pattern, needed):
    """Only whether a line matches is asked, so a repeat at an edge of a pattern keeps the
    fewest copies a match needs (RE2 writes a repeat out copy by copy, and a copy of a `\\w`
    class is hundreds of instructions); the answer is Python's on every line."""
    assert trim(parse(pattern, re.IGNORECASE)) == parse(needed, re.IGNORECASE)
    compiled = engine(pattern)
    for line in ("news", "Breaking news today", "Tags: x", "a:", "by the Reuters", "via  reuters", "x" * 130,
                 "Read more", " " * 90 + "more", "Share this", "xxaa", "xaab", "xb", "ünïcödé: ok"):
        assert compiled.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)


RARE_LINES = ["— Abebe, ሰላም, Addis", "posted by ሰላም", "ᏣᎳᎩ reply", "𐌰𐌱𐌲 said:", "— 𓀀𓀁, 𓀂", "\ue000 wrote:",
              "Reply | ᚠᚢᚦ", "Share on ᏣᎳᎩ Facebook", "ꙮ writes"]


def test_a_line_of_a_rare_script_is_answered_by_the_wide_cut_with_stand_ins():
    """A line with characters outside WIDE (Ethiopic, Cherokee, Gothic...) is searched with each
    of them replaced by a character of WIDE that the pattern's sets cannot tell from it, so the
    whole-Unicode cut (the dearest to compile) is never needed; unless the pattern names such a
    character itself, when no character of WIDE can stand in for it."""
    from corpusclean.patterns.matcher import _UNCOMPILED
    from corpusclean.classifier.comments import ENTRY_MARK

    for pattern, flags in ((ENTRY_MARK.pattern, ENTRY_MARK.flags), (r"\b(?:posted|said|writes)\b", re.I),
                           (r"^\W*reply\W*(?:\|\s*\w+\W*)*$", re.I)):
        compiled = matcher([pattern], flags, translate_all([pattern], flags))
        compiled.warm(wide=True)     # else these lines take the COMMON cut with stand-ins (below)
        for line in RARE_LINES:
            assert compiled.search(line) == bool(re.search(pattern, line, flags)), (pattern, line)
        assert compiled._whole is _UNCOMPILED
    named = engine(r"ሰላም|^ᏣᎳᎩ")   # characters the pattern names: only the whole can answer
    assert [named.search(line) for line in RARE_LINES] == [True, True, True, False, False, False, False, False,
                                                           False]
    assert named._whole is not _UNCOMPILED


OTHER_SCRIPTS = ["Новости news", "新闻 news", "ニュース・news", "뉴스 NEWS", "ＮＥＷＳ", "ΔΕΛΤΊΟ τύπου", "أخبار news",
                 "٣ news", "news → more", "news 😀", "news\u2212news", "│ news │", "समाचार news", "— Abebe, ሰላም",
                 "𝐧𝐞𝐰𝐬", "Reply | ᚠᚢᚦ", "Ǆemal 新闻"]


def test_a_line_of_another_script_takes_the_common_cut_with_stand_ins():
    """The WIDE cut is the dear one to compile (0.13 CPU-s for the 25 rule fields a one-worker
    run of the 20 MB corpus met it for). A line with Cyrillic, Chinese or Greek letters, emoji
    or arrows is searched with each of them replaced by a character of COMMON that the
    pattern's sets cannot tell from it (a Cyrillic letter is just `\\w` to `\\bnews\\b`), so
    the COMMON cut answers it; the WIDE cut is compiled only for a line with a character the
    pattern names itself or sets apart from all of COMMON (a Greek word, or `[α-λ]`: `[α-ω]`
    holds the micro sign µ of Latin-1, a case form of μ, which then stands in for its letters)."""
    from corpusclean.patterns.matcher import _UNCOMPILED

    for pattern in (r"\bnews\b", r"^\w+$", r"\W", r"^\S+\s\S+$", r"^[^a-z]+$", r"^\w+\W\w+$", r"^\D+$",
                    r"(?-i:^[^\WA-Z]+$)", r"^reply\W*(?:\|\s*\w+\W*)*$"):
        compiled = engine(pattern)
        for line in OTHER_SCRIPTS:
            assert compiled.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)
        assert compiled._wide is _UNCOMPILED and compiled._whole is _UNCOMPILED, pattern
    for pattern in (r"\bδελτίο\b", r"\bＮ", r"[α-λ]{3}", r"новости"):   # they name what the lines hold
        compiled = engine(pattern)
        for line in OTHER_SCRIPTS:
            assert compiled.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)
        assert compiled._wide is not _UNCOMPILED, pattern


LATIN_LINES = ["Partagez cet article — merci", "Über uns", "“Share” this", "Ça va, Zoë?", "news\u00a0today",
               "© 2024 Les Échos", "» Next page", "Straße", "naïve news", "İstanbul news", "ſhare"]


def test_a_line_of_accented_latin_takes_the_ascii_cut_with_stand_ins():
    """The COMMON cut costs every process that meets a non-ASCII line a compile per field (41
    fields, 0.06 CPU-s, in a one-worker run of the 20 MB corpus), though to most patterns an
    accented letter is just `\\w` and a curly quote or a dash just `\\W`. Such a line is
    searched with each character outside ASCII replaced by an ASCII one the pattern's sets
    cannot tell from it (under IGNORECASE `ſ` is just `s`, `İ` just `i`); only a pattern that
    names or sets apart such a character (`©`, `»`, `ß`, a no-break space) needs the COMMON
    cut, and is answered with it from then on."""
    from corpusclean.patterns.matcher import _UNCOMPILED

    for pattern in (r"\bnews\b", r"^\w+$", r"\W", r"^\S+\s\S+$", r"^[^a-z]+$", r"^\w+\W\w+$", r"\bshare\b",
                    r"(?-i:^[^\WA-Z]+$)", r"^(next|previous)\b", r"^share", r"\bistanbul", r"news today"):
        compiled = engine(pattern)
        for line in LATIN_LINES:
            assert compiled.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)
        assert compiled._common is _UNCOMPILED, pattern
    for pattern in (r"^©", r"^(?:»\s*)?next", r"stra(ss|ß)e", "news\u00a0today"):
        compiled = engine(pattern)
        for line in LATIN_LINES:
            assert compiled.search(line) == bool(re.search(pattern, line, re.IGNORECASE)), (pattern, line)
        assert compiled._common is not _UNCOMPILED, pattern


def test_a_matcher_pickles_as_its_tree_and_answers_the_same():
    import pickle
    rule = next(r for r in SHIPPED if r.id == "contact.reach")
    from corpusclean.patterns.matcher import _UNCOMPILED

    again = pickle.loads(pickle.dumps(rule.patterns))
    # compiled when proven at load, so an unpickled matcher (a cached pack) compiles on first use
    assert again._ascii is _UNCOMPILED and engine(r"\bcontact\b")._ascii is not _UNCOMPILED
    for text in ("Contact the author at jane@example.org", "Écrivez à l’auteur", "Contact us: news@例え.jp"):
        assert again.search(text) == rule.patterns.search(text) == bool(rule.patterns.python().search(text))
    warmed = pickle.loads(pickle.dumps(rule.patterns))
    warmed.warm()                                        # what forked workers then share
    assert warmed._ascii is not _UNCOMPILED and warmed._common is not _UNCOMPILED


def test_lines_with_lone_surrogates_are_answered_like_python():
    """A JSONL text may hold an escaped lone surrogate, which cannot be handed to RE2 as UTF-8."""
    for pattern in (r"^x\W\w$", r"^x.y$", r"\bx\b"):
        assert agrees(pattern, "x\ud800y")


# -- patterns that would hang Python ----------------------------------------------------------

PACK = """
[[rule]]
id = "widget.aaa"
category = "widget"
description = "Nested quantifiers: Python's re backtracks for days on 40 a's and a '!'"
patterns = ['^(a+)+$']
examples = ["aaaa"]
counter_examples = ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]
"""


def test_a_catastrophic_pattern_is_answered_at_once():
    [rule] = parse_pack(PACK, "mine.toml")
    assert rule.starts_at("a" * 40) and not rule.starts_at("a" * 40 + "!")
    assert not rule.starts_at("a" * 100_000 + "!")   # linear: no backtracking whatever the length


def test_rules_check_runs_a_catastrophic_pattern_s_examples(tmp_path):
    write_tree(tmp_path / "mine", {"aaa.toml": PACK})
    result = run_cli("rules", "check", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("examples checked: 0 failures.")


# -- what is refused at load ------------------------------------------------------------------

REFUSED = [
    (r"^print(?= now)", "look-around needs backtracking"),
    (r"(?<!re)print$", "look-around needs backtracking"),
    (r"^(?>print)$", "atomic group or possessive quantifier"),
    (r"^print+$", None),                                  # accepted: the control case
    (r"^x{2000}$", "repeat counts above 1000"),
    (r"(?a)^\w+$", "only the i, m, s and x flags"),
    (r"^(\bprint )+$", "\\b or \\B inside a repeated group"),
    # compiled whole at load although a run only compiles cuts of it (see patterns/matcher.py)
    (r"^\w{1000}\W{1000}\w{1000}\W{1000}$", "pattern too large"),
]


@pytest.mark.parametrize("pattern, message", REFUSED, ids=[p for p, _ in REFUSED])
def test_what_the_engine_cannot_take_is_refused_at_load_naming_file_and_rule(pattern, message):
    toml = PACK.replace("'^(a+)+$'", f"'{pattern}'").replace('"aaaa"', '"print"')
    if message is None:
        parse_pack(toml, "packs/mine.toml")
        return
    with pytest.raises(RuleError) as raised:
        parse_pack(toml, "packs/mine.toml")
    text = str(raised.value)
    assert text.startswith(f"packs/mine.toml: rule 'widget.aaa': regex in patterns is refused: {pattern!r}: ")
    assert message in text
    assert text.endswith("(rules are matched in linear time, without backtracking)")


def test_rules_check_compiles_every_pattern_whole(tmp_path, monkeypatch):
    """A run compiles cuts of a pattern; `rules check` proves that RE2 takes each one whole,
    so that no line in any script can meet a pattern RE2 refuses. (Loading refuses such a
    pattern already, when it is big enough to be in doubt; here that check is switched off.)"""
    from corpusclean.patterns import matcher as matcher_module
    monkeypatch.setattr(matcher_module, "_CHECK_WHOLE_ABOVE", 10**9)
    pattern = r"^\w{1000}\W{1000}\w{1000}\W{1000}$"
    write_tree(tmp_path / "mine", {"big.toml": PACK.replace("'^(a+)+$'", f"'{pattern}'").replace('"aaaa"', '"a"')})
    result = run_cli("rules", "check", str(tmp_path / "mine"))
    assert result.exit_code == 1
    assert ("big.toml: widget.aaa: RE2 cannot compile its patterns for every character, only for ASCII "
            "lines (RE2 cannot compile the translation: b'pattern too large - compile failed')") in result.output


def test_possessive_quantifiers_are_refused_where_python_has_them():
    try:
        re.compile("a*+")
    except re.error:
        pytest.skip("this Python has no possessive quantifiers")
    with pytest.raises(Untranslatable, match="possessive"):
        translate("^a*+b$")


# -- the same answers as Python's re, on random text --------------------------------------------

# characters where the engines could part: non-ASCII letters and digits, case-folding oddities,
# non-ASCII spaces, punctuation around words, a lone surrogate
TRICKY = "aAzZ09_ -.,:'’@#/()éÉßİıſKkσΣς٣\u00a0\u2009\u3000日本カ・한ＡａＮ〇「\ufffd\ud800"


def fields_of(rule):
    return [(name, m) for name in ("patterns", "unless", "require", "end", "continues")
            if (m := getattr(rule, name)) is not None]


def words_of(rule) -> list[str]:
    """The pieces of a rule's examples, without line breaks: a Matcher searches one line (the
    rules stage splits pages into lines first), and on text ending in "\n" Python's `$` also
    matches before that newline where RE2's does not (a multi-line counter-example drew one)."""
    words = {w for text in rule.examples + rule.counter_examples for w in re.split(r"(\W)", text)
             if w and "\n" not in w}
    return sorted(words) or ["x"]


@pytest.mark.parametrize("rule", SHIPPED, ids=[r.id for r in SHIPPED])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_shipped_pattern_answers_like_python_on_random_text(rule, data):
    pieces = st.one_of(st.sampled_from(words_of(rule)), st.sampled_from(list(TRICKY)),
                       st.characters(blacklist_characters="\n"))
    text = "".join(data.draw(st.lists(pieces, max_size=30)))
    for name, field in fields_of(rule):
        expected = bool(field.python().search(text))
        assert field.search(text) == expected, (rule.id, name, text)


# random small patterns built from the pieces \b translation has to get right
ATOMS = ["a", "é", "_", "-", " ", r"\w", r"\W", r"\d", r"\s", ".", "[a-z]", r"[\w'-]", "ı", "K"]
ASSERTS = [r"\b", r"\B", "^", "$"]


@st.composite
def small_patterns(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 5 if depth < 2 else 2))
        if kind <= 1:
            parts.append(draw(st.sampled_from(ATOMS)))
        elif kind == 2:
            parts.append(draw(st.sampled_from(ASSERTS)))
        elif kind == 3:
            parts.append(draw(st.sampled_from(ATOMS)) + draw(st.sampled_from(["?", "*", "+", "{0,2}", "{1,3}"])))
        else:
            branches = draw(st.lists(small_patterns(depth + 1), min_size=1, max_size=3))
            parts.append("(" + "|".join(branches) + ")" + draw(st.sampled_from(["", "?"])))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
# (never the empty line: rules never search one, and Python before 3.14 says \B fails there)
@given(pattern=small_patterns(), texts=st.lists(st.text(alphabet="aAé_- 9ı\u00a0Kk.İſ日Ａ", min_size=1, max_size=8), min_size=1, max_size=8),
       ignore_case=st.booleans())
def test_random_patterns_with_boundaries_answer_like_python(pattern, texts, ignore_case):
    flags = re.IGNORECASE if ignore_case else 0
    try:
        compiled = engine(pattern, flags)
    except Untranslatable as err:
        # refused, never mistranslated: a boundary in a repeat, or one too costly to write out
        assert any(reason in str(err) for reason in ("inside a repeated group", "too many cases",
                                                       "can match an empty anchor")), pattern
        return
    for text in texts:
        assert compiled.search(text) == bool(re.search(pattern, text, flags)), (pattern, text)


def test_case_folding_is_read_off_python_below_the_cased_limit():
    """charsets.py only asks Python about characters below CASED_LIMIT; no cased one lies above."""
    import _sre
    assert not any(_sre.unicode_iscased(c) for c in range(charsets.CASED_LIMIT, charsets.MAX_CHAR + 1))


# -- the keyword gate ---------------------------------------------------------------------------

def test_required_literals_are_the_words_a_match_must_contain():
    tree = translate(r"^(sign[ -]?up|subscribe)( now)?$", re.IGNORECASE)[1]
    strings = literal_strings(required_literals(tree))
    # one string each: the spellings Python's IGNORECASE also takes ("ſıgn up") fold to these
    assert sorted(strings) == ["sign up", "sign-up", "signup", "subscribe"]
    assert required_literals(translate(r"^\d{4}-\d{2}$", 0)[1]) == (("-",),)
    assert required_literals(translate(r"^\d+$", 0)[1]) is None       # nothing to gate on


def test_the_gate_admits_a_rule_only_on_lines_holding_one_of_its_literals():
    gate = Gate([requirement(translate(p, re.IGNORECASE)[1]) for p in (r"\bsubscribe\b", r"\d+")])
    assert list(gate.candidates("SUBSCRIBE")) == [0, 1]     # rule 1 has no literal: always tried
    assert list(gate.candidates("Sign in")) == [1]
    assert list(gate.candidates("ſubſcrıbe")) == [0, 1]     # Python's (?i) folds these to s and i


def test_a_way_of_a_rule_is_each_branch_of_its_patterns():
    """Each branch asks for its own literals; one anchored at both ends also for a line no
    longer than its longest match; where a branch has two parts with literals, it asks for both."""
    ways = requirement(translate(r"^(ok|okay|i agree)$|\bwe use cookies\b|\bis a trademark of\b|"
                                 r"\btrademarks?\b.{0,40}\bowners\b", re.IGNORECASE)[1])
    spelled = {(way.max_chars, tuple(tuple("".join(sorted({fold(c) for c in position})[0] for position in literal)
                                             for literal in group) for group in way.groups)) for way in ways}
    assert (7, (("ok", "okay", "i agree"),)) in spelled
    assert (None, (("we use cookies",),)) in spelled
    assert (None, (("is a trademark of",),)) in spelled
    assert (None, (("trademarks", "trademark"), ("owners",))) in spelled   # two parts .{0,40} apart
    assert requirement(translate(r"^\d+$", 0)[1]) is None            # no literal, no bound
    assert requirement(translate(r"^\d{4}$", 0)[1]) == (Way(4, ()),)  # no literal, but a bound


def test_the_gate_asks_for_every_group_of_a_way_and_its_length():
    rules = [r"^(ok|okay)$", r"\btrademarks?\b.{0,40}\bowners\b"]
    gate = Gate([requirement(translate(p, re.IGNORECASE)[1]) for p in rules])
    assert gate.candidates("OK") == (0,) and gate.candidates("Okay") == (0,)
    assert gate.candidates("ok, the vote is in") == ()            # longer than "okay": no match possible
    assert gate.candidates("Trademarks belong to their owners") == (1,)
    assert gate.candidates("Trademarks were registered") == ()    # the first group alone is not enough
    assert gate.candidates("The owners met") == ()


def test_the_gate_looks_first_for_the_group_lines_hold_least_often():
    """The automaton looks for one group of a way, the others are checked on the lines that
    hold it: the group whose shortest literal is longest, where a space counts half a character
    (" of" is in most sentences of prose) and a character outside ASCII four ("®" is rarer
    than any three letters). legal.trademark's first pattern:"""
    pattern = r"\b(is|are) (a |the )?(registered )?(trade ?marks?|service marks?|®)( or (registered )?trade ?marks?)? of\b"
    groups = requirement(translate(pattern, re.IGNORECASE)[1])[0].groups
    assert [set(literal_strings(group)) for group in groups] == [{"®", "trademark", "trade mark", "service mark"},
                                                                {" of", " or registered trademark", " or registered trade mar"}]


def test_the_gate_asks_where_a_literal_of_an_anchored_branch_can_start():
    """`^[\\w ]{0,5}\\bterms\\b` can only match a line with "terms" in its first six
    characters; `^(read more|continue reading)` only one that starts with them."""
    rules = [r"^[\w ]{0,5}\bterms\b", r"^(read more|continue reading)"]
    requirements = [requirement(translate(p, re.IGNORECASE)[1]) for p in rules]
    assert [way.starts_by for way in requirements[1]] == [(0,)]
    gate = Gate(requirements)
    assert gate.candidates("Our terms") == (0,) and gate.candidates("Terms") == (0,)
    assert gate.candidates("Read our terms") == ()                # "terms" starts too late
    assert gate.candidates("Read more") == (1,) and gate.candidates("Please read more") == ()
    # where folding lengthens a line ('İ' lowers to two characters), positions are not read
    assert re.search(rules[0], "İİİİ terms", re.IGNORECASE) and gate.candidates("İİİİ terms") == (0,)


def test_a_one_letter_literal_is_checked_where_it_must_start_and_nowhere_else():
    """A one-letter literal is on almost every line, so the gate does not look for it
    anywhere; but `^(a\\s*[-+]|aa)$` (a font-size button) can only match a line that starts
    with "a", and that is one `find` to check. `\\bx\\b` has no such place: always tried."""
    rules = [r"^(a\s*[-+]|aa)$", r"\bx\b"]
    gate = Gate([requirement(translate(p, re.IGNORECASE)[1]) for p in rules])
    assert gate.candidates("A+") == (0, 1) and gate.candidates("aa") == (0, 1)
    assert gate.candidates("Close") == (1,)                      # no "a" at the start
    assert gate.candidates("Read later") == (1,)                 # an "a", but not at the start


@settings(max_examples=300, deadline=None)
@given(line=st.text(alphabet="ab c", max_size=12), strings=st.lists(st.text(alphabet="ab c", min_size=1, max_size=4),
                                                                  min_size=1, max_size=6),
       bound=st.integers(0, 6))
def test_where_a_literal_starts_is_checked_with_the_strings_that_begin_no_other(line, strings, bound):
    """A way anchored at the line's start asks for a literal starting by some character: the
    gate keeps, of its strings, only those that do not begin with another one ("close" for
    "close this window" too), and answers a literal that must start the line at once
    (`str.startswith`). The answers are finding each string's."""
    found = any(line.find(string, 0, bound + len(string)) >= 0 for string in strings)
    assert _holds(line, tuple(_starts_apart(strings)), bound) == found
    assert _holds(line, tuple(_starts_apart(strings)), None) == any(string in line for string in strings)


def test_fold_makes_one_letter_of_a_letters_variants():
    assert [fold(c) for c in "SſsKkKIıiΣσς"] == list("sssk" "kk" "iii" "σσσ")
    assert fold("İ") == "i" and fold("ß") == "ß"                   # "ß".upper() is two letters: kept


def test_a_rule_gated_apart_is_asked_on_its_own_and_left_out_of_the_shared_pass():
    """A rule that can only start near a page's edges (say a closing author bio, which
    requires "is") is gated apart: the shared pass over a line of prose does not stop at every
    "is" for it, and the caller asks `admits` only for the lines of its zone. `candidates`
    still answers for every rule, as the gate did before."""
    requirements = [requirement(translate(p, re.IGNORECASE)[1]) for p in (r"\bsubscribe\b", r"\bis\b")]
    gate = Gate(requirements, max_chars=[None, 50], apart=[False, True])
    line = "This is a story."
    assert gate.anywhere(line) == () and gate.admits(1, line) and gate.candidates(line) == (1,)
    assert gate.anywhere("Subscribe") == (0,) and not gate.admits(1, "Subscribe")
    assert not gate.admits(1, "It is " + "long " * 20)                  # beyond its max_chars
    assert gate.gated_apart == {1}


def test_a_bucket_searching_with_a_larger_buckets_automaton_finds_what_its_own_would(monkeypatch):
    """Lines are bucketed by length (a rule with max_chars 30 cannot match a longer line); a
    bucket whose literals are nearly all of the bucket before it searches with that one's
    automaton and keeps only its own groups. Every line gets the candidates it would get from
    buckets that each built their own automaton."""
    import corpusclean.patterns.gate as gate_module

    menu = ["subscribe", "newsletter", "share", "follow us", "cookies", "log in", "sign up", "register",
            "contact", "about us", "careers", "advertise", "privacy", "terms", "sitemap", "help", "faq",
            "shop", "events", "donate"]
    patterns = [r"\b(" + "|".join(menu) + r")\b", r"\bads?\b", r"\bback to top\b"]
    requirements = [requirement(translate(p, re.IGNORECASE)[1]) for p in patterns]
    limits = [None, 30, 14]
    shared = Gate(requirements, max_chars=limits)
    # the buckets of lines up to 14 and up to 30 characters look for all three rules' literals,
    # the one of longer lines for the menu's only: 20 of 23 strings, so it borrows
    assert [bucket.owns_automaton for bucket in shared._shared._buckets] == [True, False, False]
    monkeypatch.setattr(gate_module, "_SHARE_UP_TO", 0)            # each bucket its own automaton
    alone = Gate(requirements, max_chars=limits)
    assert all(bucket.owns_automaton for bucket in alone._shared._buckets)
    words = ["Subscribe", "ads", "back to top", "ſhare", "the", "FAQ"]
    lines = [" ".join(words[i:j]) + pad for i in range(len(words)) for j in range(i, len(words) + 1)
             for pad in ("", " " + "x" * 15, " " + "x" * 35)]
    assert [shared.candidates(line) for line in lines] == [alone.candidates(line) for line in lines]
    assert shared.candidates("Back to top") == (2,) and shared.candidates("Back to top, FAQ and ads") == (0, 1)
    assert shared.candidates("Ads and back to top and the menu: subscribe") == (0,)   # 43 characters


def test_the_gate_hides_no_example_of_any_shipped_rule():
    assert check_gate(SHIPPED) == []


def test_rules_check_reports_a_gate_that_would_hide_a_match():
    """A gate built from the wrong literals is caught on the rule's own examples."""
    import dataclasses
    [rule] = parse_pack(PACK.replace("'^(a+)+$'", "'^print$'").replace('"aaaa"', '"Print"'), "mine.toml")
    wrong = dataclasses.replace(rule, requirement=(Way(None, ((("z", "z", "z"),),)),))  # "zzz"
    [failure] = check_gate((wrong,))
    assert "the keyword gate hides a line the rule matches" in str(failure)
    assert check_gate((rule,)) == []


@pytest.mark.parametrize("rule", SHIPPED, ids=[r.id for r in SHIPPED])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_the_gate_never_hides_a_match_on_random_text(rule, data):
    pieces = st.one_of(st.sampled_from(words_of(rule)), st.sampled_from(list(TRICKY)))
    text = "".join(data.draw(st.lists(pieces, max_size=20))).strip()
    index = SHIPPED.index(rule)
    if rule.patterns.search(text):
        assert index in GATE.candidates(text), (rule.id, text)


GATE = gate_for(SHIPPED)


def test_the_finder_of_characters_outside_wide_is_compiled_when_a_line_first_needs_it():
    # matcher._outside_wide: a process whose lines all lie in COMMON never compiles it
    import subprocess
    import sys

    from corpusclean.patterns import matcher as matcher_module

    code = ("from corpusclean.patterns import matcher as m; before = m._outside_wide.cache_info().currsize; "
            "found = m.compiled_matcher(('ա',), 0).search('xաx');  "   # a character COMMON has no stand-in for
            "print(before, m._outside_wide.cache_info().currsize, found)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "1", "True"]   # none at import; one once an Armenian line came
    outside = matcher_module._outside_wide()
    assert outside.pattern == matcher_module._outside(WIDE).pattern
    assert [outside.search(c) is not None for c in ("a", "é", "ա", "中", "\U0001F600", "\U00010330")] == \
        [False, False, False, False, False, True]
