"""The water connection from its own rules (seed 二(五), issue 12 item 4), not a copy of gas."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

import sim
from sim.analysis.paths import max_counts
from sim.model.scenario import AttributeSpec, Scenario

PROCESSES = Path(__file__).resolve().parents[1] / "processes"
WATER, GAS = sim.load_process(PROCESSES / "water_2021.bpmn"), sim.load_process(PROCESSES / "gas_2021.bpmn")
WATER_BASE = sim.load_process(PROCESSES / "water_baseline.bpmn")


def test_water_has_the_utilitys_own_steps_that_gas_lacks() -> None:
    water = {n.id for n in WATER.tasks()}
    gas = {n.id for n in GAS.tasks()}
    # design and contract round, and the flushing / water-quality test before the water is turned on
    assert {"t_design", "t_contract", "t_flush_test"} <= water - gas
    flush = WATER.nodes["t_flush_test"].facts
    assert "GB 50268" in flush.source and flush.wait.unit == "day"  # a lab culture runs on calendar days
    assert (PROCESSES / "water_2021.bpmn").read_bytes() != (PROCESSES / "gas_2021.bpmn").read_bytes()


def test_the_commitment_is_only_explored_so_both_routes_exist() -> None:
    """二(五)2(2) 探索…改为告知承诺制 (gas 二(四)2(2) applies it outright): a share gets the commitment route."""
    commit = [n.id for n in WATER.tasks() if n.facts.commitment]
    licensing = [n.id for n in WATER.tasks() if n.id in ("t_planning", "t_green", "t_road_dig")]
    assert sorted(commit) == ["t_green_c", "t_planning_c", "t_road_dig_c"] and len(licensing) == 3
    assert "探索" in WATER.defaults["source"] and float(WATER.defaults["attribute.permits_by_commitment"]) < 1
    assert all(not n.facts.commitment for n in GAS.tasks() if n.id.endswith("_c"))


def test_fewer_documents_than_before_from_clauses_1_and_3() -> None:
    assert max_counts(WATER).documents < max_counts(WATER_BASE).documents
    assert WATER.nodes["t_apply"].facts.online and not WATER_BASE.nodes["t_apply"].facts.online


def test_the_major_road_review_is_an_assumption_not_the_limit_it_is_judged_on() -> None:
    facts = WATER.nodes["t_major_road"].facts
    assert facts.statutory_limit.mean == 8  # the plan's limit, kept as the step's limit
    assert facts.wait.dist.upper > 8  # the review time is not cut to fit it
    assert "assumption" in facts.source and "halve" in facts.source


def _with_commitment(p: float) -> Scenario:
    return Scenario(attributes=MappingProxyType({"permits_by_commitment": AttributeSpec(
        "permits_by_commitment", p=p, source="assumption: test")}))


def test_water_and_gas_figures_differ_and_the_commitment_share_moves_water() -> None:
    run = dict(cases=120, replications=3, seed=5)
    water = sim.simulate(WATER, **run).summary()["kpis"]["workdays"]["mean"]
    gas = sim.simulate(GAS, **run).summary()["kpis"]["workdays"]["mean"]
    assert water > gas + 5  # more steps (design, contract, water test) and licensing for part of the cases
    none = sim.simulate(WATER, _with_commitment(0.0), **run).summary()["kpis"]["workdays"]["mean"]
    every = sim.simulate(WATER, _with_commitment(1.0), **run).summary()["kpis"]["workdays"]["mean"]
    assert every < none - 5  # the commitment route skips the 20-workday licensing cycle


@pytest.mark.parametrize("variant", [WATER, WATER_BASE], ids=["2021", "baseline"])
def test_every_water_number_names_a_source(variant) -> None:  # noqa: ANN001
    for n in variant.tasks():
        assert n.facts.source.strip(), n.id
    assert "staff" in variant.defaults["source"] and "arrivals" in variant.defaults["source"]
