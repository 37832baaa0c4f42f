"""A small made-up run for the `diff` and `review` tests.

It goes through the real pipeline and the real writers, but with one tiny stage that removes
lines holding known phrases, so what the tests expect does not move when the shipped rule packs
or the classifier are tuned.
"""
from __future__ import annotations

import json
from pathlib import Path

from corpusclean.model import Document
from corpusclean.pipeline import Job, run_corpus
from corpusclean.report import Summary
from corpusclean.writers import DirectoryWriter, JsonlWriter
from corpusclean.readers.files import iter_directory
from corpusclean.readers.jsonl import iter_jsonl
from corpusclean.stages.base import Stage

COUNCIL = """Skip to content
Home | News | Sport

Council approves the new river bridge

The city council voted on Tuesday to approve the bridge.
Work starts in the spring.

Share on Facebook
Share on Twitter

Sign up for our morning newsletter

The mayor said the vote was close.
"""

RECIPE = """Lentil soup

Rinse the lentils and simmer them for twenty minutes.
Sign up for our recipe newsletter
Season with cumin before serving. Never type </script> into a page.
"""

NOTES = """Field notes

Nothing here is chrome, so nothing is removed.
"""

#: phrase -> (category, rule id)
PHRASES = {
    "Skip to content": ("navigation", "nav.skip"),
    "Home | News": ("navigation", "nav.menu"),
    "Share on": ("social", "social.share"),
    "Sign up for": ("newsletter", "newsletter.signup"),
}


class RemovePhrases(Stage):
    """Removes each live line that holds one of PHRASES."""

    name = "phrases"
    step = "strip"

    def process(self, doc: Document) -> None:
        for i, line in enumerate(doc.lines):
            for phrase, (category, rule) in PHRASES.items():
                if phrase in line and doc.is_live(i):
                    doc.remove(i, i, stage=self.name, rule=rule, category=category,
                               reason=f'the line holds "{phrase}"')


def make_run(tmp_path: Path, jsonl: bool = False) -> Path:
    """Run the stage over council, recipe, notes and one binary (failing) page; returns OUT."""
    texts = {"council": COUNCIL, "recipe": RECIPE, "notes": NOTES}
    job = Job(stages=[RemovePhrases()], steps=["strip"], max_bytes=1_000_000)
    summary = Summary("strip", {})
    if jsonl:
        source = tmp_path / "in.jsonl"
        records = [{"id": name, "text": text} for name, text in texts.items()] + [{"id": "broken"}]
        source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        out = tmp_path / "out.jsonl"
        sink = JsonlWriter(str(out))
        run_corpus(lambda: iter_jsonl(str(source)), job, sink.write, summary, workers=1)
    else:
        source = tmp_path / "in"
        source.mkdir()
        for name, text in texts.items():
            (source / f"{name}.txt").write_text(text, encoding="utf-8")
        (source / "broken.txt").write_bytes(b"\x00\x01binary")
        out = tmp_path / "out"
        sink = DirectoryWriter(out)
        run_corpus(lambda: iter_directory(source), job, sink.write, summary, workers=1)
    sink.close(summary.to_json())
    return out
