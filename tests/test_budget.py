"""A budget of simulated cases: a run of more replications × cases than it (a compare or sweep counts
all its runs) is refused before any work, with exit 2 naming the budget and ``REFORMSIM_MAX_CASES``,
the environment variable that raises it."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.engine.runner
from sim.cli import main
from sim.errors import SimulationError
from sim.model.bounds import CASE_BUDGET, CASE_BUDGET_ENV, case_budget, check_case_budget

ROOT = Path(__file__).parents[1]
SC = ROOT / "scenarios"
MINI = ROOT / "tests" / "data" / "engine" / "mini.bpmn"


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused means before any work: a replication that starts fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replication ran although the run is above the budget")

    monkeypatch.setattr(sim.engine.runner, "run_replication", refuse)
    monkeypatch.delenv(CASE_BUDGET_ENV, raising=False)


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], total: int, budget: int = CASE_BUDGET) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{total:,} simulated cases, above the budget of {budget:,}" in err, err
    assert f"{CASE_BUDGET_ENV}={total}" in err  # how to raise it, with the number that would do
    assert "Traceback" not in err
    return err


def test_run_above_the_budget_is_refused(no_simulation: None, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refused(capsys, ["run", str(MINI), "--replications", "1000", "--cases", "100000"], 100_000_000)
    assert "1,000 replications × 100,000 cases" in err


def test_counts_from_a_scenario_file_count_too(no_simulation: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mini.bpmn").write_bytes(MINI.read_bytes())  # a scenario's process stays inside its folder
    scenario = tmp_path / "big.yaml"
    scenario.write_text("process: mini.bpmn\nreplications: 100000  # assumption: test\ncases: 1000  # assumption: test\n",
                        encoding="utf-8")
    _refused(capsys, ["run", str(scenario)], 100_000_000)


def test_compare_and_sweep_count_all_their_runs(no_simulation: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # each run alone (30,000,000) is within the budget; the two (or three) together are not
    a, b = str(SC / "company_setup_2021.yaml"), str(SC / "whatif_registrar_plus2.yaml")
    _refused(capsys, ["compare", a, b, "--replications", "300", "--cases", "100000", "--out", str(tmp_path / "c")], 60_000_000)
    _refused(capsys, ["sweep", a, "--vary", "agencies.market_regulation.staff=2..4", "--replications", "300",
                      "--cases", "100000", "--out", str(tmp_path / "s")], 90_000_000)
    assert not (tmp_path / "c").exists() and not (tmp_path / "s").exists()  # nothing written, no history made


def test_assess_above_the_budget_is_refused(no_simulation: None, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _refused(capsys, ["assess", "--replications", "10000", "--cases", "10000", "--no-report"], 100_000_000)


def test_the_environment_variable_lowers_and_raises_the_budget(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", str(MINI), "--replications", "2", "--cases", "30", "--json"]
    monkeypatch.setenv(CASE_BUDGET_ENV, "59")
    _refused(capsys, argv, 60, budget=59)
    monkeypatch.setenv(CASE_BUDGET_ENV, "60")
    assert main(argv) == 0  # at the budget: runs
    assert '"workdays"' in capsys.readouterr().out


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1e9"])
def test_a_bad_budget_in_the_environment_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                  value: str) -> None:
    monkeypatch.setenv(CASE_BUDGET_ENV, value)
    assert main(["run", str(MINI), "--replications", "1", "--cases", "5"]) == 2
    err = capsys.readouterr().err
    assert f"{CASE_BUDGET_ENV}={value!r}: expected a whole number of cases >= 1" in err, err


def test_the_api_keeps_the_same_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CASE_BUDGET_ENV, raising=False)
    assert case_budget() == CASE_BUDGET
    check_case_budget([(CASE_BUDGET // 10, 10)])  # exactly the budget: allowed
    with pytest.raises(SimulationError, match="above the budget"):
        check_case_budget([(CASE_BUDGET // 10, 10), (1, 1)])
    with pytest.raises(SimulationError, match="above the budget"):
        sim.engine.runner.simulate(MINI, replications=CASE_BUDGET // 1000 + 1, cases=1000)
