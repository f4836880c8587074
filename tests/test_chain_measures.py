"""Construction (general, low-risk), water and gas 2021: their baseline plus the plan's measures, nothing else.

The 2021 models are built by processes/_src/{construction,water,gas}.py from the baseline and
processes/measures/<model>.yaml (issue 12 item 2); tests/test_writer.py proves the committed BPMN is
the rebuilt one. Here: what the measures of each clause do, and what they leave alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.paths import max_counts
from sim.bpmn.loader import load_process
from sim.model.measures import build_from_measures, load_measures, measure_diff, parse_measures
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration
from sim.model.rewrite import commitment
from sim.report.diff import diff_processes

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
# model -> its baseline (the measures file names it too)
CHAINS = {"construction_general_2021": "construction_general_2019_baseline",
          "construction_lowrisk_2021": "construction_lowrisk_2019_baseline",
          "water_2021": "water_baseline", "gas_2021": "gas_baseline"}


def _pair(model: str) -> tuple[Process, Process]:
    return load_process(PROCESSES / f"{CHAINS[model]}.bpmn"), load_process(PROCESSES / f"{model}.bpmn")


@pytest.mark.parametrize("model", CHAINS)
def test_steps_no_measure_touches_keep_the_baselines_numbers(model: str) -> None:
    base, new = _pair(model)
    m = load_measures(PROCESSES / "measures" / f"{model}.yaml")
    assert m.baseline == CHAINS[model] and new.defaults["measures"] == f"measures/{model}.yaml"
    touched = {e for change in measure_diff(base, m) for e in change.elements}
    untouched = [n for n in new.tasks() if n.id not in touched]
    assert untouched, model  # every chain keeps some baseline steps as they were
    for n in untouched:
        a, b = base.nodes[n.id].facts, n.facts
        assert (a.wait, a.work, a.documents, a.statutory_limit, a.online) == (b.wait, b.work, b.documents, b.statutory_limit, b.online), n.id


def test_general_projects_get_only_the_measures_clause_two_names_for_them() -> None:
    """二(二)2 names no parallel approval, merged review or joint acceptance for a general project: none appears."""
    base, new = _pair("construction_general_2021")
    assert {n.id for n in base.tasks()} - {n.id for n in new.tasks()} == {"t_mineral", "t_wage_deposit"}
    assert {n.id for n in new.tasks()} <= {n.id for n in base.tasks()}  # nothing merged, nothing added
    gateways = lambda p: sorted(n.id for n in p.nodes.values() if n.kind == "parallel")  # noqa: E731
    assert gateways(new) == gateways(base)
    for n in new.tasks():
        assert n.facts.wait == base.nodes[n.id].facts.wait, n.id  # no review is shortened


def test_the_general_chain_gains_what_its_removed_steps_took() -> None:
    base, new = _pair("construction_general_2021")
    run = dict(cases=120, replications=2, seed=11)
    before = sim.simulate(base, **run).kpi("workdays").mean
    after = sim.simulate(new, **run).kpi("workdays").mean
    removed = sum(base.nodes[t].facts.wait.mean for t in ("t_mineral", "t_wage_deposit"))
    assert after < before
    assert abs((before - after) - removed) < 3, (before, after, removed)  # queues and office hours aside


def test_the_two_low_risk_stages_come_from_the_stage_measure() -> None:
    base, new = _pair("construction_lowrisk_2021")
    assert max_counts(base).stages == 5 and max_counts(new).stages == 2
    m = load_measures(PROCESSES / "measures" / "construction_lowrisk_2021.yaml")
    stage_changes = {c.measure.id for c in measure_diff(base, m) if any("stage " in x for x in c.changes)}
    assert stage_changes == {"two_stages"}


def test_a_commitment_only_where_a_list_names_the_step() -> None:
    for model in CHAINS:
        base, new = _pair(model)
        for n in new.tasks():
            if n.facts.commitment:
                assert ("commitment", True) in n.facts.levers and n.facts.levers_source.strip(), (model, n.id)
                assert n.facts.wait is None and "range.wait" not in n.facts.extra, (model, n.id)


@pytest.mark.parametrize("model", ["water_2021", "gas_2021"])
def test_the_major_road_limit_is_a_promise_and_the_review_an_assumed_effect(model: str) -> None:
    base, new = _pair(model)
    old, facts = base.nodes["t_major_road"].facts, new.nodes["t_major_road"].facts
    assert facts.statutory_limit == parse_duration("8 workday") and old.statutory_limit == parse_duration("20 workday")
    assert facts.wait.dist.upper > 8  # the promised limit is not the simulated wait
    assert facts.wait.mean < old.wait.mean
    assert "assumption" in facts.source and "range.wait" in facts.extra


def test_an_agency_whose_last_step_is_removed_keeps_no_staff_or_range() -> None:
    base, new = _pair("construction_general_2021")
    assert "social_security" in base.agencies() and "social_security" not in new.agencies()
    assert any(k.startswith("agency.social_security.") for k in base.defaults)
    assert not any("agency.social_security." in k for k in new.defaults)
    assert new.defaults["agency.natural_resources.staff"] == base.defaults["agency.natural_resources.staff"]


def _tiny() -> Process:
    facts = TaskFacts(agency="a", procedure=True, step_kind="permit", levers=(("commitment", True),), levers_source="test list",
                      wait=parse_duration("triangular(1, 2, 4) workday"), work=parse_duration("2 h"),
                      extra={"range.wait": "1-4 workday | test"})
    return Process.build("demo", "示例", [Node("s", "start"), Node("t", "task", "审批", facts=facts), Node("e", "end")],
                         [Flow("f1", "s", "t"), Flow("f2", "t", "e")])


def test_a_commitment_removes_the_wait_and_its_range() -> None:
    q = commitment(_tiny(), "t")
    assert q.nodes["t"].facts.wait is None and "range.wait" not in q.nodes["t"].facts.extra


def test_a_measure_that_removes_an_agencys_only_step_drops_its_properties() -> None:
    base = _tiny().with_changes(defaults={"agency.a.staff": "2", "range.agency.a.staff": "1-3 staff | test", "source": "x"})
    nodes = [*base.nodes.values()]
    nodes.insert(2, Node("u", "task", "缴费", facts=TaskFacts(agency="b", procedure=True, step_kind="payment",
                                                             levers=(("remove", True),), levers_source="test rule")))
    base = base.with_changes(nodes=nodes, flows=[Flow("f1", "s", "t"), Flow("f2", "t", "u"), Flow("f3", "u", "e")],
                             defaults={**base.defaults, "agency.b.staff": "1", "range.agency.b.staff": "1-2 staff | test"})
    m = parse_measures({"model": "demo_2021", "baseline": "demo", "name": "示例", "name_en": "Demo", "clause": "二(二)",
                        "source": "test", "measures": [{"id": "drop", "clause": "二(二)2(3)", "label": {"zh": "取消", "en": "drop"},
                                                        "text": "取消", "edits": [{"remove": "u", "source": "test rule"}]}]})
    built = build_from_measures(base, m)
    assert "agency.b.staff" not in built.defaults and "range.agency.b.staff" not in built.defaults
    assert built.defaults["agency.a.staff"] == "2" and built.defaults["range.agency.a.staff"] == "1-3 staff | test"


def test_a_model_with_a_merged_step_diffs_against_itself() -> None:
    p = load_process(PROCESSES / "construction_lowrisk_2021.bpmn")
    assert "merged_from" in p.nodes["t_planning_permit"].facts.extra
    d = diff_processes(p, p)
    assert d.removed == [] and d.added == []
