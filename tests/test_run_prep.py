"""One way to prepare a run: typed edits at load time, applied once by sim.engine.runner.prepare_run,
so the public API and the CLI give the same numbers for the same scenario and seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.engine.runner import prepare_run
from sim.errors import ScenarioError
from sim.model.levers import Demand, Online, Staff

ROOT = Path(sim.__file__).parents[1]
WHATIFS = sorted((ROOT / "scenarios").glob("whatif_*.yaml"))


def test_there_are_bundled_whatifs_with_edits():
    assert len(WHATIFS) >= 5
    assert any(sim.load_scenario(p).edits for p in WHATIFS)  # else the next test would prove nothing about edits


@pytest.mark.parametrize("path", WHATIFS, ids=lambda p: p.stem)
def test_api_and_cli_give_identical_kpis(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = sim.load_scenario(path)
    api = sim.simulate(sim.load_bpmn(scenario.process), scenario, cases=60, replications=2, seed=11).summary()
    assert main(["run", str(path), "--cases", "60", "--replications", "2", "--seed", "11", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    for metric in ("workdays", "calendar_days", "db_days", "procedures", "documents"):
        assert cli["kpis"][metric]["mean"] == api["kpis"][metric]["mean"], metric
    assert [t["step"] for t in cli["tasks"]] == [t["step"] for t in api["tasks"]]


def test_edits_change_the_result_through_the_api():
    """The bug this file guards: sim.simulate used to drop a scenario's edits silently."""
    path = ROOT / "scenarios/whatif_online_filing.yaml"
    scenario = sim.load_scenario(path)
    assert scenario.edits == (Online("t_filing", source=scenario.edits[0].source),)
    result = sim.simulate(scenario.process, scenario, cases=20, replications=1, seed=3)
    assert result.process.nodes["t_filing"].facts.online
    assert any("made online" in n for n in result.process.notes)


def test_a_prepared_run_is_not_edited_twice():
    run = prepare_run(ROOT / "processes/company_setup_2021.bpmn",
                      sim.parse_scenario({"edits": [{"scale": "t_register", "factor": 0.5, "part": "both"}]}))
    again = prepare_run(run.process, run.scenario)
    assert run.scenario.edits == ()
    assert again.process.nodes["t_register"].facts == run.process.nodes["t_register"].facts


def test_a_bad_edit_fails_when_the_scenario_is_loaded(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("process: " + str(ROOT / "processes/company_setup_2021.bpmn") + "\n"
                   "edits:\n  - online: t_register\n  - scale: t_register\n    factr: 0.8\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(bad)
    text = str(info.value)
    assert str(bad) in text and "edits[1].factr" in text and 'did you mean "factor"' in text


def test_an_edit_that_does_not_fit_registers_its_position():
    scenario = sim.parse_scenario({"edits": [{"online": "t_register"}, {"remove": "t_nope"}]}, file="w.yaml")
    with pytest.raises(ScenarioError, match=r"w\.yaml: edits\[1\]\.remove: unknown step \"t_nope\""):
        prepare_run(ROOT / "processes/company_setup_2021.bpmn", scenario)


def test_scenario_levers_from_yaml_staff_and_demand():
    scenario = sim.parse_scenario({"edits": [{"staff": "market_regulation", "add": 2}, {"demand": 2.0}]})
    assert scenario.edits == (Staff("market_regulation", 2), Demand(2.0))
    process = ROOT / "processes/company_setup_2021.bpmn"
    plain, edited = prepare_run(process), prepare_run(process, scenario)
    assert edited.scenario.agencies["market_regulation"].staff == plain.scenario.agencies["market_regulation"].staff + 2
    assert edited.scenario.arrivals.rate_per_workday == pytest.approx(2 * plain.scenario.arrivals.rate_per_workday)
    with pytest.raises(ScenarioError, match=r"edits\[0\]\.staff: no step of process \"company_setup_2021\" is handled by agency \"nobody\""):
        prepare_run(process, sim.parse_scenario({"edits": [{"staff": "nobody"}]}))


def test_scenario_lever_attribute_sets_a_case_attribute_share():
    process = ROOT / "processes/deregistration_simple_2021.bpmn"
    scenario = sim.parse_scenario({"edits": [{"attribute": "is_rejected", "p": 0.4, "source": "assumption: what-if"}]})
    plain, edited = prepare_run(process), prepare_run(process, scenario)
    assert plain.scenario.attributes["is_rejected"].p == pytest.approx(0.15)
    assert edited.scenario.attributes["is_rejected"].p == pytest.approx(0.4)
    assert edited.scenario.attributes["is_rejected"].source == "assumption: what-if"
    with pytest.raises(ScenarioError, match=r'edits\[0\]\.attribute: no gateway condition of process "deregistration_simple_2021" '
                                            r'reads case attribute "is_rejectd" \(did you mean "is_rejected"\?\)'):
        prepare_run(process, sim.parse_scenario({"edits": [{"attribute": "is_rejectd", "p": 0.4}]}))
    with pytest.raises(ScenarioError, match=r"edits\[0\]\.p: expected a share between 0 and 1"):
        sim.parse_scenario({"edits": [{"attribute": "is_rejected", "p": 1.5}]})
