"""Prosimos import, on Prosimos-format models written by the project (tests/data/interop).

Prosimos's own examples (no licence, so not in the project) are used by benchmarks/vs_prosimos.py and
benchmarks/prosimos_agreement.py only; rules, attributes and fallbacks are in test_prosimos_rules.py.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from sim.errors import ModelError, ReformSimError
from sim.interop.prosimos import import_prosimos, map_distribution
from sim.model.distributions import Exponential, Fixed, Gamma, LogNormal, Normal, Uniform
from sim.model.scenario import parse_scenario, resolve_scenario

DATA = Path(__file__).parent / "data" / "interop"


def _mini_json(tmp_path: Path, change=None) -> Path:
    data = json.loads((DATA / "mini.json").read_text(encoding="utf-8"))
    if change:
        change(data)
    out = tmp_path / "mini.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def test_mini_model_maps_graph_durations_pools_and_arrivals() -> None:
    process, scenario = import_prosimos(DATA / "mini.bpmn", DATA / "mini.json")
    kinds = {n.id: n.kind for n in process.nodes.values()}
    assert kinds == {"start": "start", "intake": "task", "split": "exclusive", "review": "task", "fast": "task",
                     "join": "exclusive", "end": "end"}
    assert process.nodes["split"].default_flow == "f_fast"
    assert process.flows["f_review"].share == pytest.approx(0.3)
    assert process.flows["f_fast"].share == pytest.approx(0.7)
    assert process.flows["f0"].share is None

    intake, fast, review = (process.nodes[k].facts for k in ("intake", "fast", "review"))
    assert intake.work.dist == Fixed(0.25) and intake.work.unit == "hour"
    assert fast.work.dist == Uniform(0.5, 1.5)
    # officer_a (1 unit, normal 2 h) and officer_b (3 units, normal 1 h), sd 10 min: amount-weighted mixture
    mean = (1 * 2 + 3 * 1) / 4
    sd = math.sqrt((1 * (1 / 36 + 4) + 3 * (1 / 36 + 1)) / 4 - mean**2)
    assert isinstance(review.work.dist, Normal)
    assert review.work.dist.mean == pytest.approx(mean)
    assert review.work.dist.sd == pytest.approx(sd, rel=1e-3)
    assert intake.agency == fast.agency == "front_desk" and review.agency == "back_office"
    assert intake.source == "prosimos: mini.json"

    assert scenario["agencies"]["front_desk"]["staff"] == 3
    assert scenario["agencies"]["front_desk"]["hours"] == "09:00-12:00,13:30-17:30"
    assert scenario["agencies"]["back_office"]["staff"] == 4
    assert scenario["agencies"]["back_office"]["hours"] == "08:00-12:00"  # 3 of 4 units work mornings
    # expon mean 1800 s inside a 40 h week: 80 arrivals a week, 16 per working day
    assert scenario["arrivals"]["rate_per_workday"] == pytest.approx(16.0, rel=1e-3)
    assert scenario["office_hours"] == "09:00-17:00"
    for block in (scenario["arrivals"], *scenario["agencies"].values(), *scenario["steps"].values()):
        assert block["source"].startswith("prosimos: mini.json")
    notes = "\n".join(process.notes)
    assert "back_office" in notes and "weekend" in notes and "official working-day calendar" in notes
    assert "amount-weighted" in notes

    parsed = parse_scenario(scenario)
    resolved = resolve_scenario(process, parsed)
    assert resolved.steps["review"].work.mean == pytest.approx(mean)
    assert resolved.agencies["back_office"].staff == 4


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"distribution_name": "fix", "distribution_params": [{"value": 7200}]}, Fixed(2.0)),
        ({"distribution_name": "uniform", "distribution_params": [{"value": 0}, {"value": 3600}]}, Uniform(0, 1)),
        ({"distribution_name": "expon", "distribution_params": [{"value": 3600}, {"value": 0}, {"value": 1e12}]}, Exponential(1)),
        ({"distribution_name": "norm", "distribution_params": [{"value": 7200}, {"value": 360}, {"value": 0}, {"value": 1e9}]},
         Normal(2, 0.1)),
        ({"distribution_name": "lognorm", "distribution_params": [{"value": 3600}, {"value": 1800**2}, {"value": 0}, {"value": 1e12}]},
         LogNormal(1, 0.5)),
        ({"distribution_name": "gamma", "distribution_params": [{"value": 3600}, {"value": 1800**2}]}, Gamma(1, 0.5)),
    ],
)
def test_distribution_conventions(spec: dict, expected) -> None:
    got = map_distribution(spec, element="t", file="x.json")
    assert type(got) is type(expected)
    assert got.params() == pytest.approx(expected.params(), rel=1e-6)


def test_truncation_moves_the_mean_and_is_noted() -> None:
    notes: list[str] = []
    # pix-framework samples min + Exp(mean - min) and redraws above max
    got = map_distribution({"distribution_name": "expon", "distribution_params": [{"value": 1500}, {"value": 150}, {"value": 1500}]},
                           element="task a", file="x.json", notes=notes)
    rate = 1 / 1350
    span = 1350
    truncated_mean = 150 + 1 / rate - span * math.exp(-rate * span) / (1 - math.exp(-rate * span))
    assert got.mean * 3600 == pytest.approx(truncated_mean, rel=1e-4)
    assert any("truncates expon" in n for n in notes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["task_resource_distribution"][0]["resources"][0].update(distribution_name="exponnorm"),
         'distribution "exponnorm" has no ReformSim equivalent'),
        (lambda d: d["task_resource_distribution"][0]["resources"][0].update(distribution_params=[]),
         "fix needs at least 1 parameter"),
        (lambda d: d["gateway_branching_probabilities"][0]["probabilities"][0].update(path_id="f2"),
         'gateway_branching_probabilities[0].probabilities[0].path_id: "f2" is not an outgoing flow of gateway "split"'),
        (lambda d: d["task_resource_distribution"].pop(1), "fast have no entry in task_resource_distribution"),
        (lambda d: d["resource_profiles"][0]["resource_list"][0].update(calendar="nights"),
         'uses calendar "nights"'),
        (lambda d: d["resource_calendars"][0]["time_periods"][0].update(beginTime="9 am"),
         'expected a time like "09:00:00"'),
        (lambda d: d["resource_profiles"][1]["resource_list"][0].update(amount=0), "amount must be a whole number"),
    ],
)
def test_bad_json_is_a_model_error_naming_the_element(tmp_path: Path, change, message: str) -> None:
    path = _mini_json(tmp_path, change)
    with pytest.raises(ReformSimError) as err:  # ModelError, or ScenarioError with the JSON path
        import_prosimos(DATA / "mini.bpmn", path)
    assert message in str(err.value)
    assert "mini.json" in str(err.value)


def test_unsupported_bpmn_element_names_its_line(tmp_path: Path) -> None:
    text = (DATA / "mini.bpmn").read_text(encoding="utf-8").replace(
        '<task id="fast" name="Fast track"/>', '<subProcess id="fast" name="Fast track"/>')
    bpmn = tmp_path / "sub.bpmn"
    bpmn.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as err:
        import_prosimos(bpmn, DATA / "mini.json")
    assert err.value.element_id == "fast" and err.value.line == 9
    assert "flatten" in str(err.value)


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    text = (DATA / "mini.bpmn").read_text(encoding="utf-8")
    text = text.replace('<?xml version="1.0" encoding="UTF-8"?>',
                        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>')
    text = text.replace('name="Intake"', 'name="&x;"')
    bpmn = tmp_path / "xxe.bpmn"
    bpmn.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as err:  # an external entity in an attribute is refused, never read
        import_prosimos(bpmn, DATA / "mini.json")
    assert "external entity" in str(err.value) and "TOP-SECRET" not in str(err.value)


def test_prosimos_parallel_model() -> None:
    """Our own Prosimos-format model (tests/data/interop/parallel.*): an AND split and join, one pool."""
    process, scenario = import_prosimos(DATA / "parallel.bpmn", DATA / "parallel.json")
    assert len(process.tasks()) == 5
    assert sum(1 for n in process.nodes.values() if n.kind == "parallel") == 2
    (agency,) = scenario["agencies"].values()
    assert agency["staff"] == 6 and agency["hours"] == "09:00-17:00"
    assert scenario["arrivals"]["rate_per_workday"] == pytest.approx(8 * 3600 / 1800)  # fix 1800 s, 8 h a day
    # Prosimos's expon [mean, ..., min, max] in seconds is ReformSim's truncexp in hours
    work = process.nodes["check_tax"].facts.work.dist
    assert type(work).__name__ == "TruncatedExponential" or "truncexp" in repr(work)
    resolve_scenario(process, parse_scenario(scenario))


def test_prosimos_rework_model_with_a_shared_pool() -> None:
    """Our own Prosimos-format model (tests/data/interop/rework.*): a rework loop, two checks sharing two clerks."""
    process, scenario = import_prosimos(DATA / "rework.bpmn", DATA / "rework.json")
    assert len(process.tasks()) == 5
    shares = {f.id: f.share for f in process.flows.values() if f.share is not None}
    assert shares == {"f_ok": pytest.approx(0.75), "f_rework": pytest.approx(0.25)}
    # clerk_1 and clerk_2 serve both checks: one agency of two, not two agencies
    assert process.nodes["check_form"].facts.agency == process.nodes["check_docs"].facts.agency
    staff = {aid: a["staff"] for aid, a in scenario["agencies"].items()}
    assert staff[process.nodes["check_form"].facts.agency] == 2 and sorted(staff.values()) == [1, 1, 2]
    check = process.nodes["check_docs"].facts.work.dist
    assert isinstance(check, Normal) and check.mean == pytest.approx(900 / 3600) and check.sd == pytest.approx(120 / 3600)
    assert process.nodes["ask_more"].facts.work.dist == Fixed(2 / 3600)
    assert scenario["arrivals"]["rate_per_workday"] == pytest.approx(8 * 3600 / 2400)
    resolved = resolve_scenario(process, parse_scenario(copy.deepcopy(scenario)))
    assert resolved.arrivals.rate_per_workday == pytest.approx(scenario["arrivals"]["rate_per_workday"])


def test_per_resource_and_per_weekday_calendars_are_a_known_limit_said_in_staff_hours(tmp_path: Path) -> None:
    # Known limit (README, Limits): an agency is one pool under one pattern for every working day. officer_a works
    # 09:00-17:00 Monday to Thursday and is off on Fridays; officer_b 08:00-12:00 every weekday. Prosimos: 4 days x 8 h
    # + 5 x 4 h = 52 staff-hours a week; imported: the amount-weighted most common pattern for both, every day.
    def change(d):
        d["resource_profiles"][1]["resource_list"][1]["amount"] = 1
        d["resource_calendars"].append({"id": "no_fridays", "name": "no_fridays", "time_periods": [
            {"from": "MONDAY", "to": "THURSDAY", "beginTime": "09:00:00", "endTime": "17:00:00"}]})
        d["resource_profiles"][1]["resource_list"][0]["calendar"] = "no_fridays"
        d["resource_calendars"][1]["time_periods"][0]["to"] = "FRIDAY"  # mornings: Monday to Friday
    process, scenario = import_prosimos(DATA / "mini.bpmn", _mini_json(tmp_path, change))
    office = scenario["agencies"]["back_office"]
    assert office["staff"] == 2 and office["hours"] == "08:00-12:00"  # 5 mornings outweigh 4 full days
    notes = "\n".join(process.notes)
    assert 'agency "back_office": in Prosimos its resources work 52 staff-hours a week Monday to Friday, 40 as imported' in notes
    assert "(-23% capacity)" in notes
