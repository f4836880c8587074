"""The water connection from its own rules (seed 二(五), issue 12 item 4), not a copy of gas."""

from __future__ import annotations

from pathlib import Path
import pytest

import sim
from sim.analysis.paths import max_counts

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


def test_the_explored_commitment_is_taken_as_carried_out_and_said_so() -> None:
    """二(五)2(2) only says 探索…改为告知承诺制: the 2021 model applies it and its file says so; the baseline keeps licensing."""
    permits = ("t_planning", "t_green", "t_road_dig")
    assert all(WATER.nodes[t].facts.commitment and WATER.nodes[t].facts.wait is None for t in permits)
    assert not any(WATER_BASE.nodes[t].facts.commitment for t in permits)
    assert "探索" in WATER.defaults["source"] and "as carried out" in WATER.defaults["source"]
    assert WATER.defaults["measures"] == "measures/water_2021.yaml"


def test_fewer_documents_than_before_from_clauses_1_and_3() -> None:
    assert max_counts(WATER).documents < max_counts(WATER_BASE).documents
    assert WATER.nodes["t_apply"].facts.online and not WATER_BASE.nodes["t_apply"].facts.online


def test_the_major_road_review_is_an_assumption_not_the_limit_it_is_judged_on() -> None:
    facts = WATER.nodes["t_major_road"].facts
    assert facts.statutory_limit.mean == 8  # the plan's limit, kept as the step's limit
    assert facts.wait.dist.upper > 8  # the review time is not cut to the limit
    assert "assumption" in facts.source and "绿色通道" in facts.source and "容缺受理" in facts.source
    assert "range.wait" in facts.extra  # the assumed effect of the green channel carries its range


def test_water_and_gas_figures_differ_and_licensing_would_cost_water_time() -> None:
    run = dict(cases=120, replications=3, seed=5)
    water = sim.simulate(WATER, **run).summary()["kpis"]["workdays"]["mean"]
    gas = sim.simulate(GAS, **run).summary()["kpis"]["workdays"]["mean"]
    assert water > gas + 5  # more steps: design, contract, water test
    base = sim.simulate(WATER_BASE, **run).summary()["kpis"]["workdays"]["mean"]
    assert water < base - 5  # the commitment skips the 20-workday licensing cycle of the baseline


@pytest.mark.parametrize("variant", [WATER, WATER_BASE], ids=["2021", "baseline"])
def test_every_water_number_names_a_source(variant) -> None:  # noqa: ANN001
    for n in variant.tasks():
        assert n.facts.source.strip(), n.id
    assert "staff" in variant.defaults["source"] and "arrivals" in variant.defaults["source"]
