"""Assumption ranges: the written syntax, the three rules, the assumption space of every bundled model,
points of it applied to a run, and ``reformsim list --assumptions``."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from sim.bpmn.loader import load_process
from sim.bpmn.writer import write_bpmn
from sim.cli import main
from sim.engine.runner import prepare_run
from sim.errors import ModelError, ReformSimError, ScenarioError
from sim.model.assumptions import assumptions_of, at_point, unranged
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration
from sim.model.ranges import parse_range
from sim.model.scenario import Scenario, parse_scenario, resolve_scenario
from sim.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "processes").glob("*.bpmn"))
SCENARIOS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p.name != "targets.yaml")


def _chain(*, wait_range: str = "0.05-1 workday | registrar queue, no per-step figure", source: str | None = None,
           extra_defaults: dict[str, str] | None = None) -> Process:
    """A small chain with every kind of ranged number: a step's work and wait, a timer, a branch share,
    staff, arrivals and an attribute mix."""
    review = Node("t_review", "task", "注册官审核", facts=TaskFacts(
        agency="registrar", work=parse_duration("triangular(0.25, 0.5, 1) h"), wait=parse_duration("uniform(0.1, 0.4) workday"),
        source=source or "work, wait: assumption: review of a complete online file", name_en="registrar review",
        extra={"range.wait": wait_range, "range.work": "0.2-2 h | a form check to a full review"}))
    fix = Node("t_fix", "task", "补正", facts=TaskFacts(agency="registrar", work=parse_duration("1 h"),
               source="work: assumption: one correction", extra={"range.work": "0.5-2 h | half to double"}))
    notice = Node("tm_notice", "timer", "公示", timer=parse_duration("5 workday"),
                  facts=TaskFacts(source="wait: seed 二(九)1 公示5个工作日"))
    nodes = [Node("s", "start"), review, Node("g", "exclusive", "是否补正"), fix, notice, Node("e", "end")]
    flows = [Flow("f1", "s", "t_review"), Flow("f2", "t_review", "g"),
             Flow("f_fix", "g", "t_fix", share=0.2, share_source="assumption: one file in five is incomplete",
                  share_range="0.05-0.4 share | incomplete files, no published figure"),
             Flow("f_ok", "g", "tm_notice", share=0.8, share_source="assumption: the rest",
                  share_range="0.6-0.95 | the rest of the files"),
             Flow("f3", "t_fix", "tm_notice"), Flow("f4", "tm_notice", "e")]
    defaults = {"agency.registrar.staff": "4", "arrivals.rate_per_workday": "10",
                "range.agency.registrar.staff": "2-6 staff | one city's window",
                "range.arrivals.rate_per_workday": "5-20 per_workday | half to double",
                "source": "arrivals, staff: assumption: illustrative volume and window", **(extra_defaults or {})}
    return Process.build("p_ranges", "示例", nodes, flows, name_en="Sample", defaults=defaults)


# -- syntax -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("0.05-1 workday | queue", (0.05, 1.0, "workday", "queue", "")),
    ("0.05–1 工作日 | 排队", (0.05, 1.0, "workday", "排队", "")),
    ("1 - 3 days | account opening", (1.0, 3.0, "day", "account opening", "")),
    ("8-16 staff | window | source: HN.survey.2020", (8.0, 16.0, "staff", "window", "HN.survey.2020")),
    ("0.1-0.3 | share of files", (0.1, 0.3, "", "share of files", "")),
])
def test_range_syntax_parses(text: str, expected: tuple) -> None:
    r = parse_range(text)
    assert (r.lo, r.hi, r.unit, r.reason, r.source) == expected
    assert parse_range(str(r)) == r  # the written form reads back


@pytest.mark.parametrize("text, says", [
    ("1 workday | why", "expected a range like"),
    ("3-1 workday | why", "lo <= hi"),
    ("0.1-1 workday", "expected a range like"),
    ("0.1-1 workday | ", "needs a one-line reason"),
    ("0.1-1 fortnight | why", 'unknown unit "fortnight"'),
    ("0.1-1 workday | why | from: x", "source"),
])
def test_range_syntax_refuses(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_range(text)


def test_round_trip_writer_to_loader(tmp_path: Path) -> None:
    path = tmp_path / "p.bpmn"
    write_bpmn(_chain(), path)
    back = assumptions_of(load_process(path))
    built = assumptions_of(_chain())
    assert [(a.id, a.central, a.lo, a.hi, a.unit, a.reason) for a in back] == \
           [(a.id, a.central, a.lo, a.hi, a.unit, a.reason) for a in built]
    ids = [a.id for a in back]
    # the timer cites the plan (sourced, no range): not an assumption; everything else is
    assert ids == ["agency.registrar.staff", "arrivals.rate_per_workday", "f_fix.share", "f_ok.share", "t_fix.work",
                   "t_review.wait", "t_review.work"]
    wait = next(a for a in back if a.id == "t_review.wait")
    assert (wait.central, wait.lo, wait.hi, wait.unit, wait.file) == (0.25, 0.05, 1.0, "workday", str(path))
    assert wait.label() == "注册官审核等待（工作日）" and wait.label("en") == "registrar review wait (working days)"
    assert next(a for a in back if a.id == "agency.registrar.staff").integer


# -- the three rules, in the loader -------------------------------------------------------------------

def _load(tmp_path: Path, process: Process) -> Process:
    path = tmp_path / "broken.bpmn"
    write_bpmn(process, path)
    return load_process(path)


def test_loader_refuses_a_range_without_its_central_value(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        _load(tmp_path, _chain(wait_range="0.5-1 workday | too high"))
    text = str(err.value)
    assert "broken.bpmn" in text and 'id="t_review"' in text and "range.wait" in text
    assert "does not contain the value the model uses (0.25)" in text and "expected lo <= 0.25 <= hi" in text


def test_loader_refuses_a_range_on_a_sourced_number_without_its_own_source(tmp_path: Path) -> None:
    sourced = _chain(source="wait, work: HN.starting_a_business.plan_2020_2021 measured review times")
    with pytest.raises(ModelError) as err:
        _load(tmp_path, sourced)
    text = str(err.value)
    assert 'id="t_review"' in text and "sourced number" in text and "source: <where>" in text
    # with its own source the same range is accepted
    fixed = _chain(source="wait, work: HN.starting_a_business.plan_2020_2021 measured review times",
                   wait_range="0.05-1 workday | the survey's spread | source: HN.starting_a_business.plan_2020_2021")
    fixed = fixed.with_changes(nodes=[replace(n, facts=replace(n.facts, extra={"range.wait": n.facts.extra["range.wait"],
                                                                               "range.work": "0.2-2 h | x | source: y"}))
                                      if n.id == "t_review" else n for n in fixed.nodes.values()])
    assert {a.id for a in assumptions_of(_load(tmp_path, fixed))} >= {"t_review.wait", "t_review.work"}


def test_loader_refuses_an_assumption_without_a_range_in_a_ranged_file(tmp_path: Path) -> None:
    process = _chain()
    fix = process.nodes["t_fix"]
    process = process.with_changes(nodes=[replace(n, facts=replace(fix.facts, extra={})) if n.id == "t_fix" else n
                                          for n in process.nodes.values()])
    with pytest.raises(ModelError) as err:
        _load(tmp_path, process)
    text = str(err.value)
    assert 'id="t_fix"' in text and "is an assumption" in text and "has no range" in text and "range.work" in text


def test_a_file_without_ranges_loads_but_cannot_be_judged_over_ranges(tmp_path: Path) -> None:
    process = _chain()
    bare = process.with_changes(
        nodes=[replace(n, facts=replace(n.facts, extra={})) if n.facts else n for n in process.nodes.values()],
        flows=[replace(f, share_range="") for f in process.flows.values()],
        defaults={k: v for k, v in process.defaults.items() if not k.startswith("range.")})
    loaded = _load(tmp_path, bare)  # runs at its point values, as before ranges existed
    assert {i for i, *_ in unranged(loaded)} >= {"t_review.wait", "t_fix.work", "f_fix.share", "agency.registrar.staff"}
    with pytest.raises(ModelError, match="has no range"):
        assumptions_of(loaded)
    assert main(["list", "--assumptions", str(tmp_path / "broken.bpmn")]) == 2


def test_a_range_property_that_ranges_nothing_is_refused(tmp_path: Path) -> None:
    process = _chain(extra_defaults={"range.agency.registar.staff": "1-3 staff | typo"})
    with pytest.raises(ModelError, match='ranges no number of the process.*did you mean "agency.registrar.staff"'):
        _load(tmp_path, process)


# -- the three rules, in the scenario parser --------------------------------------------------------

def test_scenario_refuses_an_assumed_number_without_a_range() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"agencies": {"registrar": {"staff": 6, "source": "assumption: two more"}},
                        "ranges": {"arrivals.rate_per_workday": "5-20 per_workday | x"}}, file="s.yaml")
    assert err.value.problems[0][0] == "agencies.registrar.staff"
    assert "has no range" in err.value.problems[0][1] and "ranges.agency.registrar.staff" in err.value.problems[0][1]


def test_scenario_refuses_a_range_without_its_value() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"agencies": {"registrar": {"staff": 6, "source": "assumption: two more"}},
                        "ranges": {"agency.registrar.staff": "7-9 staff | more"}}, file="s.yaml")
    path, what = err.value.problems[0]
    assert path == "ranges.agency.registrar.staff" and "does not contain the value the model uses (6)" in what
    assert str(err.value).startswith("s.yaml: ranges.agency.registrar.staff:")


def test_scenario_refuses_a_range_on_a_sourced_number_without_a_source() -> None:
    data = {"arrivals": {"rate_per_workday": 30, "source": "HN.starting_a_business.plan_2020_2021 daily registrations"},
            "ranges": {"arrivals.rate_per_workday": "20-40 per_workday | spread over the year"}}
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, file="s.yaml")
    assert err.value.problems[0][0] == "ranges.arrivals.rate_per_workday" and "needs its own source" in err.value.problems[0][1]
    data["ranges"]["arrivals.rate_per_workday"] += " | source: HN.starting_a_business.plan_2020_2021"
    assert parse_scenario(data).ranges["arrivals.rate_per_workday"].endswith("plan_2020_2021")


def test_scenario_ranges_override_and_unknown_ids_are_named() -> None:
    process = _chain()
    sc = parse_scenario({"ranges": {"t_review.wait": "0.2-0.6 workday | a measured queue | source: x"}})
    wait = next(a for a in assumptions_of(process, sc) if a.id == "t_review.wait")
    assert (wait.lo, wait.hi, wait.origin, wait.path) == (0.2, 0.6, "scenario", "ranges.t_review.wait")
    with pytest.raises(ScenarioError, match='ranges.t_reviw.wait: no number.*did you mean "t_review.wait"'):
        assumptions_of(process, parse_scenario({"ranges": {"t_reviw.wait": "0.2-0.6 workday | x"}}))


# -- points of the space ----------------------------------------------------------------------------

def test_at_point_sets_the_mean_wait_and_keeps_the_shape() -> None:
    process = _chain()
    q, sc = at_point(process, Scenario(), {"t_review.wait": 0.5})
    assert q.nodes["t_review"].facts.wait == parse_duration("uniform(0.2, 0.8) workday")
    assert q.nodes["t_review"].facts.work == process.nodes["t_review"].facts.work  # only the named number moved
    assert q.nodes["t_fix"].facts == process.nodes["t_fix"].facts and sc.routing == {}


def test_at_point_sets_staff_and_scales_demand() -> None:
    process = _chain()
    q, sc = at_point(process, Scenario(), {"agency.registrar.staff": 7, "arrivals.rate_per_workday": 25})
    resolved = resolve_scenario(q, sc)
    assert resolved.agencies["registrar"].staff == 7
    assert resolved.arrivals.rate_per_workday == pytest.approx(25)
    assert q.nodes["t_review"].facts == process.nodes["t_review"].facts


def test_at_point_share_moves_the_siblings() -> None:
    _, sc = at_point(_chain(), Scenario(), {"f_fix.share": 0.3})
    assert sc.routing["f_fix"] == pytest.approx(0.3) and sc.routing["f_ok"] == pytest.approx(0.7)


def test_at_point_holds_default_sized_staff_when_demand_moves() -> None:
    process = _chain()
    unsized = process.with_changes(defaults={k: v for k, v in process.defaults.items() if "staff" not in k})
    central = resolve_scenario(unsized, Scenario()).agencies["registrar"].staff
    staff = next(a for a in assumptions_of(unsized, Scenario()) if a.id == "agency.registrar.staff")
    assert staff.origin == "default" and staff.central == central and staff.lo <= central <= staff.hi
    q, sc = at_point(unsized, Scenario(), {"arrivals.rate_per_workday": 20})
    assert resolve_scenario(q, sc).agencies["registrar"].staff == central


def test_at_point_refuses_unknown_ids_with_did_you_mean() -> None:
    with pytest.raises(ReformSimError, match='t_reveiw.wait.*did you mean "t_review.wait"'):
        at_point(_chain(), Scenario(), {"t_reveiw.wait": 0.3})
    with pytest.raises(ScenarioError, match="expected a value > 0"):
        at_point(_chain(), Scenario(), {"t_review.wait": 0})


# -- every bundled model ------------------------------------------------------------------------------

TARGET_ID = re.compile(r"\bT\d{2}\b")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_assumption_of_every_bundled_model_has_a_range(path: Path) -> None:
    process = load_process(path)
    assert unranged(process) == []  # a new assumption without a range fails here (and in the loader)
    found = assumptions_of(process)
    assert found and [a.id for a in found] == sorted(a.id for a in found)
    for a in found:
        assert a.lo <= a.central <= a.hi and a.reason.strip(), a.id
        # no range cites a target: the ranges are inputs, the targets what they are judged against
        assert not TARGET_ID.search(a.reason + a.source), a.id


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_bundled_scenario_has_its_assumption_space(path: Path) -> None:
    scenario = load_scenario(path)
    process = load_process(scenario.process)
    found = {a.id: a for a in assumptions_of(process, scenario)}  # the run's numbers: edits applied first
    assert "arrivals.rate_per_workday" in found
    assert all(a.lo <= a.central <= a.hi for a in found.values())
    # the corner of the space where every number is at its upper bound is a run the runner accepts
    q, sc = at_point(process, scenario, {i: a.hi for i, a in found.items()})
    run = prepare_run(q, sc)
    assert run.scenario.arrivals.rate_per_workday == pytest.approx(found["arrivals.rate_per_workday"].hi)


def test_what_if_levers_move_the_ranges_with_them() -> None:
    def space(name: str) -> dict:
        scenario = load_scenario(ROOT / "scenarios" / name)
        return {a.id: a for a in assumptions_of(load_process(scenario.process), scenario)}

    base, plus2, surge = space("company_setup_2021.yaml"), space("whatif_registrar_plus2.yaml"), space("whatif_demand_surge_x2.yaml")
    staff = "agency.market_regulation.staff"
    assert (plus2[staff].central, plus2[staff].lo, plus2[staff].hi) == (base[staff].central + 2, base[staff].lo + 2, base[staff].hi + 2)
    rate = "arrivals.rate_per_workday"
    assert (surge[rate].central, surge[rate].lo, surge[rate].hi) == (2 * base[rate].central, 2 * base[rate].lo, 2 * base[rate].hi)
    # 告知承诺 shortens the drawing review: its range is scaled with it; the inspection the edit adds is ranged by the scenario
    commit = space("whatif_commitment_drawing_review.yaml")
    before = space("construction_lowrisk_2021.yaml")["t_drawing_review.work"]
    after = commit["t_drawing_review.work"]
    assert after.central < before.central and after.lo / after.central == pytest.approx(before.lo / before.central)
    assert commit["f_g_inspect_t_drawing_review_t_inspect_t_drawing_review.share"].central == pytest.approx(0.1)


# -- the command -------------------------------------------------------------------------------------

def test_list_assumptions_prints_every_one_per_chain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--assumptions", "company_setup", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# company_setup\n## company_setup_2018_baseline.bpmn")
    line = next(x for x in out.splitlines() if x.startswith("t_register.wait\t") and "one network" in x)  # the 2021 file's
    assert line.split("\t")[2:5] == ["1.76", "0.714–3.33", "day"]
    assert "one-network cut" in line
    assert main(["list", "--assumptions", "company_setup"]) == 0
    assert "设立登记（一网通办，名称自主申报）等待（日历天）" in capsys.readouterr().out


def test_list_assumptions_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--assumptions", str(ROOT / "processes" / "construction_lowrisk_2021.bpmn"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["chain"] for r in rows} == {"construction_lowrisk_2021"}
    assert all(r["lo"] <= r["central"] <= r["hi"] and r["reason"] for r in rows)
    assert len(rows) == len(assumptions_of(load_process(ROOT / "processes" / "construction_lowrisk_2021.bpmn")))


def test_list_assumptions_unknown_chain_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--assumptions", "company_setp"]) == 2
    assert 'did you mean "company_setup"' in capsys.readouterr().err


def test_list_assumptions_of_a_scenario_counts_its_edits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--assumptions", str(ROOT / "scenarios" / "whatif_commitment_drawing_review.yaml"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    share = next(x for x in out.splitlines() if x.startswith("f_g_inspect_t_drawing_review_t_inspect_t_drawing_review.share\t"))
    assert share.split("\t")[2:5] == ["0.1", "0.05–0.3", "share"]


def test_scenario_range_syntax_errors_name_their_path() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"ranges": {"t_register.wait": "about a day"}}, file="s.yaml")
    assert err.value.problems[0][0] == "ranges.t_register.wait" and "expected a range like" in err.value.problems[0][1]
