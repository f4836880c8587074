"""assess --scenario: the scenario applies to the chain it names (its process: file); every other chain runs unchanged."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import sim
import sim.targets
from sim.analysis.assess import DEFAULT_SEED, assess, share_meeting
from sim.cli import main
from sim.commands.assess import scenario_scope
from sim.errors import ScenarioError

ROOT = Path(__file__).parents[1]
P = ROOT / "processes"
WHATIF = ROOT / "scenarios" / "whatif_registrar_plus2.yaml"  # names company_setup_2021.bpmn; its agency is not in gas_2021
IDS = ("T03", "T21")


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(f"""targets:
  - id: T03
    clause: 二(一)1
    chain: company_setup
    metric: whole setup
    unit: 工作日
    max: 1
    test: {{process: {P / 'company_setup_2021.bpmn'}, metric: case_workdays}}
  - id: T21
    clause: 二(五)
    chain: gas
    metric: major road permit
    unit: 工作日
    max: 8
    test: {{process: {P / 'gas_2021.bpmn'}, metric: task_workdays, task: t_major_road}}
""", encoding="utf-8")
    return path


def _register(path: Path):
    return sim.targets.load_register(path, root=ROOT, expected_ids=IDS)


def test_the_scenario_changes_its_own_chain_only(register_file: Path) -> None:
    reg, scenario = _register(register_file), sim.load_scenario(WHATIF)
    with pytest.raises(ScenarioError):  # applied to every chain, it does not fit gas (no market_regulation there)
        assess(reg, replications=2, cases=30, scenario=scenario)
    scope, note, _ = scenario_scope(reg, scenario, WHATIF, "en")
    assert scope == {str(P / "company_setup_2021.bpmn")}
    assert "company_setup_2021.bpmn only (targets T03)" in note
    scoped = {r.target: r for r in assess(reg, replications=2, cases=30, scenario=scenario, scope=scope).rows}
    plain = {r.target: r for r in assess(reg, replications=2, cases=30).rows}
    assert scoped["T21"].share == plain["T21"].share and scoped["T21"].p95 == plain["T21"].p95  # unchanged
    direct = sim.simulate(P / "company_setup_2021.bpmn", scenario, cases=30, replications=2, seed=DEFAULT_SEED)
    th = scoped["T03"].check_obj.threshold
    assert scoped["T03"].share == share_meeting(direct, "workdays", th)[0]  # judged under the scenario


def test_cli_assess_scenario_runs_and_says_which_chain(register_file: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sim.targets, "load_register", functools.partial(sim.targets.load_register, root=ROOT, expected_ids=IDS))
    assert main(["assess", "--register", str(register_file), "--scenario", str(WHATIF), "--quick", "--no-report"]) == 0
    captured = capsys.readouterr()
    assert "情景 whatif_registrar_plus2 仅用于 company_setup_2021.bpmn（目标 T03）" in captured.err


def test_a_scenario_on_a_process_the_register_does_not_test_is_refused(register_file: Path, tmp_path: Path, monkeypatch,
                                                                       capsys) -> None:
    monkeypatch.setattr(sim.targets, "load_register", functools.partial(sim.targets.load_register, root=ROOT, expected_ids=IDS))
    other = ROOT / "scenarios" / "construction_lowrisk_2021.yaml"
    assert main(["assess", "--register", str(register_file), "--scenario", str(other), "--quick", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "construction_lowrisk_2021.bpmn is not tested by any row" in err and "Traceback" not in err


def test_assess_json_carries_the_scope_note_and_the_rows_say_it(register_file: Path, monkeypatch, capsys) -> None:
    import json

    monkeypatch.setattr(sim.targets, "load_register", functools.partial(sim.targets.load_register, root=ROOT, expected_ids=IDS))
    assert main(["assess", "--register", str(register_file), "--scenario", str(WHATIF), "--quick", "--no-report", "--json",
                 "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("applied to company_setup_2021.bpmn only" in n for n in data["notes"])
    notes = {r["target"]: r["note"] or "" for r in data["rows"]}
    assert "run under scenario whatif_registrar_plus2" in notes["T03"] and "scenario" not in notes["T21"]
