"""全省 targets judged in every 市县: the bundled list, each 市县's demand and staff, the weakest decides, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.targets
from sim import sources
from sim.analysis.assess import NOT_REACHABLE, assess
from sim.analysis.cities import CITIES_FILE, City, load_cities, staff_for
from sim.cli import main
from sim.engine.runner import prepare_run
from sim.errors import ScenarioError

ROOT = Path(__file__).parents[1]
SETUP = ROOT / "processes" / "company_setup_2021.bpmn"


def test_the_bundled_list_is_hainans_19_and_adds_up_to_the_census_total() -> None:
    cs = load_cities()
    total = sources.resolve(cs.source)
    assert total is not None and total["grade"] == "measured"
    assert len(cs.cities) == 19 and sum(c.residents for c in cs.cities) == total["value"]
    assert cs.reference.name == "海口市" and len({c.name for c in cs.cities}) == 19


def test_a_city_gets_the_windows_rate_times_its_residents_share_and_staff_rounded_up() -> None:
    cs = load_cities()
    run = prepare_run(SETUP)
    from sim.analysis.cities import city_scenario

    sanya = city_scenario(run, cs, cs.by_id["sanya"])
    k = 1031396 / 2873358
    assert sanya.arrivals.rate_per_workday == pytest.approx(run.scenario.arrivals.rate_per_workday * k)
    for aid, spec in run.scenario.agencies.items():
        assert sanya.agencies[aid].staff == max(1, -(-spec.staff * k // 1))  # ceil, at least one
    haikou = city_scenario(run, cs, cs.reference)
    assert {a: s.staff for a, s in haikou.agencies.items()} == {a: s.staff for a, s in run.scenario.agencies.items()}
    assert staff_for(3, 0.01) == 1 and staff_for(10, 0.5) == 5 and staff_for(10, 0.51) == 6


def test_a_citys_own_demand_and_staff_override_the_rules() -> None:
    cs = load_cities()
    run = prepare_run(SETUP)
    from dataclasses import replace
    from types import MappingProxyType

    from sim.analysis.cities import city_scenario

    city = replace(cs.by_id["sanya"], demand=2.0, staff=MappingProxyType({"market_regulation": 1}))
    cs2 = replace(cs, cities=tuple(city if c.id == "sanya" else c for c in cs.cities))
    sc = city_scenario(run, cs2, city)
    assert sc.agencies["market_regulation"].staff == 1
    assert sc.arrivals.rate_per_workday == pytest.approx(run.scenario.arrivals.rate_per_workday * 2 * 1031396 / 2873358)


def _register(tmp_path: Path, process: Path = SETUP) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(f"""targets:
  - id: T03
    clause: 二(一)1
    chain: company_setup
    metric: whole setup, province-wide
    unit: 工作日
    max: 1
    scope: 全省
    test: {{process: {process}, metric: case_workdays}}
""", encoding="utf-8")
    return path


def _premise(tmp_path: Path) -> Path:
    """The register on the staffing premise (tests/conftest.py): a window that reaches T03, so a starved county can fail it."""
    from conftest import write_premise_bpmn

    (tmp_path / "premise").mkdir()
    return _register(tmp_path, write_premise_bpmn(tmp_path / "premise"))


def _cities(tmp_path: Path, tiny: str) -> Path:
    path = tmp_path / "cities.yaml"
    path.write_text(f"""source: CN.hainan.census2020.residents
reference: big
cities:
  - {{id: big, name: 大市, name_en: Big, residents: 1000000}}
  - {{id: tiny, name: 小县, name_en: Tiny, residents: 100000{tiny}}}
""", encoding="utf-8")
    return path


def test_a_province_wide_target_fails_where_one_county_fails(tmp_path: Path) -> None:
    reg = sim.targets.load_register(_premise(tmp_path), root=tmp_path, expected_ids=("T03",))
    fine = assess(reg, replications=3, cases=120, cities=load_cities(_cities(tmp_path, "")))
    (row,) = fine.rows
    assert row.verdict != NOT_REACHABLE and len(row.cities) == 2 and {c["verdict"] for c in row.cities} != {NOT_REACHABLE}
    # The small county's one registrar gets the big city's demand: its queue grows and it misses the day.
    starved = load_cities(_cities(tmp_path, ", demand: 10, staff: {market_regulation: 1, tax: 1}"))
    bad = assess(reg, replications=3, cases=120, cities=starved)
    (row2,) = bad.rows
    assert row2.verdict == NOT_REACHABLE and row2.cities[0]["city"] == "tiny"
    assert row2.cities[0]["staff"]["market_regulation"] == 1 and "小县" in row2.reason["zh"]
    assert "Tiny" in row2.reason["en"] and "window" in row2.note  # the window's own verdict stays visible


@pytest.mark.parametrize("text, where", [
    ("source: x\nreference: haikuo\ncities:\n  - {id: haikou, name: 海口市, name_en: Haikou, residents: 10}\n",
     "reference: expected the id of the 市县 whose window the models describe (did you mean"),
    ("source: x\nreference: a\ncities:\n  - {id: a, name: 甲, residents: -3}\n", "cities[0] (a).residents: expected a whole number"),
    ("source: x\nreference: a\ncities:\n  - {id: a, name: 甲, residents: 3, staf: {}}\n", "cities[0].staf: unknown key (did you mean"),
    ("source: x\nreference: a\ncities:\n  - {id: a, name: 甲, residents: 3, demand: 0}\n", "cities[0] (a).demand: expected a factor"),
    ("reference: a\ncities: []\n", "source: expected where the residents figures come from"),
])
def test_a_bad_cities_file_is_located(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_cities(path)
    assert str(path) in str(err.value) and where in str(err.value)


def test_staff_for_an_agency_the_chain_does_not_use_names_the_entry(tmp_path: Path) -> None:
    path = _cities(tmp_path, ", staff: {grid: 2}")
    reg = sim.targets.load_register(_register(tmp_path), root=ROOT, expected_ids=("T03",))
    with pytest.raises(ScenarioError, match=r"cities\[1\] \(tiny\)\.staff\.grid: no step"):
        assess(reg, replications=2, cases=30, cities=load_cities(path))


def test_the_cli_refuses_a_bad_cities_file_with_exit_2_before_simulating(tmp_path: Path, capsys) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("source: x\nreference: nowhere\ncities: []\n", encoding="utf-8")
    assert main(["assess", "--cities", str(path), "--no-report", "--quick"]) == 2
    assert str(path) in capsys.readouterr().err


def test_scope_is_only_for_a_simulated_case_metric(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(f"""targets:
  - id: T03
    clause: 二(一)1
    chain: company_setup
    metric: whole setup
    unit: count
    max: 7
    scope: 全省
    test: {{process: {SETUP}, metric: procedures}}
""", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scope: a province-wide check is judged per 市县"):
        sim.targets.load_register(path, root=ROOT, expected_ids=("T03",))


def test_the_register_judges_t03_province_wide() -> None:
    reg = sim.targets.load_register(ROOT / "scenarios" / "targets.yaml")
    (c,) = next(t for t in reg.targets if t.id == "T03").checks
    assert c.scope == "全省" and CITIES_FILE.exists() and isinstance(load_cities().cities[0], City)


def test_the_report_shows_every_county_weakest_first(tmp_path: Path) -> None:
    from sim.report.html import write_report

    reg = sim.targets.load_register(_premise(tmp_path), root=tmp_path, expected_ids=("T03",))
    a = assess(reg, replications=2, cases=60, cities=load_cities(_cities(tmp_path, ", demand: 10, staff: {market_regulation: 1}")))
    page = write_report(a, [], tmp_path / "out", lang="zh", diagrams=False).read_text(encoding="utf-8")
    assert "全省目标：各市县" in page and page.index("小县") < page.index("大市")
    assert (tmp_path / "out" / "cities.csv").read_text(encoding="utf-8").count("T03") == 2


def test_the_reference_county_is_the_windows_own_run() -> None:
    # Not simulated twice: without overrides the reference 市县 has the window's demand, staff and random numbers.
    from sim.analysis.assess import share_meeting
    from sim.analysis.cities import judge_cities
    from sim.engine.executors import EXPLORING
    from sim.targets import Threshold

    th = Threshold("max", None, 1.0)
    window = sim.simulate(SETUP, None, cases=80, replications=3, seed=7, executor=EXPLORING)
    alone = judge_cities(SETUP, None, "workdays", th, 0.95, cases=80, replications=3, seed=7)
    reused = judge_cities(SETUP, None, "workdays", th, 0.95, cases=80, replications=3, seed=7, window=window)
    ref = next(v for v in alone if v.city.id == "haikou")
    assert (ref.share, ref.lo, ref.hi) == share_meeting(window, "workdays", th)
    assert [v.as_dict() for v in alone] == [v.as_dict() for v in reused]
