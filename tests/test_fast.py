"""The fast executor gives the compiled executor's records, float for float, or says why it cannot.

The differential tests run the same seeds through ``compiled`` (SimPy, the reference) and ``fast``
(numba) and require the same per-case records — (case, step, enable, start, end) in the order the
steps finished — the same KPI values in the same order, paths, step and agency statistics. The
kernel's copies of the calendar and Doing-Business arithmetic are checked against their Python
originals directly, so a change to one without the other fails here first.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.engine import fast as fast_module
from sim.engine.core import CompiledModel, work_clock
from sim.engine.executors import EXPLORING, Compiled, executor_for, settle
from sim.engine.fast import Fast, FastFallbackWarning, Unsupported, unsupported
from sim.engine.runner import prepare_run
from sim.engine.stats import Mean
from sim.model.calendar import OpeningHours
from sim.model.clocks import db_days
from sim.model.distributions import Exponential, Fixed, Triangular, TruncatedExponential, Uniform, parse_distribution
from sim.model.process import Duration, Flow, Node, Process, TaskFacts
from sim.model.scenario import AgencySpec, ArrivalSpec, Scenario

ROOT = Path(__file__).parents[1]
PROCESSES = ROOT / "processes"
CORPUS = ROOT / "tests" / "data" / "corpus"
METRICS = ("workdays", "calendar_days", "db_days", "hours", "procedures", "documents", "fee")


def assert_same_runs(a: sim.SimulationResult, b: sim.SimulationResult) -> None:
    """Every replication of ``a`` and ``b`` has the same records, KPIs, paths and statistics."""
    assert len(a.replications) == len(b.replications)
    for ra, rb in zip(a.replications, b.replications):
        assert ra.traces is not None and rb.traces is not None and len(ra.traces) == len(rb.traces) > 0
        for x, y in zip(ra.traces, rb.traces):  # same order: steps finish in SimPy's event order
            assert x[:2] == y[:2], (x, y)
            assert max(abs(p - q) for p, q in zip(x[2:], y[2:])) <= 1e-9, (x, y)
        for m in METRICS:
            assert ra.metric(m).values().tolist() == rb.metric(m).values().tolist(), m
        assert ra.paths == rb.paths and list(ra.paths) == list(rb.paths)
        assert (ra.cases, ra.warmup_cases, ra.span_h, ra.calendar) == (rb.cases, rb.warmup_cases, rb.span_h, rb.calendar)
        for nid, ta in ra.tasks.items():
            tb = rb.tasks[nid]
            for f in fields(ta):  # every mean of the step (waiting, queueing, office closed, work, ...)
                x, y = getattr(ta, f.name), getattr(tb, f.name)
                if isinstance(x, Mean):
                    assert (x.count, x.total) == (y.count, y.total), (nid, f.name)
            assert ta.step_workdays.values().tolist() == tb.step_workdays.values().tolist(), nid
        assert ra.agencies == rb.agencies
    assert a.summary()["kpis"] == b.summary()["kpis"]


def both(target, scenario=None, **kw):
    """(compiled, fast) runs of the same seed."""
    kw = {"cases": 150, "replications": 2, "seed": 23, "keep_traces": True} | kw
    return (sim.simulate(target, scenario, executor=Compiled(), **kw),
            sim.simulate(target, scenario, executor=Fast(strict=True), **kw))


def supported_files() -> list[Path]:
    files = sorted(PROCESSES.glob("*.bpmn"))
    for path in sorted(CORPUS.glob("*.bpmn")):
        try:
            run = prepare_run(path)
            if unsupported(CompiledModel(run.process, run.scenario)) is None and run.process.tasks():
                files.append(path)  # a file of gateways and events only has no step records to compare
        except sim.ReformSimError:
            pass  # refused by the loader: tests/test_corpus.py pins why
    return files


def test_every_bundled_model_is_supported() -> None:
    refused = {}
    for path in sorted(PROCESSES.glob("*.bpmn")):
        run = prepare_run(path)
        reason = unsupported(CompiledModel(run.process, run.scenario))
        if reason:
            refused[path.name] = reason
    assert refused == {}


@pytest.mark.parametrize("path", supported_files(), ids=lambda p: p.stem)
def test_fast_gives_the_compiled_records(path: Path) -> None:
    compiled, fast = both(path)
    assert fast.executor == "fast" and compiled.executor == "compiled"
    assert_same_runs(compiled, fast)


def queue_heavy(path: Path, rate: float, staff: int) -> Scenario:
    """Demand up, staff down: every agency of ``path`` at ``staff``; assumption: a test of queueing only."""
    process = sim.load_process(path)
    return Scenario(arrivals=ArrivalSpec(rate_per_workday=rate, source="assumption: test"),
                    agencies={a: AgencySpec(a, staff=staff, source="assumption: test") for a in process.agencies()})


@pytest.mark.parametrize("name", ["company_setup_2021", "construction_lowrisk_2021", "deregistration_merged_2021"])
def test_queues_are_served_in_the_same_order(name: str) -> None:
    path = PROCESSES / f"{name}.bpmn"
    compiled, fast = both(path, queue_heavy(path, rate=80.0, staff=1), cases=400, replications=1)
    table = {a["agency"]: a for a in compiled.agency_table()}
    assert max(a["max_queue"] for a in table.values()) > 100  # a real queue (and more tokens than the first arrays hold)
    assert_same_runs(compiled, fast)


def test_chunks_flushes_and_calendar_growth_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # small buffers, so one run feeds several chunks, flushes often and compacts cases in flight;
    # a low arrival rate, so the run crosses into the next years and the day tables grow
    monkeypatch.setattr(fast_module, "CHUNK", 4096)
    monkeypatch.setattr(fast_module, "_OUT", 512)
    monkeypatch.setattr(fast_module, "_OUT_STEPS", 700)
    path = PROCESSES / "electricity_lv_residential_2021.bpmn"
    scenario = queue_heavy(path, rate=12.0, staff=2)
    compiled, fast = both(path, scenario, cases=9000, replications=1)
    assert len(compiled.calendar()) >= 3
    assert_same_runs(compiled, fast)


def long_wait_process(days: float) -> Process:
    facts = TaskFacts(agency="desk", procedure=True, work=Duration(Uniform(1, 3), "hour"),
                      wait=Duration(Fixed(days), "workday"), source="assumption: test")
    return Process.build("long", "long wait", [Node("s", "start"), Node("t", "task", "窗口", facts=facts), Node("e", "end")],
                         [Flow("f1", "s", "t"), Flow("f2", "t", "e")])


def test_a_step_that_looks_past_the_tables_restarts_on_longer_ones() -> None:
    # 400 working days ahead of the next event: past the tables' margin, so the run starts again
    compiled, fast = both(long_wait_process(400.0), cases=30, replications=1)
    assert_same_runs(compiled, fast)


def test_past_thirty_years_both_raise_the_calendar_error() -> None:
    errors = []
    for executor in (Compiled(), Fast()):
        with pytest.raises(sim.CalendarError) as caught:
            sim.simulate(long_wait_process(8000.0), cases=3, replications=1, seed=1, executor=executor)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "30 years" in errors[0]


def test_event_log_records_are_the_same(tmp_path: Path) -> None:
    path = PROCESSES / "construction_lowrisk_2021.bpmn"
    logs = []
    for executor in (Compiled(), Fast()):
        out = tmp_path / f"{executor.name}.csv"
        sim.simulate(path, cases=40, replications=2, seed=4, executor=executor, event_log=out)
        logs.append(out.read_text(encoding="utf-8"))
    assert logs[0] == logs[1] and logs[0].count("\n") > 40


def test_same_seed_same_results_on_a_process_pool() -> None:
    path = PROCESSES / "company_setup_2021.bpmn"
    serial = sim.simulate(path, cases=100, replications=3, seed=8, executor=Fast())
    pooled = sim.simulate(path, cases=100, replications=3, seed=8, executor=Fast(), backend=sim.ProcessPool(workers=2))
    assert serial.summary() == pooled.summary()


# -- what it does not run, and says -----------------------------------------------------------------
def inclusive_process() -> Process:
    facts = TaskFacts(agency="desk", work=Duration(Triangular(1, 2, 4), "hour"), source="assumption: test")
    return Process.build("incl", "inclusive", [
        Node("s", "start"), Node("i", "inclusive"), Node("a", "task", "甲", facts=facts), Node("b", "task", "乙", facts=facts),
        Node("j", "inclusive"), Node("e", "end"),
    ], [Flow("f1", "s", "i"), Flow("f2", "i", "a", share=0.6), Flow("f3", "i", "b", share=0.7), Flow("f4", "a", "j"),
        Flow("f5", "b", "j"), Flow("f6", "j", "e")])


def inclusive_model() -> CompiledModel:
    run = prepare_run(inclusive_process())
    return CompiledModel(run.process, run.scenario)


def test_an_unsupported_model_is_refused_with_its_reason() -> None:
    model = inclusive_model()
    reason = unsupported(model)
    assert reason is not None and 'inclusive gateway "i"' in reason
    with pytest.raises(Unsupported) as caught:
        settle(Fast(strict=True), model)
    assert caught.value.reason == reason and "cannot run this model" in str(caught.value)
    with pytest.raises(Unsupported):
        sim.simulate(inclusive_process(), cases=5, replications=1, executor=Fast(strict=True))


def test_the_fallback_runs_compiled_and_says_so() -> None:
    reason = unsupported(inclusive_model())
    fell_back = sim.simulate(inclusive_process(), cases=30, replications=1, seed=2, executor=executor_for("fast"))
    reference = sim.simulate(inclusive_process(), cases=30, replications=1, seed=2, executor=Compiled())
    assert fell_back.executor == "compiled"
    assert any(reason in note and "ran compiled instead" in note for note in fell_back.summary()["notes"])
    assert fell_back.summary()["kpis"] == reference.summary()["kpis"]
    executor, note = settle(EXPLORING, inclusive_model())
    assert isinstance(executor, Compiled) and note is not None


def test_two_tokens_through_one_step_fall_back_for_that_replication() -> None:
    # a parallel split merged by an exclusive gateway: the step after it runs twice per case, and
    # the second visit draws from a per-visit stream the kernel does not have
    facts = TaskFacts(agency="desk", work=Duration(Triangular(1, 2, 4), "hour"), source="assumption: test")
    process = Process.build("twice", "twice", [
        Node("s", "start"), Node("p", "parallel"), Node("x", "exclusive"), Node("t", "task", "窗口", facts=facts), Node("e", "end"),
    ], [Flow("f1", "s", "p"), Flow("f2", "p", "x"), Flow("f3", "p", "x"), Flow("f4", "x", "t"), Flow("f5", "t", "e")])
    with pytest.warns(FastFallbackWarning, match="a second time"):
        fast = sim.simulate(process, cases=20, replications=1, seed=3, executor=Fast(), keep_traces=True)
    compiled = sim.simulate(process, cases=20, replications=1, seed=3, executor=Compiled(), keep_traces=True)
    assert fast.replications[0].traces == compiled.replications[0].traces


# -- the kernel's copies of Python arithmetic --------------------------------------------------------
def test_kernel_calendar_equals_the_work_clock() -> None:
    from sim.engine import fast_kernel as fk

    hours = (OpeningHours.parse("09:00-12:00,13:30-17:30"), OpeningHours.parse("08:30-17:00"))
    start = dt.date(2021, 9, 27)
    cal = fast_module._calendar(start, sim.model.calendar.OFFICIAL, hours, 2022)
    md, flags = np.full(2, -1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    args = (cal.wd, cal.ob, cal.per, cal.nper, cal.od, cal.hpd, md, flags)
    rng = np.random.default_rng(1)
    for c, h in enumerate(hours):
        clock = work_clock(start, h)
        instants = np.concatenate((rng.uniform(0, 24 * 400, 3000), 24.0 * np.arange(0, 400), [9.0, 12.0, 13.5, 17.5]))
        for t in instants.tolist():
            assert fk.floordiv24(t) == t // 24
            assert fk.working_time(*args, c, t) == clock.working_time(t)
            assert fk.next_open(*args, c, t) == clock.next_open(t)
        for w in np.concatenate((rng.uniform(0, 1500, 3000), h.hours * np.arange(1, 200))).tolist():
            assert fk.at_working_time(*args, c, w) == clock.at_working_time(w), w
    assert flags[0] == 0


def test_kernel_db_days_equals_the_model() -> None:
    from sim.engine import fast_kernel as fk

    rng = np.random.default_rng(2)
    for _ in range(2000):
        n = int(rng.integers(0, 6))
        starts = rng.choice([0.0, 9.0, 30.0, 33.0, 60.0], n) + rng.integers(0, 2, n) * rng.uniform(0, 50, n)
        procs = [(float(s), float(s + rng.uniform(0, 40)), bool(rng.integers(0, 2))) for s in starts]
        end = max([p[1] for p in procs], default=5.0) + 1.0
        table = np.array([(a, b, float(o)) for a, b, o in procs]).reshape(n, 3) if n else np.zeros((1, 3))
        assert fk.db_days(0.0, end, table, n) == db_days(0.0, end, procs)


@pytest.mark.parametrize("text", ["fixed(2)", "uniform(1, 3)", "triangular(1, 2, 4)", "triangular(0, 0, 3)", "exponential(2)",
                                  "truncexp(2, 0.5, 6)", "lognormal(2, 0.5)", "gamma(2, 0.5)", "normal(2, 1)"])
def test_array_sampling_equals_sampling_one_at_a_time(text: str) -> None:
    dist = parse_distribution(text)
    u = np.concatenate((np.random.default_rng(3).random(2000), [0.0, 1.0, 1 - 1e-17, 0.5]))
    got = dist.sample_array(u)
    want = np.array([dist.sample(float(x)) for x in u])
    assert np.allclose(got, want, rtol=1e-15, atol=0) and got.shape == want.shape
    if isinstance(dist, (Fixed, Uniform, Triangular, Exponential, TruncatedExponential)):
        assert got.tolist() == want.tolist()  # the same operations: bit for bit


def test_rows_in_bulk_equal_rows_one_at_a_time() -> None:
    from sim.engine.randomness import ReplicationStreams

    bulk = ReplicationStreams(5, 2, 7).case_rows(200, 400)
    single = ReplicationStreams(5, 2, 7)
    assert bulk.tolist() == [single.case_row(c) for c in range(200, 600)]


@pytest.mark.parametrize("n, cap, cut", [(700, 500, 300), (20_000, 1000, 700), (20_000, 1000, 5000)])
def test_extend_equals_add_one_at_a_time(n: int, cap: int, cut: int) -> None:
    # below the cap, just past it (value by value) and far past it (the reservoir's draws in bulk)
    from sim.engine.stats import Sample

    values = np.random.default_rng(4).random(n)
    one, bulk = Sample(cap=cap), Sample(cap=cap)
    for x in values.tolist():
        one.add(x)
    bulk.extend(values[:cut])
    bulk.extend(values[cut:])
    assert (bulk.count, bulk.mean, bulk.std, bulk.min, bulk.max, bulk.values().tolist()) == \
           (one.count, one.mean, one.std, one.min, one.max, one.values().tolist())
    one.add(0.5)
    bulk.add(0.5)  # the reservoir's generator continues where the bulk draws left it
    assert bulk.values().tolist() == one.values().tolist()


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e7])
def test_folding_past_the_cap_keeps_the_sequential_sums(scale: float) -> None:
    # the fold is numpy (a million-case run folds a dozen samples); it must add as sum() and += do, in order,
    # not pairwise, or the mean and spread past the cap would differ in their last bits from before
    from array import array

    from sim.engine.stats import Sample

    values = (np.random.default_rng(6).standard_normal(5000) * scale).tolist()
    for vals in (values, values[:1], [], values[:50] + [math.nan] + values[50:60]):
        s = Sample(cap=10)
        s._values = array("d", vals)
        s._fold()
        want_sum, want_sq = 0.0, 0.0
        for v in vals:
            want_sum += v
            want_sq += v * v
        got = (s._sum, s._sumsq, s._min, s._max)
        want = (want_sum, want_sq, min(vals, default=math.inf), max(vals, default=-math.inf))
        assert [repr(x) for x in got] == [repr(x) for x in want]  # repr: NaN compares unequal to itself


def test_warmup_cases_are_left_out_alike() -> None:
    path = PROCESSES / "company_setup_2021.bpmn"
    scenario = replace(queue_heavy(path, rate=40.0, staff=2), warmup_workdays=2.0)
    compiled, fast = both(path, scenario, cases=200, replications=1)
    assert compiled.replications[0].warmup_cases > 0
    assert_same_runs(compiled, fast)


def test_fast_runs_a_scenario_with_edits_and_attributes() -> None:
    scenario = sim.load_scenario(ROOT / "scenarios/whatif_online_filing.yaml")
    compiled, fast = both(ROOT / "processes/construction_lowrisk_2021.bpmn", scenario, cases=120)
    assert not math.isnan(fast.kpi("workdays").mean)
    assert_same_runs(compiled, fast)


def test_projected_years_warn_as_under_compiled() -> None:
    path = PROCESSES / "electricity_lv_residential_2021.bpmn"
    scenario = replace(queue_heavy(path, rate=2.0, staff=3), start=dt.date(2026, 6, 1))
    caught = {}
    for executor in (Compiled(), Fast()):
        sim.engine.core.work_clock.cache_clear()  # a fresh clock, so it warns again
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            result = sim.simulate(path, scenario, cases=400, replications=1, seed=3, executor=executor)
        caught[executor.name] = sorted({str(w.message)[:4] for w in seen if "projected" in str(w.message)})
        assert result.calendar().get(2027) == "projected"
    assert caught["compiled"] == caught["fast"] == ["2027"]


def _modules_after(code: str) -> set[str]:
    """Top-level packages a fresh interpreter has imported after running ``code``."""
    import json
    import os
    import subprocess
    import sys

    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_fast_path_starts_without_heavy_imports() -> None:
    # a second process must start fast (issue 13: < 2 s): choosing the executor imports no numba, no BPMN
    # parser and no graph library; loading a model needs SpiffWorkflow's parser but not networkx
    chosen = _modules_after("import sim.engine.fast, sim.engine.executors")
    assert {"numba", "SpiffWorkflow", "networkx", "scipy", "matplotlib"} & chosen == set()
    loaded = _modules_after(f"import sim; sim.load_process({str(PROCESSES / 'company_setup_2021.bpmn')!r})")
    assert "SpiffWorkflow" in loaded  # the probe sees imports (so the test can fail)
    assert {"networkx", "numba", "scipy", "matplotlib"} & loaded == set()


def test_the_compiled_log1p_is_libm_bit_for_bit() -> None:
    # exponential draws use it once the fast kernel is loaded; np.log1p differs in the last bit on AVX-512
    from sim.engine import fast_kernel
    from sim.model import distributions

    x = np.concatenate((-np.minimum(np.random.default_rng(8).random(200_000), 1 - 1e-16), [0.0, -0.0, -1e-300, 3.0]))
    out = np.empty_like(x)
    fast_kernel.log1p_into(x, out)
    assert out.tolist() == [math.log1p(v) for v in x.tolist()]
    fast_module._kernel()  # registers it
    assert distributions._compiled_log1p is fast_kernel.log1p_into
    dist = parse_distribution("truncexp(2, 0.5, 6)")
    assert dist.sample_array(x[:5000] * -1).tolist() == [dist.sample(float(u)) for u in (x[:5000] * -1).tolist()]
