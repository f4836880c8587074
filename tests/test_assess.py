"""Verdict logic, an end-to-end assess on a tiny register, and bad input stopping before simulation."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis import assess as A
from sim.errors import ScenarioError
from sim.targets import load_register

DATA = Path(__file__).parent / "data" / "assess"
IDS = ("T03", "T04", "T30")


def test_verdict_from_share_and_interval():
    assert A.verdict(0.99, 0.96, 1.0, 0.95) == A.REACHABLE
    assert A.verdict(0.96, 0.93, 0.99, 0.95) == A.AT_RISK  # point estimate reaches it, lower bound does not
    assert A.verdict(0.90, 0.85, 0.96, 0.95) == A.AT_RISK  # only the upper bound reaches it
    assert A.verdict(0.90, 0.85, 0.94, 0.95) == A.NOT_REACHABLE
    assert A.verdict(0.90, 0.85, 0.94, 0.80) == A.REACHABLE


def test_share_interval_on_synthetic_shares():
    share, lo, hi = A.share_interval([0.9, 1.0, 0.95, 0.85])
    assert share == pytest.approx(0.925)
    assert lo < share < hi <= 1.0
    assert A.share_interval([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)


def test_assess_tiny_register_end_to_end():
    reg = load_register(DATA / "targets.yaml", expected_ids=IDS, root=DATA)
    a = A.assess(reg, replications=3, cases=40, seed=5)
    rows = {r.target: r for r in a.rows}
    assert list(a.results) == ["processes/company_setup_2021.bpmn"]  # one simulation for all three checks
    assert rows["T03"].metric == "workdays" and 0 <= rows["T03"].share <= 1
    assert rows["T03"].p50 <= rows["T03"].p80 <= rows["T03"].p95
    assert rows["T04"].metric == "fee" and rows["T04"].verdict == A.COMPLIES  # the 2021 chain is free
    assert rows["T04"].kind == rows["T30"].kind == A.DESIGN and rows["T03"].kind == A.PERFORMANCE
    assert rows["T30"].method == "static" and rows["T30"].static == 3 and rows["T30"].verdict == A.COMPLIES


def test_broken_register_file_is_refused_when_loaded():
    with pytest.raises(ScenarioError, match="missing_2021.bpmn"):
        load_register(DATA / "broken.yaml", expected_ids=IDS, root=DATA)


def test_broken_entry_stops_before_simulating(monkeypatch):
    """A register that loaded but whose second check points at a missing file: assess must refuse it
    before the first (good) check is simulated, so the planner does not wait for a run that fails late."""
    import dataclasses

    from sim.engine import runner

    reg = load_register(DATA / "targets.yaml", expected_ids=IDS, root=DATA)
    t04 = reg["T04"]
    broken_check = dataclasses.replace(
        t04.checks[0], test=dataclasses.replace(t04.checks[0].test, processes=("processes/missing_2021.bpmn",)))
    targets = tuple(dataclasses.replace(t, checks=(broken_check,)) if t.id == "T04" else t for t in reg.targets)
    broken = dataclasses.replace(reg, targets=targets)
    calls: list[object] = []

    def recording_simulate(*a, **k):
        calls.append(a)
        raise AssertionError("simulated although the register is broken")

    monkeypatch.setattr(runner, "simulate", recording_simulate)
    with pytest.raises(ScenarioError, match=r"T04.*missing_2021\.bpmn"):
        A.assess(broken, replications=2, cases=10)
    assert calls == []


@pytest.mark.parametrize(("reading", "metric"), [("db", "db_days"), ("calendar", "calendar_days"), ("working", "workdays")])
def test_tian_is_judged_on_the_reading_the_register_names(reading, metric):
    from sim.targets import Check, TargetTest, Threshold

    raw = "case_workdays" if reading == "working" else "case_calendar_days"
    c = Check("x", "m", "天", Threshold("max", None, 3), TargetTest(("p.bpmn",), raw), reading=reading)
    assert A.judged_metric(c) == metric
    c2 = Check("x", "m", "工作日", Threshold("max", None, 3), TargetTest(("p.bpmn",), "case_workdays"))
    assert A.judged_metric(c2) == "workdays"
