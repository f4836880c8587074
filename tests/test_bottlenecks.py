"""Bottleneck tables and the greedy sensitivity search on one real chain."""

from __future__ import annotations

from pathlib import Path

import sim
from sim.analysis.bottlenecks import chain_bottlenecks
from sim.model.levers import Scale, Staff
from sim.analysis.sensitivity import FASTER, SLOWER, apply_changes, candidate_changes, greedy_fix, rank_changes
from sim.targets import Threshold

PROCESS = Path(__file__).parent / "data" / "assess" / "processes" / "company_setup_2021.bpmn"


def test_bottlenecks_and_sensitivity():
    r = sim.simulate(PROCESS, cases=60, replications=3, seed=3)
    b = chain_bottlenecks(r)
    assert b.critical_path and all(s.critical_share >= 0 for s in b.steps)
    assert any(s.on_critical_path and s.critical_share > 0 for s in b.steps)
    assert b.agencies and all(0 <= a.utilisation <= 1 for a in b.agencies)
    changes = candidate_changes(b, r.process, n_steps=2, n_agencies=1)
    assert {c.verb for c in changes} >= {"scale", "staff"}
    th = Threshold("max", None, 1.0)
    base, ranked = rank_changes(r.process, r.scenario, "workdays", th, changes, replications=2, cases=40, workers=1)
    by = {x.change: x for x in ranked}
    faster, slower = (Scale(changes[0].target, f, "both", source="sensitivity") for f in (FASTER, SLOWER))
    assert by[faster].share >= by[slower].share  # a faster step never meets the target less often
    fix = greedy_fix(r.process, r.scenario, "workdays", th, ranked, required=0.5, replications=2, cases=40, workers=1)
    assert fix is None or 1 <= len(fix[0]) <= 3


def test_staff_change_adds_one():
    from sim.model.scenario import Scenario, resolve_scenario

    p = sim.load_process(PROCESS)
    agency = next(iter(p.agencies()))
    before = resolve_scenario(p, Scenario()).agencies[agency].staff
    _, sc = apply_changes(p, Scenario(), [Staff(agency)])
    assert resolve_scenario(p, sc).agencies[agency].staff == before + 1
