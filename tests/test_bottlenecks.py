"""Bottleneck tables and the greedy sensitivity search on one real chain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sim
from sim.engine.executors import executor_for
from sim.analysis.bottlenecks import chain_bottlenecks
from sim.model.levers import Scale, Staff
from sim.analysis.sensitivity import FASTER, SLOWER, apply_changes, candidate_changes, greedy_fix, rank_changes
from sim.targets import Threshold
from sim.model.distributions import Fixed
from sim.model.process import Duration, Flow, Node, Process, TaskFacts
from sim.model.scenario import AgencySpec, ArrivalSpec, Scenario

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
    from sim.model.scenario import resolve_scenario

    p = sim.load_process(PROCESS)
    agency = next(iter(p.agencies()))
    before = resolve_scenario(p, Scenario()).agencies[agency].staff
    _, sc = apply_changes(p, Scenario(), [Staff(agency)])
    assert resolve_scenario(p, sc).agencies[agency].staff == before + 1


# -- the engine's step boundaries (enable -> granted -> start -> worked -> end) ------------------

PART_FIELDS = ("waiting_h", "working_h", "step_hours", "queue_h", "effort_h", "queue_wd", "closed_wd", "work_wd")
BUNDLED = Path(__file__).parents[1] / "processes"


@pytest.mark.parametrize("name", ["company_setup_2021", "trade_export_2021", "construction_lowrisk_2021"])
def test_both_executors_measure_the_same_step_boundaries(name: str) -> None:
    runs = {ex: sim.simulate(BUNDLED / f"{name}.bpmn", cases=25, replications=1, seed=17, executor=executor_for(ex))
            for ex in ("compiled", "spiff")}
    a, b = (runs[ex].replications[0].tasks for ex in ("compiled", "spiff"))
    assert a.keys() == b.keys()
    for nid in a:
        for f in PART_FIELDS:
            x, y = getattr(a[nid], f), getattr(b[nid], f)
            assert (x.count, x.total) == pytest.approx((y.count, y.total), abs=1e-9), (nid, f)


@pytest.mark.parametrize("name", ["company_setup_2021", "trade_export_2021", "electricity_lv_residential_2021"])
def test_step_boundaries_are_ordered(name: str) -> None:
    r = sim.simulate(BUNDLED / f"{name}.bpmn", cases=60, replications=2, seed=5)
    for rep in r.replications:
        for t in rep.tasks.values():
            if not t.step_hours.count:
                continue
            n = t.step_hours.count
            assert -1e-9 <= t.queue_h.total <= t.waiting_h.total + 1e-9  # queueing is part of waiting
            assert -1e-9 <= t.effort_h.total <= t.working_h.total + 1e-9  # effort never exceeds the elapsed work
            assert t.waiting_h.total + t.working_h.total <= t.step_hours.total + 1e-6
            for f in ("queue_wd", "closed_wd", "work_wd"):
                assert getattr(t, f).total >= -1e-9 and getattr(t, f).count == n
            wd = t.queue_wd.total + t.closed_wd.total + t.work_wd.total
            assert wd <= t.step_workdays.total + 1e-6  # the rest is the fixed wait



def desk(work_h: float = 1.0) -> Process:
    """start -> one step at agency "desk" with a fixed staff effort -> end."""
    facts = TaskFacts(agency="desk", procedure=True, work=Duration(Fixed(work_h), "hour"), source="assumption: test")
    return Process.build("desk", "desk", [Node("s", "start"), Node("t", "task", "窗口", facts=facts), Node("e", "end")],
                         [Flow("f1", "s", "t"), Flow("f2", "t", "e")])


def at_night(n: int, staff: int) -> Scenario:
    """``n`` applications handed in at 20:00 on Monday 5 July 2021 (offices closed), ``staff`` at the desk."""
    return Scenario(start=dt.date(2021, 7, 5), cases=n,
                    arrivals=ArrivalSpec(rate_per_workday=None, times_h=tuple(20.0 for _ in range(n)), source="assumption: test"),
                    agencies={"desk": AgencySpec("desk", staff=staff, source="assumption: test")})


def test_mean_queue_counts_queueing_for_staff_not_a_closed_office() -> None:
    alone = sim.simulate(desk(), at_night(3, staff=3), replications=1, seed=1)
    t = alone.replications[0].tasks["t"]
    assert t.waiting_h.mean > 10 and t.queue_h.mean == 0  # waited the night for the office, never for staff
    assert alone.agency_table()[0]["mean_queue"] == 0  # before: the night counted as queue
    crowded = sim.simulate(desk(), at_night(3, staff=1), replications=1, seed=1)
    assert crowded.replications[0].tasks["t"].queue_h.total == pytest.approx(1.0 + 2.0)  # the 2nd waits 1 h, the 3rd 2 h
    assert crowded.agency_table()[0]["mean_queue"] > 0
