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
# company_setup_2021 with its fixed waits cut, so that staffing decides T03 (the rebuilt 2021 model's waits alone
# exceed a working day): the premise of the staffing sweeps below
PREMISE = ROOT / "tests" / "data" / "premise" / "company_setup_staffing.yaml"


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
    settings = load_scenario_mapping(PREMISE)
    result, runs = sweep(settings, [parse_vary("agencies.market_regulation.staff=1..5")], cases=60, replications=3, seed=1,
                         target_metric="workdays", target_max=1.0, required=0.8)
    att = [r["attainment"] for r in result.rows]
    assert att == sorted(att)  # same seeds everywhere: attainment rises with staff
    reach = [r["reachable"] for r in result.rows]
    assert any(reach) and result.cheapest == reach.index(True)
    assert len(runs) == 5 and runs[0][1].seed == 1


def test_unknown_agency_in_vary_is_a_scenario_error_with_did_you_mean() -> None:
    settings = load_scenario_mapping(SC / "company_setup_2021.yaml")
    with pytest.raises(ScenarioError) as err:
        sweep(settings, [parse_vary("agencies.market_regulaton.staff=1..2")], cases=5, replications=1)
    assert 'did you mean "market_regulation"' in str(err.value)


def test_cli_sweep_writes_table_plot_and_history(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sw"
    code = main(["sweep", str(SC / "company_setup_2021.yaml"), "--vary", "agencies.market_regulation.staff=2..3",
                 "--vary", "arrivals.rate_per_workday=20,40", "--target-metric", "workdays", "--target-max", "1",
                 "--required", "0.5", "--replications", "2", "--cases", "30", "--out", str(out), "--workers", "2",
                 "--lang", "en"])
    assert code == 0
    rows = list(csv.DictReader((out / "sweep.csv").open(encoding="utf-8")))
    assert len(rows) == 4 and "attainment" in rows[0]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "runs.sqlite").exists()
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temp files
    assert "cheapest" in capsys.readouterr().out


# --- issue 16 item 4: register targets, levers versus conditions, Excel

from sim.whatif.sweep import CONDITION, LEVER, Axis, axis, cheapest_per_condition, parse_axis, target_from_register  # noqa: E402


@pytest.fixture(scope="module")
def register():
    from sim.targets import load_register

    return load_register(SC / "targets.yaml")


@pytest.fixture(scope="module")
def staff_by_growth(register):
    """Registrars 2..5 (a lever) against demand ×1 and ×2 (a condition), judged on T03 (≤ 1 working day)."""
    settings = load_scenario_mapping(PREMISE)
    target = target_from_register(register, "T03", None, settings["process"], required=0.6)
    result, _ = sweep(settings, [parse_vary("agencies.market_regulation.staff=2..5"), parse_vary("arrivals.growth=1,2")],
                      cases=60, replications=3, seed=4, target=target)
    return result


def test_vary_kinds_staff_is_a_lever_demand_a_condition() -> None:
    assert axis("agencies.tax.staff", [1]) == Axis("agencies.tax.staff", [1], LEVER, 1.0, axis("agencies.x.staff", [1]).cost_source)
    assert axis("arrivals.growth", [1, 2]).kind == CONDITION and axis("arrivals.rate_per_workday", [5]).kind == CONDITION
    assert parse_axis("agencies.tax.staff=1..2@250000", LEVER).cost == 250000
    for bad, kind in (("steps.t.work=1,2", LEVER), ("arrivals.growth=1,2@3", CONDITION), ("agencies.tax.staff=1..2@-1", LEVER),
                      ("agencies.tax.staff=1..2@x", LEVER)):
        with pytest.raises(ReformSimError):
            parse_axis(bad, kind)


def test_cheapest_is_per_condition_value_and_never_a_cheaper_world(staff_by_growth) -> None:
    result = staff_by_growth
    assert result.levers() == ["agencies.market_regulation.staff"] and result.conditions() == ["arrivals.growth"]
    assert result.cheapest is None  # no single cheapest point across different demands
    assert [c["condition"] for c in result.cheapest_by_condition] == [{"arrivals.growth": 1}, {"arrivals.growth": 2}]
    for r in result.rows:
        assert r["cost"] == r["agencies.market_regulation.staff"]  # demand adds nothing to the cost
    picked = {c["condition"]["arrivals.growth"]: c["cheapest"] for c in result.cheapest_by_condition}
    assert picked[1] is not None, result.rows
    for growth, i in picked.items():
        if i is None:
            continue
        row = result.rows[i]
        assert row["arrivals.growth"] == growth and row["reachable"]
        same_world = [r for r in result.rows if r["arrivals.growth"] == growth and r["reachable"]]
        assert row["cost"] == min(r["cost"] for r in same_world)
    if picked[2] is not None:  # twice the demand never needs fewer registrars (same seeds)
        assert result.rows[picked[2]]["cost"] >= result.rows[picked[1]]["cost"]


def test_cheapest_per_condition_ignores_how_cheap_a_condition_looks() -> None:
    axes = [Axis("staff", [1, 3], LEVER, 1.0), Axis("growth", [1, 2])]
    # growth 1 reaches with 1 staff; growth 2 needs 3: the old rule called "growth = 1" the cheapest point overall
    rows = [{"staff": 1, "growth": 1, "cost": 1.0, "reachable": True}, {"staff": 1, "growth": 2, "cost": 1.0, "reachable": False},
            {"staff": 3, "growth": 1, "cost": 3.0, "reachable": True}, {"staff": 3, "growth": 2, "cost": 3.0, "reachable": True}]
    assert [c["cheapest"] for c in cheapest_per_condition(rows, axes)] == [0, 3]


def test_target_id_judges_each_point_by_the_register_rows_share_with_interval(staff_by_growth) -> None:
    from sim.analysis.assess import verdict

    assert staff_by_growth.target["id"] == "T03" and staff_by_growth.target["metric"] == "workdays"
    for r in staff_by_growth.rows:
        assert 0 <= r["attainment_lo"] <= r["attainment"] <= r["attainment_hi"] <= 1
        assert r["verdict"] == verdict(r["attainment"], r["attainment_lo"], r["attainment_hi"], 0.6)
        assert r["reachable"] == (r["verdict"] == "reachable")
    by_staff = [r["attainment"] for r in staff_by_growth.rows if r["arrivals.growth"] == 1]
    assert by_staff == sorted(by_staff)  # more registrars never lower the share (same seeds)


@pytest.mark.parametrize("tid, check, words", [
    ("T3O", None, 'did you mean "T30"'),   # T30 is a row of the real register, T03 too: the closest is named
    ("T07", None, "a design check"),
    ("T06", None, "another chain"),
    ("T08", None, "name one with --check"),
    ("T05", None, "does not simulate it"),
])
def test_a_target_the_sweep_cannot_judge_is_refused_with_the_reason(register, tid, check, words) -> None:
    process = str(ROOT / "processes" / "company_setup_2021.bpmn")
    if tid == "T08":
        process = str(ROOT / "processes" / "construction_lowrisk_2021.bpmn")
    with pytest.raises(ReformSimError) as err:
        target_from_register(register, tid, check, process)
    assert words in str(err.value)


def test_cli_sweep_by_target_writes_an_excel_workbook_with_verdict_words(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "sweep.xlsx"
    code = main(["sweep", str(PREMISE), "--lever", "agencies.market_regulation.staff=2..3@1.5",
                 "--condition", "arrivals.growth=1,2", "--target", "T03", "--replications", "2", "--cases", "30",
                 "--out", str(book), "--history", str(tmp_path / "h")])
    assert code == 0
    text = capsys.readouterr().out
    assert "T03" in text and "最低成本可达成点" in text and "not_reachable" not in text
    wb = load_workbook(book)
    assert wb.sheetnames == ["各点", "最低成本", "维度"]
    head = [c.value for c in wb["各点"][1]]
    rows = [dict(zip(head, (c.value for c in r))) for r in wb["各点"].iter_rows(min_row=2)]
    assert len(rows) == 4 and {r["结论"] for r in rows} <= {"可达成", "有风险", "不可达成"}
    assert [r["成本"] for r in rows] == [3.0, 3.0, 4.5, 4.5]  # the columns in zh too (sim.i18n.SWEEP)
    assert isinstance(rows[0]["区间下限"], float)
    assert len(list(wb["最低成本"].iter_rows(min_row=2))) == 2  # one line per demand value
    assert (tmp_path / "h" / "sweep.csv").exists() and (tmp_path / "h" / "runs.sqlite").exists()


def test_cli_sweep_refuses_a_workbook_of_the_users_in_its_folder(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sw"
    out.mkdir()
    (out / "sweep.xlsx").write_bytes(b"the planner's own file, not a workbook of ours")
    code = main(["sweep", str(SC / "company_setup_2021.yaml"), "--vary", "agencies.market_regulation.staff=2..3",
                 "--replications", "1", "--cases", "5", "--out", str(out)])
    assert code == 2
    assert "not a workbook ReformSim wrote" in capsys.readouterr().err
    assert (out / "sweep.xlsx").read_bytes() == b"the planner's own file, not a workbook of ours"
    assert sorted(p.name for p in out.iterdir()) == ["sweep.xlsx"]  # refused before anything ran or was written


def test_the_cheapest_point_is_described_with_its_total_cost_and_interval() -> None:
    from sim.whatif.sweep import SweepResult, describe_point

    axes = [Axis("agencies.a.staff", [2, 3], LEVER, 4.0), Axis("arrivals.growth", [1])]
    result = SweepResult(["agencies.a.staff", "arrivals.growth"], axes=axes,
                         rows=[{"agencies.a.staff": 3, "arrivals.growth": 1, "cost": 12.0, "attainment": 0.96,
                                "attainment_lo": 0.951, "attainment_hi": 0.97, "reachable": True}])
    assert describe_point(result, 0, result.levers(), "en") == "agencies.a.staff = 3 (cost 12), 96.0% [95.1%, 97.0%]"
    assert describe_point(result, None, result.levers(), "zh") == "没有可达成的点"
