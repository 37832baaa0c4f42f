"""The stage registry: a stage declares its options, rule ids, categories and report fields,
and the command line, the config, `--disable` and the report learn them from there."""
from __future__ import annotations

from dataclasses import fields

import pytest

from corpusclean.cli import cli
from corpusclean.config import RUN_OPTIONS, RunConfig, option_owners
from corpusclean.stages.registry import STAGES, build_stages, disable_prefixes, report_fields, stage_rules


def test_every_stage_option_has_one_owner_and_a_command_line_flag():
    owners = option_owners()  # raises if two stages claim one name
    run_params = {param.name for param in cli.commands["run"].params}
    for stage in STAGES:
        for option in fields(stage.Config):
            assert owners[option.name] == stage.name
            assert option.name in run_params, f"{stage.name}.{option.name} has no command-line option"
    assert set(RUN_OPTIONS) <= run_params


def test_each_command_builds_the_stages_of_its_steps_in_registry_order():
    assert [s.name for s in build_stages(RunConfig.build("fix"))] == []
    assert [s.name for s in build_stages(RunConfig.build("strip"))] == ["rules", "language", "classifier"]
    assert [s.name for s in build_stages(RunConfig.build("dedup"))] == ["dedup"]
    assert [s.name for s in build_stages(RunConfig.build("strip", quality=True))] == ["rules", "language", "classifier", "quality"]
    assert [s.name for s in build_stages(RunConfig.build("run"))] == ["rules", "language", "classifier", "dedup"]


def test_stages_declare_the_rules_they_emit_and_the_report_fields_they_add():
    rules = stage_rules()
    assert rules["heuristic.menu-run"][0] == "classifier"
    assert rules["heuristic.menu-run"][1].reason.startswith("a menu")
    assert "dedup.page-repeat" in rules and "language.filter" in rules
    assert "page_duplicate_of" in report_fields()
    assert rules["dedup.template"][1].categories == ("template",)
    assert disable_prefixes() == ("heuristic.", "quality.")


def test_disable_names_go_to_the_stage_that_claims_them():
    rules_stage, _, classifier = build_stages(RunConfig.build("strip", disable=["social", "heuristic.footer-zone"]))
    assert rules_stage.rulebook.disabled == ("social",)
    assert classifier.disabled == {"social", "heuristic.footer-zone"}


def test_a_category_disable_cannot_fully_reach_is_refused_saying_which_stage_removes_it():
    """The classifier and dedup both remove `duplicate` lines; --disable reaches the classifier
    only, so in a run with dedup the name is refused rather than half honoured. `strip` has no
    dedup, and there the classifier's are switched off."""
    with pytest.raises(ValueError, match="category 'duplicate' is removed by the dedup stage, which --disable "
                                         "does not reach"):
        build_stages(RunConfig.build("run", disable=["duplicate"]))
    *_, classifier = build_stages(RunConfig.build("strip", disable=["duplicate"]))
    assert "duplicate" in classifier.disabled
