"""The CLI as a user meets it: run, list, JSON, errors in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).parents[1]


def test_run_prints_kpi_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(ROOT / "processes" / "company_setup_2021.bpmn"), "--cases", "60", "--replications", "2"]) == 0
    out = capsys.readouterr().out
    assert "working days (statutory clock)" in out and "Doing-Business days" in out
    assert "market_regulation" in out


def test_run_json_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(ROOT / "tests" / "data" / "engine" / "mini.bpmn"), "--cases", "40", "--replications", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["replications"] == 2 and data["kpis"]["workdays"]["n"] == 80
    assert {a["agency"] for a in data["agencies"]} == {"registrar", "police", "tax"}


def test_list_names_every_bundled_file_and_its_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    files = {p.name for p in (ROOT / "processes").glob("*.bpmn")}
    assert all(name in out for name in files)
    line = next(line for line in out.splitlines() if "company_setup_2021.bpmn" in line)
    assert "T03" in line


def test_missing_file_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "no/such/file.bpmn"]) == 2
    err = capsys.readouterr().err
    assert "no/such/file.bpmn" in err and "Traceback" not in err


def test_help_of_every_command_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import COMMANDS

    import importlib

    for name in [None, *(importlib.import_module(f"sim.commands.{m}").NAME for m in COMMANDS)]:  # new_scenario is new-scenario
        with pytest.raises(SystemExit) as done:
            main(["--help"] if name is None else [name, "--help"])
        assert done.value.code == 0
    assert "compare" in capsys.readouterr().out
