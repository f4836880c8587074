"""The deregistration variants as their baselines plus processes/measures/*.yaml (seed 二(十二)): what each
measures file does to its baseline, read off the committed BPMN (the writer test proves committed == rebuilt)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.paths import max_counts
from sim.engine.runner import prepare_run
from sim.model.attribution import attributions, grade
from sim.model.measures import load_measures, measure_diff
from sim.model.process import Process

ROOT = Path(sim.__file__).parents[1]
PROCESSES = ROOT / "processes"
VARIANTS = ["deregistration_simple_2021", "deregistration_merged_2021", "deregistration_precheck_2021",
            "deregistration_declared_2021", "deregistration_bankruptcy_2021"]


def load(name: str) -> Process:
    return sim.load_process(PROCESSES / f"{name}.bpmn")


def days(process: Process, timer: str) -> float:
    return process.nodes[timer].timer.mean


@pytest.mark.parametrize("name", VARIANTS)
def test_every_measure_changes_the_model_and_its_baseline_is_a_deregistration_model(name: str) -> None:
    m = load_measures(PROCESSES / "measures" / f"{name}.yaml")
    assert m.baseline.startswith("deregistration_") and m.clause == "二(十二)"
    changes = measure_diff(load(m.baseline), m)
    assert [c.measure.id for c in changes] == [x.id for x in m.measures]
    assert all(c.elements for c in changes), [c.measure.id for c in changes if not c.elements]


def test_simple_2021_is_the_pre_2021_procedure_with_the_rules_20_day_notice() -> None:
    before, after = load("deregistration_simple_baseline"), load("deregistration_simple_2021")
    assert [days(before, t) for t in ("tm_public_notice", "tm_public_notice_2")] == [45, 45]
    assert [days(after, t) for t in ("tm_public_notice", "tm_public_notice_2")] == [20, 20]
    for t in ("tm_public_notice", "tm_public_notice_2"):  # a statute, not the planner's override, grades the period
        said = attributions(after.nodes[t].facts.source)["wait"]
        assert "notice_days_after 20" in said and grade(said) == "statute"
    (change,) = measure_diff(before, load_measures(PROCESSES / "measures" / "deregistration_simple_2021.yaml"))
    assert change.measure.kind == "case" and set(change.elements) == {"tm_public_notice", "tm_public_notice_2"}


def test_merged_deregistration_drops_the_firms_separate_applications_not_the_agencies_work() -> None:
    simple, merged = load("deregistration_simple_2021"), load("deregistration_merged_2021")
    assert max_counts(merged).procedures < max_counts(simple).procedures
    for step in ("t_social_dereg", "t_customs_dereg", "t_tax_clearance"):
        a, b = simple.nodes[step].facts, merged.nodes[step].facts
        assert a.procedure and not b.procedure and b.documents == 0
        assert (b.wait, b.work) == (a.wait, a.work)  # the plan gives no figure for the agencies' processing


def test_the_precheck_finds_most_blocking_conditions_on_submission_as_ranged_assumptions() -> None:
    simple, pre = load("deregistration_simple_2021"), load("deregistration_precheck_2021")
    assert pre.successors("t_notice_apply") == ["t_precheck"] and not pre.nodes["t_precheck"].facts.procedure
    (gate,) = pre.successors("t_precheck")
    fix = next(f for f in pre.outgoing(gate) if f.condition)
    assert (fix.target, fix.condition) == ("t_precheck_fix", "is_caught")
    assert pre.nodes["t_precheck_fix"].facts.wait == simple.nodes["t_fix"].facts.wait  # the same fix, before the notice
    assert prepare_run(simple).scenario.attributes["is_rejected"].p == pytest.approx(0.15)
    attrs = prepare_run(pre).scenario.attributes
    assert (attrs["is_rejected"].p, attrs["is_caught"].p) == (pytest.approx(0.05), pytest.approx(0.10))
    said = attributions(pre.defaults["source"])
    for name in ("is_rejected", "is_caught"):
        assert grade(said[f"attribute.{name}"]) == "assumption" and "二(十二)2(2)" in said[f"attribute.{name}"]
        assert pre.defaults[f"range.attribute.{name}"]


def test_declared_deregistration_asks_nothing_of_the_dormant_firm() -> None:
    ordinary, declared = load("deregistration_ordinary_baseline"), load("deregistration_declared_2021")
    assert {"t_liquidation_group", "t_liquidation"} <= set(ordinary.nodes) and not {"t_liquidation_group", "t_liquidation"} & set(declared.nodes)
    assert max_counts(ordinary).procedures > 0 and max_counts(declared).procedures == 0
    assert declared.successors("ev_start") == ["t_identify"]
    assert days(declared, "tm_creditor_notice") == days(ordinary, "tm_creditor_notice") == 45  # the plan sets no period
    assert declared.nodes["tm_creditor_notice"].facts.extra["range.wait"].startswith("20-45 day")
    (gate,) = declared.successors("tm_creditor_notice")  # objections raised in the notice are reviewed (救济机制)
    review = next(f for f in declared.outgoing(gate) if f.condition)
    assert (review.target, review.condition) == ("t_remedy", "has_objection")
    assert prepare_run(declared).scenario.attributes["has_objection"].p == pytest.approx(0.1)


def test_bankruptcy_joint_handling_no_longer_waits_for_the_tax_clearance() -> None:
    before, after = load("deregistration_bankruptcy_baseline"), load("deregistration_bankruptcy_2021")
    assert before.successors("t_tax_clearance") == ["t_dereg_apply"]
    split = after.successors("ev_start")
    assert len(split) == 1 and sorted(after.successors(split[0])) == ["t_dereg_apply", "t_tax_clearance"]
    apply_ = after.nodes["t_dereg_apply"].facts
    assert apply_.online and apply_.documents == 2 and apply_.wait.mean == pytest.approx(0.3 * before.nodes["t_dereg_apply"].facts.wait.mean)
    assert max_counts(after).procedures == 1 < max_counts(before).procedures
