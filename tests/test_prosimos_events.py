"""Prosimos event attributes (a task gives an attribute a new value when it ends) imported as ``set_by``; inclusive
gateways with branch rules and no default. On Prosimos-format models written by the project (tests/data/interop);
the expected routing is Prosimos 2.1.0's as read from its source (``update_attributes`` in ``execute_task``,
``BranchConditionRule.is_rule_true``, ``OutgoingFlowSelector._handle_inclusive_gateway``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scipy import stats

import sim
from sim.errors import ReformSimError
from sim.engine.executors import executor_for
from sim.interop.prosimos import import_prosimos, load_prosimos

DATA = Path(__file__).parent / "data" / "interop"


def _shares(bpmn: Path, params: Path, cases: int = 3000, seed: int = 3, executor: str = "compiled") -> dict[str, float]:
    process, scenario = load_prosimos(bpmn, params)
    rep = sim.simulate(process, scenario, cases=cases, replications=1, seed=seed, executor=executor_for(executor)).replications[0]
    return {t: s.waiting_h.count / rep.cases for t, s in rep.tasks.items()}


def _write(tmp_path: Path, change) -> tuple[Path, Path]:
    data = json.loads((DATA / "mini.json").read_text(encoding="utf-8"))
    change(data)
    params = tmp_path / "mini.json"
    params.write_text(json.dumps(data), encoding="utf-8")
    return DATA / "mini.bpmn", params


def _kind_set_by(task: str, values: list, rule_values=("A", "B")):
    def change(d):
        d["event_attributes"] = [{"event_id": task, "attributes": [{"name": "kind", "type": "discrete", "values": values}]}]
        d["branch_rules"] = [{"id": f"is_{v}", "rules": [[{"attribute": "kind", "comparison": "=", "value": v}]]} for v in rule_values]
        probs = d["gateway_branching_probabilities"][0]["probabilities"]
        for p, v in zip(probs, rule_values):
            p["condition_id"] = f"is_{v}"
    return change


def test_an_event_attribute_set_by_a_task_routes_a_later_gateway(tmp_path: Path) -> None:
    bpmn, params = _write(tmp_path, _kind_set_by("intake", [{"key": "A", "value": 0.4}, {"key": "B", "value": 0.6}]))
    process, mapping = import_prosimos(bpmn, params)
    assert mapping["attributes"]["kind"]["set_by"] == {"intake": {"A": 0.4, "B": 0.6}}
    assert "p" not in mapping["attributes"]["kind"] and "values" not in mapping["attributes"]["kind"]
    assert any('event attribute "kind": set when task ' + repr("intake") + " ends" in n for n in process.notes)
    assert _shares(bpmn, params)["review"] == pytest.approx(0.4, abs=0.03)


def test_a_rule_on_an_event_attribute_not_yet_set_is_false(tmp_path: Path) -> None:
    # "review" sets kind, after the split: at the split kind has no value, no rule holds, the default f_fast is taken
    bpmn, params = _write(tmp_path, _kind_set_by("review", [{"key": "A", "value": 1.0}]))
    assert _shares(bpmn, params, cases=400)["review"] == 0.0


def test_an_event_attribute_of_no_task_is_noted_and_its_rule_false(tmp_path: Path) -> None:
    bpmn, params = _write(tmp_path, _kind_set_by("no_such_task", [{"key": "A", "value": 1.0}]))
    process, mapping = import_prosimos(bpmn, params)
    assert "kind" not in mapping.get("attributes", {})
    assert any('reads the event attribute "kind", which no task of the process sets; the rule is false' in n for n in process.notes)


def test_a_continuous_event_attribute_keeps_its_range_probabilities(tmp_path: Path) -> None:
    def change(d):
        d["event_attributes"] = [{"event_id": "intake", "attributes": [{"name": "score", "type": "continuous", "values": {
            "distribution_name": "norm", "distribution_params": [{"value": 50}, {"value": 10}, {"value": 0}, {"value": 100}]}}]}]
        d["branch_rules"] = [{"id": "low", "rules": [[{"attribute": "score", "comparison": "in", "value": ["0", "40"]}]]},
                             {"id": "high", "rules": [[{"attribute": "score", "comparison": "in", "value": ["40", "inf"]}]]}]
        probs = d["gateway_branching_probabilities"][0]["probabilities"]
        probs[0]["condition_id"], probs[1]["condition_id"] = "low", "high"
    bpmn, params = _write(tmp_path, change)
    process, mapping = import_prosimos(bpmn, params)
    law = stats.norm(50, 10)
    expected = (law.cdf(40) - law.cdf(0)) / (law.cdf(100) - law.cdf(0))
    assert min(mapping["attributes"]["score"]["set_by"]["intake"].values()) == pytest.approx(expected, rel=1e-6)
    assert "score != None" in process.flows["f_review"].condition  # false before a task sets it
    assert _shares(bpmn, params)["review"] == pytest.approx(expected, abs=0.03)


def test_values_a_later_task_replaces_and_an_inclusive_split_without_default() -> None:
    # intake: grade GOOD 0.3 / BAD 0.7. BAD -> rework sets grade NEW; GOOD -> stamping sets stamp OK. The inclusive
    # fan then takes use_new (grade NEW) or both use_good and use_stamp (grade GOOD, stamp OK)
    bpmn, params = DATA / "event_attrs.bpmn", DATA / "event_attrs.json"
    process, mapping = import_prosimos(bpmn, params)
    assert mapping["attributes"]["grade"]["set_by"] == {"intake": {"GOOD": 0.3, "BAD": 0.7}, "rework": {"NEW": 1.0}}
    assert "pick_fan" in mapping["attributes"]  # the draw Prosimos makes when no rule holds (never here)
    for executor in ("compiled", "fast"):  # fast hands the model to compiled (inclusive gateways, attributes set by steps)
        shares = _shares(bpmn, params, executor=executor)
        assert shares["rework"] == pytest.approx(0.7, abs=0.03) and shares["use_new"] == shares["rework"]
        assert shares["use_good"] == shares["use_stamp"] == shares["stamping"] == pytest.approx(1 - shares["rework"])


def test_an_inclusive_split_without_default_draws_as_prosimos_when_no_rule_holds(tmp_path: Path) -> None:
    # every rule false at the fan: intake sets grade BAD, rework replaces it with X (no rule reads X), stamp never set
    data = json.loads((DATA / "event_attrs.json").read_text(encoding="utf-8"))
    data["event_attributes"] = [{"event_id": "intake", "attributes": [{"name": "grade", "type": "discrete",
                                                                       "values": [{"key": "BAD", "value": 1}]}]},
                                {"event_id": "rework", "attributes": [{"name": "grade", "type": "discrete",
                                                                        "values": [{"key": "X", "value": 1}]}]}]
    params = tmp_path / "event_attrs.json"
    params.write_text(json.dumps(data), encoding="utf-8")
    shares = _shares(DATA / "event_attrs.bpmn", params, cases=4000)
    # get_multiple_flows: each flow with its probability (0.4, 0.3, 0.3); none drawn (0.6 * 0.7 * 0.7) -> one by weight
    none = 0.6 * 0.7 * 0.7
    assert shares["use_good"] == pytest.approx(0.4 + none * 0.4, abs=0.03)
    assert shares["use_new"] == pytest.approx(0.3 + none * 0.3, abs=0.03)


def _rule_on(name: str, comparison: str, value, attrs: dict) -> object:
    def change(d):
        d.update(attrs)
        d["branch_rules"] = [{"id": "to_review", "rules": [[{"attribute": name, "comparison": comparison, "value": value}]]}]
        d["gateway_branching_probabilities"][0]["probabilities"][0]["condition_id"] = "to_review"
    return change


def test_ordered_comparisons_on_discrete_values_compare_as_numbers_when_both_are(tmp_path: Path) -> None:
    # Prosimos 2.1.0 (BranchConditionRule.is_rule_true): ">" on "10" and "9" compares 10 > 9, not the texts
    level = {"case_attributes": [{"name": "level", "type": "discrete", "values": [
        {"key": "9", "value": 0.5}, {"key": "10", "value": 0.3}, {"key": "11", "value": 0.2}]}]}
    bpmn, params = _write(tmp_path, _rule_on("level", ">", "9", level))
    process, _ = import_prosimos(bpmn, params)
    assert "level in ('10', '11')" in process.flows["f_review"].condition
    assert not any("read as equality" in n for n in process.notes)
    assert _shares(bpmn, params)["review"] == pytest.approx(0.5, abs=0.03)


def test_ordered_comparisons_on_a_continuous_event_attribute_cut_its_ranges(tmp_path: Path) -> None:
    score = {"event_attributes": [{"event_id": "intake", "attributes": [{"name": "score", "type": "continuous", "values": {
        "distribution_name": "norm", "distribution_params": [{"value": 50}, {"value": 10}, {"value": 0}, {"value": 100}]}}]}]}
    bpmn, params = _write(tmp_path, _rule_on("score", "<", 40, score))
    process, mapping = import_prosimos(bpmn, params)
    law = stats.norm(50, 10)
    expected = (law.cdf(40) - law.cdf(0)) / (law.cdf(100) - law.cdf(0))
    assert min(mapping["attributes"]["score"]["set_by"]["intake"].values()) == pytest.approx(expected, rel=1e-6)
    assert _shares(bpmn, params)["review"] == pytest.approx(expected, abs=0.03)


def test_an_ordered_comparison_of_text_with_a_number_is_refused_with_its_path(tmp_path: Path) -> None:
    kind = {"case_attributes": [{"name": "kind", "type": "discrete", "values": [{"key": "A", "value": 1}]}]}
    with pytest.raises(ReformSimError) as err:
        import_prosimos(*_write(tmp_path, _rule_on("kind", ">", 3, kind)))
    assert "mini.json: branch_rules[0].rules[0][0].value:" in str(err.value) and "TypeError" in str(err.value)
