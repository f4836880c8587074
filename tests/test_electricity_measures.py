"""The 2021 electricity models as the DB2018 baseline plus their measures files (processes/measures/electricity_*.yaml).

What each test would catch: a measure or case item that changes nothing (or a change no item made), a class
scaling factor that no longer matches the statutory limits it cites, a plan's promised limit turned into the
simulated wait, and a variant that takes longer than the case it was derived from.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import sim
from sim.model.measures import load_measures, measure_diff
from sim.model.process import Process
from sim.sources import entries

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ROOT / "processes" / "measures"
MODELS = ("electricity_lv_residential_2021", "electricity_lv_nonres_no_external_2021", "electricity_lv_nonres_external_simple_2021",
          "electricity_lv_nonres_external_permit_2021", "electricity_hv_single_2021")
LIMITS = "CN.rule.electricity.supervision_2009"


@pytest.fixture(scope="module")
def builder():
    sys.path.insert(0, str(ROOT / "processes" / "_src"))
    try:
        import electricity
    finally:
        sys.path.remove(str(ROOT / "processes" / "_src"))
    return electricity


def baseline_of(builder, model: str) -> Process:
    m = load_measures(MEASURES / f"{model}.yaml")
    return builder.build_2018_baseline() if m.baseline == builder.BASELINE else builder.build_2021(m.baseline)


@pytest.mark.parametrize("model", MODELS)
def test_every_item_changes_the_model_and_every_change_has_an_item(builder, model: str) -> None:
    m = load_measures(MEASURES / f"{model}.yaml")
    base = baseline_of(builder, model)
    diff = measure_diff(base, m)
    assert [c.measure.id for c in diff] == [x.id for x in m.measures]
    for c in diff:
        assert c.changes, f"{model}: {c.measure.id} changes nothing"
        assert (c.measure.kind == "case") == (c.measure.clause == ""), c.measure.id
        assert c.measure.kind == "case" or c.measure.clause.startswith("二(三)"), c.measure.id  # 获得电力 is clause 二(三)
    built = builder.build_2021(model)
    attributed = {e for c in diff for e in c.elements}
    for nid in set(base.nodes) | set(built.nodes):
        a, b = base.nodes.get(nid), built.nodes.get(nid)
        if a is None or b is None or a.facts != b.facts or a.name != b.name:
            assert nid in attributed, f"{model}: {nid} differs from {m.baseline} but no item of the file changed it"


def _factor(model: str, measure: str, step: str) -> float:
    raw = load_measures(MEASURES / f"{model}.yaml")
    item = next(x for x in raw.measures if x.id == measure)
    return next(e.factor for e in item.edits if e.verb == "scale" and e.step == step)


def test_class_factors_are_the_ratios_of_the_statutory_limits_they_cite() -> None:
    v = {k[len(LIMITS) + 1:]: e["value"] for k, e in entries().items() if k.startswith(LIMITS)}
    hv_plan, hv_rest = v["supply_plan_days.high_voltage_single"], v["completion_check_days.high_voltage"] + v["connection_days.high_voltage"]
    nonres = "electricity_lv_nonres_external_permit_2021"
    assert _factor(nonres, "low_voltage", "t_survey") == pytest.approx(v["supply_plan_days.low_voltage"] / hv_plan)
    assert _factor(nonres, "low_voltage", "t_inspect_connect") == pytest.approx(
        (v["completion_check_days.low_voltage"] + v["connection_days.low_voltage"]) / hv_rest, abs=1e-3)
    home = "electricity_lv_residential_2021"
    assert _factor(home, "residential", "t_survey") == pytest.approx(v["supply_plan_days.residential"] / hv_plan)
    assert _factor(home, "residential", "t_inspect_connect") == pytest.approx(
        (v["completion_check_days.low_voltage"] + v["connection_days.residential"]) / hv_rest, abs=1e-3)


def test_the_road_permits_promised_limit_is_a_design_fact_not_its_simulated_wait() -> None:
    # 二(三)2(3) promises 8 working days; the wait comes from the green channel's and 容缺受理's own (assumed) effects
    p = sim.load_process(ROOT / "processes" / "electricity_lv_nonres_external_permit_2021.bpmn")
    facts = p.nodes["t_highway_permit"].facts
    assert (facts.statutory_limit.mean, facts.statutory_limit.unit) == (8, "workday")
    assert facts.wait.unit == "workday" and facts.wait.dist.sample(1.0) > 8  # not capped at the promise
    assert not any(e.verb == "green_channel" for f in MEASURES.glob("electricity_*.yaml") for x in load_measures(f).measures
                   for e in x.edits)


def test_each_variant_is_faster_than_what_it_is_derived_from_and_slower_with_more_works(builder) -> None:
    mean = {}
    for model in (builder.BASELINE, *MODELS):
        p = builder.build_2018_baseline() if model == builder.BASELINE else builder.build_2021(model)
        mean[model] = sim.simulate(p, cases=60, replications=2, seed=3).kpi("db_days").mean
    for model in MODELS:
        m = load_measures(MEASURES / f"{model}.yaml")
        if m.baseline == builder.BASELINE:
            assert mean[model] < mean[builder.BASELINE], model
    lv = [mean[f"electricity_lv_nonres_{k}_2021"] for k in ("no_external", "external_simple", "external_permit")]
    assert lv == sorted(lv)  # external works, then a permit before them, only add time
