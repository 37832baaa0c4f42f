"""`corpusclean rules ...`: check rule packs and list what they contain."""
from __future__ import annotations

from typing import Any

import click

from .catalogue import known_names
from .cli_params import check_names
from .rulebook import RuleError, load_rulebook
from .stages.registry import stage_rules
from .stages.rules import check_rules


@click.group()
def rules() -> None:
    """Check and list the chrome rule packs (the shipped ones plus your own).

    Example:

        corpusclean rules check my-rules/
    """


@rules.command()
@click.argument("dirs", nargs=-1, metavar="[DIR]...", type=click.Path(exists=True, file_okay=False))
def check(dirs: tuple[str, ...]) -> None:
    """Validate the shipped rule packs plus the packs in each DIR, and run every rule's
    examples (which it must remove) and counter-examples (which it must leave alone). Every
    example line a rule matches must also pass the keyword gate a run uses.

    Rules in a DIR replace shipped rules with the same id, exactly as `--rules DIR` does in a
    run. Prints one line per failing example and a count; exits 1 if anything failed.

    Example:

        corpusclean rules check my-rules/
    """
    rulebook = _load(dirs)
    failures = check_rules(rulebook.rules)
    for failure in failures:
        click.echo(str(failure))
    examples = sum(len(r.examples) + len(r.counter_examples) for r in rulebook.rules)
    click.echo(f"{len(rulebook.rules)} rules, {examples} examples checked: "
               f"{len(failures)} failure{'' if len(failures) == 1 else 's'}.")
    if failures:
        raise SystemExit(1)


@rules.command(name="list")
@click.argument("dirs", nargs=-1, metavar="[DIR]...", type=click.Path(exists=True, file_okay=False))
@click.option("--category", default=None, metavar="NAME",
              help="Only the rules and stage tests that may remove text as this category.")
def list_rules(dirs: tuple[str, ...], category: str | None) -> None:
    """List every rule that a run would use: id, scope, where it comes from, and what it
    removes; then the rule ids the other stages remove with (the classifier's tests,
    `heuristic.*`, then dedup's and the language filter's), with the categories each may give
    (`--disable heuristic.NAME` switches a classifier test off).

    Example:

        corpusclean rules list --category newsletter
    """
    rulebook = _load(dirs)
    if category is not None:
        check_names("--category", [category], sorted(known_names(dirs).categories))
    for rule in rulebook.rules:
        if category is None or rule.category == category:
            click.echo(f"{rule.id:34} {rule.scope:5}  {rule.source}: {rule.description}")
    for rule_id, (stage, info) in stage_rules().items():
        if category is None or category in info.categories:
            click.echo(f"{rule_id:34} {'test':5}  {stage} ({info.label()}): {info.reason}")


def _load(dirs: tuple[str, ...]) -> Any:
    try:
        return load_rulebook(extra_dirs=dirs)
    except RuleError as err:
        raise click.ClickException(str(err)) from None
