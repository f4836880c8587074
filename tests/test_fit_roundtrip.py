"""Calibration end to end: simulate a known model, fit the log it wrote, recover the parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import sim
from sim.cli import main
from sim.model.calendar import OpeningHours
from sim.model.distributions import Gamma, LogNormal
from sim.model.process import Duration, Flow, Node, Process, TaskFacts
from sim.model.scenario import AgencySpec, ArrivalSpec, Scenario


def known_process() -> Process:
    review = TaskFacts(agency="desk", procedure=True, work=Duration(LogNormal(2.0, 1.0), "hour"), source="assumption: test")
    issue = TaskFacts(agency="desk", procedure=True, work=Duration(Gamma(1.0, 0.5), "hour"), source="assumption: test")
    return Process.build("fitme", "拟合", [Node("s", "start"), Node("t_a", "task", "受理审查", facts=review),
                                         Node("t_b", "task", "发证", facts=issue), Node("e", "end")],
                         [Flow("f1", "s", "t_a"), Flow("f2", "t_a", "t_b"), Flow("f3", "t_b", "e")])


def test_fit_recovers_durations_rate_and_hours(tmp_path: Path) -> None:
    from sim.interop.fit import fit_log

    process = known_process()
    # Staff plentiful so the log shows work, not queues; one office period (lunch breaks are not detected).
    scenario = Scenario(cases=1500, replications=1, seed=5, office_hours=OpeningHours.parse("09:00-17:00"),
                        arrivals=ArrivalSpec(rate_per_workday=30, source="assumption: test"),
                        agencies={"desk": AgencySpec("desk", staff=40, source="assumption: test")})
    log = tmp_path / "log.csv"
    sim.simulate(process, scenario, event_log=log)
    result = fit_log(log, process, work="open")
    assert result.rate_per_workday == pytest.approx(30, rel=0.1)
    assert str(result.office_hours) == "09:00-17:00"
    assert result.activities["t_a"].family == "lognormal"
    assert result.activities["t_a"].dist.mean == pytest.approx(2.0, rel=0.1)
    assert result.activities["t_b"].dist.mean == pytest.approx(1.0, rel=0.1)


def test_fit_command_writes_an_overlay_that_loads(tmp_path: Path) -> None:
    root = Path(__file__).parents[1]
    log, overlay = tmp_path / "cs.csv", tmp_path / "fitted.yaml"
    bpmn = root / "processes" / "company_setup_2021.bpmn"
    sim.simulate(bpmn, cases=200, replications=1, seed=3, event_log=log)
    assert main(["fit", str(log), "--process", str(bpmn), "--out", str(overlay)]) == 0
    data = yaml.safe_load(overlay.read_text(encoding="utf-8"))
    assert "fitted from" in data["arrivals"]["source"]
    assert sim.parse_scenario(data).steps  # every fitted step is a valid override
