"""Every number is range-checked where it enters, and every command has one error path (issue 10, parts 4–5)."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest

import sim
from sim.bpmn.loader import load_process
from sim.cli import main
from sim.commands._json import strict_json
from sim.errors import ModelError, ReformSimError, ScenarioError, SimulationError
from sim.model.scenario import parse_scenario, resolve_scenario

DATA = Path(__file__).parent / "data"
MINI = DATA / "engine" / "mini.bpmn"
PROCESS_PROPS = '<spiffworkflow:property name="agency.registrar.staff" value="2"/>'


def _strict_loads(text: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def _mini_with(tmp_path: Path, old: str, new: str) -> Path:
    text = MINI.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mini.bpmn"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("key", "value"), [
    ("agency.registrar.staff", "1e9"), ("agency.registrar.staff", "nan"), ("agency.registrar.staff", "0"),
    ("agency.registrar.staff", "1000000000"), ("agency.registrar.hours", "25:00-26:00"),
    ("arrivals.rate_per_workday", "-5"), ("arrivals.rate_per_workday", "inf"), ("arrivals.rate_per_workday", "nan"),
    ("attribute.is_simple", "nan"), ("attribute.is_simple", "1.5"),
])
def test_process_level_properties_are_range_checked_at_load(tmp_path: Path, key: str, value: str) -> None:
    prop = f'<spiffworkflow:property name="{key}" value="{value}"/>'
    existing = {"agency.registrar.staff": "2", "arrivals.rate_per_workday": "10", "attribute.is_simple": "0.3"}
    if key in existing:
        path = _mini_with(tmp_path, f'<spiffworkflow:property name="{key}" value="{existing[key]}"/>', prop)
    else:
        path = _mini_with(tmp_path, PROCESS_PROPS, PROCESS_PROPS + prop)
    with pytest.raises(ModelError) as info:
        load_process(path)
    message = str(info.value)
    assert str(path) in message and key in message and 'id="mini"' in message
    assert "loop" not in message  # staff 0 used to be reported as a loop without exit


@pytest.mark.parametrize(("old", "new"), [
    ('name="work" value="triangular(0.5, 1, 2) h"', 'name="work" value="1e9 h"'),
    ('name="work" value="triangular(0.5, 1, 2) h"', 'name="work" value="triangular(0.5, 1, 1e300) h"'),
    ('name="wait" value="uniform(0.5, 1) workday"', 'name="wait" value="1e400 workday"'),
    ('name="wait" value="uniform(0.5, 1) workday"', 'name="wait" value="5000 workday"'),
    ('name="fee" value="100"', 'name="fee" value="nan"'),
    ('name="fee" value="100"', 'name="fee" value="inf"'),
    ('name="documents" value="2"', 'name="documents" value="99999999"'),
    ('name="documents" value="2"', 'name="statutory_limit" value="1e12 day"'),
])
def test_step_facts_are_finite_and_bounded(tmp_path: Path, old: str, new: str) -> None:
    path = _mini_with(tmp_path, old, new)
    key = new.split('"')[1]
    with pytest.raises(ModelError, match=f"t_apply.*property {key}"):
        load_process(path)


@pytest.mark.parametrize("duration", ["P1DT", "P99999999D", "PT999999999H"])
def test_timer_durations_are_valid_iso_and_bounded(tmp_path: Path, duration: str) -> None:
    path = _mini_with(tmp_path, '"P20D"', f'"{duration}"')
    with pytest.raises(ModelError, match='tm_notice.*timer duration'):
        load_process(path)


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(("data", "where"), [
    ({"arrivals": {"rate_per_workday": NAN, "source": "assumption: t"}}, "arrivals.rate_per_workday"),
    ({"arrivals": {"rate_per_workday": INF, "source": "assumption: t"}}, "arrivals.rate_per_workday"),
    ({"arrivals": {"growth": NAN, "source": "assumption: t"}}, "arrivals.growth"),
    ({"arrivals": {"growth": INF, "source": "assumption: t"}}, "arrivals.growth"),
    ({"arrivals": {"times_h": [1.0, NAN], "source": "assumption: t"}}, "arrivals.times_h"),
    ({"attributes": {"is_simple": {"p": NAN, "source": "assumption: t"}}}, "attributes.is_simple.p"),
    ({"attributes": {"size": {"values": {1: NAN, 2: 0.5}, "source": "assumption: t"}}}, "attributes.size.values.1"),
    ({"attributes": {"size": {"values": {1: INF}, "source": "assumption: t"}}}, "attributes.size.values.1"),
    ({"routing": {"f_simple": NAN, "source": "assumption: t"}}, "routing.f_simple"),
    ({"warmup_workdays": NAN}, "warmup_workdays"),
    ({"warmup_workdays": INF}, "warmup_workdays"),
    ({"horizon_workdays": INF}, "horizon_workdays"),
    ({"agencies": {"registrar": {"staff": 10**9, "source": "assumption: t"}}}, "agencies.registrar.staff"),
    ({"seed": 2**63}, "seed"),
    ({"cases": 10**12}, "cases"),
    ({"steps": {"t_apply": {"work": "1e9 h", "source": "assumption: t"}}}, "steps.t_apply.work"),
])
def test_scenario_numbers_are_finite_and_bounded(data: dict, where: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, file="s.yaml")
    assert any(path == where for path, _ in info.value.problems), info.value.problems


@pytest.mark.parametrize("shares", [(0.9, 0.9), (0.3, 0.3), (0.7, 0.2)])
def test_routing_shares_of_one_gateway_add_up_to_one(shares: tuple[float, ...]) -> None:
    routing = dict(zip(("f_simple", "f_ordinary"), shares))
    scenario = parse_scenario({"routing": {**routing, "source": "assumption: t"}}, file="s.yaml")
    with pytest.raises(ScenarioError, match='routing: gateway "g_simple"'):
        resolve_scenario(load_process(MINI), scenario)


def test_routing_shares_that_add_up_to_one_are_accepted() -> None:
    scenario = parse_scenario({"routing": {"f_simple": 0.25, "f_ordinary": 0.75, "source": "assumption: t"}})
    assert resolve_scenario(load_process(MINI), scenario).routing["f_simple"] == 0.25


@pytest.mark.parametrize(("argument", "value"), [("replications", 0), ("cases", -5), ("seed", 2**63), ("seed", -1)])
def test_simulate_names_the_bad_argument(argument: str, value: int) -> None:
    with pytest.raises(SimulationError, match=f'"{argument}" must be'):
        sim.simulate(MINI, **{argument: value})


def test_a_pool_of_no_workers_names_the_argument() -> None:
    with pytest.raises(SimulationError, match='"workers" must be'):
        sim.simulate(MINI, backend=sim.ProcessPool(workers=0))


RUN_LIKE = {
    "run": [str(MINI)],
    "assess": ["--no-report"],
    "compare": ["a.yaml", "b.yaml"],
    "sweep": ["s.yaml", "--vary", "arrivals.rate_per_workday=1,2"],
}


BAD_FLAGS = ["--replications=0", "--cases=0", "--cases=-5", "--workers=0", f"--seed={2**63}", "--seed=-1"]


@pytest.mark.parametrize(("command", "flag"), [(c, f) for c in sorted(RUN_LIKE) for f in BAD_FLAGS
                                               if not (c == "assess" and f.startswith("--workers"))])  # assess has no --workers
def test_every_command_refuses_bad_run_sizes(command: str, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, *RUN_LIKE[command], flag])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Traceback" not in err and flag.split("=")[0] in err


def test_required_share_is_refused_outside_0_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["assess", "--required", "nan"])
    assert info.value.code == 2 and "--required" in capsys.readouterr().err


def test_run_json_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    # one replication: the confidence intervals are NaN, which used to be printed as NaN
    assert main(["run", str(MINI), "--json", "--cases", "20", "--replications", "1"]) == 0
    data = _strict_loads(capsys.readouterr().out)
    assert data["kpis"]["workdays"]["ci95"] == [None, None]  # type: ignore[index]


def test_strict_json_turns_nan_and_inf_into_null() -> None:
    text = strict_json({"a": [NAN, INF, -INF, 1.5], "b": {"c": (NAN,)}, "d": Path("x")})
    assert _strict_loads(text) == {"a": [None, None, None, 1.5], "b": {"c": [None]}, "d": "x"}


def _boom(args: object) -> int:
    raise RuntimeError("boom")


def test_an_internal_error_is_a_short_message_and_a_log_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sim.commands.run.run", _boom)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert main(["run", str(MINI)]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "RuntimeError: boom" in err and "Traceback" not in err
    logs = list((tmp_path / "reformsim").glob("internal-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "_boom" in text


def test_debug_prints_the_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sim.commands.run.run", _boom)
    assert main(["--debug", "run", str(MINI)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_bad_input_still_exits_2_with_a_located_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _mini_with(tmp_path, PROCESS_PROPS, '<spiffworkflow:property name="agency.registrar.staff" value="nan"/>')
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "agency.registrar.staff" in err and "Traceback" not in err
    assert issubclass(ModelError, ReformSimError) and not math.isnan(1.0)
