"""Bottleneck tables on one real chain (the sensitivity search is tested in tests/test_sensitivity.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sim
from sim.engine.executors import executor_for
from sim.analysis.bottlenecks import chain_bottlenecks
from sim.model.levers import Staff
from sim.analysis.sensitivity import apply_changes
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
    # the sensitivity search on these bottlenecks is tested in tests/test_sensitivity.py


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
def test_every_executor_measures_the_same_step_boundaries(name: str) -> None:
    from sim.engine.executors import EXECUTORS

    runs = {ex: sim.simulate(BUNDLED / f"{name}.bpmn", cases=25, replications=1, seed=17, executor=executor_for(ex))
            for ex in EXECUTORS}
    assert {"compiled", "spiff"} <= runs.keys()
    a = runs["compiled"].replications[0].tasks
    for ex, run in runs.items():
        b = run.replications[0].tasks
        assert a.keys() == b.keys()
        for nid in a:
            for f in PART_FIELDS:
                x, y = getattr(a[nid], f), getattr(b[nid], f)
                assert (x.count, x.total) == pytest.approx((y.count, y.total), abs=1e-9), (ex, nid, f)


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


# -- the four parts, critical-path shares and staffing (sim.analysis.bottlenecks) --------------------

from sim.analysis.bottlenecks import PARTS, Effect, critical_shares, dominant, step_parts  # noqa: E402


@pytest.mark.parametrize("unit", ["workdays", "hours"])
@pytest.mark.parametrize("name", ["company_setup_2021", "trade_import_2021", "electricity_lv_residential_2021"])
def test_the_four_parts_add_up_to_the_step_time(name: str, unit: str) -> None:
    r = sim.simulate(BUNDLED / f"{name}.bpmn", cases=80, replications=2, seed=4)
    for nid in r.replications[0].tasks:
        stats = [rep.tasks[nid] for rep in r.replications]
        n = sum(s.step_hours.count for s in stats)
        if not n:
            continue
        step = (sum(s.step_hours.total for s in stats) if unit == "hours" else sum(s.step_workdays.total for s in stats)) / n
        parts = step_parts(stats, unit)
        assert set(parts) == set(PARTS) and all(v >= 0 for v in parts.values())
        assert sum(parts.values()) == pytest.approx(step, abs=1e-6), (nid, parts, step)


@pytest.mark.parametrize("path", sorted(BUNDLED.glob("*.bpmn")), ids=lambda p: p.stem)
def test_critical_path_shares_sum_to_at_most_100_percent(path: Path) -> None:
    unit = "hours" if path.stem.startswith("trade_") else "workdays"
    r = sim.simulate(path, cases=40, replications=2, seed=11)
    b = chain_bottlenecks(r, unit, staff_effects=False)
    total = sum(s.critical_share for s in b.steps)
    assert total <= 1.005  # a decomposition, not "mean step time / mean case time" (which reached 189%)
    assert total >= 0.99  # every case's time is traced back along its own path
    # every case that ran a step is traced; a case may run none (taxes: a firm liable for none of the ten taxes)
    ran = sum(int((rep.metric("hours").values() > 0).sum()) for rep in r.replications)
    assert b.critical_cases == ran >= 70 and b.critical_path


def test_only_the_branch_that_determined_the_join_counts() -> None:
    def step(h: float) -> TaskFacts:
        return TaskFacts(work=Duration(Fixed(h), "hour"), source="assumption: test")

    nodes = [Node("s", "start"), Node("split", "parallel"), Node("a", "task", facts=step(2.0)), Node("b", "task", facts=step(5.0)),
             Node("join", "parallel"), Node("c", "task", facts=step(1.0)), Node("e", "end")]
    flows = [Flow("f1", "s", "split"), Flow("f2", "split", "a"), Flow("f3", "split", "b"), Flow("f4", "a", "join"),
             Flow("f5", "b", "join"), Flow("f6", "join", "c"), Flow("f7", "c", "e")]
    r = sim.simulate(Process.build("par", "par", nodes, flows), Scenario(), cases=20, replications=1, seed=1)
    crit = critical_shares(r, "hours")
    assert crit.time.get("a", 0.0) == 0.0  # the faster branch waited at the join: not on the critical path
    assert crit.time["b"] / crit.elapsed == pytest.approx(5 / 6) and crit.time["c"] / crit.elapsed == pytest.approx(1 / 6)
    assert crit.path == ("b", "c")


def busy_desk(staff: int) -> Scenario:
    """About 0.9 of one desk's open hours in demand: queues form (rate 6.3 a day × 1 h on 7 open hours)."""
    return Scenario(cases=150, arrivals=ArrivalSpec(rate_per_workday=6.3, source="assumption: test: a crowded desk"),
                    agencies={"desk": AgencySpec("desk", staff=staff, source="assumption: test")})


def test_a_queue_heavy_desk_shows_queueing_and_plus_one_staff_helps() -> None:
    r = sim.simulate(desk(), busy_desk(1), replications=6, seed=2)
    b = chain_bottlenecks(r, "workdays")
    top, part = dominant(b, 1)
    assert [s.step for s in top] == ["t"] and part == "queue"
    assert b.steps[0].parts["queue"] > b.steps[0].parts["work"] > 0
    effect = b.agencies[0].plus_one
    assert isinstance(effect, Effect) and effect.hi < 0 and effect.detectable  # the interval excludes 0


def test_a_closed_office_shows_office_closed_not_queueing() -> None:
    r = sim.simulate(desk(), at_night(3, staff=3), replications=1, seed=1)
    b = chain_bottlenecks(r, "hours")
    s = b.steps[0]
    assert s.parts["queue"] == 0 and s.parts["closed"] > 10 and s.parts["work"] == pytest.approx(1.0)
    assert dominant(b, 1)[1] == "closed"
    assert b.agencies[0].plus_one == Effect(0.0, 0.0, 0.0)  # nobody queued: one more desk changes nothing


def test_agencies_without_staff_work_get_no_staff_lever() -> None:
    r = sim.simulate(BUNDLED / "trade_export_2021.bpmn", cases=40, replications=2, seed=1)
    b = chain_bottlenecks(r, "hours")
    assert b.agencies and all(not a.staff_levers_apply and a.plus_one is None for a in b.agencies)


def judged_row(result: sim.SimulationResult, high: float, required: float = 0.9):
    """A register row "case time ≤ ``high`` working days", judged on ``result`` as the assessment does."""
    from sim.analysis.assess import Row, share_meeting, verdict
    from sim.targets import Check, TargetTest

    check = Check("t", "case_workdays", "工作日", Threshold("max", None, high), TargetTest(("x.bpmn",), "case_workdays"))
    share, lo, hi = share_meeting(result, "workdays", check.threshold)
    return Row("TX", "", "", "", "x.bpmn", "工作日", "workdays", f"≤ {high:g}", "simulated", verdict(share, lo, hi, required),
               required=required, share=share, lo=lo, hi=hi, check_obj=check)


def test_the_smallest_staffing_that_reaches_a_target_is_found() -> None:
    r = sim.simulate(desk(), busy_desk(1), replications=6, seed=2)
    row = judged_row(r, 0.5)
    assert row.verdict == "not_reachable"
    b = chain_bottlenecks(r, "workdays", rows=[row])
    (found,) = b.staffing
    assert found.status == "reached" and 1 <= found.added["desk"] <= 3, found
    if found.added["desk"] > 1:  # smallest: one fewer does not reach it
        fewer = sim.simulate(desk(), busy_desk(found.added["desk"]), replications=6, seed=2)
        assert judged_row(fewer, 0.5).verdict != "reachable"


def test_staffing_cannot_beat_a_fixed_wait() -> None:
    facts = TaskFacts(agency="desk", procedure=True, work=Duration(Fixed(1.0), "hour"), wait=Duration(Fixed(2.0), "workday"),
                      source="assumption: test")
    p = Process.build("w", "w", [Node("s", "start"), Node("t", "task", facts=facts), Node("e", "end")],
                      [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    r = sim.simulate(p, busy_desk(1), replications=4, seed=3)
    row = judged_row(r, 1.0)
    b = chain_bottlenecks(r, "workdays", rows=[row])
    (found,) = b.staffing
    assert found.status == "cannot" and found.fixed_wait == pytest.approx(2.0)
    assert "fixed waits on the critical path alone average 2.00 working days" in found.text("workdays", "en")


def test_reasons_name_the_dominant_steps_and_part_in_both_languages() -> None:
    from sim.analysis.assess import performance_reason

    r = sim.simulate(desk(), busy_desk(1), replications=6, seed=2)
    row = judged_row(r, 0.5)
    b = chain_bottlenecks(r, "workdays", staff_effects=False)
    en, zh = performance_reason(row, "en", b), performance_reason(row, "zh", b)
    assert "Dominated by 窗口 (100% of the critical path); queueing for staff dominates it" in en
    assert "主要耗时环节：窗口（关键路径 100%）；关键路径上以排队等待人员为主" in zh
    assert "Dominated" not in performance_reason(row, "en")  # without the bottlenecks: only the statistic
    trade = sim.simulate(BUNDLED / "trade_export_2021.bpmn", cases=40, replications=2, seed=1)
    tb = chain_bottlenecks(trade, "hours", staff_effects=False)
    trade_row = judged_row(trade, 1.0)
    assert "fixed waits dominate it" in performance_reason(trade_row, "en", tb)
    assert "staff levers do not apply" in performance_reason(trade_row, "en", tb)


def test_the_report_section_is_chinese_by_default_and_english_on_request() -> None:
    from sim.report.html import bottleneck_section

    r = sim.simulate(desk(), busy_desk(1), replications=4, seed=2)
    b = chain_bottlenecks(r, "workdays", rows=[judged_row(r, 0.5)])
    zh, tables = bottleneck_section(b)
    assert "瓶颈（工作日）" in zh and "排队等待人员（工作日）" in zh and "+1 人员：P80 变化" in zh and "增加人员即可达成：desk +" in zh
    cell = tables["agencies"][0]["+1 人员：P80 变化 [95%区间]"]
    assert cell.startswith("-") and "工作日 [" in cell  # the paired effect in days with its interval
    en, tables_en = bottleneck_section(b, "en")
    assert "Bottlenecks (working days)" in en and "queueing for staff (working days)" in en and "reached by adding staff: desk +" in en
    assert sum(row["share of critical path"] for row in tables_en["steps"]) == pytest.approx(1.0, abs=0.005)


def test_shares_from_kept_traces_equal_those_of_the_re_run() -> None:
    kept = sim.simulate(BUNDLED / "construction_lowrisk_2021.bpmn", cases=40, replications=2, seed=6, keep_traces=True)
    plain = sim.simulate(BUNDLED / "construction_lowrisk_2021.bpmn", cases=40, replications=2, seed=6)
    a, b = critical_shares(kept, "workdays"), critical_shares(plain, "workdays")  # b re-runs the same seed with traces
    assert a.time == pytest.approx(b.time) and a.elapsed == pytest.approx(b.elapsed) and a.path == b.path
