"""The loader: every broken or hostile BPMN file in tests/data/broken/ is refused with its message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import sim
from sim.engine.executors import executor_for
from sim.bpmn.loader import load_process
from sim.cli import main
from sim.errors import ModelError

DATA = Path(__file__).parent / "data"
EXPECTED = yaml.safe_load((DATA / "broken" / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_refused_with_its_message(name: str) -> None:
    path = DATA / "broken" / f"{name}.bpmn"
    with pytest.raises(ModelError) as caught:
        load_process(path)
    message = str(caught.value)
    assert EXPECTED[name] in message
    assert str(path) in message  # names the file


def test_every_broken_fixture_is_listed() -> None:
    assert {p.stem for p in (DATA / "broken").glob("*.bpmn")} == set(EXPECTED)


def test_hostile_condition_never_runs(tmp_path: Path) -> None:
    marker = Path("/tmp/reformsim_pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(ModelError):
        sim.simulate(DATA / "broken" / "condition_import.bpmn", cases=5, replications=1)
    assert not marker.exists()


def test_cli_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(DATA / "broken" / "misspelt_property.bpmn"), "--cases", "5"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert 'did you mean "agency"' in err
    assert len(err.strip().splitlines()) <= 2


def test_mini_model_is_compiled_with_its_facts() -> None:
    p = load_process(DATA / "engine" / "mini.bpmn")
    apply = p.nodes["t_apply"]
    assert apply.kind == "task" and apply.facts is not None
    assert (apply.facts.agency, apply.facts.documents, apply.facts.fee, apply.facts.procedure) == ("registrar", 2, 100.0, True)
    assert str(apply.facts.wait) == "uniform(0.5, 1) workday"
    assert p.nodes["tm_notice"].kind == "timer" and str(p.nodes["tm_notice"].timer) == "20 day"
    assert p.flows["f_simple"].condition == "is_simple"
    assert p.nodes["g_simple"].default_flow == "f_ordinary"
    assert p.attributes() == ["is_simple"]
    assert p.agencies() == ["registrar", "police", "tax"]


def test_every_bundled_process_loads() -> None:
    files = sorted((DATA.parent.parent / "processes").glob("*.bpmn"))
    assert len(files) >= 20
    for path in files:
        process = load_process(path)
        assert process.tasks(), path
        for task in process.tasks():
            assert task.facts is not None and task.facts.source.strip(), f"{path}: {task.id} has no source"


def test_collaboration_lanes_name_the_agencies_and_the_centre_pool_is_run() -> None:
    process = load_process(DATA / "diagram" / "collaboration_lanes.bpmn")
    assert process.id == "Process_Center"  # the pool with the steps, not the applicant's
    assert "市场监督管理局" in process.agencies()
    notes = " ".join(process.notes)
    assert "Process_Applicant taken as outside parties" in notes
    assert "data objects and stores ignored" in notes and "simulated as steps; nothing is executed" in notes


def test_boundary_event_path_is_an_outcome_with_a_scenario_share() -> None:
    path = DATA / "corpus" / "bpmnio_pools_lanes_message_flows.bpmn"
    never = sim.simulate(path, cases=40, replications=1, seed=1)
    assert not any("Activity_0buryy1" in p for p in never.path_frequencies())  # share 0 by default
    # the normal flow (Flow_16vksaj) and the boundary's (Flow_1bcm6d9) half each: 200 cases, 100 ± 4 sd expected
    scenario = sim.parse_scenario({"routing": {"Flow_16vksaj": 0.5, "Flow_1bcm6d9": 0.5, "source": "assumption: test"}})
    half = sim.simulate(path, scenario, cases=200, replications=1, seed=1)
    taken = sum(n for p, n in half.path_frequencies().items() if "Activity_0buryy1" in p)
    assert 70 < taken < 130


def test_a_gbk_encoded_file_with_chinese_names_loads() -> None:
    text = (DATA / "engine" / "mini.bpmn").read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="GBK"')
    path = Path(__import__("tempfile").mkdtemp()) / "gbk.bpmn"
    path.write_bytes(text.encode("gbk"))
    assert load_process(path).nodes["t_apply"].name == "申请登记"


CORPUS = sorted((DATA / "corpus").glob("*.bpmn"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_files_that_run_give_identical_traces_in_both_executors(path: Path) -> None:
    try:
        runs = {ex: sim.simulate(path, cases=15, replications=1, seed=4, executor=executor_for(ex), keep_traces=True) for ex in ("compiled", "spiff")}
    except sim.ReformSimError:
        return  # refusals are checked in test_corpus.py
    assert sorted(runs["compiled"].replications[0].traces) == sorted(runs["spiff"].replications[0].traces)


# -- diagrams from anywhere (issue 15): the graph, boundary events, races, implicit splits, string conditions --

CORPUS_DIR = DATA / "corpus"
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
         'id="d" targetNamespace="http://reformsim.local/test">')


def _bpmn(tmp_path: Path, body: str, name: str = "model.bpmn") -> Path:
    path = tmp_path / name
    path.write_text(f'{_HEAD}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>', encoding="utf-8")
    return path


def _traces(path: Path, executor: str = "compiled", cases: int = 20, **kw: object) -> list[tuple]:
    result = sim.simulate(path, cases=cases, replications=1, seed=3, executor=executor_for(executor), keep_traces=True, **kw)
    return result.replications[0].traces


def test_the_graph_comes_from_sequence_flows_never_from_outgoing_children(tmp_path: Path) -> None:
    import re

    text = (DATA / "engine" / "mini.bpmn").read_text(encoding="utf-8")
    bare = re.sub(r"<bpmn:(incoming|outgoing)>[^<]*</bpmn:\1>", "", text)
    # children that contradict the flows: the flows (sourceRef/targetRef) decide
    lying = text.replace("<bpmn:outgoing>f1</bpmn:outgoing>", "<bpmn:outgoing>f2</bpmn:outgoing>", 1)
    want = load_process(DATA / "engine" / "mini.bpmn")
    for variant, body in (("bare", bare), ("lying", lying)):
        assert "<bpmn:outgoing>" not in bare
        path = tmp_path / f"{variant}.bpmn"
        path.write_text(body, encoding="utf-8")
        got = load_process(path)
        assert {(f.id, f.source, f.target) for f in got.flows.values()} == {(f.id, f.source, f.target) for f in want.flows.values()}
        assert set(got.nodes) == set(want.nodes)


def test_a_flow_to_nowhere_is_refused_naming_the_flow_and_line(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>\n'
                 '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ee"/>')
    with pytest.raises(ModelError) as caught:
        load_process(path)
    assert f'{path}:3: sequenceFlow id="f1": targetRef names "ee", which does not exist (did you mean "e"?)' in str(caught.value)


def test_a_called_sibling_file_is_prepared_like_the_main_file_and_its_errors_name_it(tmp_path: Path) -> None:
    marker = Path("/tmp/reformsim_pwned")
    marker.unlink(missing_ok=True)
    for name in ("hand_call_sibling.bpmn", "called_review.bpmn"):
        (tmp_path / name).write_bytes((CORPUS_DIR / name).read_bytes())
    traces = _traces(tmp_path / "hand_call_sibling.bpmn", "spiff", cases=3)
    assert {t[1] for t in traces} == {"accept", "call_review/score", "call_review/sign"}  # the script task is a step
    assert not marker.exists()  # ... and never ran
    callee = tmp_path / "called_review.bpmn"
    callee.write_text(callee.read_text(encoding="utf-8").replace(
        '<bpmn:serviceTask id="sign" name="签章"/>',
        '<bpmn:serviceTask id="sign" name="签章"><bpmn:multiInstanceLoopCharacteristics/></bpmn:serviceTask>'), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_process(tmp_path / "hand_call_sibling.bpmn")
    assert str(caught.value).startswith(f'{callee}:7: serviceTask id="sign": multi-instance step')


def test_a_non_interrupting_timer_is_a_parallel_branch_that_waits_its_duration() -> None:
    for executor in ("compiled", "spiff"):
        by_case: dict[int, dict[str, tuple]] = {}
        for t in _traces(CORPUS_DIR / "hand_nonint_timer_before_join.bpmn", executor):
            by_case.setdefault(t[0], {})[t[1]] = t
        assert len(by_case) == 20
        for steps in by_case.values():
            review, timer, remind = steps["review"], steps["remind_after"], steps["remind"]
            assert timer[2] == review[2]  # the timer starts when the task is reached ...
            assert timer[4] - timer[2] == pytest.approx(2.0)  # ... fires after PT2H ...
            assert remind[2] == pytest.approx(timer[4])  # ... and its branch goes on, so the join gets both


def test_interrupting_boundary_events_are_outcomes_whose_shares_the_scenario_gives() -> None:
    path = CORPUS_DIR / "hand_two_boundary_events.bpmn"
    process = load_process(path)
    outcome = process.nodes["review__outcome"]
    assert outcome.kind == "exclusive"
    assert {f.id: f.share for f in process.outgoing(outcome.id)} == {"f2": 1.0, "f_overdue": 0.0, "f_refused": 0.0}
    scenario = sim.parse_scenario({"routing": {"f2": 0.5, "f_overdue": 0.25, "f_refused": 0.25, "source": "assumption: test"}})
    paths = sim.simulate(path, scenario, cases=400, replications=1, seed=2).path_frequencies()
    escalated = sum(n for p, n in paths.items() if "escalate" in p)
    explained = sum(n for p, n in paths.items() if "explain" in p)
    assert 70 < escalated < 130 and 70 < explained < 130  # 100 ± 9 sd each
    assert all("log_reminder" in p for p in paths)  # the non-interrupting reminder runs in every case, whatever the outcome


def test_the_boundary_rewrite_keeps_artifacts_last_as_the_schema_wants() -> None:
    from sim.bpmn.prepare import prepare_for_simulation
    from sim.bpmn.xml import local, read_xml

    root = read_xml(CORPUS_DIR / "hand_annotation_before_boundary.bpmn").getroot()
    prepare_for_simulation(root, [])
    tags = [local(el.tag) for el in root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")]
    assert "exclusiveGateway" in tags
    first_artifact = tags.index("textAnnotation")
    assert all(t in ("textAnnotation", "association") for t in tags[first_artifact:]), tags


def test_an_event_based_gateway_is_a_race_routed_by_the_scenario() -> None:
    path = CORPUS_DIR / "hand_event_based_gateway.bpmn"
    notes = " ".join(load_process(path).notes)
    assert "wait (reply first in every case)" in notes
    scenario = sim.parse_scenario({"routing": {"f3": 0.25, "f4": 0.75, "source": "assumption: test"}})
    for executor in ("compiled", "spiff"):
        result = sim.simulate(path, scenario, cases=200, replications=1, seed=5, executor=executor_for(executor), keep_traces=True)
        deadline = [t for t in result.replications[0].traces if t[1] == "deadline"]
        assert 125 < len(deadline) < 175  # 150 ± 6 sd
        assert all(t[4] - t[2] == pytest.approx(5 * 24) for t in deadline)  # P5D waited by the cases that lose the race


def test_a_race_needs_events_after_it(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/><bpmn:userTask id="t"/>'
                 '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="t"/><bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e"/>')
    with pytest.raises(ModelError, match='eventBasedGateway id="g": an event-based gateway is a race .* flow "f2" leads to userTask "t"'):
        load_process(path)


def test_conditional_flows_out_of_a_task_are_taken_when_their_condition_holds(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/><bpmn:userTask id="a"/><bpmn:userTask id="b"/>'
                 '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
                 '<bpmn:sequenceFlow id="fa" sourceRef="t" targetRef="a"><bpmn:conditionExpression>urgent</bpmn:conditionExpression>'
                 '</bpmn:sequenceFlow><bpmn:sequenceFlow id="fb" sourceRef="t" targetRef="b"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="e"/><bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e"/>')
    scenario = sim.parse_scenario({"attributes": {"urgent": {"p": 0.5, "source": "assumption: test"}}})
    runs = {ex: sim.simulate(path, scenario, cases=200, replications=1, seed=1, executor=executor_for(ex), keep_traces=True)
            for ex in ("compiled", "spiff")}
    assert sorted(runs["compiled"].replications[0].traces) == sorted(runs["spiff"].replications[0].traces)
    paths = runs["compiled"].path_frequencies()
    assert all("b" in p for p in paths)  # the unconditioned flow: always
    assert 70 < sum(n for p, n in paths.items() if "a" in p) < 130  # the conditioned one: when urgent (100 ± 7 sd)


def test_a_parallel_multi_instance_step_runs_its_copies_side_by_side(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:multiInstanceLoopCharacteristics>'
                 '<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>'
                 '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>')
    traces = {ex: sorted(_traces(path, ex, cases=5)) for ex in ("compiled", "spiff")}
    assert traces["compiled"] == traces["spiff"]
    first = [t for t in traces["compiled"] if t[0] == 0]
    assert sorted(t[1] for t in first) == ["t", "t__2"] and first[0][2] == first[1][2]  # both enabled at once


def test_text_conditions_type_the_attribute(tmp_path: Path) -> None:
    juel = sim.simulate(CORPUS_DIR / "hand_string_conditions_juel.bpmn", cases=200, replications=1, seed=1)
    assert "case attribute approved: the text 'true' for 50% of cases" in " ".join(juel.summary()["notes"])
    assert 70 < sum(n for p, n in juel.path_frequencies().items() if "issue" in p) < 130
    model = tmp_path / "m.bpmn"
    model.write_bytes((CORPUS_DIR / "hand_string_conditions_yes_no.bpmn").read_bytes())
    unquoted = tmp_path / "unquoted.yaml"
    unquoted.write_text("process: m.bpmn\nattributes:\n  inspection: {values: {Yes: 0.3, No: 0.7}, source: 'assumption: test'}\n",
                        encoding="utf-8")
    assert main(["run", str(unquoted), "--cases", "5", "--root", str(tmp_path)]) == 2
    quoted = tmp_path / "quoted.yaml"
    quoted.write_text(unquoted.read_text(encoding="utf-8").replace("Yes:", "'Yes':").replace("No:", "'No':"), encoding="utf-8")
    for executor in ("compiled", "spiff"):
        result = sim.simulate(model, sim.load_scenario(quoted, root=tmp_path), cases=200, replications=1, seed=1,
                              executor=executor_for(executor))
        assert 40 < sum(n for p, n in result.path_frequencies().items() if "inspect" in p) < 80  # 60 ± 6.5 sd


def test_unquoted_yaml_booleans_for_a_text_attribute_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.bpmn").write_bytes((CORPUS_DIR / "hand_string_conditions_yes_no.bpmn").read_bytes())
    scenario = tmp_path / "s.yaml"
    scenario.write_text("process: m.bpmn\nattributes:\n  inspection: {values: {Yes: 0.3, No: 0.7}, source: 'assumption: t'}\n",
                        encoding="utf-8")
    assert main(["run", str(scenario), "--cases", "5", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "attributes.inspection" in err and "the values True, False are not text" in err and "in quotes" in err


def test_a_text_value_no_branch_takes_stops_both_executors_with_the_same_message(tmp_path: Path) -> None:
    (tmp_path / "m.bpmn").write_bytes((CORPUS_DIR / "hand_string_conditions_yes_no.bpmn").read_bytes())
    scenario = tmp_path / "s.yaml"
    scenario.write_text("process: m.bpmn\nattributes:\n  inspection: {values: {'Maybe': 1}, source: 'assumption: t'}\n",
                        encoding="utf-8")
    for executor in ("compiled", "spiff"):
        with pytest.raises(sim.SimulationError, match=r'case 0: no condition of gateway "decide" holds for attributes '
                                                      r"\{'inspection': 'Maybe'\}"):
            sim.simulate(tmp_path / "m.bpmn", sim.load_scenario(scenario, root=tmp_path), cases=3, replications=1, executor=executor_for(executor))


def test_both_executors_agree_per_step_when_branches_compete_for_staff_whatever_the_drawing() -> None:
    # one clerk, heavy demand: which parallel branch asks first decides every wait. SpiffWorkflow orders
    # branches by the drawing's y-coordinates, drawn here against the document order.
    scenario = sim.parse_scenario({"agencies": {"unassigned": {"staff": 1, "source": "assumption: test"}},
                                   "arrivals": {"rate_per_workday": 30, "source": "assumption: test"}})
    path = CORPUS_DIR / "hand_nested_parallel_drawn.bpmn"
    traces = {ex: sorted(_traces(path, ex, cases=30, scenario=scenario)) for ex in ("compiled", "spiff")}
    assert any(t[3] > t[2] for t in traces["compiled"])  # steps did queue
    assert traces["compiled"] == traces["spiff"]


def test_the_parsers_internal_error_text_never_reaches_the_planner() -> None:
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    from sim.bpmn.loader import _from_validation

    exc = ValidationException("TypeError(\"NodeParser.raise_validation_exception() got an unexpected keyword argument 'node'\")",
                              file_name="x.bpmn")
    exc.id, exc.tag, exc.line_number = "failed", "bpmn:endEvent", 7
    message = str(_from_validation(exc, "x.bpmn", {}))
    assert message.startswith('x.bpmn:7: bpmn:endEvent id="failed": SpiffWorkflow\'s parser fails on this bpmn:endEvent (TypeError')
    assert "raise_validation_exception" not in message and "errorRef" in message


def test_a_race_the_files_durations_cannot_decide_gets_equal_odds(tmp_path: Path) -> None:
    wait = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="wait" value="uniform(1, 9) workday"/>'
            '<spiffworkflow:property name="source" value="assumption: test"/></spiffworkflow:properties></bpmn:extensionElements>')
    path = _bpmn(tmp_path, f'<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
                 f'<bpmn:intermediateCatchEvent id="reply">{wait}<bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>'
                 '<bpmn:intermediateCatchEvent id="deadline"><bpmn:timerEventDefinition><bpmn:timeDuration>P5D</bpmn:timeDuration>'
                 '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>'
                 '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/><bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="reply"/>'
                 '<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="deadline"/><bpmn:sequenceFlow id="f4" sourceRef="reply" targetRef="e"/>'
                 '<bpmn:sequenceFlow id="f5" sourceRef="deadline" targetRef="e"/>')
    path.write_text(path.read_text(encoding="utf-8").replace(
        'id="d"', 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d"'), encoding="utf-8")
    process = load_process(path)
    assert [process.flows[f].share for f in ("f2", "f3")] == [0.5, 0.5]
    assert "g (equal odds: the file's durations do not decide it)" in " ".join(process.notes)


def test_a_chinese_text_condition_runs_with_the_mix_the_scenario_gives(tmp_path: Path) -> None:
    (tmp_path / "m.bpmn").write_bytes((CORPUS_DIR / "hand_activiti_chinese_approval.bpmn").read_bytes())
    scenario = tmp_path / "s.yaml"
    scenario.write_text("process: m.bpmn\nattributes:\n  result: {values: {同意: 1}, source: 'assumption: test'}\n", encoding="utf-8")
    for executor in ("compiled", "spiff"):
        paths = sim.simulate(tmp_path / "m.bpmn", sim.load_scenario(scenario, root=tmp_path), cases=10, replications=1,
                             executor=executor_for(executor)).path_frequencies()
        assert paths == {("window_check", "chief_approve"): 10}


def test_the_scenario_gives_a_multi_instance_step_its_number_of_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.bpmn").write_bytes((CORPUS_DIR / "hand_multi_instance_no_cardinality.bpmn").read_bytes())
    scenario = tmp_path / "s.yaml"
    scenario.write_text("process: m.bpmn\nsteps:\n  countersign: {instances: 4, source: 'assumption: four departments sign'}\n",
                        encoding="utf-8")
    loaded = sim.load_scenario(scenario, root=tmp_path)
    for executor in ("compiled", "spiff"):
        paths = sim.simulate(tmp_path / "m.bpmn", loaded, cases=5, replications=1, executor=executor_for(executor)).path_frequencies()
        assert [sorted(p) for p in paths] == [["countersign", "countersign__2", "countersign__3", "countersign__4"]]
    assert main(["run", str(scenario), "--cases", "3", "--root", str(tmp_path), "--executor", "spiff"]) == 0
    (tmp_path / "m.bpmn").write_bytes((CORPUS_DIR / "hand_multi_instance_cardinality.bpmn").read_bytes())  # a count in the file
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(scenario.read_text(encoding="utf-8").replace("countersign:", "countersing:"), encoding="utf-8")
    with pytest.raises(sim.ScenarioError, match=r'steps.countersing.instances: "countersing" is not a multi-instance step of .*m.bpmn '
                                                r'\(did you mean "countersign"\?\)'):
        sim.simulate(tmp_path / "m.bpmn", sim.load_scenario(wrong, root=tmp_path), cases=3, replications=1)
    capsys.readouterr()


# -- corpus findings (issue 15, items 1 and 3): flows without ids, start triggers, two tokens on one path, stuck cases --

def test_flows_without_ids_are_named_by_their_ends_and_two_between_one_pair_stay_two(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:task id="t"/><bpmn:endEvent id="e"/>'
                 '<bpmn:sequenceFlow sourceRef="s" targetRef="fork"/><bpmn:sequenceFlow sourceRef="fork" targetRef="t"/>'
                 '<bpmn:sequenceFlow sourceRef="fork" targetRef="t"/><bpmn:sequenceFlow sourceRef="t" targetRef="e"/>')
    process = load_process(path)
    assert {"flow_s_fork", "flow_fork_t", "flow_fork_t_2", "flow_t_e"} <= set(process.flows)
    assert any("4 sequence flow(s) without an id named by their ends" in n for n in process.notes)
    for executor in ("compiled", "spiff"):  # no join after them: two tokens, the task runs twice
        paths = sim.simulate(path, cases=5, replications=1, executor=executor_for(executor)).path_frequencies()
        assert paths == {("t", "t"): 5}


def test_two_tokens_down_one_path_into_a_parallel_join_are_refused_at_the_split(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:task id="a"/><bpmn:task id="b"/>\n'
                 '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>\n'
                 '<bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="a"/>\n<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="a"/>\n'
                 '<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="b"/><bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="join"/>'
                 '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join"/><bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="e"/>')
    with pytest.raises(ModelError) as caught:
        load_process(path)
    message = str(caught.value)
    assert 'parallelGateway id="fork"' in message and "the flows on lines 4 and 5" in message and 'parallel join "join"' in message
    assert "<bpmn:loopCardinality>2</bpmn:loopCardinality>" in message


def test_a_message_or_signal_start_event_starts_cases_on_both_executors(tmp_path: Path) -> None:
    for trigger in ("messageEventDefinition", "signalEventDefinition", "conditionalEventDefinition"):
        inner = "<bpmn:condition>ready</bpmn:condition>" if trigger.startswith("conditional") else ""
        path = _bpmn(tmp_path, f'<bpmn:startEvent id="s"><bpmn:{trigger}>{inner}</bpmn:{trigger}></bpmn:startEvent><bpmn:task id="t"/>'
                     '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
                     '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>')
        notes = " ".join(load_process(path).notes)
        assert f"{trigger.removesuffix('EventDefinition')} start event(s) s: cases arrive as the scenario's arrivals say" in notes
        for executor in ("compiled", "spiff"):  # SpiffWorkflow alone would wait at the start event for ever
            assert sim.simulate(path, cases=4, replications=1, executor=executor_for(executor)).path_frequencies() == {("t",): 4}


def test_a_stuck_case_names_the_join_that_waits_on_both_executors(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="x"/><bpmn:task id="a"/><bpmn:task id="b"/>'
                 '<bpmn:parallelGateway id="j"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="a"/><bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="b"/>'
                 '<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="j"/><bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="j"/>'
                 '<bpmn:sequenceFlow id="f6" sourceRef="j" targetRef="e"/>')
    for executor in ("compiled", "spiff"):
        with pytest.raises(sim.SimulationError) as caught:
            sim.simulate(path, cases=3, replications=1, executor=executor_for(executor))
        message = str(caught.value)
        assert message.startswith(str(path)) and 'join "j"' in message and "1 of 2 branches arrived" in message, message
        assert "use an exclusive or inclusive gateway to merge alternative branches" in message, message


def test_a_schema_refusal_says_the_bpmn_name_and_what_to_change(tmp_path: Path) -> None:
    path = _bpmn(tmp_path, '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>')
    # MID Innovator's export: a named event definition at the top level, which the schema does not allow
    path.write_text(path.read_text(encoding="utf-8").replace(
        "</bpmn:definitions>", '<bpmn:messageEventDefinition id="md" name="x"/></bpmn:definitions>'), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_process(path)
    message = str(caught.value)
    assert '<bpmn:messageEventDefinition>: attribute "name" is not allowed there; remove it' in message, message
    assert "{http" not in message


def test_a_file_without_a_process_says_so_before_its_drawing_is_read(tmp_path: Path) -> None:
    path = tmp_path / "empty.bpmn"
    path.write_text('<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
                    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d" targetNamespace="t">'
                    '<bpmndi:BPMNDiagram id="g"><bpmndi:BPMNPlane id="pl" bpmnElement="nothing"/></bpmndi:BPMNDiagram></definitions>',
                    encoding="utf-8")
    with pytest.raises(ModelError, match=r"empty\.bpmn:2: the file has no <bpmn:process>, so there is nothing to simulate"):
        load_process(path)
