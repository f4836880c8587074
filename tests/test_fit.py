"""Calibration from event logs: a synthetic log from known distributions is fitted back."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.errors import ScenarioError
from sim.interop.eventlog import write_event_log
from sim.interop.fit import fit_durations, fit_log, write_overlay
from sim.model.calendar import OpeningHours, WorkClock, is_official_workday
from sim.model.distributions import LogNormal
from sim.model.process import Flow, Node, Process, TaskFacts
from sim.model.records import TaskRecord
from sim.model.scenario import parse_scenario, resolve_scenario

ORIGIN = dt.date(2021, 7, 1)
RATE = 12  # cases per working day
# (node id, activity name, true mean h, sampler)
ACTIVITIES = [
    ("t_intake", "收件", 0.5, lambda rng, n: rng.exponential(0.5, n)),
    # clearly lognormal: mean 2 h, sd 2 h (sigma ≈ 0.83), far from gamma's tail
    ("t_review", "审核", 2.0, lambda rng, n: rng.lognormal(math.log(2 / math.sqrt(2)), math.sqrt(math.log(2)), n)),
    ("t_issue", "发证", 1.0, lambda rng, n: rng.gamma(1 / 0.3**2, 0.3**2, n)),
]


def _process() -> Process:
    nodes = [Node("s", "start")] + [
        Node(nid, "task", name, facts=TaskFacts(agency="registrar")) for nid, name, _, _ in ACTIVITIES
    ] + [Node("t_archive", "task", "归档", facts=TaskFacts(agency="registrar")), Node("e", "end")]
    ids = [n.id for n in nodes]
    flows = [Flow(f"f{k}", a, b) for k, (a, b) in enumerate(zip(ids, ids[1:]))]
    return Process.build("p", "测试", nodes, flows)


def _records(seed: int = 11, weeks: int = 6) -> list[TaskRecord]:
    """Cases arrive 09:00–12:00 on official working days; each runs the three steps back to back."""
    rng = np.random.default_rng(seed)
    out: list[TaskRecord] = []
    case = 0
    for day in range(weeks * 7):
        if not is_official_workday(ORIGIN + dt.timedelta(days=day)):
            continue
        for _ in range(rng.poisson(RATE)):
            t = 24 * day + rng.uniform(9, 12)
            for nid, name, _, sample in ACTIVITIES:
                start = t + rng.uniform(0, 0.25)  # a short wait, not part of the work
                end = start + float(sample(rng, 1)[0])
                out.append(TaskRecord(0, case, nid, name, "registrar", t, start, end))
                t = end
            # an activity the process does not know
            out.append(TaskRecord(0, case, "t_call", "电话回访", "registrar", t, t, t + 0.1))
            case += 1
    return out


@pytest.fixture(scope="module")
def xes_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fit") / "synthetic.xes"
    write_event_log(_records(), path, WorkClock(ORIGIN, OpeningHours.parse("09:00-17:00")))
    return path


def test_means_and_family_recovered_from_xes(xes_log: Path) -> None:
    result = fit_log(xes_log, _process())
    for nid, _, mean, _ in ACTIVITIES:
        fit = result.activities[nid]
        assert fit.step_id == nid
        assert fit.dist.mean == pytest.approx(mean, rel=0.10)
    review = result.activities["t_review"]
    assert review.family == "lognormal"
    assert isinstance(review.dist, LogNormal)
    assert review.aic["lognormal"] < review.aic["gamma"] < review.aic["normal"]
    assert review.ks_pvalue > 0.01
    assert result.activities["t_intake"].family in ("exponential", "gamma")  # gamma with shape ≈ 1 is the same law
    assert result.unmatched == ("t_call",)
    assert result.missing == ("t_archive",)
    # arrivals: Poisson(12) per working day
    assert result.rate_per_workday == pytest.approx(RATE, rel=0.10)
    assert result.office_hours is not None and result.office_hours.periods[0][0] == 9.0
    assert {0, 1, 2, 3, 4} <= set(result.hours_by_weekday)
    assert 9.0 <= min(start for start, _ in result.hours_by_weekday.values() if start >= 9) < 9.25


def test_common_csv_columns_match_by_name(tmp_path: Path) -> None:
    base = dt.datetime.combine(ORIGIN, dt.time())
    recs = _records(seed=5, weeks=4)
    df = pd.DataFrame({
        "case_id": [f"c{r.case_id}" for r in recs],
        "activity": [r.activity for r in recs],
        "start_time": [(base + dt.timedelta(hours=r.start)).isoformat() for r in recs],
        "end_time": [(base + dt.timedelta(hours=r.end)).isoformat() for r in recs],
    })
    path = tmp_path / "log.csv"
    df.to_csv(path, index=False)
    result = fit_log(path, _process())
    assert {k for k, f in result.activities.items() if f.step_id} == {"t_intake", "t_review", "t_issue"}
    assert result.activities["t_review"].dist.mean == pytest.approx(2.0, rel=0.10)
    assert result.unmatched == ("电话回访",)


def test_overlay_is_a_valid_scenario(xes_log: Path, tmp_path: Path) -> None:
    result = fit_log(xes_log, _process())
    out = tmp_path / "overlay.yaml"
    write_overlay(result, out)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    scenario = parse_scenario(data, file=str(out))
    assert set(scenario.steps) == {"t_intake", "t_review", "t_issue"}
    assert scenario.steps["t_review"].work.unit == "hour"
    assert scenario.steps["t_review"].work.mean == pytest.approx(result.activities["t_review"].dist.mean, rel=1e-4)
    assert scenario.steps["t_review"].source.startswith(f"fitted from synthetic.xes (n={result.activities['t_review'].n}")
    assert scenario.arrivals.rate_per_workday == pytest.approx(result.rate_per_workday, rel=1e-3)
    assert "fitted from synthetic.xes" in scenario.arrivals.source
    assert str(scenario.office_hours) == str(result.office_hours)
    resolve_scenario(_process(), scenario)
    assert "t_call" in out.read_text(encoding="utf-8")  # the unmatched activity is reported in the header


def test_fit_durations_families() -> None:
    rng = np.random.default_rng(3)
    assert fit_durations(rng.normal(10, 0.5, 400))[0] == "normal"
    assert fit_durations(rng.uniform(1, 3, 400))[0] == "uniform"
    assert fit_durations(np.full(5, 0.75))[:2][0] == "fixed"


def test_open_hours_work_counts_only_opening_hours(tmp_path: Path) -> None:
    # a step from 16:00 to 10:00 the next working day is 2 h of work with 09:00-17:00 hours
    rows = []
    for k, day in enumerate((1, 2, 5, 6, 7, 8)):  # Jul 2021: Fri 2, Mon 5 ... (no holidays)
        d = dt.date(2021, 7, day)
        rows.append((f"c{k}", "a", f"{d}T09:00:00", f"{d}T17:00:00"))
    rows.append(("x", "b", "2021-07-01T16:00:00", "2021-07-02T10:00:00"))
    path = tmp_path / "log.csv"
    pd.DataFrame(rows, columns=["case_id", "activity", "start_time", "end_time"]).to_csv(path, index=False)
    elapsed = fit_log(path, None)
    assert elapsed.activities["b"].dist.mean == pytest.approx(18.0)
    assert any("midnight" in n for n in elapsed.notes)
    opened = fit_log(path, None, work="open")
    assert str(opened.office_hours) == "09:00-17:00"
    assert opened.activities["b"].dist.mean == pytest.approx(2.0)


def test_bad_logs_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    pd.DataFrame({"case_id": ["1"], "activity": ["a"], "end_time": ["2021-07-01T10:00:00"]}).to_csv(path, index=False)
    with pytest.raises(ScenarioError) as err:
        fit_log(path, None)
    assert "start_timestamp / start_time / start: required column missing" in str(err.value)

    pd.DataFrame({"case_id": ["1"], "activity": ["a"], "start_time": ["2021-07-01T10:00:00"],
                  "end_time": ["2021-07-01T09:00:00"]}).to_csv(path, index=False)
    with pytest.raises(ScenarioError, match="end before they start"):
        fit_log(path, None)

    other = tmp_path / "log.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(ScenarioError, match="expected .csv or .xes"):
        fit_log(other, None)
