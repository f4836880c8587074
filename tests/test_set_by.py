"""Attributes a step sets when it ends (``attributes.<name>.set_by``, Prosimos's event attributes): later gateways
read the new value; compiled and spiff walk identically; fast refuses such a model and compiled runs it, saying so."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

import sim
from sim.engine.core import CompiledModel
from sim.engine.executors import executor_for
from sim.engine.fast import Fast, FastFallbackWarning, Unsupported, unsupported
from sim.engine.runner import prepare_run
from sim.errors import ScenarioError
from sim.model.scenario import parse_scenario

DATA = Path(__file__).parent / "data" / "engine"
LOOP = DATA / "review_loop.bpmn"
MINI = DATA / "mini.bpmn"


def _loop_scenario(pass_share: float) -> sim.Scenario:
    return parse_scenario({"attributes": {"outcome": {"set_by": {"t_review": {"pass": pass_share, "fail": 1 - pass_share}},
                                                      "source": "assumption: test, the share of reviews that pass"}}})


def test_a_review_decided_at_every_pass_leaves_the_loop_geometrically() -> None:
    # each pass draws the outcome anew: reviews per case are geometric, 1 / 0.6 on average
    result = sim.simulate(LOOP, _loop_scenario(0.6), cases=3000, replications=1, seed=5)
    rep = result.replications[0]
    assert rep.cases == 3000
    assert rep.tasks["t_review"].waiting_h.count / rep.cases == pytest.approx(1 / 0.6, rel=0.05)
    assert rep.tasks["t_fix"].waiting_h.count / rep.cases == pytest.approx(0.4 / 0.6, rel=0.08)


def test_compiled_and_spiff_take_the_same_steps_at_the_same_times() -> None:
    runs = {ex: sim.simulate(sim.load_bpmn(LOOP), _loop_scenario(0.5), cases=60, replications=1, seed=9,
                             executor=executor_for(ex), keep_traces=True) for ex in ("compiled", "spiff")}
    traces = {ex: sorted(r.replications[0].traces) for ex, r in runs.items()}
    assert len(traces["compiled"]) > 60 * 1.5  # some cases went round the loop
    assert traces["compiled"] == traces["spiff"]


def test_an_attribute_without_a_value_yet_makes_its_condition_false() -> None:
    # is_simple is set only by t_tax, after the gateway that reads it: no case is simple there
    scenario = parse_scenario({"attributes": {"is_simple": {"set_by": {"t_tax": {True: 1.0}}, "source": "assumption: test"}}})
    rep = sim.simulate(MINI, scenario, cases=300, replications=1, seed=2).replications[0]
    assert rep.tasks["tm_notice"].waiting_h.count == 0 and rep.tasks["t_tax"].waiting_h.count == rep.cases


def test_each_set_by_draw_has_its_own_slot() -> None:
    # one uniform per (attribute, step) in the case row; a model without set_by keeps its row (tests/test_golden.py)
    base = {"attributes": {"is_simple": {"p": 0.3, "source": "assumption: test"}}}
    changed = {"attributes": {"is_simple": {"p": 0.3, "set_by": {"t_tax": {True: 0.5, False: 0.5}, "t_seal": {True: 1}},
                                            "source": "assumption: test"}}}
    model, plain = CompiledModel(*_prepared(changed)), CompiledModel(*_prepared(base))
    assert model.slots == plain.slots + 2
    sets = {c.id: c.sets for c in model.nodes if c.sets}
    assert set(sets) == {"t_tax", "t_seal"} and sets["t_tax"][0][1] != sets["t_seal"][0][1]


def _prepared(settings: dict) -> tuple:
    run = prepare_run(MINI, parse_scenario(settings))
    return run.process, run.scenario


def test_fast_refuses_a_model_whose_steps_set_attributes_and_compiled_runs_it() -> None:
    settings = {"attributes": {"is_simple": {"p": 0.3, "set_by": {"t_apply": {True: 0.5, False: 0.5}}, "source": "assumption: test"}}}
    process, scenario = _prepared(settings)
    assert "sets case attribute is_simple" in (unsupported(CompiledModel(process, scenario)) or "")
    with pytest.raises(Unsupported, match="t_apply"):
        sim.simulate(process, scenario, cases=50, replications=1, seed=1, executor=Fast(strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastFallbackWarning)
        fast = sim.simulate(process, scenario, cases=200, replications=1, seed=1, executor=Fast())
    ref = sim.simulate(process, scenario, cases=200, replications=1, seed=1)
    assert fast.executor == "compiled" and any("sets case attribute" in str(n) for n in fast.notes)
    assert fast.kpi("workdays").mean == ref.kpi("workdays").mean
    # drawn again at t_apply (0.5), not at arrival (0.3): about half the cases are simple
    rep = ref.replications[0]
    assert rep.tasks["tm_notice"].waiting_h.count / rep.cases == pytest.approx(0.5, abs=0.08)


def test_set_by_a_step_the_process_does_not_have_is_located(tmp_path: Path) -> None:
    shutil.copy(LOOP, tmp_path / "review_loop.bpmn")
    path = tmp_path / "s.yaml"
    path.write_text("process: review_loop.bpmn\nattributes:\n  outcome:\n    set_by:\n      t_revew: {'pass': 1}\n"
                    "    source: 'assumption: test'\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        sim.simulate(tmp_path / "review_loop.bpmn", sim.load_scenario(path), cases=5, replications=1)
    assert "attributes.outcome.set_by.t_revew" in str(err.value) and "t_review" in str(err.value)
    assert main_exit(["run", str(path), "--cases", "5"]) == 2


@pytest.mark.parametrize("block, where", [({"t_review": []}, "attributes.outcome.set_by.t_review"),
                                          ([], "attributes.outcome.set_by"),
                                          ({"t_review": {"pass": 0}}, "attributes.outcome.set_by.t_review")])
def test_a_malformed_set_by_is_located(block, where) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"attributes": {"outcome": {"set_by": block, "source": "assumption: test"}}})
    assert where in str(err.value)


def main_exit(argv: list[str]) -> int:
    from sim.cli import main

    return main(argv)
