"""The fix stage: bytes in, encoding-fixed text out, with a record of everything it did.

1. Decode: a BOM decides; else strict UTF-8; else the legacy encoding that reads the bytes most
   plausibly (recorded). Bytes are never dropped: input no encoding decodes is an error.
2. Line endings become "\\n" and the text ends with exactly one newline.
3. ftfy, with ftfy_calls.py's settings, on the lines that can need it (see `needs_ftfy`): a
   clean line takes the fast path and never pays for ftfy, and a page none of whose lines can
   need it does not even import it (ftfy_calls.py, imported on the first line that does).
"""
from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from .cache import cached
from .errors import InputError

#: ftfy runs on pieces of a line at most this long: its cost grows faster than the text, and
#: a 50 MB page with no newline must not take minutes (ftfy.fix_text cuts at 1M for the same
#: reason). Cuts fall on whitespace, so no mojibake sequence or entity is split.
FTFY_SEGMENT = 65_536

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def _screen_options() -> re2.Options:
    """For RE2 searches that only say where a match is."""
    options = re2.Options()
    options.never_capture = True   # where a match is, no groups
    return options


_UNANCHORED = re2._Anchor.UNANCHORED


# -- the fast path ---------------------------------------------------------------------------
# ftfy changes a line only through one of its steps, and each step has a trigger it cannot
# act without. `needs_ftfy` checks every trigger, cheapest first, so a line that fails all of
# them is exactly what ftfy would return (tests/test_encoding.py checks this on generated text).

# C0 controls ftfy removes (ESC of a terminal escape is among them) and DEL.
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# ... plus C1 controls, surrogates, and the format characters remove_control_chars drops
# (deprecated Arabic shaping, BOM, interlinear annotation, object replacement).
_CONTROL_CHARS = "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\u206a-\u206f\ufeff\ufff9-\ufffc"
_CONTROLS = re.compile(f"[{_CONTROL_CHARS}]")
_ENTITY = re.compile(r"&#?[0-9A-Za-z]{1,24};")  # ftfy's own HTML entity pattern

# ftfy's mojibake detector (ftfy.badness.BADNESS_RE) is a large regex and the costly part of
# the check. Each of its alternatives contains one of the characters below right next to
# another non-ASCII character, or one of "ŒœÃÂ" or a C1 control (its one-character ones). So a
# line without such a pair cannot be "bad": French "année" or English “quotes” skip the
# detector, "Ã©" does not. The set is built from ftfy's own tables; the literals are the
# characters its hand-written alternatives name outside them ("вЂ", "ГўВЂВ", "[ØÙ]", "°").
def mojibake_set() -> str:
    """The set (a character class) of the characters ftfy's detector pairs, from its tables."""
    from ftfy.badness import MOJIBAKE_CATEGORIES

    return "[{}]".format("".join(
        MOJIBAKE_CATEGORIES[name] for name in (
            "c1", "bad", "law", "currency", "start_punctuation", "end_punctuation", "numeric",
            "kaomoji", "upper_accented", "lower_accented", "box")) + "ЂўØÙŒœ°")


def _cached_mojibake_set() -> str:
    """`mojibake_set()` from the start-up cache (cache.py), keyed by ftfy's badness.py, which
    holds the tables: read, not imported (importing ftfy is about 0.06 CPU-s, and most pages
    never need it). Made afresh, importing ftfy, when that file cannot be read."""
    spec = find_spec("ftfy")
    folders = spec.submodule_search_locations if spec is not None else None
    try:
        source = Path(folders[0], "badness.py").read_bytes() if folders else None
    except OSError:
        source = None
    if source is None:   # not a package in a folder (a zip, say): no key to trust
        return mojibake_set()
    return cached("ftfy-mojibake-set", hashlib.sha256(source).hexdigest(), mojibake_set)


_MOJIBAKE_SET = _cached_mojibake_set()
_MOJIBAKE_CHAR = re.compile(_MOJIBAKE_SET)
_LONE_CHARS = "ŒœÃÂ\x80-\x9f"  # and the C1 controls, ftfy's `[{c1}]`
_LONE_MOJIBAKE = re.compile(f"[{_LONE_CHARS}]")
# two or more non-ASCII characters; written as one class then the rest, not "{2,}": `re` scans
# for a pattern's first character class at C speed only when the pattern starts with one (a
# repeat is tried at every position: twice the time over a page's lines)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f][^\x00-\x7f]+")


def _re2_class(body: str) -> str:
    """A character-class body as `re` reads it (characters as themselves, "a-z" a range,
    none of "\\", "]" or "^"), written for RE2: every character as \\x{...}, and the surrogates
    left out (UTF-8 cannot hold them, so no text RE2 searches holds one)."""
    parts, i = [], 0
    while i < len(body):
        low = high = ord(body[i])
        if i + 2 < len(body) and body[i + 1] == "-":
            high = ord(body[i + 2])
            i += 3
        else:
            i += 1
        for first, last in ((low, min(high, 0xD7FF)), (max(low, 0xE000), high)):
            if first <= last:
                parts.append(f"\\x{{{first:x}}}-\\x{{{last:x}}}")
    return "[" + "".join(parts) + "]"


# Every line `needs_ftfy` flags in NFC text holds one of these: a control or lone mojibake
# character, an entity, or what `looks_bad` looks at (a character of the set next to another
# non-ASCII character). None spans a newline. In French or Czech text most lines hold a
# character of the set ("é", "ř"), few beside another non-ASCII one. RE2 searches a page's UTF-8
# bytes for them (`lines_to_check`) at about a byte a nanosecond: `re` took about 10 ns a
# character over a page that is not ASCII, trying its long character class at each one.
_MAY_NEED_FTFY = re2.compile(
    f"{_re2_class(_CONTROL_CHARS + _LONE_CHARS)}"
    f"|&#?[0-9A-Za-z]{{1,24}};"                                       # an entity (_ENTITY)
    f"|{_re2_class(_MOJIBAKE_SET[1:-1])}[^\\x00-\\x7f]"                # one of the set, non-ASCII after it
    f"|[^\\x00-\\x7f]{_re2_class(_MOJIBAKE_SET[1:-1])}".encode(),      # or before it
    _screen_options())._regexp


def needs_ftfy(segment: str, nfc: bool = False) -> bool:
    """False only when ftfy (with ftfy_calls.FTFY_CONFIG) would return the segment unchanged.
    `nfc`: the caller knows the segment is NFC (a line of a text that is: see fix_text)."""
    if segment.isascii():
        return bool(_ASCII_CONTROLS.search(segment) or _has_entity(segment))
    if _CONTROLS.search(segment) or _has_entity(segment):
        return True
    if not nfc and not unicodedata.is_normalized("NFC", segment):
        return True
    if not _MOJIBAKE_CHAR.search(segment):
        return False
    from .ftfy_calls import looks_bad_again   # ftfy's detector: here, where a line first needs it

    return looks_bad_again(segment)


def _has_entity(segment: str) -> bool:
    """An HTML entity ftfy would unescape: unescape_html="auto" leaves a segment holding "<"
    alone (it is markup then), like the image tags of scraped pages ("...?a=1&amp;b=2">)."""
    return "&" in segment and "<" not in segment and bool(_ENTITY.search(segment))


# -- decoding --------------------------------------------------------------------------------

def decode(raw: bytes) -> tuple[str, dict[str, Any]]:
    """Bytes to str, saying how. Raises InputError for binary or undecodable input."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(name), {"encoding": name, "bom": True}
            except UnicodeDecodeError as err:
                raise InputError(f"starts with a {name} byte-order mark but is not valid {name}: "
                                 f"{err.reason} at byte {err.start + len(bom)}") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(f"binary file: NUL byte at offset {nul}; not text "
                         "(UTF-16 and UTF-32 text needs a byte-order mark)")
    try:
        return raw.decode("utf-8"), {"encoding": "utf-8", "bom": False}
    except UnicodeDecodeError as err:
        first_bad = err.start
    return decode_legacy(raw, first_bad)


#: Tried before the detector's guesses, and wins ties: the most common legacy encoding on the
#: web, and the one detectors most often mistake for another Latin code page on short text.
_WEB_DEFAULT = "cp1252"
#: Tried after the detector's guesses when it did not guess them: the next most common legacy
#: code pages on the web, which the detector leaves out on a few words ("Привет" alone).
_ALSO_TRIED = ("cp1251", "cp1250")
#: Never candidates without a byte-order mark: on text with no NUL byte they can only decode
#: to CJK-looking nonsense ("Łódź" in cp1250 reads as "ꏳ撟" in UTF-16-BE).
_NEEDS_BOM = frozenset({"utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le"})
#: Plausibility is judged on this many characters of each decoding (the whole input must
#: still decode strictly): enough text to tell code pages apart, bounded for huge inputs.
_SCORE_SAMPLE = 200_000
#: The report lists this many candidates, in the order tried.
_CANDIDATES_REPORTED = 5


def decode_legacy(raw: bytes, first_bad: int = 0) -> tuple[str, dict[str, Any]]:
    """Bytes that are not UTF-8: every candidate that decodes them strictly is scored by how
    implausible its text looks (`oddities`); the least odd wins, earlier candidates on ties.

    Candidates are cp1252 first, then charset-normalizer's guesses in its order, then cp1251
    and cp1250 if it did not guess them. The score settles what the detector often gets wrong
    on short pages: French cp1252 guessed as cp1257, or "café" as Urdu cp1006. On a tie a
    single-byte code page wins over a multi-byte one: a few high bytes decode as some CJK
    characters in Big5 or GB18030 whatever they were, so that proves little ("Привет" in
    cp1251 reads as "砎魤殣" in Big5, no odder by `oddities`).
    """
    from charset_normalizer import from_bytes

    candidates = [_WEB_DEFAULT]
    for encoding in [match.encoding for match in from_bytes(raw)] + list(_ALSO_TRIED):
        name = codecs.lookup(encoding).name
        if name not in _NEEDS_BOM and _ascii_compatible(name) and name not in {codecs.lookup(c).name for c in candidates}:
            candidates.append(encoding)
    best: tuple[int, bool, int, str, str] | None = None
    for rank, encoding in enumerate(candidates):
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        key = (oddities(text[:_SCORE_SAMPLE]), _multibyte(encoding), rank)
        if best is None or key < best[:3]:
            best = (*key, encoding, text)
    if best is None:
        raise InputError(f"not valid UTF-8 (first bad byte at offset {first_bad}) and no legacy "
                         f"encoding decodes it (tried {', '.join(candidates)})")
    *_, encoding, text = best
    return text, {"encoding": encoding, "bom": False,
                  "note": f"not valid UTF-8 at byte {first_bad}; decoded as {encoding}, the most "
                          f"plausible of {len(candidates)} candidate encodings",
                  "candidates": candidates[:_CANDIDATES_REPORTED]}


@lru_cache(maxsize=64)
def _ascii_compatible(encoding: str) -> bool:
    """Whether ASCII letters, digits and punctuation are themselves in the encoding: not so in
    EBCDIC (cp037, cp875...), which the detector proposes for a few high bytes ("Łódź" in
    cp1250 reads as "t3Φμ" in cp875), and no web page is written in."""
    printable = bytes(range(32, 127))
    try:
        return printable.decode(encoding) == printable.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


@lru_cache(maxsize=64)
def _multibyte(encoding: str) -> bool:
    """Whether the encoding has characters of more than one byte (the CJK ones, UTF-*): the
    256 byte values do not decode to 256 characters."""
    return len(bytes(range(256)).decode(encoding, "replace")) != 256


_LETTERS = re.compile(r"[^\W\d_]+")
#: a Latin-1 sign between two letters: "Za¿ó³æ" is Polish cp1250 read as cp1252 (not "·",
#: Catalan's "col·lecció", nor "´", an apostrophe to some)
_SIGN_IN_A_WORD = re.compile(r"(?<=[^\W\d_])[\u00a1-\u00a9\u00ab-\u00b3\u00b6\u00b8\u00b9\u00bb-\u00bf](?=[^\W\d_])")


def oddities(text: str) -> int:
    """How many words look like a wrong decoding: Latin letters glued to another script
    ("cafй" is cp1252 read as cp1251), or Latin words made mostly of accented letters
    ("Ïðèâåò" is cp1251 read as cp1252), or with a capital after a small letter; plus every
    Latin-1 sign between two letters, every private-use, unassigned or C1 character,
    and every box-drawing or block character: DOS code pages put them where Windows code pages
    put letters ("Привет" in cp1251 reads as "╧ЁштхҐ" in cp1125), and web text hardly uses them."""
    odd = 0
    for word in _LETTERS.findall(text):
        if word.isascii():
            continue
        ascii_letters = sum(1 for ch in word if ch.isascii())
        scripts = {_script(ch) for ch in word if not ch.isascii()}
        if ascii_letters and scripts != {"LATIN"}:
            odd += 1
        elif scripts == {"LATIN"} and ((len(word) >= 3 and ascii_letters * 2 < len(word))
                                       or (len(word) == 2 and not ascii_letters)):
            odd += 1  # "Ïðèâåò", "Äà": Cyrillic read as cp1252
        elif any(a.islower() and b.isupper() for a, b in zip(word, word[1:])):
            odd += 1  # a capital after a small letter: "jaŸñ" (cp1250 read as cp1252), "ДгєГ" (GBK as cp1251)
    odd += len(_SIGN_IN_A_WORD.findall(text))
    odd += sum(1 for ch in text if not ch.isascii() and (unicodedata.category(ch) in ("Cc", "Co", "Cn")
                                                          or "\u2500" <= ch <= "\u259f"))
    return odd


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    """The first word of a character's Unicode name: LATIN, CYRILLIC, GREEK, CJK, HIRAGANA..."""
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


# -- line endings and ftfy -------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?")


def normalise_newlines(text: str) -> tuple[str, dict[str, Any]]:
    """CRLF and lone CR become LF; the text ends with one newline (unless it is empty)."""
    info: dict[str, Any] = {}
    # most pages hold no CR at all: one `in` says so, where counting "\r\n" and "\r" walked
    # every page twice (0.03 CPU-s of the 20 MB bench corpus, whose pages are not ASCII)
    if "\r" in text:
        crlf = text.count("\r\n")
        lone_cr = text.count("\r") - crlf
        text = _NEWLINES.sub("\n", text)
        info["newlines"] = {"crlf": crlf, "cr": lone_cr}
    if text and not text.endswith("\n"):
        text += "\n"
        info["added_final_newline"] = True
    return text, info


def fix_text(text: str, utf8: bytes | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Run ftfy on the lines that can need it; return the text and one entry per changed line.
    `utf8`, when the caller has it, is `text` in UTF-8 (see `lines_to_check`)."""
    # the common case: two C-speed scans, no per-line work (needs_ftfy asks about one line: a
    # "<" on another line does not keep this one's entity from being unescaped)
    if text.isascii() and not (_ASCII_CONTROLS.search(text) or "&" in text and _ENTITY.search(text)):
        return text, []
    found = lines_to_check(text, utf8)
    # lines_to_check finds lines only in a text that is NFC throughout, and a line of such a
    # text is NFC itself: normalising never reaches across a newline (a character that
    # composes with none and that nothing is reordered past), so the text is its lines each
    # normalised, and equal to it only where each line is. needs_ftfy need not ask again
    nfc = found is not None
    changed: dict[int, str] = {}
    fixes: list[dict[str, Any]] = []
    for i, line in enumerate(text.split("\n")) if found is None else found:
        if len(line) > FTFY_SEGMENT:
            fixed, steps = _fix_line(line)
        elif needs_ftfy(line, nfc):
            fixed, steps = _fix_segment(line)
        else:
            continue
        if fixed != line:
            changed[i] = fixed
            fixes.append({"line": i + 1, "steps": steps})
    if not changed:
        return text, fixes   # most pages: the text is not even split into lines
    lines = text.split("\n")
    for i, fixed in changed.items():
        lines[i] = fixed
    return "\n".join(lines), fixes


def lines_to_check(text: str, utf8: bytes | None = None) -> list[tuple[int, str]] | None:
    """(index, line) of each line of `text` that can need ftfy: every line `needs_ftfy` would
    flag is among them. One search over the whole text finds them (RE2 over its UTF-8 bytes:
    `utf8` when the caller has them, as a page read from UTF-8 comes, else encoded here),
    instead of a Python call per line (a page's lines mostly need nothing). None (check every
    line) for text that is not NFC throughout, that holds a lone surrogate (no UTF-8 holds
    one), or long enough to hold a line ftfy takes in segments.
    tests/test_encoding.py checks the search against needs_ftfy on generated text."""
    if len(text) > FTFY_SEGMENT or not unicodedata.is_normalized("NFC", text):
        return None
    if utf8 is None:
        try:
            utf8 = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
    found = []
    index, pos, size, search = 0, 0, len(utf8), _MAY_NEED_FTFY.Match
    while (at := search(_UNANCHORED, utf8, pos, size)[0][0]) >= 0:
        # a line's bytes are its characters' ("\n" is no part of another character in UTF-8)
        index += utf8.count(b"\n", pos, at)   # pos is the start of line `index`
        start = utf8.rfind(b"\n", pos, at) + 1 or pos
        end = utf8.find(b"\n", at)
        found.append((index, utf8[start:end if end >= 0 else size].decode("utf-8")))
        if end < 0:
            break
        index, pos = index + 1, end + 1
    return found


def _fix_line(line: str) -> tuple[str, list[list[str]]]:
    """ftfy on each segment that needs it. The steps are ftfy's explanation; when a long line
    is fixed in several segments, each different explanation is listed once, in order."""
    pieces: list[str] = []
    explanations: list[list[list[str]]] = []
    for segment in _segments(line, FTFY_SEGMENT):
        if needs_ftfy(segment):
            fixed, explanation = _fix_segment(segment)
            if fixed != segment and explanation not in explanations:
                explanations.append(explanation)
            segment = fixed
        pieces.append(segment)
    return "".join(pieces), [step for explanation in explanations for step in explanation]


def _fix_segment(segment: str) -> tuple[str, list[list[str]]]:
    """ftfy_calls.fix_segment, imported here, where a line first needs ftfy itself."""
    from .ftfy_calls import fix_segment

    return fix_segment(segment)


def _segments(line: str, size: int) -> list[str]:
    """The line cut into pieces of at most `size` characters, each ending after whitespace
    where there is some (a piece with no whitespace at all is cut at `size`)."""
    if len(line) <= size:
        return [line]
    pieces = []
    start = 0
    while len(line) - start > size:
        cut = max(line.rfind(" ", start, start + size), line.rfind("\t", start, start + size))
        end = cut + 1 if cut > start else start + size
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return pieces


#: what `decode` says of bytes that are the text's UTF-8 as they are
_PLAIN_UTF8 = {"encoding": "utf-8", "bom": False}
#: what `normalise_newlines` says when it only added the last newline
_FINAL_NEWLINE_ADDED = {"added_final_newline": True}


def fix(raw: bytes | str, utf8: bytes | None = None) -> tuple[str, dict[str, Any]]:
    """The whole fix stage. Returns the encoding-fixed text and the report's `encoding` section.
    `utf8`, when the caller has it, is text `raw` in UTF-8 (a JSONL record's text, measured)."""
    if isinstance(raw, bytes):
        text, info = decode(raw)
        utf8 = raw if info == _PLAIN_UTF8 else None
    else:
        text, info = raw, {"encoding": "unicode", "bom": False}
    text, newline_info = normalise_newlines(text)
    info.update(newline_info)
    if utf8 is not None and newline_info:   # the bytes the lines are searched in must be the text's
        utf8 = utf8 + b"\n" if newline_info == _FINAL_NEWLINE_ADDED else None
    text, fixes = fix_text(text, utf8)
    info["ftfy"] = fixes
    return text, info
