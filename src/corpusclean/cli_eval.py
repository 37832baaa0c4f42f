"""`corpusclean eval`: score an output folder against gold article text (evaluate.py)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .evaluate import evaluate

#: where a gold file is looked for when --gold is not given, in this order
GOLD_ENV = "CORPUSCLEAN_GOLD"
GOLD_CANDIDATES = ("devset/gold.json", "../shared/devset/gold.json")


def default_gold() -> Path | None:
    if os.environ.get(GOLD_ENV):
        return Path(os.environ[GOLD_ENV])
    for candidate in GOLD_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


@click.command("eval")
@click.argument("out", metavar="OUT", type=click.Path(exists=True))
@click.option("--gold", "gold_path", type=click.Path(dir_okay=False), default=None,
              help=f"A JSON file mapping document name to its article text. Default: ${GOLD_ENV}, "
                   f"else the first of {', '.join(GOLD_CANDIDATES)} that exists.")
@click.option("--worst", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also list the N documents with the lowest share of right shingles.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON (per document too).")
def eval_command(out: str, gold_path: str | None, worst: int, as_json: bool) -> None:
    """Score cleaned outputs against gold article text.

    OUT is a folder holding NAME.txt for each gold document (searched recursively, as
    `corpusclean run` writes them) or a JSONL output file. The metric is the dev set's
    score.py: word 4-gram shingles, precision and recall averaged over documents, F1 of the
    two. A document with no output counts as empty.

    Example:

        corpusclean run ../shared/devset/txt out/ -q

        corpusclean eval out/ --gold ../shared/devset/gold.json --worst 10
    """
    gold = Path(gold_path) if gold_path else default_gold()
    if gold is None:
        raise click.ClickException(f"no gold file found: pass --gold PATH (or set ${GOLD_ENV})")
    try:
        score = evaluate(out, gold)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(json.dumps({
            "gold": str(gold), "precision": round(score.precision, 4), "recall": round(score.recall, 4),
            "f1": round(score.f1, 4), "documents": len(score.documents), "missing": score.missing,
            "per_document": {d.name: {"kept_right": round(d.kept_right, 4), "kept_wrong": round(d.kept_wrong, 4),
                                      "lost": round(d.lost, 4), "missing": d.missing} for d in score.documents},
        }, indent=2))
        return
    for d in score.worst(worst):
        click.echo(f"  {d.name}: kept-right {d.kept_right:.2f}  kept-wrong {d.kept_wrong:.2f}  lost {d.lost:.2f}")
    click.echo(score.summary())
