"""Verdicts a planner can defend: kinds kept apart, every reading of 天, bands, the rule, reasons, provenance."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import sim.analysis.assess as A
from sim.analysis.provenance import attributions, grade, time_provenance
from sim.cli import main
from sim.errors import ScenarioError
from sim.targets import Check, TargetTest, Threshold, load_register

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The bundled register, small: every row through the real CLI, as JSON."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["assess", "--json", "--no-report", "--replications", "3", "--cases", "80"]) == 0
    return json.loads(buf.getvalue())


def test_every_row_has_kind_reason_and_performance_rows_their_provenance(assessed: dict) -> None:
    rows = assessed["rows"]
    assert {r["kind"] for r in rows} == {"design", "performance"}
    for r in rows:
        assert r["reason"]["zh"] and r["reason"]["en"]
        if r["kind"] == "performance":
            assert r["metric"] not in A.DESIGN_METRICS, r  # no performance verdict on a model constant
            assert sum(r["provenance"]["counts"].values()) > 0
            assert r["verdict"] in (A.REACHABLE, A.AT_RISK, A.NOT_REACHABLE)
        else:
            assert r["verdict"] in (A.COMPLIES, A.PARTLY, A.DOES_NOT_COMPLY)
            assert "not evidence" in r["reason"]["en"]
    counts = assessed["counts"]
    # a context row (a threshold not from the plan, e.g. T25's national 5 days) is counted in neither kind
    assert sum(counts["performance"].values()) + sum(counts["design"].values()) + counts["context"] == len(rows)
    assert counts["context"] == sum(1 for r in rows if r["context"])
    assert "lower 95% bound" in assessed["rule"] or "下限" in assessed["rule"]


def test_every_tian_row_shows_all_three_readings_and_is_decided_by_its_own(assessed: dict) -> None:
    tian = [r for r in assessed["rows"] if r["unit"] == "天" and r["reading"] and r["method"] == "simulated"]
    assert len(tian) >= 8  # T06, T08, T13, T14, T15-T18
    for r in tian:
        assert set(r["readings"]) == {"working", "calendar", "db"}
        assert r["readings"][r["reading"]][0] == pytest.approx(r["share"])
        assert r["metric"] == A.READING_METRIC[r["reading"]]
        assert r["reading_why"]
        # the DB clock adds a floor per procedure: it can only be stricter than calendar days
        assert r["readings"]["db"][0] <= r["readings"]["calendar"][0] + 1e-9


def test_cases_faster_than_a_band_meet_it_where_the_register_says_so(assessed: dict) -> None:
    bands = [r for r in assessed["rows"] if r["target"] in ("T26", "T27") and "–" in r["threshold"]]
    assert len(bands) == 2
    for r in bands:
        assert r["band_share"] is not None and r["share"] >= r["band_share"]
        assert r["p50"] is not None


def test_band_semantics_on_synthetic_values() -> None:
    band = Check("x", "m", "hours", Threshold("range", 45, 50), TargetTest(("p.bpmn",), "case_hours"), below_band="meets")
    strict = Check("x", "m", "hours", Threshold("range", 45, 50), TargetTest(("p.bpmn",), "case_hours"), below_band="fails")
    assert A.judged_threshold(band).met(30) and not A.judged_threshold(band).met(51)
    assert not A.judged_threshold(strict).met(30)


@pytest.mark.parametrize(("share", "lo", "hi", "expected"), [
    (0.97, 0.951, 0.99, A.REACHABLE), (0.96, 0.949, 0.97, A.AT_RISK), (0.93, 0.90, 0.951, A.AT_RISK),
    (0.93, 0.90, 0.949, A.NOT_REACHABLE), (math.nan, math.nan, math.nan, A.NOT_REACHABLE),
])
def test_the_verdict_rule_is_the_stated_one(share: float, lo: float, hi: float, expected: str) -> None:
    assert A.verdict(share, lo, hi, 0.95) == expected


def _register(tmp_path: Path, check: str) -> Path:
    (tmp_path / "processes").mkdir()
    src = ROOT / "processes" / "company_setup_2021.bpmn"
    (tmp_path / "processes" / src.name).write_bytes(src.read_bytes())
    path = tmp_path / "scenarios" / "targets.yaml"
    path.parent.mkdir()
    path.write_text("targets:\n  - id: T03\n    clause: x\n    chain: company_setup\n    metric: whole setup\n" + check,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("check", "where"), [
    ("    unit: 天\n    max: 1\n    test: {process: ../processes/company_setup_2021.bpmn, metric: case_calendar_days}\n",
     "(T03).reading"),
    ("    unit: 天\n    max: 1\n    reading: working\n    reading_why: x\n"
     "    test: {process: ../processes/company_setup_2021.bpmn, metric: case_calendar_days}\n", "(T03).reading"),
    ("    unit: 天\n    max: 1\n    reading: db\n"
     "    test: {process: ../processes/company_setup_2021.bpmn, metric: case_calendar_days}\n", "(T03).reading_why"),
    ("    unit: 工作日\n    max: 1\n    reading: db\n    reading_why: x\n"
     "    test: {process: ../processes/company_setup_2021.bpmn, metric: case_workdays}\n", "(T03).reading"),
    ("    unit: hours\n    range: [1, 2]\n    test: {process: ../processes/company_setup_2021.bpmn, metric: case_hours}\n",
     "(T03).below_band"),
    ("    unit: hours\n    max: 2\n    below_band: meets\n"
     "    test: {process: ../processes/company_setup_2021.bpmn, metric: case_hours}\n", "(T03).below_band"),
    ("    unit: 工作日\n    max: 1\n    required: 1.5\n"
     "    test: {process: ../processes/company_setup_2021.bpmn, metric: case_workdays}\n", "(T03).required"),
])
def test_a_missing_or_contradictory_reading_band_or_share_is_named(tmp_path: Path, check: str, where: str) -> None:
    with pytest.raises(ScenarioError, match=rf"targets\[0\] \(T03\)\.{where.split('.')[-1]}"):
        load_register(_register(tmp_path, check), expected_ids=["T03"])


def test_a_required_share_from_the_register_decides(tmp_path: Path) -> None:
    path = _register(tmp_path, "    unit: 工作日\n    max: 1\n    required: 0.5\n"
                               "    test: {process: ../processes/company_setup_2021.bpmn, metric: case_workdays}\n")
    a = A.assess(load_register(path, expected_ids=["T03"]), replications=2, cases=40, seed=3)
    assert a.rows[0].required == 0.5


def test_sources_are_graded_field_by_field() -> None:
    attrs = attributions("statutory_limit: seed 二(一)1 (x); online: seed 二(一)2(1); documents: assumption: y; "
                         "work, wait: assumption: registrar queue within the limit")
    assert grade(attrs["statutory_limit"]) == "plan" and grade(attrs["work"]) == grade(attrs["wait"]) == "assumption"
    assert grade("《优化营商环境条例》第三十五条") == "statute" and grade("DB2020 China, Shanghai 5 procedures") == "measured"
    assert grade("") == "unsourced"


def test_an_assumed_chain_is_flagged_assumption_driven() -> None:
    import sim

    chain = sim.load_process(ROOT / "processes" / "company_setup_2021.bpmn")
    everything = {n: 1.0 for n in chain.nodes}
    prov = time_provenance(chain, everything)
    assert prov.counts["assumption"] >= 3
    assert 0 <= prov.assumed_time_share <= 1
    # weighted only on a step whose durations are sourced, the share of assumed time is 0
    sourced = [n.id for n in chain.nodes.values() if n.facts and n.facts.work is not None
               and grade(attributions(n.facts.source).get("work") or attributions(n.facts.source)[""]) != "assumption"]
    if sourced:
        assert time_provenance(chain, {sourced[0]: 1.0}).assumed_time_share == 0.0


def test_the_report_shows_rule_reasons_sources_and_notes_in_a_browser(tmp_path: Path, chromium: str) -> None:
    """Rendered by headless Chromium (the DOM after layout), not only grepped in the file."""
    import subprocess

    out = tmp_path / "report"
    assert main(["assess", "--quick", "--out", str(out), "--lang", "zh"]) == 0
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          (out / "report.html").as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert A.RULE["zh"][:20] in dom  # the verdict rule beside the table
    assert "这是模型中录入的" in dom and "的模拟案件满足" in dom  # design and performance reasons
    assert "本链用时的依据" in dom and "假设" in dom  # sources, graded
    assert "低于" in dom or "faster" in dom or "below 45 h" in dom  # a register check note (T26/T27 bands)
