"""Prosimos branch rules, case/event attributes, Prosimos's fallbacks, the weighted inclusive pick, and
``reformsim run --prosimos``, on Prosimos-format models written by the project (tests/data/interop).

Prosimos itself is not needed: the expected routing is Prosimos 2.1.0's as read from its source
(``OutgoingFlowSelector``, ``Choice.get_multiple_flows``, ``parse_arrival_branching_probabilities``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scipy import stats

import sim
from sim.cli import main
from sim.errors import ReformSimError
from sim.interop.prosimos import import_prosimos, load_prosimos

DATA = Path(__file__).parent / "data" / "interop"
SOURCES = Path(__file__).parent / "data" / "prosimos_examples" / "SOURCES.md"
ROOT = Path(__file__).parent.parent


def _write(tmp_path: Path, change=None, *, bpmn_change=None) -> tuple[Path, Path]:
    data = json.loads((DATA / "mini.json").read_text(encoding="utf-8"))
    if change:
        change(data)
    params = tmp_path / "mini.json"
    params.write_text(json.dumps(data), encoding="utf-8")
    bpmn = DATA / "mini.bpmn"
    if bpmn_change:
        text = bpmn_change(bpmn.read_text(encoding="utf-8"))
        bpmn = tmp_path / "mini.bpmn"
        bpmn.write_text(text, encoding="utf-8")
    return bpmn, params


def _share_of_review(bpmn: Path, params: Path, cases: int = 3000, seed: int = 7) -> float:
    process, scenario = load_prosimos(bpmn, params)
    rep = sim.simulate(process, scenario, cases=cases, replications=1, seed=seed).replications[0]
    return rep.tasks["review"].waiting_h.count / rep.cases


def _rules(kind_shares: dict[str, float], review_rule: list, fast_rule: list | None = None):
    """A change giving the split's flows condition_ids and a discrete case attribute ``kind``."""
    def change(d):
        d["case_attributes"] = [{"name": "kind", "type": "discrete",
                                 "values": [{"key": k, "value": v} for k, v in kind_shares.items()]}]
        d["branch_rules"] = [{"id": "to_review", "rules": review_rule}]
        probs = d["gateway_branching_probabilities"][0]["probabilities"]
        probs[0]["condition_id"] = "to_review"
        if fast_rule is not None:
            d["branch_rules"].append({"id": "to_fast", "rules": fast_rule})
            probs[1]["condition_id"] = "to_fast"
    return change


def _is(value: str) -> list:
    return [[{"attribute": "kind", "comparison": "=", "value": value}]]


def test_a_branch_rule_routes_as_the_rule_says(tmp_path: Path) -> None:
    # kind is A for 40% of cases; review when kind = A, fast when kind = B: the probabilities 0.3/0.7 play no part
    bpmn, params = _write(tmp_path, _rules({"A": 0.4, "B": 0.6}, _is("A"), _is("B")))
    process, mapping = import_prosimos(bpmn, params)
    assert mapping["attributes"]["kind"]["values"] == {"A": 0.4, "B": 0.6}
    assert "kind == 'A'" in process.flows["f_review"].condition
    assert _share_of_review(bpmn, params) == pytest.approx(0.4, abs=0.03)


def test_a_rule_that_always_holds_takes_its_branch_every_time(tmp_path: Path) -> None:
    bpmn, params = _write(tmp_path, _rules({"A": 1.0}, _is("A"), _is("B")))
    assert _share_of_review(bpmn, params, cases=400) == 1.0


def test_several_rules_holding_draw_by_the_scaled_probabilities(tmp_path: Path) -> None:
    # Prosimos: more than one rule holds -> Choice among them with probabilities scaled to 1 (0.3 : 0.7)
    bpmn, params = _write(tmp_path, _rules({"A": 1.0}, _is("A"), _is("A")))
    process, mapping = import_prosimos(bpmn, params)
    orders = mapping["attributes"]["order_split"]["values"]
    assert sum(orders.values()) == pytest.approx(1.0)
    assert orders["01"] == pytest.approx(0.3) and orders["10"] == pytest.approx(0.7)
    assert any("order_split" in n for n in process.notes)
    assert _share_of_review(bpmn, params) == pytest.approx(0.3, abs=0.03)


def test_no_rule_holding_takes_the_bpmn_default(tmp_path: Path) -> None:
    # mini.bpmn's split has default="f_fast"; Prosimos takes it when every rule is false
    bpmn, params = _write(tmp_path, _rules({"B": 1.0}, _is("A")))
    assert _share_of_review(bpmn, params, cases=400) == 0.0


def test_no_rule_holding_without_default_draws_by_probability(tmp_path: Path) -> None:
    bpmn, params = _write(tmp_path, _rules({"B": 1.0}, _is("A"), _is("C")),
                          bpmn_change=lambda t: t.replace(' default="f_fast"', ""))
    assert _share_of_review(bpmn, params) == pytest.approx(0.3, abs=0.03)


def test_continuous_attribute_ranges_keep_their_probability(tmp_path: Path) -> None:
    # amount ~ norm(1000, 100) within [0, 5000]; review when amount in [0, 900]: P = Phi(-1)
    def change(d):
        d["case_attributes"] = [{"name": "amount", "type": "continuous", "values": {
            "distribution_name": "norm", "distribution_params": [{"value": 1000}, {"value": 100}, {"value": 0}, {"value": 5000}]}}]
        d["branch_rules"] = [{"id": "small", "rules": [[{"attribute": "amount", "comparison": "in", "value": ["0", "900"]}]]},
                             {"id": "large", "rules": [[{"attribute": "amount", "comparison": "in", "value": ["900", "inf"]}]]}]
        probs = d["gateway_branching_probabilities"][0]["probabilities"]
        probs[0]["condition_id"], probs[1]["condition_id"] = "small", "large"
    bpmn, params = _write(tmp_path, change)
    process, mapping = import_prosimos(bpmn, params)
    values = mapping["attributes"]["amount"]["values"]
    expected = stats.norm(1000, 100).cdf(900) / (stats.norm(1000, 100).cdf(5000) - stats.norm(1000, 100).cdf(0))
    assert min(values.values()) == pytest.approx(expected, rel=1e-6)
    assert any('case attribute "amount": continuous' in n for n in process.notes)
    assert _share_of_review(bpmn, params) == pytest.approx(expected, abs=0.03)


def test_unused_case_and_event_attributes_are_noted(tmp_path: Path) -> None:
    def change(d):
        d["case_attributes"] = [{"name": "region", "type": "discrete", "values": [{"key": "N", "value": 1}]}]
        d["event_attributes"] = [{"event_id": "intake", "attributes": [
            {"name": "score", "type": "discrete", "values": [{"key": "hi", "value": 1}]}]}]
    process, mapping = import_prosimos(*_write(tmp_path, change))
    notes = "\n".join(process.notes)
    assert 'case attribute "region": no branch rule reads it' in notes
    assert 'event attribute "score" (event_attributes[0].attributes[0]' in notes
    assert "attributes" not in mapping


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        # a rule on an event attribute a task computes (expression): no fixed values and shares to draw from
        (lambda d: (_rules({"A": 1.0}, _is("A"))(d), d.pop("case_attributes"), d.update(event_attributes=[
            {"event_id": "intake", "attributes": [{"name": "kind", "type": "expression", "values": "1 + 1"}]}])),
         "event_attributes[0].attributes[0].type", "expression"),
        # a rule on a global attribute (one value shared by all cases)
        (lambda d: (_rules({"A": 1.0}, _is("A"))(d), d.pop("case_attributes"), d.update(global_attributes=[
            {"name": "kind", "type": "discrete", "values": [{"key": "A", "value": 1}]}])),
         "branch_rules[0].rules[0][0]", "global_attributes[0]"),
        # a case attribute and an event attribute of one name: Prosimos 2.1.0 refuses it too
        (lambda d: (_rules({"A": 1.0}, _is("A"))(d), d.update(event_attributes=[{"event_id": "intake", "attributes": [
            {"name": "kind", "type": "discrete", "values": [{"key": "A", "value": 1}]}]}])),
         "case_attributes[0]", "both a case attribute and an event attribute"),
        (lambda d: _rules({"A": 1.0}, [[{"attribute": "kind", "comparison": "in", "value": ["1", "2"]}]])(d),
         "branch_rules[0].rules[0][0]", "discrete attribute"),
        (lambda d: d.update(batch_processing=[{"task_id": "review"}]), "batch_processing", "no ReformSim counterpart"),
        (lambda d: d.update(case_attributes=[{"name": "kind", "type": "discrete", "values": [{"key": "A", "value": 0.5}]}]),
         "case_attributes[0].values", "add up to 1"),
        (lambda d: d["gateway_branching_probabilities"][0]["probabilities"][0].update(value="lots"),
         "gateway_branching_probabilities[0].probabilities[0].value", "expected a probability"),
    ],
)
def test_what_cannot_be_represented_is_refused_with_its_json_path(tmp_path: Path, change, path: str, words: str) -> None:
    with pytest.raises(ReformSimError) as err:
        import_prosimos(*_write(tmp_path, change))
    text = str(err.value)
    assert f"mini.json: {path}:" in text and words in text


def test_inclusive_rules_on_some_flows_only_are_refused_naming_the_gateway(tmp_path: Path) -> None:
    bpmn, params = _write(tmp_path, _rules({"A": 1.0}, _is("A")), bpmn_change=_inclusive)
    with pytest.raises(ReformSimError, match=r'gateway_branching_probabilities\[0\]: inclusive gateway "split"'):
        import_prosimos(bpmn, params)


# -- Prosimos's fallbacks, reproduced and said ---------------------------------------------------
def test_missing_probability_gets_what_the_others_leave(tmp_path: Path) -> None:
    process, _ = import_prosimos(*_write(tmp_path, lambda d: d["gateway_branching_probabilities"][0]["probabilities"][1].pop("value")))
    assert process.flows["f_fast"].share == pytest.approx(0.7)
    assert any('gateway "split": no value for f_fast; each gets 0.7' in n for n in process.notes)


def test_probabilities_not_adding_to_one_are_rescaled_and_noted(tmp_path: Path) -> None:
    process, _ = import_prosimos(*_write(tmp_path, lambda d: d["gateway_branching_probabilities"][0]["probabilities"][1].update(value=0.2)))
    assert process.flows["f_review"].share == pytest.approx(0.6)
    assert any("add up to 0.5; rescaled to 1 (Prosimos 2.1.0 stops" in n for n in process.notes)


def test_gateway_without_probabilities_is_noted(tmp_path: Path) -> None:
    process, _ = import_prosimos(*_write(tmp_path, lambda d: d.update(gateway_branching_probabilities=[])))
    assert any('gateway "split": no branching probabilities in the JSON (Prosimos 2.1.0 stops with a KeyError' in n
               for n in process.notes)


def test_intermediate_event_without_distribution_is_instant_and_noted(tmp_path: Path) -> None:
    def with_event(text: str) -> str:
        return text.replace('<sequenceFlow id="f1" sourceRef="intake" targetRef="split"/>',
                            '<intermediateCatchEvent id="pause"/><sequenceFlow id="f1" sourceRef="intake" targetRef="pause"/>'
                            '<sequenceFlow id="f1b" sourceRef="pause" targetRef="split"/>')
    process, _ = import_prosimos(*_write(tmp_path, bpmn_change=with_event))
    assert process.nodes["pause"].kind == "pass"
    assert any('event "pause": no event_distribution (Prosimos 2.1.0 stops with a KeyError' in n for n in process.notes)


def _inclusive(text: str) -> str:
    return (text.replace('<exclusiveGateway id="split" default="f_fast"/>', '<inclusiveGateway id="split"/>')
                .replace('<exclusiveGateway id="join"/>', '<inclusiveGateway id="join"/>'))


def test_inclusive_gateway_picks_one_branch_by_weight_when_none_is_drawn(tmp_path: Path) -> None:
    # review 0.2, fast 0.1, each drawn on its own; none drawn (0.8 * 0.9) -> one by weight (2:1), as
    # Prosimos's Choice.get_multiple_flows does. Taking the first instead would give review 0.92, fast 0.1.
    def change(d):
        p = d["gateway_branching_probabilities"][0]["probabilities"]
        p[0]["value"], p[1]["value"] = 0.2, 0.1
    bpmn, params = _write(tmp_path, change, bpmn_change=_inclusive)
    process, scenario = load_prosimos(bpmn, params)
    assert process.nodes["split"].none_drawn == "weighted"
    assert any("one branch is picked by them" in n for n in process.notes)
    rep = sim.simulate(process, scenario, cases=4000, replications=1, seed=11).replications[0]
    none = 0.8 * 0.9
    assert rep.tasks["review"].waiting_h.count / rep.cases == pytest.approx(0.2 + none * 2 / 3, abs=0.025)
    assert rep.tasks["fast"].waiting_h.count / rep.cases == pytest.approx(0.1 + none / 3, abs=0.025)


# -- the command line ----------------------------------------------------------------------------
def test_cli_run_with_prosimos_parameters(capsys) -> None:
    assert main(["run", str(DATA / "mini.bpmn"), "--prosimos", str(DATA / "mini.json"), "--cases", "60",
                 "--replications", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "prosimos: mini" and out["cases_per_replication"] == 60


def test_cli_run_with_bad_prosimos_json_is_exit_2_naming_the_json_path(tmp_path: Path, capsys) -> None:
    bpmn, params = _write(tmp_path, lambda d: d["gateway_branching_probabilities"][0]["probabilities"][0].update(value=-1))
    assert main(["run", str(bpmn), "--prosimos", str(params), "--cases", "10"]) == 2
    err = capsys.readouterr().err
    assert "mini.json: gateway_branching_probabilities[0].probabilities[0].value: expected a probability" in err
    assert "Traceback" not in err


# -- Prosimos's own examples ---------------------------------------------------------------------
def test_every_benchmarked_example_has_its_source_and_licence_recorded() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("prosimos_agreement", ROOT / "benchmarks" / "prosimos_agreement.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    text = SOURCES.read_text(encoding="utf-8")
    assert "AutomatedProcessImprovement/Prosimos" in text and "licence" in text.lower()
    for name in bench.EXAMPLES:
        row = next((line for line in text.splitlines() if line.startswith(f"| {name} |")), None)
        assert row is not None, f"{name} missing from {SOURCES.name}"
        assert re.search(r"\b[0-9a-f]{40}\b", row), f"{name}: no full commit hash recorded"
