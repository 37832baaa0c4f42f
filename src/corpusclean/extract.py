"""HTML in: decode the bytes, drop what a reader never sees, let trafilatura find the main
text, lay it out as paragraphs.

trafilatura decides *what* is the article; this module decides what it is shown (no hidden
elements: trafilatura keeps their text; captions and quoted tables as plain blocks: it throws
their text away unread), puts back the repeats its duplicate filter drops, and decides how
its answer becomes lines. Our strip stages work on paragraphs (runs of non-blank lines), so every block trafilatura
returns (paragraph, heading, list, table, quote, code block) becomes one paragraph, separated
from the next by a blank line; list items, table rows, code lines and <br> become lines inside
it. That is the shape of the plain-text dumps the strip stages are tuned on.

When trafilatura finds no main text, the page is not lost: readability-lxml tries next, and
when it too finds nothing the page's whole visible text is laid out the same way and handed to
the strip stages as a whole page (their header, footer and menu tests then do the extractor's
job). A page whose `<title>` is never closed (the rest of the page would be read as its title,
and every extractor would find nothing) has it closed at its first line break or tag first.

The result is text; `pipeline.load_document` runs the fix stage on it like on any other input,
and the report's `extractor` section records which path ran, why, and with which settings.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from .config import MAX_HTML_ELEMENTS
from .errors import InputError
from .report import package_version
from .requirements import TRAFILATURA, RequirementError

# Each setting says why (see STYLE.md: explicit settings for third-party tools).
TRAFILATURA_SETTINGS: dict[str, Any] = {
    "deduplicate": False,       # its LRU cache is process-global: output would depend on what ran before
    "favor_recall": True,       # text it drops is lost for good; chrome it keeps, our strip stages remove
    "include_comments": False,  # reader comments are not the page's text
    "include_tables": True,     # tables in articles are content; the strip stages judge them like the rest
    "include_images": False,    # image markup and alt text describe pictures, not the page's text
    "include_links": False,     # link targets are markup, not text
    "include_formatting": False,  # no markdown markers in a plain-text corpus
    "with_metadata": False,     # metadata is not written out; the title is not part of the text
    "fast": False,              # keep its fallback extractors for pages its own heuristics miss
}

# trafilatura's XML vocabulary (trafilatura/xml.py TEI_VALID_TAGS), by how it lays out.
PARAGRAPH_TAGS = {"p", "head", "list", "table", "quote", "code", "ab", "div"}
LINE_TAGS = {"item", "row"}
CELL_SEPARATOR = " | "
_CELL_MARK = "\x1f"  # stands between cells until a row's line is finished

#: labels pages declare, read as the superset browsers use (WHATWG Encoding Standard): a page
#: labelled ISO-8859-1 is really written in cp1252, one labelled GB2312 in GBK, and so on
CHARSET_SUPERSETS = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso-8859-9": "cp1254", "tis-620": "cp874", "gb2312": "gb18030", "gbk": "gb18030",
    "shift_jis": "cp932", "sjis": "cp932", "euc-kr": "cp949", "big5": "big5hkscs",
}
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


# readability-lxml, the fallback: its defaults, which are Mozilla Readability's
READABILITY_SETTINGS: dict[str, Any] = {
    "html_partial": True,       # the article's element alone, not wrapped in a new page
}

#: what each path is called in the report, in the order they are tried
BY_TRAFILATURA, BY_READABILITY, BY_PAGE_TEXT = "trafilatura", "readability-lxml", "page text"


#: what the page says about itself that an output record keeps (trafilatura's metadata names)
PAGE_METADATA = ("title", "author", "date", "url")


def extract_html(content: bytes | str, charset: str | None = None, with_metadata: bool = False,
                 max_elements: int | None = MAX_HTML_ELEMENTS) -> tuple[str, dict[str, Any]]:
    """The main text of an HTML page, and the report's `extractor` section. `charset` is what
    the page's transport declared (a WARC record's HTTP Content-Type), for decoding bytes.
    `with_metadata` adds `metadata`: the PAGE_METADATA trafilatura finds (costs about half as
    much again as the extraction, so only output records, which keep it, ask). A page of more
    than `max_elements` elements is refused before it is parsed into a tree.

    trafilatura first; readability-lxml when it finds nothing; the page's whole visible text
    when neither does (`main_text` is then false: the strip stages judge it as a whole page).
    Raises InputError when the page cannot be decoded or holds no text at all.
    """
    problem = _trafilatura_problem()
    if problem:  # the run checked at its start, but a JSONL record deep in the input may be HTML
        raise InputError(problem)
    if isinstance(content, bytes):
        html, decoding = decode_html(content, charset)
    else:
        html, decoding = content, {"encoding": "unicode"}
    if not html.strip():
        raise InputError("empty HTML page")
    if max_elements and html.count("<") // 2 >= max_elements and count_elements(html, max_elements) > max_elements:
        raise InputError(f"the page has over {max_elements:,} HTML elements (--max-html-elements); "
                         "raise the limit to clean it")
    html, repairs = repair_html(html)
    tree = parse_html(html)
    hidden = prune_hidden(tree)
    exposed = expose_blocks(tree, named_captions=in_class_or_id(html, "caption"))
    pairs = block_pairs(tree)
    repeats = repeated_blocks(pairs)
    links = link_runs(tree)  # before trafilatura reads the tree: it prunes what it reads
    headings = heading_runs(pairs)
    metadata = page_metadata(tree) if with_metadata else None
    info: dict[str, Any] = {}
    paragraphs, restored = restore_repeats(_trafilatura(tree), repeats)
    paragraphs, links_restored = restore_dropped(paragraphs, links)
    paragraphs, headings_restored = restore_dropped(paragraphs, headings)
    if paragraphs:
        info.update(name=BY_TRAFILATURA, version=package_version("trafilatura"), settings=TRAFILATURA_SETTINGS)
    else:
        # trafilatura may have pruned the tree it read: the fallbacks read the page afresh
        fallback: list[str] = [f"{BY_TRAFILATURA} found no main text"]
        paragraphs = _readability(_prepared_tree(html))
        if paragraphs:
            info.update(name=BY_READABILITY, version=package_version("readability-lxml"), settings=READABILITY_SETTINGS)
        else:
            fallback.append(f"{BY_READABILITY} found no main text")
            paragraphs = page_paragraphs(_prepared_tree(html))
            info.update(name=BY_PAGE_TEXT, main_text=False)
        info["fallback"] = fallback
    if not paragraphs:
        raise InputError("no main text in this HTML page: no extractor found any, and it shows no text of its own")
    info.update({
        "decoded": decoding,
        "hidden_elements_removed": hidden,
        "blocks_exposed": exposed,
        "repeats_restored": restored,
        "link_blocks_restored": links_restored,
        "headings_restored": headings_restored,
        # code blocks by line (1-based, inclusive): a hint for the strip stages, whose prose
        # signals (stopwords, markup) misread code; kept in the report so chained runs see it
        "code_lines": code_line_ranges(paragraphs),
    })
    if repairs:
        info["repaired"] = repairs
    if metadata is not None:
        info["metadata"] = metadata
    return "\n\n".join(p.text for p in paragraphs) + "\n", info


def page_metadata(tree: Any) -> dict[str, str]:
    """Title, author, date and canonical url, where the page names them (trafilatura's
    metadata extraction; `extensive=False`: the date from the markup, without htmldate's
    slower search through the text)."""
    from trafilatura.metadata import extract_metadata

    found = extract_metadata(tree, extensive=False)
    return {key: str(value) for key in PAGE_METADATA if (value := getattr(found, key, None))}


def _prepared_tree(html: str) -> Any:
    """The page as the extractors read it: hidden elements pruned, captions exposed."""
    tree = parse_html(html)
    prune_hidden(tree)
    expose_blocks(tree, named_captions=in_class_or_id(html, "caption"))
    return tree


def _trafilatura(tree: Any) -> list[Paragraph]:
    import trafilatura  # imported here: it is slow to import and text-only runs never need it

    found = trafilatura.bare_extraction(tree, **TRAFILATURA_SETTINGS)
    # a dict comes back only when asked for (as_dict=True); these settings never ask
    if found is None or isinstance(found, dict) or found.body is None:
        return []
    return body_paragraphs(found.body)


def _readability(tree: Any) -> list[Paragraph]:
    """readability-lxml's article, laid out like the rest. It raises on pages it cannot
    score (no candidate element): that is "found nothing" too."""
    from lxml import html as lxml_html
    from readability import Document as Readable
    from readability.readability import Unparseable

    try:
        summary = Readable(lxml_html.tostring(tree, encoding="unicode")).summary(**READABILITY_SETTINGS)
    except Unparseable:
        return []
    if not summary.strip():
        return []
    return page_paragraphs(lxml_html.fromstring(summary))


# -- repairs ---------------------------------------------------------------------------------

_TITLE_START = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_END = re.compile(r"</title\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[!/a-zA-Z]")
_FIRST_LINE = re.compile(r"\S[^\n]*")


def repair_html(html: str) -> tuple[str, list[str]]:
    """Mend what makes a parser read the whole page as something else. A `<title>` with no
    `</title>` before the next tag is closed after its first line of text: a parser reads
    everything up to a `</title>` as the title, which leaves the page without a body and every
    extractor with nothing. Returns the mended HTML and what was mended."""
    start = _TITLE_START.search(html)
    if start is None:
        return html, []
    end = _TITLE_END.search(html, start.end())
    tag = _TAG.search(html, start.end())
    if end is not None and (tag is None or tag.start() >= end.start()):
        return html, []
    stop = tag.start() if tag is not None else len(html)
    line = _FIRST_LINE.search(html, start.end(), stop)
    cut = line.end() if line is not None else start.end()
    return html[:cut] + "</title>" + html[cut:], ["unclosed <title>"]


# -- a page's own text, laid out (readability's article, or the whole page) -----------------

#: elements that start a paragraph of their own, and elements that start a line
HTML_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote",
                   "pre", "figure", "figcaption", "address", "hr"}
HTML_LINES = {"div", "li", "tr", "dt", "dd", "br", "section", "article", "main", "header", "footer",
              "nav", "aside", "form", "fieldset", "legend", "center", "caption", "option", "label"}
HTML_CELLS = {"td", "th"}
#: elements whose text no reader sees as text
HTML_UNSEEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "embed",
               "canvas", "map", "math"}
_PARAGRAPH_BREAK, _LINE_BREAK = "\x1e", "\x1d"


def page_paragraphs(root: Any) -> list[Paragraph]:
    """The visible text under `root` in the plain-text dump's shape: a paragraph per block
    element (blank lines between), a line per line-level element, table cells joined with
    " | "."""
    pieces: list[str] = []
    _collect(root, pieces)
    paragraphs = []
    for block in "".join(pieces).split(_PARAGRAPH_BREAK):
        cells = (" | ".join(c for c in (_clean_inline(cell) for cell in line.split(_CELL_MARK)) if c)
                 for line in block.split(_LINE_BREAK))
        lines = tuple(line for line in cells if line)
        if lines:
            paragraphs.append(Paragraph(lines))
    return paragraphs


def _collect(element: Any, pieces: list[str]) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag and tag not in HTML_UNSEEN:
        mark = (_PARAGRAPH_BREAK if tag in HTML_PARAGRAPHS else _LINE_BREAK if tag in HTML_LINES
                else _CELL_MARK if tag in HTML_CELLS else "")
        pieces.append(mark)
        if element.text:
            pieces.append(element.text)
        for child in element:
            _collect(child, pieces)
        pieces.append(mark)
    if element.tail:
        pieces.append(element.tail)

@functools.cache
def _trafilatura_problem() -> str:
    """Why the installed trafilatura cannot be used ("" when it can); looked up once a process."""
    try:
        TRAFILATURA.check()
    except RequirementError as err:
        return str(err)
    return ""


# -- decoding --------------------------------------------------------------------------------

def decode_html(raw: bytes, http_charset: str | None = None) -> tuple[str, dict[str, Any]]:
    """Bytes to str. A BOM or valid UTF-8 wins (pages often declare a charset they do not use);
    then the charset the HTTP header declared (it overrides the page's own, as in browsers);
    then the charset the page declares in a <meta>; then the shared detector of encoding.py."""
    from .encoding import decode  # here: a process that only coordinates a run imports extract, not ftfy

    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        text, info = decode(raw)
        return text, {**info, "source": "byte-order mark"}
    try:
        return raw.decode("utf-8"), {"encoding": "utf-8", "source": "valid UTF-8"}
    except UnicodeDecodeError:
        pass
    if http_charset:
        label = http_charset.strip().strip("\"'").lower()
        name = CHARSET_SUPERSETS.get(label, label)
        try:
            return raw.decode(name), {"encoding": name, "source": "HTTP charset"}
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: the page's own, or detection
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        name = CHARSET_SUPERSETS.get(label, label)
        try:
            return raw.decode(name), {"encoding": name, "source": "meta charset"}
        except (LookupError, UnicodeError):  # UnicodeError: Python's "undefined" codec refuses all
            pass  # a wrong or unknown declaration: detect instead
    text, info = decode(raw)
    return text, {**info, "source": "detected"}


# -- the tree trafilatura reads ----------------------------------------------------------------

class _ElementCounter:
    """An lxml parser target that only counts start tags: no tree is built."""

    def __init__(self) -> None:
        self.count = 0

    def start(self, tag: str, attrib: Any) -> None:
        self.count += 1

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> int:
        return self.count


def count_elements(html: str, limit: int) -> int:
    """The page's elements, counted by lxml's HTML parser a megabyte at a time, stopping once
    over `limit`: a huge page costs a fraction of a second and no tree. (extract_html counts
    only pages with at least twice `limit` "<": the parser makes at most one element per "<"
    and supplies an <html> and a <body>, so a page with fewer cannot be over the limit.)"""
    from lxml import etree

    counter = _ElementCounter()
    parser = etree.HTMLParser(target=counter)
    for start in range(0, len(html), 1 << 20):
        parser.feed(html[start:start + (1 << 20)])
        if counter.count > limit:
            return counter.count
    parser.close()
    return counter.count


def parse_html(html: str) -> Any:
    """An lxml tree of the page. A fragment (a JSONL record's `<p>...</p>`) is wrapped in a
    body first: trafilatura rejects markup that does not look like a whole page."""
    tree = _load_html(html)
    if tree is None:
        tree = _load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        raise InputError("not parseable as HTML")
    return tree


def _load_html(html: str) -> Any:
    """The tree trafilatura.utils.load_html makes of a page (its repairs, its parser's
    settings, its retry from UTF-8 bytes, its test that the page looks like HTML), with the
    element classes found in C (see _html_parser). None where it would return None."""
    from lxml import html as lxml_html
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    parser = _html_parser()
    try:
        tree = lxml_html.fromstring(html, parser=parser)
    except Exception:  # ValueError: a str declaring its encoding, which lxml parses as bytes only
        tree = None
    if tree is None or len(tree) < 1:
        try:
            tree = lxml_html.fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
        except Exception:  # as load_html: an unparseable page is None, not an error
            tree = None
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


@functools.cache
def _html_parser() -> Any:
    """trafilatura's HTML parser (a copy: its settings), finding each element's class in C.

    lxml.html's parser asks a Python method which class each element gets (`lower()` of the
    tag, a dict lookup) every time Python touches an element it had not held: 2.0-2.7% of
    extract_html's instructions on devset/html (callgrind), trafilatura's walks included. The
    same classes here (HtmlElement; lxml.html's form classes by their lower-case tag names,
    as the HTML parser writes them), looked up by lxml itself."""
    from lxml import etree
    from lxml import html as lxml_html
    from trafilatura.utils import HTML_PARSER

    # lxml.html's own table of its form classes by tag name (a private name: an lxml without it
    # gets trafilatura's parser itself, whose lookup asks Python, as before)
    form_classes = getattr(lxml_html.HtmlElementClassLookup, "_default_element_classes", None)
    if not isinstance(form_classes, dict):
        return HTML_PARSER
    parser = HTML_PARSER.copy()
    by_tag = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))
    by_tag.get_namespace(None).update(form_classes)
    parser.set_element_class_lookup(by_tag)
    return parser


_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.IGNORECASE)
#: a hidden element holding nearly all of the page's words is a wrapper waiting for a
#: script to show the page (anti-flicker snippets do that): it is kept
HIDDEN_SHARE_LIMIT = 0.8


def prune_hidden(tree: Any) -> int:
    """Remove elements a reader never sees: `hidden`, `aria-hidden="true"`, or an inline style
    with display:none / visibility:hidden (the visibility test of Mozilla's Readability).
    trafilatura keeps their text. Returns how many elements were removed."""
    hidden = [element for element in _xpath(_MAY_HIDE)(tree) if _is_hidden(element)]
    inside = set(hidden)  # every hidden element of the tree: an ancestor that hides is one of them
    outermost = [element for element in hidden if not any(a in inside for a in element.iterancestors())]
    if not outermost:
        return 0
    counts = [_words(element) for element in outermost]  # apart from each other: one's removal leaves the rest's
    total = _words(tree) if _may_hold_the_page(counts) else 0
    removed = 0
    for element, words in zip(outermost, counts):
        if total and words / total > HIDDEN_SHARE_LIMIT:
            continue
        _drop_keeping_tail(element)
        removed += 1
    return removed


def _may_hold_the_page(counts: list[int]) -> bool:
    """Might one of the hidden elements whose words these are hold over HIDDEN_SHARE_LIMIT of
    the page's? Not when none has any, nor when none holds that share of a floor of the
    page's words: theirs together, less one for each boundary between two of them (a word can
    run across one). Most pages are thus spared reading their whole text, scripts included
    (41 of devset/html's 77 with hidden elements)."""
    most = max(counts)
    if not most:
        return False
    floor = sum(counts) - (len(counts) - 1)
    return floor <= 0 or most / floor > HIDDEN_SHARE_LIMIT


#: the elements with an attribute that can hide them, in document order (libxml2 finds them;
#: testing every element in Python cost a tenth of the extraction)
_MAY_HIDE = "descendant-or-self::*[@hidden or @aria-hidden or @style]"


@functools.cache
def _xpath(expression: str) -> Any:
    """`expression` compiled once a process (lxml's XPath object, called on a tree)."""
    from lxml import etree

    return etree.XPath(expression)


def _words(element: Any) -> int:
    """Words of an element's text."""
    return len(_raw_text(element).split())


def _is_hidden(element: Any) -> bool:
    if element.tag in ("html", "body"):
        return False
    return (element.get("hidden") is not None
            or element.get("aria-hidden", "").strip().lower() == "true"
            or bool(_HIDDEN_STYLE.search(element.get("style", ""))))


def _drop_keeping_tail(element: Any) -> None:
    """Remove an element but not the text that follows it (lxml stores that on the element)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# -- blocks trafilatura would not read -------------------------------------------------------

def expose_blocks(tree: Any, named_captions: bool = True) -> dict[str, int]:
    """Rename the elements whose visible text trafilatura discards, so it judges that text
    like any other paragraph. Returns how many of each kind were renamed.

    - a `<figcaption>` becomes a plain `<p>` (its class and id go too, and its parts'):
      trafilatura deletes `<figure>` with everything in it, and any element whose class or id
      says "caption", but a caption is text the author wrote for the reader; the picture
      itself is still dropped;
    - any other block whose class or id says "caption" (`<div class="photo-caption">`, `<span
      class="pb-caption">`, a figure's `has-caption` wrapper) loses them, for the same reason
      (a `<div>` or `<section>` of text alone becomes a `<p>`, as a figcaption does),
      unless it holds more than CAPTION_MAX_CHARS characters (a gallery or a wrapper named
      after what it holds) or stands beside a video player (its caption is the player's title
      and controls: "Media caption", "Play video", a duration). `named_captions` False says
      the page has none (see in_class_or_id), which spares the search;
    - a `<figure>` holding a caption becomes a `<div>`, so the caption is still there to read;
    - a `<blockquote>` holding a `<table>` becomes a `<div>`: trafilatura keeps a quote's own
      text but not the tables inside it, and older pages indent tables with `<blockquote>`;
    - in a grid of data (see _data_grid), a cell's one `<div>` or `<p>` holding no block of
      its own is unwrapped: trafilatura reads such a wrapper as a paragraph of its own and
      drops it when it is all link (the name in each row of a table of apps, products or
      people), and lays the other cells out as lines, not as the row;
    - a MathML `<math>` becomes its symbols as text (a `<span>`, or a `<p>` for a displayed
      formula), its tokens separated by spaces ("a x 2 + b x + c = 0"): trafilatura deletes
      `<math>` unless it carries its TeX source, and the formula is part of the sentence
      around it. Annotations (the TeX source, other encodings) are not shown and are dropped.
    """
    counts = {"figcaption": 0, "named_caption": 0, "blockquote_with_table": 0, "math": 0, "cell_wrapper": 0}
    for table in [table for table in tree.iter("table") if _data_grid(table)]:
        for wrapper in _xpath(_CELL_WRAPPERS)(table):
            if not _holds_a_block(wrapper):
                wrapper.drop_tag()  # its text and children become the cell's
                counts["cell_wrapper"] += 1
    for element in _named_blocks(tree, "caption") if named_captions else ():
        if len(_text(element)) <= CAPTION_MAX_CHARS and not _beside_a_player(element):
            for attribute in ("class", "id"):
                element.attrib.pop(attribute, None)
            if element.tag in ("div", "section") and not _holds_a_block(element):
                element.tag = "p"  # a paragraph, as a <figcaption> becomes: trafilatura skips a <div>'s loose text
            counts["named_caption"] += 1
    for element in list(tree.iter("figure", "figcaption", "blockquote", "math")):
        if element.tag == "figure":
            if element.find(".//figcaption") is not None:
                element.tag = "div"
        elif element.tag == "figcaption":
            element.tag = "p"
            # its parts lose theirs too: a <span class="caption"> inside is deleted as well
            for part in element.iter():
                for attribute in ("class", "id"):
                    part.attrib.pop(attribute, None)
            counts["figcaption"] += 1
        elif element.tag == "blockquote":
            if element.find(".//table") is not None:
                element.tag = "div"
                counts["blockquote_with_table"] += 1
        elif _flatten_math(element):
            counts["math"] += 1
    return counts


#: blocks trafilatura deletes unread for their names (its DISCARD_IMAGE_ELEMENTS), and figures
_MAY_BE_NAMED = ("div", "span", "p", "section", "figure")


def _named_blocks(tree: Any, word: str) -> list[Any]:
    """The elements of _MAY_BE_NAMED below the root whose class or id holds `word`, in
    document order. lxml's walk over those tags (matched in C), each asked for two
    attributes: half what libxml2's search for the same cost (an XPath whose tag tests are
    steps of their own: 2.17 ms a page of devset/html that names a caption, against 1.26)."""
    return [element for element in tree.iterdescendants(*_MAY_BE_NAMED)
            if word in element.get("class", "") or word in element.get("id", "")]


#: a caption is a sentence or two; an element named so that holds more is something else
CAPTION_MAX_CHARS = 400
#: what plays a video: a caption beside one belongs to the player
_PLAYER = "descendant::*[self::video or self::iframe or self::object or self::embed]"


def in_class_or_id(html: str, word: str) -> bool:
    """May `word` stand in a class or id attribute of the page (in a tag, after an attribute
    whose name ends "class" or "id")? A prefilter for the search of the parsed tree, which
    decides: never False where the word stands there, but for a tag in which an earlier value
    holds ">" or the value itself holds "=" before the word (rare; such a page's caption is
    then not looked for). A scan of the markup's text costs a fifth of searching the parsed
    tree for such names, and most pages have none.

    Each stretch of the markup is read once: the last "<", ">" and "=" before an occurrence
    are carried on to the next, and only the five characters before an "=" (and the white
    space between) are read for the attribute's name. Searching back from every occurrence
    and lowering all that lay between its tag's "<" and "=" cost 0.1 CPU-s on a page whose
    scripts held 159 of them, a stray "<" far before (nytimes-5 of devset/html)."""
    opened = closed = assigned = searched = -1  # the last "<", ">" and "=" before `searched`
    at = html.find(word)
    while at >= 0:
        opened = max(opened, html.rfind("<", searched + 1, at))
        closed = max(closed, html.rfind(">", searched + 1, at))
        assigned = max(assigned, html.rfind("=", searched + 1, at))
        searched = at
        if closed < opened < assigned:  # inside a tag, after an "=" in it
            name_end = assigned  # the name before the "=", without the white space after it
            while html[name_end - 1].isspace():
                name_end -= 1  # stops at the tag's "<" at the latest
            if html[max(opened, name_end - 5):name_end].lower().endswith(("class", "id")):
                return True
        at = html.find(word, at + len(word))
    return False


def _beside_a_player(caption: Any) -> bool:
    """Does the caption, or the figure it belongs to, hold a video player?"""
    figure = next(caption.iterancestors("figure"), None)
    return bool(_xpath(_PLAYER)(caption)) or (figure is not None and bool(_xpath(_PLAYER)(figure)))


#: the one block element a table cell holds, with no text of the cell's own beside it
_CELL_WRAPPERS = ("(tr | thead/tr | tbody/tr | tfoot/tr)/*[self::td or self::th][count(*) = 1]"
                  "[not(normalize-space(text()))]"
                  "/*[self::div or self::p][not(normalize-space(following-sibling::text()))]")


def _data_grid(table: Any) -> bool:
    """Is the table a grid of data: three rows or more, every one with the same number of
    cells (two or more), no table inside it? A page laid out with tables has few rows of
    uneven cells, its menus and columns in them: those cells are left as they are."""
    rows = [row for row in table if row.tag == "tr"]  # rows stand in the table or in its row groups
    rows += [row for part in table if part.tag in ("thead", "tbody", "tfoot") for row in part if row.tag == "tr"]
    widths = {sum(1 for cell in row if cell.tag in ("td", "th")) for row in rows}
    return len(rows) >= 3 and len(widths) == 1 and min(widths) >= 2 and table.find(".//table") is None


#: MathML elements that are never drawn: the formula's source in other notations
_MATH_UNSHOWN = {"annotation", "annotation-xml"}


def _flatten_math(element: Any) -> bool:
    """Turn a `<math>` element into an element of plain text, its tokens (<mi>, <mo>, <mn>,
    <mtext>) separated by spaces; False when it shows no text (it is then left to the
    extractors, which drop it)."""
    if element.getparent() is None:
        return False
    for unshown in [e for e in element.iter() if isinstance(e.tag, str) and e.tag in _MATH_UNSHOWN]:
        _drop_keeping_tail(unshown)
    tokens = " ".join(" ".join(element.itertext()).split())  # its own tail is not in itertext()
    if not tokens:
        return False
    tail = element.tail
    block = element.get("display") == "block"
    element.clear()  # children, text, tail and attributes
    element.tag = "p" if block else "span"
    element.text = tokens
    element.tail = tail
    # the elements that only wrap it lose their class and id: a renderer's names for them
    # (MathJax's "CtxtMenu_Attached") read as a menu to trafilatura, which deletes menus
    wrapper = element.getparent()
    while (wrapper is not None and wrapper.tag not in ("body", "html") and len(wrapper) == 1
           and not (wrapper.text or "").strip()):
        for attribute in ("class", "id"):
            wrapper.attrib.pop(attribute, None)
        wrapper = wrapper.getparent()
    return True


# -- repeats trafilatura drops ---------------------------------------------------------------

#: trafilatura drops a block repeating the one before it when its text is longer than this
#: (trafilatura.settings.MIN_DUPLICATE_LENGTH), meant for copies its own overlapping
#: candidates produce
REPEAT_MIN_CHARS = 50
_REPEAT_BLOCKS = ("p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "td", "dd")
_IS_REPEAT_BLOCK = frozenset(_REPEAT_BLOCKS)


@dataclass(frozen=True)
class Repeats:
    """Long blocks the page itself repeats, by text: `runs`, the longest run of copies back to
    back (how many a reader sees in a row); `siblings`, the most copies one element holds among
    its child blocks, even apart (a share bar between two of them: once trafilatura drops the
    bar, its filter of adjacent repeats drops the copies too)."""
    runs: dict[str, int]
    siblings: dict[str, int]


def block_pairs(tree: Any) -> list[Any]:
    """Every block whose next element sibling (comments do not count) is a block too, in
    document order: the only places a back-to-back repeat can start, and where a subheading
    stands right before a paragraph. One walk serves both.

    lxml's walk over the blocks alone (their tags matched in C), each asked for its next
    sibling: a third of what libxml2's search for the same pairs cost (an XPath whose tag
    tests are steps of their own, 1.75 ms a page of devset/html against 0.53); reading the
    text of every block under every parent instead cost more than trafilatura's extraction
    on long pages."""
    pairs = []
    for block in tree.iter(*_REPEAT_BLOCKS):
        after = block.getnext()
        while after is not None and not isinstance(after.tag, str):
            after = after.getnext()
        if after is not None and after.tag in _IS_REPEAT_BLOCK:
            pairs.append(block)
    return pairs


def repeated_blocks(pairs: list[Any]) -> Repeats:
    """The long blocks the page repeats (see Repeats). Sibling copies are counted among the
    blocks whose text the search for runs reads anyway (every block with a block after it,
    and that one): reading every block's text instead cost more than trafilatura's extraction
    on long pages."""
    runs: dict[str, int] = {}
    texts: dict[Any, str] = {}
    copies: dict[Any, int] = {}  # element -> copies in a row ending with it, where over one

    def text(element: Any) -> str:
        if element not in texts:
            texts[element] = _text(element)
        return texts[element]

    for first in pairs:  # in document order: a run's start comes first
        second = first.getnext()
        while not isinstance(second.tag, str):
            second = second.getnext()  # a comment between two copies does not part them
        repeated = text(first)
        if repeated and repeated == text(second):
            copies[second] = copies.get(first, 1) + 1
            if len(repeated) > REPEAT_MIN_CHARS:
                runs[repeated] = max(runs.get(repeated, 0), copies[second])
    held = Counter((element.getparent(), value) for element, value in texts.items() if len(value) > REPEAT_MIN_CHARS)
    siblings: dict[str, int] = {}
    for (_, value), count in held.items():
        if count > 1:
            siblings[value] = max(siblings.get(value, 0), count)
    return Repeats(runs, siblings)


def restore_repeats(paragraphs: list[Paragraph], repeats: Repeats) -> tuple[list[Paragraph], int]:
    """Put back the copies of a paragraph the page repeats and trafilatura kept fewer of.

    trafilatura's filter of adjacent repeats cannot tell its own artifacts from a page that
    says a paragraph twice; only copies the page itself holds are restored (back to back, or
    apart in one element: see Repeats), and no more than it holds. Whether a corpus keeps
    them is the dedup stage's call, which records it. Returns the paragraphs and how many
    copies were put back.
    """
    result: list[Paragraph] = []
    restored = 0
    for _, run in groupby(paragraphs):
        copies = list(run)
        missing = repeats.runs.get(copies[0].text, 0) - len(copies)
        if missing > 0:
            copies += [copies[0]] * missing
            restored += missing
        result.extend(copies)
    for text, count in repeats.siblings.items():
        kept = [i for i, paragraph in enumerate(result) if paragraph.text == text]
        missing = count - len(kept)
        if kept and missing > 0:  # beside the first copy, where the page's run starts
            result[kept[0]:kept[0]] = [result[kept[0]]] * missing
            restored += missing
    return result, restored


# -- link-only blocks trafilatura drops from inside the article -------------------------------

#: elements that, holding nothing but links, make a block of their own: a paragraph that is
#: one link, a list whose every item is one
_LINK_BLOCKS = ("p", "div", "dd", "ul", "ol")
#: elements that start a block: a <div> holding one is a section, not a paragraph of links
_BLOCK_INSIDE = {"p", "div", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
                 "section", "article", "dl"}
#: a neighbour shorter than this must be the whole of its paragraph to be found in the text
#: trafilatura kept ("Links" may end many paragraphs; a sentence does not)
_NEIGHBOUR_MIN_CHARS = 20


@dataclass(frozen=True)
class DroppedRun:
    """Blocks side by side that trafilatura may drop from inside the article (links, a
    subheading), with the text of the blocks on either side."""
    before: str
    after: str
    paragraphs: tuple[Paragraph, ...]


def link_runs(tree: Any) -> list[DroppedRun]:
    """Runs of link-only blocks (see _LINK_BLOCKS) that sit between two blocks with text of
    their own, under one parent: candidates restore_dropped may put back."""
    # each link-only block with its lines, in document order
    found = {element: lines for element in _holding_links(tree) if (lines := _link_lines(element))}
    if not found:
        return []
    link_only = found.keys()
    runs: list[DroppedRun] = []
    seen: set[Any] = set()
    for first in found:
        if first in seen or first.getparent() is None:
            continue
        run, before, after = [first], first.getprevious(), first.getnext()
        while before is not None and (not isinstance(before.tag, str) or not _text(before)):
            before = before.getprevious()  # comments and empty blocks (a picture) do not part them
        while after is not None:
            if isinstance(after.tag, str) and after in link_only:
                run.append(after)
            elif isinstance(after.tag, str) and _text(after):
                break
            after = after.getnext()
        seen.update(run)
        if before is None or after is None or before in link_only:
            continue
        paragraphs = tuple(Paragraph(tuple(found[element])) for element in run)
        runs.append(DroppedRun(_text(before), _text(after), paragraphs))
    return runs


#: a subheading is a line; longer text in a heading element is something else
HEADING_MAX_CHARS = 200
_SUBHEADINGS = {"h2", "h3", "h4", "h5", "h6"}


def _holding_links(tree: Any) -> list[Any]:
    """The blocks of _LINK_BLOCKS below the root that hold a link, in document order (whether
    all their text is links is read only for these): each link's block ancestors, up to one
    an earlier link already gave (whose own are then in too). Cheaper than libxml2's search
    for them, which looked through every block's descendants for a link."""
    holding: set[Any] = set()
    for link in tree.iter("a"):
        for block in link.iterancestors(*_LINK_BLOCKS):
            if block in holding:
                break
            holding.add(block)
    return [block for block in tree.iterdescendants(*_LINK_BLOCKS) if block in holding] if holding else []


def heading_runs(pairs: list[Any]) -> list[DroppedRun]:
    """Subheadings (<h2> to <h6>) that sit between two paragraphs (<p>), under one parent:
    candidates restore_dropped may put back. trafilatura sometimes drops an
    article's subheadings while keeping the paragraphs around them (when another of its
    extractors' texts wins), which runs the sections together. (An <h1> is the headline, not
    a subheading: whether it belongs to the text is a convention the extractor's choice
    settles.)"""
    runs: list[DroppedRun] = []
    for heading in pairs:  # the blocks with a block after them (block_pairs)
        if heading.tag not in _SUBHEADINGS:
            continue
        before, after = heading.getprevious(), heading.getnext()
        while before is not None and not _shows_text(before):
            before = before.getprevious()  # comments and empty blocks do not part them
        while after is not None and not _shows_text(after):
            after = after.getnext()
        # paragraphs on both sides (a container beside it is not one of trafilatura's
        # paragraphs, and reading its whole text would cost more than the rest of this step)
        if before is None or after is None or before.tag != "p" or after.tag != "p":
            continue
        text = _text(heading)
        if text and len(text) <= HEADING_MAX_CHARS:
            runs.append(DroppedRun(_text(before), _text(after), (Paragraph((text,)),)))
    return runs


def _shows_text(element: Any) -> bool:
    """Is it an element with text in it? (Stops at its first words: a long element costs no more.)"""
    return isinstance(element.tag, str) and any(not piece.isspace() for piece in element.itertext() if piece)


def _holds_a_block(element: Any) -> bool:
    """Does the element hold a block of its own (a paragraph, a heading, a table, ...)?"""
    return any(isinstance(part.tag, str) and part.tag in _BLOCK_INSIDE for part in element.iterdescendants())


def _text(element: Any) -> str:
    """An element's text, its white space runs made single spaces."""
    return " ".join(_raw_text(element).split())


def _raw_text(element: Any) -> str:
    """An element's text, without its tail (lxml's text serialiser: twice as fast as joining
    itertext())."""
    from lxml import etree

    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)  # type: ignore[no-any-return]


def _link_lines(element: Any) -> list[str]:
    """The lines of a block whose only text is links (a line per list item), or [] when it
    has text outside its links, holds other blocks, or is a list with an item of plain text."""
    if element.tag in ("ul", "ol"):
        items = [child for child in element if isinstance(child.tag, str)]
        if not items or any(item.tag != "li" for item in items):
            return []
        lines = [_link_text(item) for item in items]
        return lines if all(lines) else []
    if _holds_a_block(element):
        return []
    line = _link_text(element)
    return [line] if line else []


def _link_text(element: Any) -> str:
    """The text of an element whose text is all inside links, "" when any is outside them
    (a comma between two links, a word in bold beside one), or when the element is itself
    inside a link (its text is then that link's, not links of its own)."""
    if element.tag != "a" and _text_outside_links(element):
        return ""
    words = _text(element)
    return words if words and next(element.iterancestors("a"), None) is None else ""


def _text_outside_links(element: Any) -> bool:
    """Does the element show text (not white space) outside the links in it? Its own text and
    its parts' tails, and theirs within each part that is not a link: a link's own text is
    never read (a menu's items are told links without reading them), and a block of text
    around a link is told so at its first words."""
    if _shows(element.text):
        return True
    for part in element:
        if isinstance(part.tag, str) and part.tag != "a" and _text_outside_links(part):
            return True
        if _shows(part.tail):
            return True
    return False


def _shows(text: str | None) -> bool:
    """Is there a character other than white space in it?"""
    return bool(text and not text.isspace())


def restore_dropped(paragraphs: list[Paragraph], runs: list[DroppedRun]) -> tuple[list[Paragraph], int]:
    """Put back blocks trafilatura dropped from inside the article: link-only blocks
    (link_runs) and subheadings (heading_runs).

    trafilatura drops a paragraph that is all link (link density), which is right for menus
    but loses a list of links the article itself gives ("Further reading", the links of a
    how-to). A run is put back only where the blocks on both of its sides are paragraphs
    trafilatura kept, one right after the other in its text: the run sat inside the region
    it chose as the article, and it dropped nothing else there. The strip stages then judge
    the restored lines like any others. Returns the paragraphs and how many blocks came back.
    """
    if not runs or len(paragraphs) < 2:
        return paragraphs, 0
    flat = [" ".join(paragraph.text.split()) for paragraph in paragraphs]
    inserts: dict[int, tuple[Paragraph, ...]] = {}
    for run in runs:
        for i in range(len(flat) - 1):
            if i + 1 in inserts:
                continue
            if _ends_with(run.before, flat[i]) and _starts_with(run.after, flat[i + 1]):
                inserts[i + 1] = run.paragraphs
                break
    if not inserts:
        return paragraphs, 0
    result: list[Paragraph] = []
    for i, paragraph in enumerate(paragraphs):
        result.extend(inserts.get(i, ()))
        result.append(paragraph)
    return result, sum(len(blocks) for blocks in inserts.values())


def _ends_with(neighbour: str, kept: str) -> bool:
    return neighbour == kept or (len(kept) >= _NEIGHBOUR_MIN_CHARS and neighbour.endswith(kept))


def _starts_with(neighbour: str, kept: str) -> bool:
    return neighbour == kept or (len(kept) >= _NEIGHBOUR_MIN_CHARS and neighbour.startswith(kept))


# -- layout ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paragraph:
    lines: tuple[str, ...]
    code: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def body_paragraphs(body: Any) -> list[Paragraph]:
    """Each block of trafilatura's XML body as one paragraph of one or more lines."""
    writer = _Writer()
    writer.walk(body)
    writer.end_paragraph()
    return writer.paragraphs


def code_line_ranges(paragraphs: list[Paragraph]) -> list[list[int]]:
    """[first, last] line numbers of each code paragraph in the text `extract_html` returns."""
    ranges, line = [], 1
    for paragraph in paragraphs:
        if paragraph.code:
            ranges.append([line, line + len(paragraph.lines) - 1])
        line += len(paragraph.lines) + 1  # and the blank line after it
    return ranges


class _Writer:
    """Walks the XML tree, collecting lines into paragraphs.

    Inside an item or a cell, block tags only start a new line: a list item holding two
    paragraphs stays one item, and a table stays one paragraph.
    """

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.lines: list[str] = []
        self.line: list[str] = []

    def walk(self, element: Any, inside_line: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "code" and not inside_line and not _is_inline(element):
            self.end_paragraph()
            self.lines.extend(_code_lines(element))
            self.end_paragraph(code=True)
            self.text(element.tail)
            return
        if tag == "lb":
            self.end_line()
            self.text(element.tail)
            return
        if tag == "cell":
            if _holds_blocks(element):
                inside_line = False  # a layout cell: its blocks are paragraphs of their own
            else:
                self.line.append(_CELL_MARK)
        # inline code (a function name in a sentence) is part of its line, not a block: cut
        # out, the sentence around it would become short lines that look like a menu
        block = tag in PARAGRAPH_TAGS and not (tag == "code" and _is_inline(element))
        if block and not inside_line:
            self.end_paragraph()
        elif block or tag in LINE_TAGS:
            self.end_line()
        self.text(element.text)
        for child in element:
            self.walk(child, inside_line or tag in LINE_TAGS or tag == "cell")
        if block and not inside_line:
            self.end_paragraph()
        elif block or tag in LINE_TAGS:
            self.end_line()
        self.text(element.tail)

    def text(self, value: str | None) -> None:
        if value:
            self.line.append(value)

    def end_line(self) -> None:
        cells = (_clean_inline(cell) for cell in "".join(self.line).split(_CELL_MARK))
        line = CELL_SEPARATOR.join(cell for cell in cells if cell)
        if line:
            self.lines.append(line)
        self.line = []

    def end_paragraph(self, code: bool = False) -> None:
        self.end_line()
        if self.lines:
            self.paragraphs.append(Paragraph(tuple(self.lines), code))
        self.lines = []


def _is_inline(element: Any) -> bool:
    """A <code> inside running text (a function name in a sentence) is not a code block."""
    parent = element.getparent()
    return parent is not None and parent.tag in {"p", "head", "hi", "ref", "item", "cell", "quote"} and (
        bool((parent.text or "").strip()) or bool((element.tail or "").strip())
        or element.getprevious() is not None)


def _holds_blocks(cell: Any) -> bool:
    """Old pages lay out whole articles in table cells; such a cell holds paragraphs."""
    return any(child.tag in PARAGRAPH_TAGS for child in cell.iter() if child is not cell)


def _code_lines(element: Any) -> list[str]:
    """A code block keeps its lines and indentation; blank lines inside it are dropped so the
    block stays one paragraph."""
    text = "".join(element.itertext()).replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def _clean_inline(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
