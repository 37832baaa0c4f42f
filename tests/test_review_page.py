"""`corpusclean review OUT -o FILE`: one self-contained HTML page to review a run.

The first tests read the written file as text. The last ones open it in headless Chromium
(Debian's `chromium`; CI installs it) with a filter in the URL fragment, read the DOM the
page's script drew (`--dump-dom`), and save a screenshot under tests/artifacts/.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import read_summary, run_cli
from review_run import make_run

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def write_page(tmp_path: Path, jsonl: bool = False) -> tuple[Path, Path]:
    out = make_run(tmp_path, jsonl=jsonl)
    page = tmp_path / "review.html"
    result = run_cli("review", str(out), "-o", str(page))
    assert result.exit_code == 0, result.output
    return out, page


def embedded(page: Path, element_id: str):
    """The JSON of one <script type="application/json"> element."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


# -- the file ---------------------------------------------------------------------------------

def test_page_is_self_contained(tmp_path):
    _, page = write_page(tmp_path)
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "nothing may load from the network"
    assert "<link" not in text and "@import" not in text
    assert text.count('<script type="application/json" id="p-') == 4, "one lazily parsed element per page"


def test_text_cannot_close_its_script_element(tmp_path):
    """recipe.txt says "</script>": it is stored escaped, and still reads back as written."""
    _, page = write_page(tmp_path)
    index = embedded(page, "index")
    recipe = [row[0] for row in index["pages"]].index("recipe")
    assert any("Never type </script> into a page." in segment[0] for segment in embedded(page, f"p-{recipe}"))


def test_index_totals_agree_with_the_run_summary(tmp_path):
    out, page = write_page(tmp_path)
    summary = read_summary(out / "corpusclean-summary.json")
    totals = embedded(page, "index")["totals"]
    for key in ("documents", "removed_by_category", "removed_by_rule", "failures"):
        assert totals[key] == summary[key]
    assert totals["sizes"]["clean_chars"] == summary["sizes"]["clean_chars"]


def test_each_page_holds_its_report_removals_in_order(tmp_path):
    """The page and `diff` cannot disagree: both are the report's removals woven into the text."""
    out, page = write_page(tmp_path)
    index = embedded(page, "index")
    council = [row[0] for row in index["pages"]].index("council")
    segments = embedded(page, f"p-{council}")
    report = json.loads((out / "council.report.json").read_text(encoding="utf-8"))
    shown = [(s[0], index["categories"][s[1]]["name"], index["rules"][s[2]]) for s in segments if len(s) > 1]
    assert shown == [(r["text"], r["category"], r["rule"]) for r in report["removals"]]
    assert "".join(s[0] for s in segments) == (tmp_path / "in" / "council.txt").read_text(encoding="utf-8")


def test_pages_that_lost_the_most_come_first(tmp_path):
    _, page = write_page(tmp_path)
    index = embedded(page, "index")
    assert [index["pages"][i][0] for i in index["top_pages"]] == ["council", "recipe"]


def test_jsonl_output_can_be_reviewed(tmp_path):
    _, page = write_page(tmp_path, jsonl=True)
    assert [row[0] for row in embedded(page, "index")["pages"]] == ["council", "recipe", "notes", "broken"]


def test_sample_shows_n_pages_chosen_by_name_and_counts_the_whole_run(tmp_path):
    out = make_run(tmp_path)
    pages = []
    for attempt in ("a", "b"):
        page = tmp_path / f"sample-{attempt}.html"
        result = run_cli("review", str(out), "-o", str(page), "--sample", "2")
        assert result.exit_code == 0, result.output
        assert "4 pages (1 failed, 0 dropped, a sample of 2 shown)" in result.stderr
        pages.append(page.read_bytes())
    assert pages[0] == pages[1], "the same run gives the same sample"
    index = embedded(tmp_path / "sample-a.html", "index")
    lowest = sorted(["council", "recipe", "notes", "broken"], key=lambda n: hashlib.sha256(n.encode()).digest())[:2]
    assert [row[0] for row in index["pages"]] == [n for n in ["broken", "council", "notes", "recipe"] if n in lowest]
    assert index["sample"] == {"pages": 2, "of": 4}
    assert index["totals"]["documents"] == {"failed": 1, "ok": 3}  # the figures are the whole run's
    assert (tmp_path / "sample-a.html").read_text(encoding="utf-8").count('id="p-') == 2


def test_output_inside_out_is_refused(tmp_path):
    out = make_run(tmp_path)
    result = run_cli("review", str(out), "-o", str(out / "review.html"))
    assert result.exit_code == 1
    assert "inside OUT" in result.stderr
    assert not (out / "review.html").exists()


# -- in a browser -----------------------------------------------------------------------------

def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium is not installed (Debian: apt-get install -y chromium)")


def open_in_chromium(page: Path, fragment: str, profile: Path, *, screenshot: Path | None = None,
                     size: str = "1280,1100") -> str:
    """The DOM after the page's script ran, for page#fragment (or a screenshot of it)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--virtual-time-budget=5000", f"--window-size={size}"]
    command += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    done = subprocess.run(command + [page.resolve().as_uri() + "#" + fragment],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Elements(HTMLParser):
    """Attributes of every element, and the text inside #list-status."""

    def __init__(self, dom: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.list_status = ""
        self._in_status = False
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        self._in_status = attributes.get("id") == "list-status"

    def handle_data(self, data):
        if self._in_status:
            self.list_status += data

    def handle_endtag(self, tag):
        self._in_status = False

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def test_category_filter_in_chromium(tmp_path):
    out, page = write_page(tmp_path)
    dom = Elements(open_in_chromium(page, "cat=social&page=council", tmp_path / "profile"))
    assert dom.find("body", data_ready="true"), "the page's script did not finish"

    # the list shows only pages with a social removal
    assert dom.list_status == "1 of 4 pages match"
    assert [li["data-page"] for li in dom.find("li") if "data-page" in li] == ["council"]

    # the open page highlights the social removals, each with its rule and reason on hover...
    spans = [a for t, a in dom.elements if t == "del"]
    highlighted = [a for a in spans if "match" in a["class"].split()]
    assert [a["data-cat"] for a in highlighted] == ["social", "social"]
    assert all(a["title"].startswith("social · social.share\nthe line holds \"Share on\"") for a in highlighted)
    # ...and shows the others in place, greyed, still removed
    report = json.loads((out / "council.report.json").read_text(encoding="utf-8"))
    assert len(spans) == len(report["removals"])
    assert {a["data-cat"] for a in spans if "dim" in a["class"].split()} == {"navigation", "newsletter", "whitespace"}
    assert dom.find("button", data_cat="social", aria_pressed="true")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-social-filter.png"
    open_in_chromium(page, "cat=social&page=council", tmp_path / "profile", screenshot=shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_and_rule_filter_in_chromium(tmp_path):
    _, page = write_page(tmp_path)
    dom = Elements(open_in_chromium(page, "q=cumin", tmp_path / "profile"))
    assert dom.list_status == "1 of 4 pages match"
    assert [li["data-page"] for li in dom.find("li") if "data-page" in li] == ["recipe"]

    dom = Elements(open_in_chromium(page, "rule=newsletter.signup", tmp_path / "profile"))
    assert [li["data-page"] for li in dom.find("li") if "data-page" in li] == ["council", "recipe"]


def test_the_first_pages_text_is_on_the_first_screen(tmp_path):
    """Opened with no #page, the page shows the first listed page's text below a one-row
    summary: on a 1280x720 screen it starts in the top half, not below the summary's tables."""
    _, page = write_page(tmp_path)
    measured = tmp_path / "measured.html"
    probe = ('<script>const box = document.querySelector("#page-view .text").getBoundingClientRect();'
             'document.body.dataset.textTop = Math.round(box.top);</script>')
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")
    dom = Elements(open_in_chromium(measured, "", tmp_path / "profile", size="1280,720"))
    body = dom.find("body", data_ready="true")
    assert body, "the page's script did not finish"
    assert int(body[0]["data-text-top"]) < 360
    assert [li["data-page"] for li in dom.find("li") if "current" in li.get("class", "").split()] == ["council"]

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-first-screen.png"
    open_in_chromium(page, "", tmp_path / "profile", screenshot=shot, size="1280,720")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
