"""Cut removals out of a document, tidy the blank lines they leave, and put it all back.

`apply` is the one place text is cut. The blank-line tidy-up is recorded as removals too
(stage "layout"), so the clean text plus the report always rebuilds the encoding-fixed text.
"""
from __future__ import annotations

from .model import Document, Removal, consecutive_runs, is_blank

LAYOUT_STAGE = "layout"
LAYOUT_RULE = "layout.blank-lines"
LAYOUT_CATEGORY = "whitespace"


def tidy_blank_lines(doc: Document) -> None:
    """Remove blank lines that would stand at the top, at the bottom, or right after another
    kept blank line: paragraphs stay separated by exactly one blank line."""
    lines = doc.lines
    kept = doc.live_indices()
    drop: list[int] = []
    seen_text = False
    previous_blank = False
    for i in kept:
        blank = not lines[i].strip()   # is_blank, without a call per line
        if blank and (not seen_text or previous_blank):
            drop.append(i)
        elif blank:
            previous_blank = True
        else:
            seen_text, previous_blank = True, False
    # trailing blank lines (after the last kept text line)
    dropped = set(drop)
    for i in reversed(kept):
        if not is_blank(lines[i]):
            break
        dropped.add(i)
    for first, last in consecutive_runs(sorted(dropped)):
        doc.remove(first, last, stage=LAYOUT_STAGE, rule=LAYOUT_RULE, category=LAYOUT_CATEGORY,
                   reason="blank lines left at an edge or doubled by removals")


def apply(doc: Document) -> str:
    """The clean text: every live line, each with its newline."""
    tidy_blank_lines(doc)
    live = doc.live_lines()
    return "\n".join(live) + "\n" if live else ""


def rebuild(clean: str, removals: list[Removal]) -> str:
    """The encoding-fixed text, from clean text plus every removal (layout ones included)."""
    out: list[str] = []
    fixed_pos = 0  # position in the text being rebuilt
    clean_pos = 0
    for removal in sorted(removals, key=lambda r: r.start):
        keep = removal.start - fixed_pos
        if keep < 0:
            raise ValueError(f"overlapping removals at character {removal.start}")
        if removal.end - removal.start != len(removal.text):
            raise ValueError(f"the removal at character {removal.start} ({removal.rule}) holds "
                             f"{len(removal.text)} characters for a span of {removal.end - removal.start}")
        if clean_pos + keep > len(clean):
            raise ValueError(f"the clean text ends before the removal at character {removal.start} ({removal.rule})")
        kept = clean[clean_pos:clean_pos + keep]
        if removal.start > 0 and not (kept or (out[-1] if out else "")).endswith("\n"):
            raise ValueError(f"the removal at character {removal.start} ({removal.rule}) would start "
                             "inside a line of the clean text")
        out.append(kept)
        out.append(removal.text)
        clean_pos += keep
        fixed_pos = removal.end
    out.append(clean[clean_pos:])
    return "".join(out)


def without_layout(removals: list[Removal]) -> list[Removal]:
    """Layout removals are re-derived whenever text is written, so a later stage drops them."""
    return [r for r in removals if r.stage != LAYOUT_STAGE]
