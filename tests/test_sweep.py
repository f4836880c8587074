"""Sweeps: grid, attainment, cheapest reachable point, outputs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ReformSimError, ScenarioError
from sim.scenarios import load_scenario_mapping
from sim.whatif.sweep import SWEEP_SOURCE, parse_vary, set_path, sweep

ROOT = Path(__file__).parents[1]
SC = ROOT / "scenarios"


def test_parse_vary_forms_and_errors() -> None:
    assert parse_vary("a.b=2..4") == ("a.b", [2, 3, 4])
    assert parse_vary("a=1.5,3") == ("a", [1.5, 3])
    for bad in ("a.b", "a=4..2", "a=x,y", "=1"):
        with pytest.raises(ReformSimError):
            parse_vary(bad)


def test_set_path_adds_a_sweep_source_only_when_missing() -> None:
    d = set_path({"agencies": {}}, "agencies.x.staff", 3)
    assert d == {"agencies": {"x": {"staff": 3, "source": SWEEP_SOURCE}}}
    d = set_path({"arrivals": {"rate_per_workday": 1, "source": "s"}}, "arrivals.rate_per_workday", 5)
    assert d["arrivals"]["source"] == "s"


def test_more_staff_never_hurts_and_cheapest_point_is_the_fewest_staff() -> None:
    settings = load_scenario_mapping(SC / "company_setup_2021.yaml")
    result, runs = sweep(settings, [parse_vary("agencies.market_regulation.staff=1..4")], cases=60, replications=3, seed=1,
                         target_metric="workdays", target_max=1.0, required=0.8)
    att = [r["attainment"] for r in result.rows]
    assert att == sorted(att)  # same seeds everywhere: attainment rises with staff
    reach = [r["reachable"] for r in result.rows]
    assert any(reach) and result.cheapest == reach.index(True)
    assert len(runs) == 4 and runs[0][1].seed == 1


def test_unknown_agency_in_vary_is_a_scenario_error_with_did_you_mean() -> None:
    settings = load_scenario_mapping(SC / "company_setup_2021.yaml")
    with pytest.raises(ScenarioError) as err:
        sweep(settings, [parse_vary("agencies.market_regulaton.staff=1..2")], cases=5, replications=1)
    assert 'did you mean "market_regulation"' in str(err.value)


def test_cli_sweep_writes_table_plot_and_history(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sw"
    code = main(["sweep", str(SC / "company_setup_2021.yaml"), "--vary", "agencies.market_regulation.staff=2..3",
                 "--vary", "arrivals.rate_per_workday=20,40", "--target-metric", "workdays", "--target-max", "1",
                 "--required", "0.5", "--replications", "2", "--cases", "30", "--out", str(out), "--workers", "2"])
    assert code == 0
    rows = list(csv.DictReader((out / "sweep.csv").open(encoding="utf-8")))
    assert len(rows) == 4 and "attainment" in rows[0]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "runs.sqlite").exists()
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temp files
    assert "cheapest" in capsys.readouterr().out
