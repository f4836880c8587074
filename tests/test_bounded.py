"""Regression tests for bounded work: every case, load and run stops with a reason instead of hanging or truncating."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.engine.executors import executor_for
from sim.engine.core import ProgressGuard

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://reformsim.example/test">\n')
def task(tid, work="1 h", inc=(), out=()):
    io = "".join(f"<bpmn:incoming>{i}</bpmn:incoming>" for i in inc) + "".join(f"<bpmn:outgoing>{o}</bpmn:outgoing>" for o in out)
    return (f'<bpmn:userTask id="{tid}" name="{tid}"><bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="agency" value="desk"/><spiffworkflow:property name="work" value="{work}"/>'
            f'<spiffworkflow:property name="source" value="assumption: test fixture"/></spiffworkflow:properties></bpmn:extensionElements>{io}</bpmn:userTask>\n')
def chain(n, work="0.01 h"):
    body = '<bpmn:process id="chain" isExecutable="true">\n<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>\n'
    for i in range(n):
        body += task(f"t{i}", work, [f"f{i}"], [f"f{i+1}"])
    body += f'<bpmn:endEvent id="e"><bpmn:incoming>f{n}</bpmn:incoming></bpmn:endEvent>\n'
    body += '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t0"/>\n'
    for i in range(n):
        body += f'<bpmn:sequenceFlow id="f{i+1}" sourceRef="t{i}" targetRef="{"t%d" % (i+1) if i+1 < n else "e"}"/>\n'
    return HEAD + body + "</bpmn:process>\n</bpmn:definitions>\n"
def loop(back, work="1 h"):
    """s -> a -> b -> g; g back to a when `back` (condition text or share), else to e"""
    if back.startswith("share:"):
        p = float(back[6:])
        fb = f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="share" value="{p}"/><spiffworkflow:property name="source" value="assumption: test"/></spiffworkflow:properties></bpmn:extensionElements>'
        fe = f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="share" value="{1-p}"/><spiffworkflow:property name="source" value="assumption: test"/></spiffworkflow:properties></bpmn:extensionElements>'
        gw = '<bpmn:exclusiveGateway id="g">'
    else:
        fb = f"<bpmn:conditionExpression>{back}</bpmn:conditionExpression>"
        fe = ""
        gw = '<bpmn:exclusiveGateway id="g" default="f_exit">'
    body = ('<bpmn:process id="loop" isExecutable="true">\n<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>\n'
            '<bpmn:exclusiveGateway id="m"><bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>f_back</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:exclusiveGateway>\n'
            + task("a", work, ["f1"], ["f2"]) +
            gw + '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_back</bpmn:outgoing><bpmn:outgoing>f_exit</bpmn:outgoing></bpmn:exclusiveGateway>\n'
            '<bpmn:endEvent id="e"><bpmn:incoming>f_exit</bpmn:incoming></bpmn:endEvent>\n'
            '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="m"/>\n<bpmn:sequenceFlow id="f1" sourceRef="m" targetRef="a"/>\n'
            '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="g"/>\n'
            f'<bpmn:sequenceFlow id="f_back" sourceRef="g" targetRef="m">{fb}</bpmn:sequenceFlow>\n'
            f'<bpmn:sequenceFlow id="f_exit" sourceRef="g" targetRef="e">{fe}</bpmn:sequenceFlow>\n')
    return HEAD + body + "</bpmn:process>\n</bpmn:definitions>\n"
def selfcall():
    body = ('<bpmn:process id="p" isExecutable="true">\n<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>\n'
            '<bpmn:callActivity id="c" calledElement="p"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:callActivity>\n'
            '<bpmn:endEvent id="e"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>\n'
            '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="c"/>\n<bpmn:sequenceFlow id="f1" sourceRef="c" targetRef="e"/>\n')
    return HEAD + body + "</bpmn:process>\n</bpmn:definitions>\n"
def mutual():
    def proc(pid, other, flag):
        return (f'<bpmn:process id="{pid}" isExecutable="true">\n<bpmn:startEvent id="s{pid}"><bpmn:outgoing>f0{pid}</bpmn:outgoing></bpmn:startEvent>\n'
            f'<bpmn:callActivity id="c{pid}" calledElement="{other}"><bpmn:incoming>f0{pid}</bpmn:incoming><bpmn:outgoing>f1{pid}</bpmn:outgoing></bpmn:callActivity>\n'
            f'<bpmn:endEvent id="e{pid}"><bpmn:incoming>f1{pid}</bpmn:incoming></bpmn:endEvent>\n'
            f'<bpmn:sequenceFlow id="f0{pid}" sourceRef="s{pid}" targetRef="c{pid}"/>\n<bpmn:sequenceFlow id="f1{pid}" sourceRef="c{pid}" targetRef="e{pid}"/>\n</bpmn:process>\n')
    return HEAD + proc("main", "helper", 0) + proc("helper", "main", 1) + "</bpmn:definitions>\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("executor, work", [("compiled", "1 h"), ("compiled", "0 h"), ("spiff", "1 h")])
def test_a_loop_whose_exit_is_never_taken_is_stopped_with_its_nodes(tmp_path: Path, executor: str, work: str) -> None:
    path = write(tmp_path, "loop.bpmn", loop("1 == 1", work=work))
    with pytest.raises(sim.SimulationError, match=r'case 0.*(cycling through "m" → "a" → "g"|SpiffWorkflow task tree)'):
        sim.simulate(path, cases=1, replications=1, executor=executor_for(executor))  # spiff: ~20 s per runaway case


def test_the_guard_budget_can_be_set_and_is_named() -> None:
    assert ProgressGuard().limits(5) == (5000, 500)
    with pytest.raises(sim.SimulationError, match="max_visits"):
        ProgressGuard(max_visits=0)


def test_a_long_loop_is_not_truncated_by_the_spiff_executor(tmp_path: Path) -> None:
    path = write(tmp_path, "long.bpmn", loop("share:0.999", work="0.01 h"))
    with pytest.raises(sim.SimulationError, match="TaskIterator max_depth"):
        sim.simulate(path, cases=1, replications=1, executor=sim.Spiff())


def test_a_lowered_budget_stops_a_loop_sooner(tmp_path: Path) -> None:
    path = write(tmp_path, "loop.bpmn", loop("1 == 1", work="1 h"))
    with pytest.raises(sim.SimulationError, match="more than 50 steps"):
        sim.simulate(path, cases=1, replications=1, guard=ProgressGuard(max_visits=50))


@pytest.mark.parametrize("text, cycle", [(selfcall(), "p → p"), (mutual(), "main → helper → main")])
def test_call_activities_that_call_themselves_are_refused_at_load(tmp_path: Path, text: str, cycle: str) -> None:
    with pytest.raises(sim.ModelError, match=cycle):
        sim.load_process(write(tmp_path, "calls.bpmn", text))


def test_five_thousand_sequential_tasks_load_and_run(tmp_path: Path) -> None:
    path = write(tmp_path, "chain.bpmn", chain(5000))
    result = sim.simulate(path, cases=2, replications=1, seed=1)
    assert result.kpi("hours").count == 2
    assert len(result.process.tasks()) == 5000


def test_zero_staff_is_named_not_called_a_loop() -> None:
    from dataclasses import replace

    from sim.model.scenario import AgencySpec, Scenario

    mini = Path(sim.__file__).parents[1] / "tests/data/engine/mini.bpmn"
    scenario = Scenario(agencies={"registrar": AgencySpec("registrar", staff=0, source="assumption: test")})
    with pytest.raises(sim.SimulationError, match='agency "registrar" has 0 staff'):
        sim.simulate(mini, replace(scenario), cases=5, replications=1)


@pytest.mark.parametrize("expression, why", [
    ("[0] * 20000 * 20000 == []", "sequence repetition"),
    ("'%0900000000d' % 1", "string formatting"),
    ("-" * 60 + "1 > 0", "nested more than"),
    ("not " * 400 + "x", "nested more than"),
])
def test_conditions_that_would_exhaust_memory_or_the_stack_are_refused(expression: str, why: str) -> None:
    from sim.model.expressions import compile_condition

    with pytest.raises(sim.ExpressionError, match=why):
        compile_condition(expression)


def test_a_sweep_over_a_million_points_is_refused_before_it_starts() -> None:
    from sim.whatif.sweep import sweep

    varies = [("agencies.a.staff", list(range(1000))), ("agencies.b.staff", list(range(1000)))]
    with pytest.raises(sim.ReformSimError, match="1,000,000 points.*budget of 100,000.*REFORMSIM_MAX_RUNS=1000000"):
        sweep({"process": "none.bpmn"}, varies, replications=1)


def test_the_sweep_budget_is_raised_and_lowered_by_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.whatif.sweep import MAX_RUNS_ENV, sweep

    varies = [("agencies.a.staff", [1, 2, 3])]
    monkeypatch.setenv(MAX_RUNS_ENV, "5")  # 3 points x 2 replications = 6 runs: now above
    with pytest.raises(sim.ReformSimError, match="6 runs, above the budget of 5"):
        sweep({"process": "none.bpmn"}, varies, replications=2)
    monkeypatch.setenv(MAX_RUNS_ENV, "6")  # exactly the grid: past the budget, on to the next check (the missing file)
    with pytest.raises(Exception) as caught:
        sweep({"process": "none.bpmn"}, varies, replications=2)
    assert "budget of" not in str(caught.value)
    monkeypatch.setenv(MAX_RUNS_ENV, "many")
    with pytest.raises(sim.ReformSimError, match="REFORMSIM_MAX_RUNS='many': expected a whole number of runs"):
        sweep({"process": "none.bpmn"}, varies, replications=2)
