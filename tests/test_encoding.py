"""The fix stage: decoding, line endings, and ftfy with its fast path.

What ftfy may change and what it must leave alone is listed as examples; that the fast path
skips only lines ftfy would leave unchanged is shown on generated text.
"""
from __future__ import annotations

import codecs
import itertools
import os
import re
import subprocess
import sys
import unicodedata

import ftfy
import ftfy.chardata
import ftfy.fixes
import pytest
import re2
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.encoding import (
    _CONTROL_CHARS, _LONE_CHARS, _MOJIBAKE_SET, _re2_class, _segments, decode, fix, fix_text, lines_to_check,
    mojibake_set, needs_ftfy, normalise_newlines,
)
from corpusclean.ftfy_calls import (
    FAST_FTFY, FTFY_CONFIG, _AlteredUtf8, looks_bad, looks_bad_again, remove_control_chars, replace_lossy_sequences,
)
from corpusclean.errors import InputError

PLAIN_FTFY = FTFY_CONFIG._replace(explain=False)

# -- decoding --------------------------------------------------------------------------------

# Realistic legacy pages: (text, the encoding it was saved in, what the report must say)
LEGACY = {
    "french cp1252": ("Le café’s “spécial” — crème brûlée pour 5 €.\nNaïve façade, déjà vu.\n", "cp1252", "cp1252"),
    "german latin-1": ("Grüße aus München! Die Straße ist schön, und Öl kostet 3 Euro.\n", "latin-1", "cp1252"),
    "spanish cp1252": ("El niño comió una manzana en el jardín. ¿Qué hora es? Mañana será otro día.\n", "cp1252", "cp1252"),
    "short cp1252": ("café\n", "cp1252", "cp1252"),
    "japanese shift-jis": ("東京は日本の首都です。今日はいい天気ですね。ニュースを読みました。\n", "shift_jis", "cp932"),
    "japanese euc-jp": ("東京は日本の首都です。今日はいい天気ですね。ニュースを読みました。経済の話題が多く、政府は新しい政策を発表しました。\n", "euc_jp", "euc_jis_2004"),
    "russian windows-1251": ("Привет, мир! Сегодня хорошая погода, и мы идём гулять в парк.\n", "cp1251", "cp1251"),
    "russian with latin windows-1251": ("Новости: Apple выпустила iPhone 15. Цена 999 долларов.\n", "cp1251", "cp1251"),
    "czech windows-1250": ("Příliš žluťoučký kůň úpěl ďábelské ódy.\n", "cp1250", "cp1250"),
    "greek windows-1253": ("Καλημέρα σας, τι κάνετε σήμερα; Ο καιρός είναι ωραίος.\n", "cp1253", "cp1253"),
    "chinese gbk": ("今天天气很好，我们去公园散步吧。新闻报道说经济增长了。\n", "gbk", "gb18030"),
    # a few words: the detector guesses Big5 ("砎魤殣") or UTF-16-BE without a BOM ("豬륳欠椠ꏳ撟"),
    # or cp1252 reads them as Latin: a Latin-1 sign between letters ("Za¿ó³æ") and a capital
    # after a small letter ("jaŸñ") are what cp1250 read as cp1252 looks like
    "one word of russian cp1251": ("Привет\n", "cp1251", "cp1251"),
    "short polish cp1250": ("Zażółć gęślą jaźń\n", "cp1250", "cp1250"),
    "polish place names cp1250": ("Śląsk i Łódź", "cp1250", "cp1250"),  # an even number of bytes, no newline
}


@pytest.mark.parametrize("text, saved_as, reported", LEGACY.values(), ids=LEGACY.keys())
def test_legacy_pages_decode_to_the_original_text_and_say_how(text, saved_as, reported):
    decoded, info = decode(text.encode(saved_as))
    assert decoded == text
    assert info["encoding"] == reported
    assert info["note"].startswith("not valid UTF-8 at byte ")


def test_utf8_is_read_as_utf8():
    assert decode("naïve “quotes” 東京\n".encode()) == ("naïve “quotes” 東京\n", {"encoding": "utf-8", "bom": False})


BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
        "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}


@pytest.mark.parametrize("encoding, bom", BOMS.items())
def test_a_byte_order_mark_decides_the_encoding_and_is_dropped(encoding, bom):
    text = "Grüße, 東京\r\nzweite Zeile\n"
    decoded, info = decode(bom + text.encode(encoding))
    assert decoded == text
    assert info == {"encoding": encoding, "bom": True}


def test_a_byte_order_mark_on_bytes_that_do_not_follow_it_is_an_error():
    with pytest.raises(InputError, match="utf-16-le byte-order mark but is not valid utf-16-le"):
        decode(b"\xff\xfe" + "text".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate at the end


def test_nul_bytes_mean_binary_and_say_where():
    with pytest.raises(InputError, match="binary file: NUL byte at offset 4"):
        decode(b"\x89PNG\x00\x00\x00\rIHDR")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200).filter(lambda raw: b"\x00" not in raw))
def test_decoding_never_guesses_bytes_away(raw):
    """Any bytes either fail with a message, or the encoding the report names decodes them
    strictly to exactly the text returned: nothing dropped, nothing replaced."""
    try:
        text, info = decode(raw)
    except InputError as err:
        assert "no legacy encoding decodes it" in str(err)
        return
    bom = BOMS[info["encoding"]] if info["bom"] else b""
    assert raw.startswith(bom)
    assert raw[len(bom):].decode(info["encoding"], errors="strict") == text


# -- line endings ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, text, info", [
    ("a\r\nb\r\n", "a\nb\n", {"newlines": {"crlf": 2, "cr": 0}}),
    ("a\rb\r", "a\nb\n", {"newlines": {"crlf": 0, "cr": 2}}),
    ("a\r\nb\rc\n", "a\nb\nc\n", {"newlines": {"crlf": 1, "cr": 1}}),
    ("a\r\r\nb", "a\n\nb\n", {"newlines": {"crlf": 1, "cr": 1}, "added_final_newline": True}),
    ("no newline", "no newline\n", {"added_final_newline": True}),
    ("", "", {}),
    ("a\u2028b\n", "a\u2028b\n", {}),  # a Unicode line separator is content, not a line break
])
def test_line_endings_become_lf_and_the_text_ends_with_one(raw, text, info):
    assert normalise_newlines(raw) == (text, info)


# -- ftfy: what it fixes and what it leaves alone --------------------------------------------

FIXED = {
    "utf-8 read as cp1252": ("cafÃ©", "café"),
    "apostrophe mojibake": ("donâ€™t", "don’t"),
    "umlaut mojibake": ("Ã¼ber", "über"),
    "non-breaking space lost": ("voilÃ  le travail", "voilà le travail"),
    "cyrillic read as cp1251": ("РџСЂРёРІРµС‚", "Привет"),
    "macroman mojibake": ("caf√©", "café"),
    "html entities": ("Fish &amp; chips &eacute;t&eacute; &#8364;5", "Fish & chips été €5"),
    "terminal escapes": ("\x1b[31mred\x1b[0m alert", "red alert"),
    "c1 control as cp1252": ("wait\x85 what", "wait… what"),
    "control characters": ("bell\x07 and\x0b tab", "bell and tab"),
    "stray byte-order mark": ("two\ufefffiles", "twofiles"),
    "lone surrogate": ("broken \ud83d emoji", "broken \ufffd emoji"),
    "decomposed accent (NFC)": ("Cafe\u0301", "Café"),
    "angstrom sign (NFC)": ("5 \u212b", "5 \u00c5"),
}

LEFT_ALONE = {
    "curly quotes": "“It’s fine,” she said — ‘really’.",
    "full-width forms": "ＡＢＣ１２３，ｆｕｌｌ　ｗｉｄｔｈ",
    "ligatures": "ﬁne ﬂour, ﬀ",
    "japanese": "東京は日本の首都です。",
    "korean": "한국어 텍스트입니다.",
    "russian with guillemets": "«Привет» — сказал он. №5",
    "greek": "Καλημέρα σας",
    "arabic": "مرحبا بالعالم",
    "french": "L’année dernière, à Noël, Grüße",
    "emoji and joiners": "👩‍💻 and 🏴󠁧󠁢󠁷󠁬󠁳󠁿",
    "bidi marks": "abc\u200fdef\u202a",
    "html source keeps its entities": "<p>Fish &amp; chips</p>",
    "ampersand that is not an entity": "Fish & chips, R&D; AT&T",
    "symbols": "© 2024 — 5 °C ± 0.1, 3 × 4 ≠ 11",
}


@pytest.mark.parametrize("broken, expected", FIXED.values(), ids=FIXED.keys())
def test_ftfy_fixes(broken, expected):
    text, info = fix(broken + "\n")
    assert text == expected + "\n"
    assert info["ftfy"][0]["line"] == 1 and info["ftfy"][0]["steps"], "each fix is explained in the report"


@pytest.mark.parametrize("text", LEFT_ALONE.values(), ids=LEFT_ALONE.keys())
def test_ftfy_leaves_typography_and_scripts_alone(text):
    assert fix(text + "\n") == (text + "\n", {"encoding": "unicode", "bom": False, "ftfy": []})


@pytest.mark.parametrize("text", [broken for broken, _ in FIXED.values()], ids=FIXED.keys())
def test_every_fixable_line_takes_the_slow_path(text):
    assert needs_ftfy(text)


def test_the_report_names_each_fixed_line_and_ftfy_explanation():
    text, info = fix(b"clean line\r\ncaf\xc3\x83\xc2\xa9 line\r\nanother clean one\r\n&lt;b&gt;\r\n")
    assert text == "clean line\ncafé line\nanother clean one\n<b>\n"
    assert info["encoding"] == "utf-8"
    assert info["newlines"] == {"crlf": 4, "cr": 0}
    assert info["ftfy"] == [
        {"line": 2, "steps": [["encode", "latin-1"], ["decode", "utf-8"]]},
        {"line": 4, "steps": [["apply", "unescape_html"]]},
    ]


def test_entities_are_unescaped_line_by_line_and_left_alone_in_markup():
    """ftfy takes a line holding "<" for markup and keeps its entities; a line beside it is
    its own."""
    text, info = fix("Fish &amp; chips\n<img alt=\"\" src=\"/p?a=1&amp;b=2\">\n")
    assert text == "Fish & chips\n<img alt=\"\" src=\"/p?a=1&amp;b=2\">\n"
    assert info["ftfy"] == [{"line": 1, "steps": [["apply", "unescape_html"]]}]
    assert not needs_ftfy("<img src=\"/p?a=1&amp;b=2\">")


def test_ftfy_never_adds_a_line():
    text, info = fix("one&#10;two&#13;three\n")
    assert text == "one two three\n"
    assert info["ftfy"][0]["line"] == 1


# -- the fast path is exact ------------------------------------------------------------------

def _expand(ranges: str) -> list[str]:
    """The characters of a regex character-class body such as "a-dxz"."""
    chars, i = [], 0
    while i < len(ranges):
        if i + 2 < len(ranges) and ranges[i + 1] == "-":
            chars += [chr(c) for c in range(ord(ranges[i]), ord(ranges[i + 2]) + 1)]
            i += 3
        else:
            chars.append(ranges[i])
            i += 1
    return chars


# Text built from every character ftfy's detector looks at, plus ordinary letters of several
# scripts, spaces, entity parts and controls: the ground where a wrong fast path would show.
_MOJIBAKE_ALPHABET = sorted({ch for body in MOJIBAKE_CATEGORIES.values() for ch in _expand(body)})
_ORDINARY = list("abcdeAZ ;&#<\t") + list("éüßñÀ") + list("приветВГРС") + list("αβΒΓ") + list("東京。한")
_TRICKY = ["\x1b", "\x07", "\x85", "\ufeff", "\u0301", "\u212b", "\ud83d", "&amp;", "&#233;", "Ã©", "â€™", "вЂ"]
mojibake_prone_text = st.lists(
    st.one_of(st.sampled_from(_MOJIBAKE_ALPHABET), st.sampled_from(_ORDINARY), st.sampled_from(_TRICKY)),
    max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(mojibake_prone_text, st.lists(mojibake_prone_text, max_size=6).map(" ".join)))
def test_the_windowed_mojibake_check_is_exactly_ftfys(text):
    assert looks_bad(text) == is_bad(text)


@pytest.mark.parametrize("text, bad", [
    ("Příliš žluťoučký kůň úpěl ďábelské ódy.", False),  # Czech: runs like "ří" everywhere
    ("Não há condições para a votação.", False),
    ("He said “no”—and left.", False),
    ("The café’s menu", False),
    ("The cafÃ© is open", True),                         # UTF-8 read as cp1252
    ("itâ€™s here", True),
    ("Ã ", True),                                       # "^[ÃÂ][ ]": only at the true start
    ("xÃ ", True),                                      # "[a-z]\s?[ÃÂ][ ]"
])
def test_the_windowed_mojibake_check_on_examples(text, bad):
    assert looks_bad(text) is bad is is_bad(text)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(mojibake_prone_text, st.text(max_size=30)))
def test_a_line_that_skips_ftfy_is_one_ftfy_would_not_change(text):
    text = text.replace("\n", " ").replace("\r", " ")
    if not needs_ftfy(text):
        assert ftfy.fix_text(text, PLAIN_FTFY) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(mojibake_prone_text, st.text(max_size=20)), max_size=8))
def test_fix_text_is_ftfy_line_by_line(lines):
    lines = [line.replace("\n", " ").replace("\r", " ").replace("&#1", "") for line in lines]
    text = "\n".join(lines)
    assert fix_text(text)[0] == "\n".join(ftfy.fix_text(line, PLAIN_FTFY) for line in lines)


# Real mojibake: text in a few scripts, its UTF-8 bytes read as a Windows or Mac code page.
_SCRIPTS = "abcdefghij ,.éüßñçãøřšžłő“”’–€" + "приветмир" + "αβγδ" + "東京한국語" + "💡"
mojibake = st.tuples(st.text(_SCRIPTS, max_size=30), st.sampled_from(["cp1252", "latin-1", "cp1251", "mac_roman"])).map(
    lambda pair: pair[0].encode("utf-8").decode(pair[1], errors="replace"))


@settings(max_examples=1000, deadline=None)
@given(st.one_of(mojibake, mojibake_prone_text, st.lists(st.one_of(mojibake, mojibake_prone_text), max_size=4).map(" ".join)))
def test_ftfy_fixes_the_same_with_the_windowed_detector(text):
    """encoding.py hands ftfy `looks_bad` for its detector (through `looks_bad_again`), and its
    own remove_control_chars, in its own calls: the fixes and their explanations are those of
    ftfy's own."""
    with FAST_FTFY:
        assert ftfy.is_bad is looks_bad_again and ftfy.fixes.is_bad is looks_bad_again
        assert ftfy.FIXERS["remove_control_chars"] is remove_control_chars
        assert ftfy.fixes.replace_lossy_sequences is replace_lossy_sequences
        fixed = ftfy.fix_and_explain(text, FTFY_CONFIG)
    assert ftfy.fix_and_explain(text, FTFY_CONFIG) == fixed


# bytes that start, continue or stand in for UTF-8 sequences in the two byte regexes
_SEQUENCE_BYTES = list(b"\x1a? \x80\x85\xa0\xa1\xaf\xb0\xbf\xc2\xc3\xc5\xce\xd0\xd9\xdf\xe0\xe2\xe3\xed\xef\xf0\xf4")
byte_sequences = st.one_of(st.binary(max_size=40), st.lists(st.sampled_from(_SEQUENCE_BYTES), max_size=40).map(bytes))


@settings(max_examples=3000, deadline=None)
@given(byte_sequences)
def test_ftfys_byte_regexes_find_the_same_in_re2(data):
    """What FAST_FTFY hands ftfy's encoding step for chardata.ALTERED_UTF8_RE and
    fixes.replace_lossy_sequences answers as they do."""
    assert replace_lossy_sequences(data) == ftfy.fixes.replace_lossy_sequences(data)
    found, answered = ftfy.chardata.ALTERED_UTF8_RE.search(data), _AlteredUtf8().search(data)
    assert (answered and answered.span()) == (found and found.span())   # re's own match, or None


def test_ftfy_keeps_its_own_detector_outside_our_calls():
    """corpusclean is a library: importing it, or cleaning with it, leaves ftfy as it was."""
    import corpusclean  # noqa: F401
    assert ftfy.is_bad is is_bad and ftfy.fixes.is_bad is is_bad
    assert fix("The cafÃ© is open\n")[0] == "The café is open\n"
    assert ftfy.is_bad is is_bad and ftfy.fixes.is_bad is is_bad
    with FAST_FTFY, FAST_FTFY:   # nested (as threads cleaning at once are)
        assert ftfy.is_bad is looks_bad_again
    assert ftfy.is_bad is is_bad
    assert ftfy.FIXERS["remove_control_chars"] is ftfy.fixes.remove_control_chars
    assert ftfy.chardata.ALTERED_UTF8_RE is ftfy.fixes.ALTERED_UTF8_RE   # the pattern itself
    assert ftfy.fixes.replace_lossy_sequences is ftfy.FIXERS["replace_lossy_sequences"]


@settings(max_examples=1000, deadline=None)
@given(mojibake)
def test_the_windowed_mojibake_check_is_exactly_ftfys_on_real_mojibake(text):
    assert looks_bad(text) == is_bad(text)


@given(st.lists(st.one_of(mojibake, mojibake_prone_text), min_size=1, max_size=4))
def test_asking_again_answers_as_the_detector_does(texts):
    """looks_bad_again remembers the string it was last asked about: asked about it again, or
    about another, it answers as looks_bad."""
    for text in texts + texts[::-1] + [texts[0], texts[0]]:
        assert looks_bad_again(text) == looks_bad(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(mojibake_prone_text, st.text(max_size=20)), max_size=8))
def test_the_lines_fix_text_checks_include_every_line_needs_ftfy_flags(lines):
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    flagged = {i for i, line in enumerate(lines) if needs_ftfy(line)}
    found = lines_to_check("\n".join(lines))
    if found is not None:   # None: every line is checked (text not NFC, or with a lone surrogate)
        assert all(line == lines[i] for i, line in found)
        assert flagged <= {i for i, _ in found}


# combining marks and letters they compose with, Hangul jamo, and characters NFC replaces
_COMPOSING = st.text("ae\u0301\u0308\u0327\u0323\u1100\u1161\u11a8\u212b\u2126\u0344 \n", max_size=30)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_COMPOSING, st.text(max_size=20)), max_size=6))
def test_a_line_of_a_text_in_nfc_is_in_nfc_so_fix_text_need_not_ask_again(lines):
    """fix_text asks needs_ftfy about the lines lines_to_check finds with `nfc=True`, found
    only in a text that is NFC throughout: each of its lines then is too."""
    text = "\n".join(line.replace("\n", " ") for line in lines)
    if unicodedata.is_normalized("NFC", text):
        assert all(unicodedata.is_normalized("NFC", line) for line in text.split("\n"))
        assert all(needs_ftfy(line, nfc=True) == needs_ftfy(line) for line in text.split("\n"))


def test_the_screens_character_classes_are_res_in_re2s_syntax():
    """lines_to_check searches with RE2, whose classes are written from the same bodies as the
    `re` classes needs_ftfy uses (`_re2_class`): on every character UTF-8 can hold, the two say
    the same."""
    every_char = "".join(map(chr, itertools.chain(range(0xD800), range(0xE000, 0x110000))))
    for body in (_CONTROL_CHARS + _LONE_CHARS, _MOJIBAKE_SET[1:-1]):
        found = [match.start() for match in re.finditer(f"[{body}]", every_char)]
        assert found and found == [match.start() for match in re2.finditer(_re2_class(body), every_char)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(mojibake_prone_text, st.text(max_size=20)), max_size=8), st.booleans())
def test_a_page_is_fixed_the_same_from_its_bytes_and_from_its_text(lines, final_newline):
    """fix() searches a page read from UTF-8 in the bytes it was read from, and a JSONL record's
    text in the UTF-8 its size was measured in: what it finds is what it finds in the text."""
    text = "\n".join(line.replace("\r", " ") for line in lines) + ("\n" if final_newline else "")
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate: no UTF-8 page, no JSONL record holds one
        return
    if raw.startswith(codecs.BOM_UTF8) or b"\x00" in raw:   # decoded otherwise, or refused
        return
    from_text, info = fix(text)
    assert fix(raw) == (from_text, {**info, "encoding": "utf-8"})
    assert fix(text, raw) == (from_text, info)


def test_the_mojibake_set_read_from_the_cache_is_ftfys():
    assert _MOJIBAKE_SET == mojibake_set()


_FIX_AND_SAY_IF_FTFY_WAS_IMPORTED = """
import sys
from corpusclean.encoding import fix
print(fix(sys.argv[1].encode())[0] == sys.argv[1], "ftfy" in sys.modules)
"""


@pytest.mark.parametrize("text, imported", [
    ("Plain text, “curly quotes” and a café.\n", False),   # no line can need ftfy
    ("The cafÃ© is open\n", True),                         # mojibake: ftfy fixes it
])
def test_ftfy_is_imported_only_for_a_page_that_can_need_it(tmp_path, text, imported):
    """Importing ftfy costs about 0.06 CPU-s; a run whose pages never need it does not pay it
    (once the start-up cache holds the set the screen looks for)."""
    env = {**os.environ, "CORPUSCLEAN_CACHE_DIR": str(tmp_path)}
    for _ in range(2):   # the first fills the cache (and makes the set from ftfy's tables)
        done = subprocess.run([sys.executable, "-c", _FIX_AND_SAY_IF_FTFY_WAS_IMPORTED, text], env=env,
                              capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(not imported), str(imported)]


def test_lines_without_a_trigger_are_not_checked():
    lines = ["Le café est très bon", "plain", "The cafÃ© is open", "a &amp; b", "“quoted”", "tab\x07bell"]
    # "é", "è" and "“" are in ftfy's set, each beside ASCII characters only
    assert lines_to_check("\n".join(lines)) == [(i, lines[i]) for i in (2, 3, 5)]


# -- long lines ------------------------------------------------------------------------------

def test_segments_cut_after_whitespace_and_lose_nothing():
    line = "word " * 10 + "x" * 30 + " tail"
    pieces = _segments(line, 16)
    assert "".join(pieces) == line
    assert all(len(piece) <= 16 for piece in pieces)
    assert pieces[0] == "word word word "  # ends after a space, not inside a word


def test_a_very_long_line_is_fixed_piece_by_piece():
    line = ("plain words " * 20_000) + "cafÃ© " + ("more words " * 20_000) + "donâ€™t"
    text, info = fix(line)
    assert text == line.replace("cafÃ©", "café").replace("donâ€™t", "don’t") + "\n"
    # each piece is explained; different explanations are listed once each, in line order
    assert info["ftfy"] == [{"line": 1, "steps": [["encode", "latin-1"], ["decode", "utf-8"],
                                                  ["encode", "sloppy-windows-1252"], ["decode", "utf-8"]]}]
