"""Paired comparisons with common random numbers, and the compare/runs commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.i18n import say
from sim.cli import main
from sim.whatif.compare import compare_per_replication, compare_results
from sim.whatif.distributed import RunSpec, run_specs

ROOT = Path(__file__).parents[1]
SC = ROOT / "scenarios"
# company_setup_2021 with its fixed waits cut, so that it reaches T03 (the rebuilt 2021 model's waits alone exceed a
# working day, so the reform alone changes no T03 verdict): the "real change" of the before/after comparisons below
PREMISE = ROOT / "tests" / "data" / "premise" / "company_setup_staffing.yaml"


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
    assert any(x.startswith("levers only in B") and "并联办理" in say(x, "zh") for x in c["process_changes"])  # both languages
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
                 "--replications", "3", "--cases", "20", "--seed", "5", "--out", str(out), "--lang", "en"])
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
    from sim.scenarios import load_scenario

    premise = load_scenario(PREMISE)
    before = sim.simulate(root / "processes" / "company_setup_2018_baseline.bpmn", cases=60, replications=3, seed=2)
    after = sim.simulate(premise.process, premise, cases=60, replications=3, seed=2)
    rows = {r["target"]: r for r in verdicts_under_both(before, after, sim.load_register(root / "scenarios" / "targets.yaml"))}
    assert {"T01", "T03"} <= set(rows)
    assert rows["T03"]["a"]["share"] < 0.05 < 0.9 < rows["T03"]["b"]["share"]  # 1 working day: not before, yes after


# --- issue 16 item 4: percentiles, the change in the share meeting a target, verdicts in words, design, Excel

REGISTER = ROOT / "scenarios" / "targets.yaml"


def _pair(a: str | Path, b: str | Path, **run) -> dict:
    import sim

    settings = {"cases": 60, "replications": 4, "seed": 11} | run
    ra, rb = run_specs([RunSpec.from_file(a, **settings), RunSpec.from_file(b, **settings)])
    return compare_results(ra, rb, sim.load_register(REGISTER))


@pytest.fixture(scope="module")
def reform() -> dict:
    """Company setup before (2018) and after (2021, with the premise's short waits): a real change on the same chain."""
    return _pair(SC / "company_setup_2018_baseline.yaml", PREMISE)


@pytest.fixture(scope="module")
def no_op(tmp_path_factory) -> dict:
    """A scenario that extends the 2021 one and changes nothing but its name."""
    same = tmp_path_factory.mktemp("noop") / "same.yaml"
    same.write_text(f"name: same_as_2021\nextends: {SC / 'company_setup_2021.yaml'}\n", encoding="utf-8")
    from sim.inputs import using_root

    with using_root("/"):  # the file lives outside the project; let it extend the project's scenario
        return _pair(SC / "company_setup_2021.yaml", same)


def test_every_case_kpi_has_p50_p80_p95_before_and_after_with_a_paired_interval(reform: dict) -> None:
    rows = {r["metric"]: r for r in reform["rows"]}
    for metric in ("workdays", "calendar_days", "db_days", "hours"):
        pct = rows[metric]["percentiles"]
        assert list(pct) == ["P50", "P80", "P95"]
        for p in pct.values():
            assert p["a"] <= rows[metric]["a"] * 10 and len(p["ci95"]) == 2 and p["ci95"][0] <= p["delta"] <= p["ci95"][1]
        assert pct["P50"]["a"] <= pct["P80"]["a"] <= pct["P95"]["a"]
        assert pct["P50"]["b"] <= pct["P80"]["b"] <= pct["P95"]["b"]
    assert rows["workdays"]["percentiles"]["P95"]["delta"] < 0 and rows["workdays"]["percentiles"]["P95"]["significant"]


def test_the_change_in_the_share_meeting_t03_excludes_zero_for_the_reform(reform: dict) -> None:
    t03 = next(v for v in reform["verdicts"] if v["target"] == "T03")
    lo, hi = t03["change"]["ci95"]
    assert t03["change"]["method"] == "paired" and 0 < lo <= t03["change"]["delta"] <= hi <= 1
    assert all(-1 <= v["change"]["ci95"][0] <= v["change"]["ci95"][1] <= 1 for v in reform["verdicts"])
    assert t03["a"]["verdict"] == "not_reachable" and t03["b"]["share"] > 0.9


def test_a_no_op_scenario_changes_no_share_and_no_kpi(no_op: dict) -> None:
    assert no_op["verdicts"], "the 2021 chain has targets in the register"
    for v in no_op["verdicts"]:
        lo, hi = v["change"]["ci95"]
        assert lo <= 0 <= hi and not v["change"]["significant"], v
        assert v["a"]["verdict"] == v["b"]["verdict"]
    for r in no_op["rows"]:
        assert r["ci95"][0] <= 0 <= r["ci95"][1] and not r["significant"]
    assert all(d["delta"] == 0 for d in no_op["design"])


def test_design_checks_before_and_after_come_from_the_one_counter(reform: dict) -> None:
    import sim
    from sim.analysis.paths import max_counts

    design = {d["what"]: d for d in reform["design"]}
    before = max_counts(sim.load_process(ROOT / "processes" / "company_setup_2018_baseline.bpmn"))
    after = max_counts(sim.load_process(ROOT / "processes" / "company_setup_2021.bpmn"))
    assert design["procedures"]["a"] == before.procedures and design["procedures"]["b"] == after.procedures
    assert design["documents"]["a"] == before.documents and design["fee"]["b"] == after.fee
    assert design["procedures"]["delta"] < 0  # the reform merged procedures
    t04 = next(v for v in reform["verdicts"] if v["target"] == "T04")
    assert t04["kind"] == "design"


def test_verdicts_are_printed_in_words_not_codes(reform: dict) -> None:
    from sim.whatif.compare import format_comparison

    zh, en = format_comparison(reform, "zh"), format_comparison(reform, "en")
    for code in ("not_reachable", "at_risk", "partly_complies", "does_not_comply"):
        assert code not in zh and code not in en
    assert "不可达成" in zh and "可达成" in zh and "设计核对" in zh
    assert "not reachable" in en and "reachable" in en and "P95" in en


def test_cli_compare_writes_an_excel_workbook_openpyxl_reads(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "对比.xlsx"
    args = ["compare", str(SC / "company_setup_2018_baseline.yaml"), str(PREMISE), "--replications", "3",
            "--cases", "40", "--seed", "5", "--out", str(book), "--history", str(tmp_path / "h"), "--lang", "en"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "not reachable" in text and "not_reachable" not in text
    wb = load_workbook(book)
    assert wb.sheetnames == ["KPIs", "targets", "design", "process changes"]
    head = [c.value for c in wb["targets"][1]]
    rows = [dict(zip(head, (c.value for c in r))) for r in wb["targets"].iter_rows(min_row=2)]
    t03 = next(r for r in rows if r["target"] == "T03")
    assert t03["A: verdict"] == "not reachable" and isinstance(t03["change in share meeting"], (int, float))  # 1.0 reads back as 1
    stats = {r[1].value for r in wb["KPIs"].iter_rows(min_row=2)}
    assert {"mean", "P50", "P80", "P95"} <= stats
    assert (tmp_path / "h" / "runs.sqlite").exists() and (tmp_path / "h" / "comparison.json").exists()
    assert main(args) == 0  # our own workbook, unchanged since: a rerun replaces it
    capsys.readouterr()


def test_cli_compare_never_overwrites_a_workbook_of_the_users(tmp_path: Path, capsys) -> None:
    from openpyxl import Workbook

    book = tmp_path / "mine.xlsx"
    wb = Workbook()
    wb.active["A1"] = "the planner's own numbers"
    wb.save(book)
    before = book.read_bytes()
    code = main(["compare", str(SC / "company_setup_2021.yaml"), str(SC / "whatif_registrar_plus2.yaml"), "--replications", "2",
                 "--cases", "10", "--out", str(book), "--history", str(tmp_path / "h")])
    assert code == 2
    assert "not a workbook ReformSim wrote" in capsys.readouterr().err
    assert book.read_bytes() == before and not (tmp_path / "h").exists()  # refused before anything ran


def test_our_workbook_is_replaced_only_while_nobody_saved_it_since(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import load_workbook

    from sim.files import OutputError
    from sim.report.tables import check_workbook_target, workbook_bytes

    book = tmp_path / "c.xlsx"
    book.write_bytes(workbook_bytes({"KPIs": [{"metric": "workdays", "A": 1.0}]}))
    assert check_workbook_target(book) == book  # ours, untouched: a rerun may replace it
    wb = load_workbook(book)  # the planner opens it, adds a note and saves an hour after it was written
    wb["KPIs"]["C1"] = "my note"
    wb.properties.created = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=1)
    wb.save(book)
    with pytest.raises(OutputError, match="not a workbook ReformSim wrote"):
        check_workbook_target(book)
