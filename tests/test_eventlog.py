"""Event logs written by sim.interop.eventlog and read back with pm4py."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd
import pm4py
import pytest

from sim.errors import SimulationError
from sim.interop.eventlog import CSV_COLUMNS, write_event_log
from sim.model.calendar import OpeningHours, WorkClock
from sim.model.records import TaskRecord




@pytest.fixture
def clock() -> WorkClock:
    return WorkClock(dt.date(2021, 7, 1), OpeningHours.parse("09:00-12:00,13:30-17:30"))


def _records() -> list[TaskRecord]:
    """2 replications x 3 cases; case c has c + 1 steps (6 traces, 12 events)."""
    out = []
    for rep in range(2):
        for case in range(3):
            for k in range(case + 1):
                t = 9.0 + 24 * case + k
                out.append(TaskRecord(rep, case, f"t_{k}", f"步骤{k} <&\">", "registrar" if k % 2 else None,
                                      enable=t, start=t + 0.25, end=t + 0.75 + k / 3))
    return out


def test_csv_reads_back_with_pm4py(tmp_path: Path, clock: WorkClock) -> None:
    out = tmp_path / "log.csv"
    assert write_event_log(iter(_records()), out, clock) == 12
    df = pd.read_csv(out)
    assert tuple(df.columns) == CSV_COLUMNS
    df = pm4py.format_dataframe(df, case_id="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp")
    assert df["case:concept:name"].nunique() == 6
    assert len(df) == 12
    assert len(pm4py.convert_to_event_log(df)) == 6
    assert set(df["case:concept:name"]) == {f"{r}-{c}" for r in range(2) for c in range(3)}
    first = df[(df["case:concept:name"] == "1-2") & (df["activity_id"] == "t_2")].iloc[0]
    # 2021-07-03 09:00 + 2h15 local = 03:15 UTC (the file says +08:00)
    assert pd.Timestamp(first["start_timestamp"]) == pd.Timestamp("2021-07-03T03:15:00Z")
    assert first["time:timestamp"] == pd.Timestamp("2021-07-03T11:45:00+08:00") + pd.Timedelta(minutes=40)


def test_xes_reads_back_with_pm4py(tmp_path: Path, clock: WorkClock) -> None:
    out = tmp_path / "log.xes"
    assert write_event_log(_records(), out, clock) == 12
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pm4py.read_xes(str(out))
    assert df["case:concept:name"].nunique() == 6
    assert len(df) == 12
    assert (df["start_timestamp"] <= df["time:timestamp"]).all()
    assert (df["enable_timestamp"] <= df["start_timestamp"]).all()
    assert set(df["concept:name"]) == {'步骤0 <&">', '步骤1 <&">', '步骤2 <&">'}
    assert set(df["lifecycle:transition"]) == {"complete"}
    assert sorted(df["case:replication"].unique()) == [0, 1]


def test_unknown_suffix_is_a_clear_error(tmp_path: Path, clock: WorkClock) -> None:
    with pytest.raises(SimulationError) as err:
        write_event_log(_records(), tmp_path / "log.parquet", clock)
    assert ".csv or .xes" in str(err.value)
    assert not list(tmp_path.iterdir())


def test_interrupted_write_leaves_no_file(tmp_path: Path, clock: WorkClock) -> None:
    out = tmp_path / "log.csv"

    def broken():
        yield from _records()[:3]
        raise RuntimeError("engine stopped")

    with pytest.raises(RuntimeError):
        write_event_log(broken(), out, clock)
    assert not list(tmp_path.iterdir())  # neither the log nor a temporary file


def test_interrupted_write_keeps_old_file(tmp_path: Path, clock: WorkClock) -> None:
    out = tmp_path / "log.xes"
    write_event_log(_records(), out, clock)
    before = out.read_bytes()

    def broken():
        yield _records()[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_event_log(broken(), out, clock)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["log.xes"]


def test_xes_rejects_a_case_split_across_replications(tmp_path: Path, clock: WorkClock) -> None:
    recs = _records()
    shuffled = [r for r in recs if r.replication == 0] + [r for r in recs if r.replication == 1] + [recs[0]]
    with pytest.raises(SimulationError, match="case 0-0"):
        write_event_log(shuffled, tmp_path / "log.xes", clock)
