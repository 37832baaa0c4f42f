"""One colour per removal category, for the review page and the terminal diff alike, and the
colour difference (CIEDE2000) that keeps any two of them from looking alike.

The page shows a removal as its text on a light background of its category's colour, so the
colours are light enough for dark text and far enough apart to be told apart at a glance:
every pair differs by at least MIN_DELTA_E in CIEDE2000, the CIE's measure of how different
two colours look (about 1 is the smallest difference people notice side by side; 2.3 is a
"just noticeable difference"; above 10 two swatches read as different colours). A rule pack
that adds a category gives it a colour, which must keep that distance from the others
(`rulebook.py` checks it when the pack loads). `tests/test_colours.py` checks the palette.
"""
from __future__ import annotations

import math
import re

#: how far apart (CIEDE2000) any two category colours must be, and each from the page's white
#: and from the grey a removal outside the filters is shown in
MIN_DELTA_E = 12.0

#: category -> its colour: the background of its removals on the review page and in
#: `corpusclean diff`. Every colour is one of the 256 a terminal has (xterm's 6x6x6 cube), so the
#: terminal shows exactly the page's colour. Chosen by a search over that cube for the set of
#: light colours (L* 66-93, so dark text stays readable) whose closest pair is farthest apart
#: (CIEDE2000 15.4), then given out by what the chrome is: navigation blue, money warm, copies grey.
CATEGORY_COLOURS: dict[str, str] = {
    "navigation": "#00afff",
    "widget": "#5fafaf",
    "newsletter": "#d787d7",
    "paywall": "#ff875f",
    "donation": "#d7af5f",
    "social": "#afafd7",
    "byline": "#87af5f",
    "credit": "#d7d7af",
    "legal": "#ffd7ff",
    "contact": "#00d7af",
    "author-bio": "#ffafaf",
    # reader comments: the light colour of the cube furthest from all the others (CIEDE2000
    # 17.6) that also leaves the greens free for a pack's own category
    "comments": "#d7d700",
    "duplicate": "#afafaf",
    "template": "#afd7ff",
    "language": "#5fffff",
    # blank lines left by other removals: never highlighted (the page shows them plain), so
    # the one colour exempt from the distance rule, a grey that says "nothing here"
    "whitespace": "#e4e4e4",
}
#: categories drawn without a highlight, and so exempt from MIN_DELTA_E
UNHIGHLIGHTED = frozenset({"whitespace"})

#: a category no palette entry names (a run from a newer version, say): shown, but neutral
OTHER_COLOUR = "#d9d9d9"
#: what a colour must stand apart from besides the other categories: the page's background and
#: the grey of removals the filters leave out
BACKGROUNDS = {"page": "#ffffff", "filtered out": "#f1f3f5"}

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def is_hex_colour(text: object) -> bool:
    return isinstance(text, str) and bool(_HEX.match(text))


def rgb(colour: str) -> tuple[int, int, int]:
    """(r, g, b), 0-255, of "#rrggbb"."""
    if not is_hex_colour(colour):
        raise ValueError(f"not a colour of the form #rrggbb: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65 white) of an sRGB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(colour))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(first: str, second: str) -> float:
    """CIEDE2000 difference between two sRGB colours."""
    return ciede2000(lab(first), lab(second))


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), after Sharma, Wu and Dalal (2005)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))

    l_mean = (l1 + l2) / 2
    cp_mean = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_mean = (h1p + h2p + 360) / 2
    else:
        h_mean = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dh_big / s_h) ** 2
                     + r_t * (dc / s_c) * (dh_big / s_h))


def closest(colour: str, others: dict[str, str]) -> tuple[str, float] | None:
    """The name in `others` whose colour looks most like `colour`, and how far it is."""
    if not others:
        return None
    name = min(others, key=lambda n: delta_e(colour, others[n]))
    return name, delta_e(colour, others[name])


#: the levels of each channel in xterm's 256-colour cube (colours 16-231)
_CUBE = (0, 95, 135, 175, 215, 255)


def terminal_colour(colour: str) -> int:
    """The xterm-256 colour number of `colour`, or of the cube colour that looks most like it."""
    r, g, b = rgb(colour)
    if all(channel in _CUBE for channel in (r, g, b)):
        return 16 + 36 * _CUBE.index(r) + 6 * _CUBE.index(g) + _CUBE.index(b)
    cube = {16 + 36 * i + 6 * j + k: "#%02x%02x%02x" % (ri, gj, bk)
            for i, ri in enumerate(_CUBE) for j, gj in enumerate(_CUBE) for k, bk in enumerate(_CUBE)}
    return min(cube, key=lambda number: delta_e(colour, cube[number]))
