"""Paired comparisons with common random numbers, and the compare/runs commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.cli import main
from sim.whatif.compare import compare_per_replication, compare_results
from sim.whatif.distributed import RunSpec, run_specs

ROOT = Path(__file__).parents[1]
SC = ROOT / "scenarios"


def test_same_scenario_same_seed_has_exactly_zero_difference() -> None:
    spec = RunSpec.from_file(SC / "company_setup_2021.yaml", cases=30, replications=4, seed=3)
    a, b = run_specs([spec, spec])
    c = compare_results(a, b)
    assert c["paired"] and c["process_changes"] == []
    for row in c["rows"]:
        assert row["delta"] == 0.0 and not row["significant"]


def test_parallel_lever_is_a_significant_saving_and_the_process_change_is_named() -> None:
    a, b = run_specs([RunSpec.from_file(SC / "construction_lowrisk_2019_baseline.yaml", cases=30, replications=5, seed=2),
                      RunSpec.from_file(SC / "whatif_parallel_prepermit.yaml", cases=30, replications=5, seed=2)])
    c = compare_results(a, b)
    wd = next(r for r in c["rows"] if r["metric"] == "workdays")
    assert wd["delta"] < 0 and wd["significant"] and wd["ci95"][1] < 0
    assert any("t_quality_safety" in x for x in c["process_changes"])
    assert any(x.startswith("levers only in B") and "并联办理" in x for x in c["process_changes"])
    assert any(r["metric"].startswith("utilisation.") for r in c["rows"])


def test_crn_interval_is_narrower_than_unpaired() -> None:
    a, b = run_specs([RunSpec.from_file(SC / "company_setup_2021.yaml", cases=40, replications=6, seed=9),
                      RunSpec.from_file(SC / "whatif_registrar_plus2.yaml", cases=40, replications=6, seed=9)])
    pa = {"workdays": a.replication_means("workdays").tolist()}
    pb = {"workdays": b.replication_means("workdays").tolist()}
    paired = compare_per_replication(pa, pb, paired=True)[0]
    welch = compare_per_replication(pa, pb, paired=False)[0]
    assert np.diff(paired["ci95"])[0] < np.diff(welch["ci95"])[0]
    assert paired["delta"] == welch["delta"]


def test_cli_compare_records_runs_and_compares_them_without_rerunning(tmp_path: Path, capsys) -> None:
    out = tmp_path / "o"
    code = main(["compare", str(SC / "construction_lowrisk_2021.yaml"), str(SC / "whatif_commitment_drawing_review.yaml"),
                 "--replications", "3", "--cases", "20", "--seed", "5", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "95% CI of difference" in text and "the process differs" in text
    saved = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    first = {r["metric"]: r["delta"] for r in saved["rows"]}
    assert saved["run_ids"] == [1, 2]
    assert main(["runs", "--out", str(out)]) == 0
    listing = capsys.readouterr().out
    assert "construction_lowrisk_2021" in listing and "whatif_commitment_drawing_review" in listing
    assert main(["compare", "1", "2", "--out", str(out), "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert {r["metric"]: r["delta"] for r in stored["rows"]} == first
    assert stored["paired"]


def test_cli_compare_unknown_run_id_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["compare", "1", "9", "--out", str(tmp_path)]) == 2
    assert "no run with id" in capsys.readouterr().err


def test_cli_compare_bad_scenario_exits_2(tmp_path: Path, capsys) -> None:
    bad = ROOT / "tests" / "data" / "scenarios" / "bad_many.yaml"
    assert main(["compare", str(bad), str(SC / "company_setup_2021.yaml"), "--out", str(tmp_path)]) == 2
    assert "casez" in capsys.readouterr().err


def test_compare_judges_the_chains_targets_under_both_scenarios() -> None:
    import sim
    from sim.whatif.compare import verdicts_under_both

    root = Path(__file__).parents[1]
    before = sim.simulate(root / "processes" / "company_setup_2018_baseline.bpmn", cases=60, replications=3, seed=2)
    after = sim.simulate(root / "processes" / "company_setup_2021.bpmn", cases=60, replications=3, seed=2)
    rows = {r["target"]: r for r in verdicts_under_both(before, after, sim.load_register(root / "scenarios" / "targets.yaml"))}
    assert {"T01", "T03"} <= set(rows)
    assert rows["T03"]["a"]["share"] < 0.05 < 0.9 < rows["T03"]["b"]["share"]  # 1 working day: not before, yes after
