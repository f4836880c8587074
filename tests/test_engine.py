"""The engine against theory, direction of change, reproducibility and the two executors."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from pathlib import Path

import pytest

import sim
from sim.engine.executors import executor_for
from sim.engine.core import work_clock
from sim.engine.runner import run_replication
from sim.model.calendar import OpeningHours
from sim.model.distributions import Exponential
from sim.model.process import Duration, Flow, Node, Process, TaskFacts
from sim.model.scenario import AgencySpec, ArrivalSpec, Scenario, resolve_scenario

DATA = Path(__file__).parent / "data"
PROCESSES = Path(__file__).parents[1] / "processes"
MINI = DATA / "engine" / "mini.bpmn"


def single_station(mean_service_h: float) -> Process:
    facts = TaskFacts(agency="desk", procedure=True, work=Duration(Exponential(mean_service_h), "hour"), source="assumption: test")
    return Process.build("mmc", "M/M/c", [Node("s", "start"), Node("t", "task", "窗口", facts=facts), Node("e", "end")],
                         [Flow("f1", "s", "t"), Flow("f2", "t", "e")])


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def test_mmc_station_matches_erlang_c() -> None:
    lam, mu, c = 1.4, 1.0, 2  # per open hour; utilisation 0.7
    scenario = Scenario(office_hours=OpeningHours(((0.0, 24.0),)), cases=40_000, seed=11, start=dt.date(2010, 1, 4),
                        arrivals=ArrivalSpec(rate_per_workday=lam * 24, source="assumption: test"),
                        agencies={"desk": AgencySpec("desk", staff=c, source="assumption: test")})
    process = single_station(1 / mu)
    scenario = resolve_scenario(process, scenario)
    clock = work_clock(scenario.start, scenario.office_hours)
    waits: list[float] = []
    # Waiting is measured on working time: the queue pauses, as the office does, on days off.
    for rep in range(2):
        run_replication(process, scenario, rep, scenario.seed, sim.Compiled(),
                        on_task=lambda r: waits.append(clock.working_time(r.start) - clock.working_time(r.enable)))
    expected = erlang_c_wait(lam, mu, c)
    assert sum(waits) / len(waits) == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_staff_never_lengthens_the_mean_wait(seed: int) -> None:
    waits = []
    for staff in (1, 2, 3, 4):
        scenario = Scenario(agencies={"registrar": AgencySpec("registrar", staff=staff, source="assumption: test")})
        result = sim.simulate(MINI, scenario, cases=300, replications=1, seed=seed)
        waits.append(next(t for t in result.task_table() if t["step"] == "t_apply")["waiting_h"])
    assert all(later <= earlier + 1e-9 for earlier, later in zip(waits, waits[1:])), waits
    assert waits[-1] < waits[0]


def test_same_seed_same_results_and_another_seed_differs() -> None:
    a = sim.simulate(MINI, cases=200, replications=2, seed=5).summary()
    b = sim.simulate(MINI, cases=200, replications=2, seed=5).summary()
    c = sim.simulate(MINI, cases=200, replications=2, seed=6).summary()
    assert a == b
    assert a["kpis"]["workdays"]["mean"] != c["kpis"]["workdays"]["mean"]


def test_replications_are_independent_of_how_many_run() -> None:
    two = sim.simulate(MINI, cases=100, replications=2, seed=9)
    three = sim.simulate(MINI, cases=100, replications=3, seed=9)
    assert two.replications[1].workdays.values().tolist() == three.replications[1].workdays.values().tolist()


def test_timer_takes_its_calendar_days_and_attributes_route() -> None:
    result = sim.simulate(MINI, cases=400, replications=1, seed=3, keep_traces=True)
    notice = [(end - start) for _, node, _, start, end in result.replications[0].traces if node == "tm_notice"]
    assert notice and all(d == pytest.approx(20 * 24) for d in notice)
    share_simple = len(notice) / 400
    assert 0.22 < share_simple < 0.38  # attribute.is_simple = 0.3 in the file


def differential_files() -> list[Path]:
    return [MINI, *sorted(PROCESSES.glob("*.bpmn"))]


@pytest.mark.parametrize("path", differential_files(), ids=lambda p: p.stem)
def test_compiled_and_spiff_executors_give_identical_traces(path: Path) -> None:
    runs = {ex: sim.simulate(path, cases=25, replications=1, seed=17, executor=executor_for(ex), keep_traces=True) for ex in ("compiled", "spiff")}
    compiled, spiff = (sorted(runs[ex].replications[0].traces) for ex in ("compiled", "spiff"))
    assert compiled == spiff
    assert runs["compiled"].path_frequencies() == runs["spiff"].path_frequencies()


def test_utilisation_and_queue_are_reported() -> None:
    result = sim.simulate(MINI, cases=300, replications=1, seed=4)
    registrar = next(a for a in result.agency_table() if a["agency"] == "registrar")
    assert 0 < registrar["utilisation"] <= 1
    assert registrar["max_queue"] >= 1


def test_a_case_that_cannot_finish_is_an_error() -> None:
    facts = TaskFacts(agency="desk", work=Duration(Exponential(1.0), "hour"), source="assumption: test")
    nodes = [Node("s", "start"), Node("g", "parallel"), Node("t", "task", facts=facts), Node("j", "parallel"), Node("e", "end"),
             Node("x", "exclusive")]
    flows = [Flow("f1", "s", "x"), Flow("f2", "x", "t"), Flow("f3", "t", "j"), Flow("f4", "g", "j"), Flow("f5", "j", "e")]
    # the join waits for a branch from g, which no case ever reaches
    process = Process.build("stuck", "stuck", nodes, flows)
    with pytest.raises(sim.SimulationError, match="never finished"):
        sim.simulate(process, Scenario(), cases=3, replications=1)


def test_event_log_csv(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    sim.simulate(MINI, cases=20, replications=1, seed=1, event_log=log)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("case:concept:name,concept:name,org:resource,time:timestamp")
    assert len({line.split(",")[0] for line in lines[1:]}) == 20


def test_statutory_and_calendar_clocks_differ_over_a_weekend() -> None:
    scenario = replace(Scenario(), arrivals=ArrivalSpec(rate_per_workday=None, times_h=(24 * 1 + 16.0,), source="x"))  # Fri 2 Jul 2021 16:00
    result = sim.simulate(MINI, scenario, cases=1, replications=1, seed=2)
    assert result.kpi("calendar_days").mean > result.kpi("workdays").mean


def test_process_pool_gives_the_serial_results_to_the_last_digit() -> None:
    serial = sim.simulate(MINI, cases=150, replications=3, seed=8).summary()
    pooled = sim.simulate(MINI, cases=150, replications=3, seed=8, backend=sim.ProcessPool(workers=2)).summary()
    assert pooled == serial


def test_overload_is_reported_with_offered_load() -> None:
    scenario = Scenario(agencies={"registrar": AgencySpec("registrar", staff=1, source="assumption: test")},
                        arrivals=ArrivalSpec(rate_per_workday=12, source="assumption: test"))
    result = sim.simulate(MINI, scenario, cases=200, replications=1, seed=1)
    registrar = next(a for a in result.agency_table() if a["agency"] == "registrar")
    # 12 cases/day × 1.17 h mean work / (1 staff × 7 h) ≈ 2.0
    assert registrar["offered_load"] == pytest.approx(12 * (0.5 + 1 + 2) / 3 / 7, rel=0.1)
    assert any("registrar is overloaded" in n for n in result.summary()["notes"])


def test_subprocess_with_several_ends_completes_with_its_last_token() -> None:
    work = lambda h: TaskFacts(agency="desk", work=Duration(Exponential(h), "hour"), source="assumption: test")  # noqa: E731
    nodes = [Node("s", "start"), Node("sub_start", "pass", scope="sub", opens="sub__exit"),
             Node("g", "parallel", scope="sub"), Node("t1", "task", facts=work(1.0), scope="sub"),
             Node("t2", "task", facts=work(3.0), scope="sub"), Node("e1", "pass", scope="sub"), Node("e2", "pass", scope="sub"),
             Node("sub__exit", "scope_exit", closes="sub"), Node("t3", "task", facts=work(0.5)), Node("e", "end")]
    flows = [Flow("f1", "s", "sub_start"), Flow("f2", "sub_start", "g"), Flow("f3", "g", "t1"), Flow("f4", "g", "t2"),
             Flow("f5", "t1", "e1"), Flow("f6", "t2", "e2"), Flow("f7", "e1", "sub__exit"), Flow("f8", "e2", "sub__exit"),
             Flow("f9", "sub__exit", "t3"), Flow("f10", "t3", "e")]
    result = sim.simulate(Process.build("multi_end", "multi", nodes, flows), Scenario(), cases=50, replications=1, seed=2,
                          keep_traces=True)
    by_case: dict[int, dict[str, tuple[float, float]]] = {}
    for case, node, _, start, end in result.replications[0].traces:
        by_case.setdefault(case, {})[node] = (start, end)
    assert len(by_case) == 50
    for steps in by_case.values():
        assert steps["t3"][0] >= max(steps["t1"][1], steps["t2"][1])  # after both branches, once


def test_nested_subprocess_from_camunda_runs_the_same_in_both_executors() -> None:
    scenario = sim.load_scenario(DATA / "engine" / "nested_count.yaml")
    runs = {ex: sim.simulate(scenario.process, scenario, cases=40, replications=1, seed=3, executor=executor_for(ex), keep_traces=True)
            for ex in ("compiled", "spiff")}
    assert sorted(runs["compiled"].replications[0].traces) == sorted(runs["spiff"].replications[0].traces)
    assert len(runs["compiled"].path_frequencies()) == 4  # one path per COUNT band


def test_horizon_stops_arrivals_and_warmup_leaves_early_cases_out() -> None:
    scenario = sim.parse_scenario({"horizon_workdays": 5, "warmup_workdays": 2,
                                   "arrivals": {"rate_per_workday": 10, "source": "assumption: test"}})
    result = sim.simulate(MINI, scenario, cases=10_000, replications=1, seed=3)
    rep = result.replications[0]
    assert 30 < rep.cases + rep.warmup_cases < 75  # about 10 a day for 5 working days, not 10,000
    assert 10 < rep.warmup_cases < 35  # about the first 2 days
    assert rep.workdays.count == rep.cases
    with pytest.raises(sim.ScenarioError, match="warmup_workdays: expected less than horizon_workdays"):
        sim.parse_scenario({"horizon_workdays": 2, "warmup_workdays": 3})
