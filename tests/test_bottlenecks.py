"""Bottleneck tables on one real chain (the sensitivity search is tested in tests/test_sensitivity.py)."""

from __future__ import annotations

from pathlib import Path

import sim
from sim.analysis.bottlenecks import chain_bottlenecks
from sim.model.levers import Staff
from sim.analysis.sensitivity import apply_changes

PROCESS = Path(__file__).parent / "data" / "assess" / "processes" / "company_setup_2021.bpmn"


def test_bottlenecks_and_sensitivity():
    r = sim.simulate(PROCESS, cases=60, replications=3, seed=3)
    b = chain_bottlenecks(r)
    assert b.critical_path and all(s.critical_share >= 0 for s in b.steps)
    assert any(s.on_critical_path and s.critical_share > 0 for s in b.steps)
    assert b.agencies and all(0 <= a.utilisation <= 1 for a in b.agencies)
    # the sensitivity search on these bottlenecks is tested in tests/test_sensitivity.py


def test_staff_change_adds_one():
    from sim.model.scenario import Scenario, resolve_scenario

    p = sim.load_process(PROCESS)
    agency = next(iter(p.agencies()))
    before = resolve_scenario(p, Scenario()).agencies[agency].staff
    _, sc = apply_changes(p, Scenario(), [Staff(agency)])
    assert resolve_scenario(p, sc).agencies[agency].staff == before + 1
