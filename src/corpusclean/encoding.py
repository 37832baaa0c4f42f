"""The fix stage: bytes in, encoding-fixed text out, with a record of everything it did.

1. Decode: a BOM decides; else strict UTF-8; else the legacy encoding charset-normalizer
   detects (recorded). Bytes are never dropped: undecodable input is an error, not a guess.
2. Line endings become "\\n" and the text ends with exactly one newline.
3. ftfy, with the settings below, on the lines that can need it (see `_SUSPECT`): a clean
   line takes the fast path and never pays for ftfy.
"""
from __future__ import annotations

import codecs
import re
from typing import Any

import ftfy

from .errors import InputError

# Each setting says why. ftfy's defaults that rewrite typography are off: they damaged CJK and
# typographic text in corpus tools that went before (full-width forms, curly quotes, ligatures).
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",          # &amp; -> &, unless the text looks like HTML source itself
    remove_terminal_escapes=True,   # ANSI colour codes are never content
    fix_encoding=True,              # the point: undo mojibake (UTF-8 read as cp1252 and so on)
    restore_byte_a0=True,           # mojibake where a non-breaking space lost its 0xA0 byte
    replace_lossy_sequences=True,   # U+FFFD sequences that are clearly mangled UTF-8
    decode_inconsistent_utf8=True,  # mojibake mixed with good text on one line
    fix_c1_controls=True,           # C1 controls are cp1252 punctuation read as latin-1
    fix_latin_ligatures=False,      # "ﬁ" is the author's typography, not an error
    fix_character_width=False,      # full-width forms are meaningful in CJK text
    uncurl_quotes=False,            # curly quotes are content; straightening loses information
    fix_line_breaks=False,          # we normalise CR/CRLF ourselves and keep U+2028 as written
    fix_surrogates=True,            # lone surrogates cannot be written as UTF-8 at all
    remove_control_chars=True,      # invisible controls (bidi overrides aside) are noise
    normalization="NFC",            # canonical composition only; NFKC would rewrite CJK forms
    explain=True,                   # every fix goes into the report
)

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# A line needs ftfy only if it holds something ftfy could change: Latin-1/cp1252 range
# characters (mojibake lives there), HTML entities, controls, escapes, surrogates, the
# replacement character, or combining marks (NFC). Everything else is already clean.
_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\xff\u0300-\u036f\ud800-\udfff\ufffd\u0100-\u017f\u02c6-\u02dc\u2018-\u203a\u20ac\u2122]|&#?\w+;")
_NEWLINES = re.compile(r"\r\n?")


def decode(raw: bytes) -> tuple[str, dict[str, Any]]:
    """Bytes to str, saying how. Raises InputError for binary or undecodable input."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(name), {"encoding": name, "bom": True}
            except UnicodeDecodeError as err:
                raise InputError(f"starts with a {name} byte-order mark but is not valid {name}: {err.reason} at byte {err.start + len(bom)}") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(f"binary file: NUL byte at offset {nul}; not text")
    try:
        return raw.decode("utf-8"), {"encoding": "utf-8", "bom": False}
    except UnicodeDecodeError as err:
        first_bad = err.start
    return _decode_legacy(raw, first_bad)


def _decode_legacy(raw: bytes, first_bad: int) -> tuple[str, dict[str, Any]]:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise InputError(f"not valid UTF-8 (first bad byte at offset {first_bad}) and no legacy encoding fits")
    encoding = best.encoding
    # charset-normalizer often cannot tell the Windows Latin code pages apart on short text;
    # cp1252 is by far the most common on the web, so it wins whenever it decodes the bytes.
    if encoding.startswith("cp125") or encoding in {"latin_1", "iso8859_15"}:
        try:
            return raw.decode("cp1252"), {"encoding": "cp1252", "bom": False,
                                          "note": f"not valid UTF-8 at byte {first_bad}; decoded as cp1252 (detector said {encoding})"}
        except UnicodeDecodeError:
            pass
    return str(best), {"encoding": encoding, "bom": False,
                       "note": f"not valid UTF-8 at byte {first_bad}; decoded as detected {encoding}"}


def normalise_newlines(text: str) -> tuple[str, dict[str, Any]]:
    info: dict[str, Any] = {}
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    if crlf or lone_cr:
        text = _NEWLINES.sub("\n", text)
        info["newlines"] = {"crlf": crlf, "cr": lone_cr}
    if text and not text.endswith("\n"):
        text += "\n"
        info["added_final_newline"] = True
    return text, info


def fix_text(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Run ftfy on the lines that can need it; return the text and one entry per changed line."""
    if not _SUSPECT.search(text):
        return text, []
    lines = text.split("\n")
    fixes: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        if not _SUSPECT.search(line):
            continue
        result = ftfy.fix_and_explain(line, FTFY_CONFIG)
        if result.text != line:
            # ftfy must not create or swallow newlines: line numbers index the report
            fixed = result.text.replace("\n", " ")
            lines[i] = fixed
            fixes.append({"line": i + 1, "steps": [list(step) for step in result.explanation or []]})
    return "\n".join(lines), fixes


def fix(raw: bytes | str) -> tuple[str, dict[str, Any]]:
    """The whole fix stage. Returns the encoding-fixed text and the report's `encoding` section."""
    if isinstance(raw, bytes):
        text, info = decode(raw)
    else:
        text, info = raw, {"encoding": "unicode", "bom": False}
    text, newline_info = normalise_newlines(text)
    info.update(newline_info)
    text, fixes = fix_text(text)
    info["ftfy"] = fixes
    return text, info
