"""The dedup stage: repeated lines within a page, across the corpus, and whole-page duplicates.

Pass 1 (`observe`, in workers) fingerprints every line of the encoding-fixed text; the parent
builds the corpus index from them in input order (`absorb`) and settles it (`prepare`).
Pass 2 (`process`) removes, from the lines still live:

* template chrome: a line found in at least `template_min_pages` pages is removed from every
  page, first copy included (category "template"). A long line must also be in
  `template_min_share` of all pages: a story syndicated to many sites is in many pages too,
  and its first copy must stay;
* a line that repeats, exactly or nearly, an earlier line of the same page
  (category "duplicate", `details.duplicate_of` points at the earlier line);
* a long line (at least `short_line_words` words) whose earliest near-duplicate, in input
  order, is on an earlier page (category "duplicate", pointing at that page and line). Short
  lines are never removed for being in a few other pages: "Introduction" or "Thank you." in two
  pages is not duplicated content. A page more than `syndicated_page_share` (half) of whose
  remaining long lines are such copies is left whole: it carries a story an earlier page
  carried (an agency story on a second site), and removing it line by line would leave the
  page's chrome without its article.

A long line points at its earliest near-duplicate: the first line of the corpus that is the
same line or nearly (dedup/resolve.py), whatever was decided about the lines in between, so
the decisions can be computed partition by partition. Pages another stage drops (`--lang`) and,
with `drop_duplicate_pages`, page duplicates are nobody's kept copy: they are left out of the
index.
The first copy of a repeat stays unless another stage removed it; the report points at it
either way. When that stage removed the first copy *as a duplicate* of a later line (the
classifier takes a page's <title> line for a copy of the headline below it), the later copy
is the one the page keeps, and it stays. A page whose long lines mostly repeat one earlier page's is a page duplicate:
recorded in its report (`page_duplicate_of`, with the similarity), and with
`drop_duplicate_pages` left out of the output. Without that flag it is left whole: its lines
are not removed one by one as copies of the earlier page (that would drop the page in all but
name), and it does not count towards template chrome (see dedup/index.py).

Natural repetition (a song's refrain, a pull-quote, list items that repeat, a section heading
that repeats its table-of-contents entry) is the trap of the within-page rule: a repeat is
chrome when the repeated thing is. The default: a repeated paragraph (a long line) the strip
stages kept stays (they judged it content); where they did not run, it stays unless it is part
of a pasted block of lines; with `drop_paragraph_repeats`
it loses its later copies when they are at least `page_repeat_jaccard` (0.9) alike, a
stricter bar than across pages, since two paragraphs of one page that are only 70-90% alike
are usually both content. A short line loses them
when it has `page_repeat_min_count` (3) copies or more, when a copy follows the previous one
within `page_repeat_window` (4) lines, or when it is part of a repeated run of lines. So a
refrain sung three times keeps only its first copy, while a heading repeated once, far from
its table-of-contents entry, stays. In an HTML extractor's text that the strip stages judged,
a short line loses its copy only when it is a title printed twice (see `_short_repeats`).
`keep_page_repeats` keeps every repeat within a page
(and still removes template chrome and repeats of earlier pages).
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Sequence

from ..dedup.config import DEDUP_OPTIONS, DedupConfig
from ..model import Document, consecutive_runs
from .base import RuleInfo, Stage

if TYPE_CHECKING:
    from ..config import RunConfig
    from ..dedup.fingerprint import Fingerprinter
    from ..dedup.index import CorpusIndex, Decisions
    from ..dedup.pages import PageFingerprint, PageFingerprints

TEMPLATE_RULE = "dedup.template"
PAGE_REPEAT_RULE = "dedup.page-repeat"
CORPUS_REPEAT_RULE = "dedup.corpus-repeat"
PAGE_DUPLICATE_RULE = "dedup.page-duplicate"


class DedupStage(Stage):
    name = "dedup"
    step = "dedup"
    Config = DedupConfig
    cli_options = DEDUP_OPTIONS
    rules = {
        TEMPLATE_RULE: RuleInfo("a line recurring in many pages: template chrome", ("template",)),
        PAGE_REPEAT_RULE: RuleInfo("repeats an earlier line of this page", ("duplicate",)),
        CORPUS_REPEAT_RULE: RuleInfo("repeats a line first seen in an earlier page", ("duplicate",)),
        PAGE_DUPLICATE_RULE: RuleInfo("the page nearly duplicates an earlier page (--drop-duplicate-pages)",
                                      ("duplicate",)),
    }
    report_fields = ("page_duplicate_of",)

    @classmethod
    def from_config(cls, config: DedupConfig, run: "RunConfig") -> "DedupStage":
        return cls(config)

    def __init__(self, config: DedupConfig | None = None):
        self.config = config or DedupConfig()
        self._decisions: Decisions | None = None

    @cached_property
    def _index(self) -> CorpusIndex:
        """The corpus pass's index, made where pages are absorbed: with numpy, which the parent
        of a run on several workers never imports (one of its workers builds the corpus state,
        pipeline.run_corpus)."""
        from ..dedup.index import CorpusIndex

        return CorpusIndex(self.config)

    @cached_property
    def _fingerprints(self) -> Fingerprinter:
        """Built where pages are fingerprinted (a worker), on its first page: the process that
        only absorbs them (the parent of a run on several workers) never needs the MinHash
        permutations and tables (about 0.01 CPU-s), nor imports the fingerprinting code."""
        from ..dedup.fingerprint import Fingerprinter

        return Fingerprinter(self.config)

    def settings(self) -> dict[str, Any]:
        return self.config.signature()

    def get_ready(self) -> None:
        self._fingerprints  # noqa: B018  (the fingerprinting code and tables: the syndication test uses them)

    # -- the corpus pass --------------------------------------------------------------------
    def observe(self, doc: Document) -> PageFingerprint:
        return self._fingerprints.page(doc.name, doc.text, doc.lines)

    def observe_batch(self, docs: list[Document]) -> PageFingerprints:
        return self._fingerprints.pages([(doc.name, doc.text, doc.lines) for doc in docs])

    def absorb(self, number: int, observation: PageFingerprint) -> None:
        self._index.add(number, observation)

    def absorb_batch(self, numbers: Sequence[int], observations: PageFingerprints) -> None:
        self._index.add_pages(numbers, observations)

    def prepare(self) -> None:
        self.use(self._index.finish())
        del self._index  # the built index is no longer needed: free it (a new one is made if asked)

    def use(self, decisions: Decisions) -> None:
        """Decisions made elsewhere (the Ray engine resolves them partition by partition and
        hands each worker those of the pages it processes)."""
        self._decisions = decisions

    def corpus_state(self) -> Decisions | None:
        return self._decisions   # arrays: about 1.2 MB for 20 MB of text, pickled in under a millisecond

    def use_corpus_state(self, state: Decisions) -> "DedupStage":
        self.use(state)
        return self

    def fresh(self) -> "DedupStage":
        copy = DedupStage.__new__(DedupStage)
        copy.config, copy._fingerprints = self.config, self._fingerprints
        copy._decisions = None
        return copy

    # -- the removal pass -------------------------------------------------------------------
    def process(self, doc: Document) -> None:
        number = doc.meta.number
        if self._decisions is None or number is None or number >= self._decisions.pages:
            raise RuntimeError("DedupStage.process needs the corpus pass first (observe, absorb, prepare) "
                               "and the document's input number in doc.meta.number, as pipeline.run_corpus gives")
        decisions = self._decisions
        page = decisions.page(number)
        template: dict[int, int] = {}                   # line -> pages it recurs in
        repeats: list[tuple[int, str, int, int]] = []   # (line, rule, page it repeats, line there)
        paragraph_repeats: list[tuple[int, str, int, int]] = []  # long lines repeating one of this page
        # a whole-page duplicate is left whole: dropping it is --drop-duplicate-pages' job
        whole_page_duplicate = page.duplicate_of >= 0
        for line, group_doc, group_line, page_first, pages in zip(
                page.line.tolist(), page.group_doc.tolist(), page.group_line.tolist(), page.page_first.tolist(),
                page.group_pages.tolist()):
            if pages >= decisions.template_min:
                template[line] = pages
            elif page_first >= 0:
                if self._alike(doc.lines[line], doc.lines[page_first]):
                    paragraph_repeats.append((line, PAGE_REPEAT_RULE, number, page_first))
            elif not whole_page_duplicate:
                repeats.append((line, CORPUS_REPEAT_RULE, group_doc, group_line))
        copies: dict[int, list[int]] = {}             # short line key -> its lines in this page
        for line, key, pages in zip(*decisions.short_lines(number)):
            if pages:
                template[line] = pages
            else:
                copies.setdefault(key, []).append(line)
        if repeats and self._syndicated(doc, repeats):
            repeats = []
        # an extractor's main text, judged by the strip stages: what is left repeats itself
        chosen = doc if doc.meta.main_text and "strip" in doc.meta.stages else None
        repeats += self._short_repeats(number, copies, paragraph_repeats, chosen)
        repeats += self._paragraph_repeats(paragraph_repeats, repeats, judged="strip" in doc.meta.stages)
        self._remove_template(doc, template)
        self._remove_repeats(doc, repeats)
        if page.duplicate_of >= 0:
            self._page_duplicate(doc, decisions.name(page.duplicate_of), page.similarity)

    def _syndicated(self, doc: Document, corpus_repeats: list[tuple[int, str, int, int]]) -> bool:
        """Whether the page's content is mostly copies of earlier pages' lines: more than
        `syndicated_page_share` of the characters of the long lines the strip stages left
        (characters, so that a few long teasers left around the story do not outvote it). Such a page carries a
        story another page carried first (an agency story on a second site, with that site's
        own menus): removing the copies line by line would keep its chrome and drop its
        article, so the page is left whole. Decided from this page's decisions alone, so any
        engine and any partitioning decide alike."""
        config = self.config
        removed = doc.removed
        copies = sum(len(doc.lines[line]) for line, *_ in corpus_repeats if not removed[line])
        if copies == 0:
            return False
        # Counting words is most of the cost, and most pages are settled without it: every long
        # line has at least `short_line_words` characters (normalising makes at most one word
        # start per character), so the live lines that long weigh at least as much as the live
        # long lines; and the copies are long lines themselves (pass 1 counted their words the
        # same way), so there are live long lines.
        bound = sum(len(text) for text, gone in zip(doc.lines, removed) if len(text) >= config.short_line_words
                    and not gone)
        if copies > config.syndicated_page_share * bound:
            return True
        # every line's word count at once, in numpy, as pass 1 counted them
        from ..dedup.fingerprint import words_per_line

        words = words_per_line(doc.text, len(doc.lines), self._fingerprints.normaliser)
        long = (words >= config.short_line_words).nonzero()[0].tolist()
        live_long = sum(len(doc.lines[i]) for i in long if not removed[i])
        return live_long > 0 and copies > config.syndicated_page_share * live_long

    def _alike(self, line: str, earlier: str) -> bool:
        """Within a page, a long line repeats an earlier one only when their word shingles are
        at least `page_repeat_jaccard` alike (exact, not estimated: it is one pair). The same
        text is alike whatever the threshold (at most 1), without shingling it: 737 of the 828
        pairs of the 20 MB bench corpus are."""
        if line == earlier:
            return True
        mine, theirs = self._shingles(line), self._shingles(earlier)
        union = len(mine | theirs)
        return union == 0 or len(mine & theirs) / union >= self.config.page_repeat_jaccard

    def _shingles(self, line: str) -> set[tuple[str, ...]]:
        from ..dedup.fingerprint import normalise

        words = normalise(line).split()
        size = self.config.shingle_size
        if len(words) <= size:
            return {tuple(words)}
        # each shingle: the words from a position on, `size` of them (zip stops at the last whole one)
        return set(zip(*(words[i:] for i in range(size))))

    def _short_repeats(self, number: int, copies: dict[int, list[int]],
                       long_repeats: list[tuple[int, str, int, int]],
                       chosen: Document | None = None) -> list[tuple[int, str, int, int]]:
        """Which later copies of a short line to remove. A long line repeated in a page is a
        copy of a paragraph; a short one may be structure: a section heading repeats its
        table-of-contents entry. So a short repeat goes when the line has at least
        `page_repeat_min_count` copies (a pasted widget), when it follows its previous copy
        closely (a title printed twice), or when it is part of a repeated run of lines (a
        pasted block); a lone copy far from the first (the heading) stays.

        In an HTML extractor's main text that the strip stages judged (`chosen`), the extractor
        has already dropped the menus and widgets a page pastes again and again, and the strip
        stages the chrome it kept: the short lines left that repeat are the article's own (list
        items, table cells, a refrain, a caption under each picture of a series, headings).
        There only a title printed twice goes: exactly two copies, each a paragraph of its
        own, one right after the other (the headline, and the same headline again above the
        story).
        Lines of one list or table (no blank line between them) are items and cells: they stay."""
        config = self.config
        clear: list[tuple[int, str, int, int]] = []
        maybe: list[tuple[int, str, int, int]] = []
        for lines in copies.values():
            if chosen is not None:
                if len(lines) == 2 and _next_paragraph(chosen, *lines):
                    clear.append((lines[1], PAGE_REPEAT_RULE, number, lines[0]))
                continue
            for previous, line in zip(lines, lines[1:]):
                row = (line, PAGE_REPEAT_RULE, number, lines[0])
                near = line - previous <= config.page_repeat_window
                (clear if near or len(lines) >= config.page_repeat_min_count else maybe).append(row)
        if maybe:
            page_repeats = sorted(clear + maybe + [r for r in long_repeats if r[1] == PAGE_REPEAT_RULE])
            in_blocks = {row for run in _repeat_runs(page_repeats) if len(run) > 1 for row in run}
            clear += [row for row in maybe if row in in_blocks]
        return clear

    def _paragraph_repeats(self, paragraph_repeats: list[tuple[int, str, int, int]],
                           repeats: list[tuple[int, str, int, int]], judged: bool) -> list[tuple[int, str, int, int]]:
        """Which later copies of a repeated paragraph to remove. A repeat is chrome when the
        repeated thing is. Where the strip stages ran, they judged that: they kept the
        paragraph, so it is content, and a page that prints it twice or more (a pull-quote,
        the lead under the headline and again in the story, the whole story printed twice)
        means it that often. Without them (`corpusclean dedup` on raw text), a paragraph that
        is part of a pasted block of lines (a sign-up form's terms under every form) goes.
        `drop_paragraph_repeats` removes every later copy."""
        if self.config.drop_paragraph_repeats:
            return paragraph_repeats
        if judged:
            return []
        # (line, source line) of every repeat in the page: a pasted block repeats its
        # neighbours too, at the same distance (a blank line between its parts or not)
        pairs = {(r[0], r[3]) for r in paragraph_repeats} | {(r[0], r[3]) for r in repeats if r[1] == PAGE_REPEAT_RULE}
        return [row for row in paragraph_repeats
                if any((row[0] + step, row[3] + step) in pairs for step in (-2, -1, 1, 2))]

    def _page_duplicate(self, doc: Document, original: str, similarity: float) -> None:
        similarity = round(similarity, 3)
        doc.meta.fields["page_duplicate_of"] = {"document": original, "similarity": similarity}
        if not self.config.drop_duplicate_pages:
            return
        live = doc.live_indices()
        if live:
            doc.remove(live[0], live[-1], stage=self.name, rule=PAGE_DUPLICATE_RULE, category="duplicate",
                       reason="the page nearly duplicates an earlier page",
                       details={"duplicate_of": {"document": original}, "similarity": similarity})
        doc.meta.dropped = f"near-duplicate of {original} (similarity {similarity})"

    def _remove_template(self, doc: Document, template: dict[int, int]) -> None:
        """Template lines, a run of consecutive lines (a header, a footer) as one removal."""
        assert self._decisions is not None
        for first, last in consecutive_runs(sorted(template)):
            pages = min(template[line] for line in range(first, last + 1))
            reason = (f"recurs in {pages} pages" if first == last else f"each line recurs in at least {pages} pages")
            doc.remove(first, last, stage=self.name, rule=TEMPLATE_RULE, category="template",
                       reason=reason + ": template chrome",
                       details={"pages": pages, "share": round(pages / max(self._decisions.absorbed, 1), 4)})

    def _remove_repeats(self, doc: Document, repeats: list[tuple[int, str, int, int]]) -> None:
        """Repeated lines, pointing at what they repeat. A run of consecutive lines repeating
        consecutive lines of one page (a pasted block, a syndicated passage) is one removal;
        its pointer gives the first line of the original and, for a run, all its lines."""
        assert self._decisions is not None
        if not repeats:  # most pages: nothing to look up in their other removals
            return
        removed_as_copy = _removed_as_copy(doc)
        code = _code_lines(doc)
        # a copy whose first copy another stage removed *as a copy of it* (the classifier's
        # page-title: the <title> line repeating the headline) is the one the page keeps
        wanted = [r for r in repeats if doc.is_live(r[0])
                  and not (r[1] == PAGE_REPEAT_RULE and r[3] in removed_as_copy)
                  and not (r[1] == PAGE_REPEAT_RULE and r[0] in code)
                  and not (self.config.keep_page_repeats and r[1] == PAGE_REPEAT_RULE)]
        names: dict[int, str] = {}
        for run in _repeat_runs(sorted(wanted)):
            (first, rule, source, source_line), last = run[0], run[-1][0]
            if source not in names:
                names[source] = doc.name if source == doc.meta.number else self._decisions.name(source)
            pointer = {"document": names[source], "line": source_line + 1}
            if last > first:
                pointer["lines"] = [source_line + 1, source_line + 1 + last - first]
            reason = ("repeats an earlier line of this page" if rule == PAGE_REPEAT_RULE
                      else "repeats a line first seen in an earlier page")
            doc.remove(first, last, stage=self.name, rule=rule, category="duplicate", reason=reason,
                       details={"duplicate_of": pointer})


def _next_paragraph(doc: Document, first: int, second: int) -> bool:
    """Are the two lines paragraphs of their own, one right after the other (only blank
    lines between them, blank lines or the text's edges around them)?"""
    def blank(i: int) -> bool:
        return not (0 <= i < len(doc.lines)) or not doc.lines[i].strip()
    return second > first + 1 and all(blank(i) for i in (first - 1, *range(first + 1, second), second + 1))


def _code_lines(doc: Document) -> set[int]:
    """0-based lines an HTML extractor found in code blocks (the report's `code_lines`). A
    program repeats its keywords and statements (SELECT, FROM, `$ hg push`), and each sample
    is shown whole: within a page, a repeat in code is content."""
    extractor = doc.meta.extractor or {}
    return {line - 1 for first, last in extractor.get("code_lines", ()) for line in range(first, last + 1)}


def _removed_as_copy(doc: Document) -> set[int]:
    """0-based lines an earlier stage removed as duplicates (category "duplicate")."""
    return {line - 1 for removal in doc.removals if removal.category == "duplicate"
            for line in range(removal.line_start, removal.line_end + 1)}


def _repeat_runs(repeats: list[tuple[int, str, int, int]]) -> list[list[tuple[int, str, int, int]]]:
    """Sorted (line, rule, source page, source line) rows grouped into runs: consecutive lines,
    same rule and source page, consecutive source lines."""
    runs: list[list[tuple[int, str, int, int]]] = []
    for row in repeats:
        if runs:
            last = runs[-1][-1]
            if row[0] == last[0] + 1 and row[1:3] == last[1:3] and row[3] == last[3] + 1:
                runs[-1].append(row)
                continue
        runs.append([row])
    return runs
