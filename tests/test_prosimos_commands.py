"""``--prosimos PARAMS.json`` on compare, sweep and run with a what-if YAML (sim.commands._args.target_settings):
the Prosimos import is the base, a scenario YAML naming its BPMN goes over it, as over a scenario it extends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sim.cli import main

DATA = Path(__file__).parent / "data" / "interop"


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    for suffix in (".bpmn", ".json"):
        shutil.copy(DATA / f"mini{suffix}", tmp_path / f"mini{suffix}")
    whatif = tmp_path / "one_officer.yaml"
    whatif.write_text("name: 后台一人\nprocess: mini.bpmn\nagencies:\n  back_office:\n    staff: 1\n"
                      "    source: 'assumption: a what-if, one officer instead of the four imported'\n", encoding="utf-8")
    return tmp_path / "mini.bpmn", tmp_path / "mini.json", whatif


def _run(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_the_import_with_a_whatif_over_it(pair, tmp_path: Path, capsys) -> None:
    bpmn, params, whatif = pair
    out = _run(capsys, "compare", str(bpmn), str(whatif), "--prosimos", str(params), "--cases", "150", "--replications", "2",
               "--out", str(tmp_path / "out"))
    a = _run(capsys, "run", str(bpmn), "--prosimos", str(params), "--cases", "150", "--replications", "2", "--executor", "fast")
    b = _run(capsys, "run", str(whatif), "--prosimos", str(params), "--cases", "150", "--replications", "2", "--executor", "fast")
    assert [x["staff"] for x in b["agencies"] if x["agency"] == "back_office"] == [1]  # the YAML's staff over the import's 4
    assert [x["staff"] for x in a["agencies"] if x["agency"] == "back_office"] == [4]
    row = next(r for r in out["rows"] if r["metric"] == "workdays")
    assert (out["a"], out["b"]) == ("prosimos: mini", "后台一人")
    # A is the import as `run --prosimos` runs it, B the what-if; one officer instead of four makes cases slower
    assert row["a"] == pytest.approx(a["kpis"]["workdays"]["mean"]) and row["b"] == pytest.approx(b["kpis"]["workdays"]["mean"])
    assert row["b"] > row["a"]


def test_sweep_over_a_prosimos_model(pair, tmp_path: Path, capsys) -> None:
    bpmn, params, _ = pair
    assert main(["sweep", str(bpmn), "--prosimos", str(params), "--vary", "agencies.back_office.staff=1,4", "--cases", "150",
                 "--replications", "2", "--out", str(tmp_path / "out")]) == 0
    rows = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))["rows"]
    assert [r["agencies.back_office.staff"] for r in rows] == [1, 4]
    assert rows[0]["workdays_mean"] > rows[1]["workdays_mean"]


def test_a_whatif_that_names_no_process_is_exit_2(pair, tmp_path: Path, capsys) -> None:
    _, params, _ = pair
    bare = tmp_path / "bare.yaml"
    bare.write_text("name: x\ncases: 10\n", encoding="utf-8")
    assert main(["run", str(bare), "--prosimos", str(params)]) == 2
    err = capsys.readouterr().err
    assert "bare.yaml" in err and "process: MODEL.bpmn" in err and "Traceback" not in err


def test_prosimos_with_stored_run_ids_is_exit_2(pair, tmp_path: Path, capsys) -> None:
    _, params, _ = pair
    assert main(["compare", "1", "2", "--prosimos", str(params), "--out", str(tmp_path / "out")]) == 2
    assert "--prosimos" in capsys.readouterr().err
