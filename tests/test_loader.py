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
    scenario = sim.parse_scenario({"routing": {"Flow_1bcm6d9": 0.5, "source": "assumption: test"}})
    half = sim.simulate(path, scenario, cases=200, replications=1, seed=1)
    taken = sum(n for p, n in half.path_frequencies().items() if "Activity_0buryy1" in p)
    assert 60 < taken < 140


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
