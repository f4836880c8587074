"""Scenario files: extends, growth, validation, and every shipped scenario runs."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.errors import ScenarioError
from sim.model.scenario import parse_scenario, resolve_scenario
from sim.scenarios import load_scenario, load_scenario_mapping
from sim.whatif.distributed import RunSpec, build, run_spec

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data" / "scenarios"
SHIPPED = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p.name != "targets.yaml")


def test_extends_overlays_child_on_parent_and_resolves_paths() -> None:
    s = load_scenario(ROOT / "scenarios" / "whatif_registrar_plus2.yaml")
    assert s.name == "whatif_registrar_plus2"
    assert [(e.verb, e.agency, e.add) for e in s.edits] == [("staff", "market_regulation", 2)]  # relative: +2
    assert s.cases == 500 and s.replications == 20  # from the parent
    assert Path(s.process) == (ROOT / "processes" / "company_setup_2021.bpmn").resolve()


def test_extends_appends_edits_to_the_parents() -> None:
    data = load_scenario_mapping(ROOT / "scenarios" / "whatif_online_filing.yaml")
    assert [list(e)[0] for e in data["edits"]] == ["online"]


def test_extends_cycle_is_refused_with_the_chain() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(DATA / "cycle_a.yaml")
    assert "cycle" in str(err.value) and "cycle_a.yaml → cycle_b.yaml → cycle_a.yaml" in str(err.value)


def test_extends_missing_parent_names_the_path() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(DATA / "missing_parent.yaml")
    assert err.value.problems[0][0] == "extends" and "nowhere.yaml" in str(err.value)


def test_a_child_number_needs_its_own_source() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(DATA / "child_nosource.yaml")
    assert ("agencies.market_regulation.source" in [p for p, _ in err.value.problems])
    assert "child_nosource.yaml" in str(err.value)


def test_all_problems_reported_together_with_paths_and_did_you_mean() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(DATA / "bad_many.yaml")
    paths = [p for p, _ in err.value.problems]
    assert {"casez", "replications", "arrivals.growth", "agencies.market_regulation.staf"} <= set(paths)
    text = str(err.value)
    assert 'did you mean "cases"' in text and 'did you mean "staff"' in text


def test_growth_multiplies_the_process_default_rate_and_says_so() -> None:
    process = sim.load_process(ROOT / "processes" / "company_setup_2021.bpmn")
    base = resolve_scenario(process, parse_scenario({}))
    surge = resolve_scenario(process, parse_scenario({"arrivals": {"growth": 2.0, "source": "assumption: test"}}))
    assert surge.arrivals.rate_per_workday == pytest.approx(2 * base.arrivals.rate_per_workday)
    assert any("×2" in n for n in surge.notes)
    again = resolve_scenario(process, surge)  # resolving twice must not double again
    assert again.arrivals.rate_per_workday == surge.arrivals.rate_per_workday


def test_growth_with_explicit_rate() -> None:
    process = sim.load_process(ROOT / "processes" / "company_setup_2021.bpmn")
    s = resolve_scenario(process, parse_scenario({"arrivals": {"rate_per_workday": 10, "growth": 1.5, "source": "assumption: t"}}))
    assert s.arrivals.rate_per_workday == pytest.approx(15)


def test_growth_needs_a_positive_number() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"arrivals": {"growth": 0, "source": "assumption: t"}})
    assert err.value.problems[0][0] == "arrivals.growth"


def test_enough_shipped_scenarios() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"company_setup_2018_baseline", "company_setup_2021", "construction_lowrisk_2019_baseline",
            "construction_lowrisk_2021"} <= names
    assert len([n for n in names if n.startswith("whatif_")]) >= 5


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_loads_and_runs(path: Path) -> None:
    spec = RunSpec.from_file(path, cases=20, replications=2, seed=1)
    result = run_spec(spec)
    assert len(result.replications) == 2
    assert result.kpi("workdays").count == 40
    assert result.kpi("workdays").mean > 0


def test_whatif_levers_change_the_process() -> None:
    for name, verb_effect in (("whatif_parallel_prepermit", "parallel"), ("whatif_online_filing", "online"),
                              ("whatif_commitment_drawing_review", "commitment"), ("whatif_green_channel_external", "green")):
        process = build(RunSpec.from_file(ROOT / "scenarios" / f"{name}.yaml")).process
        assert any("edit" in n for n in process.notes), name
