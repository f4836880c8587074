"""The measures-file machinery (sim.model.measures) on a small chain: loading with located errors, building,
and the attribution of every change to the measure that made it. The bundled models are tested in
tests/test_measures.py."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from sim.errors import ScenarioError
from sim.model.measures import MEASURES_PROPERTY, build_from_measures, load_measures, measure_diff, parse_measures
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration


def base() -> Process:
    wd = parse_duration
    return Process.build("demo_baseline", "示例基线", [
        Node("s", "start"),
        Node("t_name", "task", "名称核准", facts=TaskFacts(agency="amr", procedure=True, documents=1, work=wd("0.5 h"),
                                                          wait=wd("1 day"), step_kind="permit", source="wait: assumption: x")),
        Node("t_register", "task", "设立登记", facts=TaskFacts(agency="amr", procedure=True, documents=5, work=wd("1 h"),
                                                            wait=wd("3 day"), step_kind="registration")),
        Node("t_seal", "task", "刻章", facts=TaskFacts(agency="police", procedure=True, documents=2, fee=400.0, work=wd("0.5 h"),
                                                     wait=wd("2 day"), step_kind="service")),
        Node("e", "end")],
        [Flow("f1", "s", "t_name"), Flow("f2", "t_name", "t_register"), Flow("f3", "t_register", "t_seal"), Flow("f4", "t_seal", "e")],
        defaults={"agency.amr.staff": "4", "agency.police.staff": "2", "arrivals.rate_per_workday": "10", "source": "demo baseline"})


GOOD = {
    "model": "demo_2021", "baseline": "demo_baseline", "name": "示例（2021）", "name_en": "Demo 2021", "clause": "二(一)",
    "source": "the baseline's staff, hours and demand are kept",
    "measures": [
        {"id": "one_window", "clause": "二(一)2(1)", "label": {"zh": "一网通办", "en": "one network"}, "text": "深化企业开办一网通办",
         "edits": [{"merge": ["t_name", "t_register"], "name": "设立登记", "wait": "max", "source": "名称与登记一并办理"},
                   {"online": "t_name", "work_factor": 0.6, "source": "assumption: online forms, 0.6 of the clerk's work (0.4-0.9)"}],
         "ranges": {"t_name.work": "0.5-1.5 h | assumption: online form review"}},
        {"id": "free_seal", "clause": "二(一)2(3)", "label": {"zh": "免费刻章", "en": "free seal"}, "text": "免费刻印章",
         "edits": [{"set": "t_seal", "fee": 0, "source": "免费刻印章"}]},
        {"id": "e_licence", "clause": "二(一)2(4)", "label": {"zh": "电子营业执照", "en": "e-licence"}, "text": "同步免费发放电子营业执照",
         "edits": [{"add": "t_e_licence", "after": "t_name", "name": "发放电子营业执照", "agency": "amr", "kind": "service",
                    "online": True, "source": "同步发放"}]},
        {"id": "limit", "clause": "二(一)1", "label": {"zh": "注册官审核0.5天", "en": "registrar 0.5 day"}, "text": "注册官审核时间至0.5天",
         "edits": [{"set": "t_name", "statutory_limit": "0.5 workday", "source": "a promised limit: a design check"}]},
        {"id": "more_staff", "clause": "二(一)2(2)", "label": {"zh": "增加人员", "en": "more staff"}, "text": "完善工作机制",
         "edits": [{"staff": "amr", "add": 2, "source": "assumption: two registrars moved to the window (range 0-4)"}]},
    ],
}


def write(tmp_path: Path, data: dict, name: str = "demo_2021.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems(tmp_path: Path, data: dict, name: str = "demo_2021.yaml") -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_measures(write(tmp_path, data, name))
    assert str(info.value).startswith(str(tmp_path / name))  # the file is named
    return info.value.problems


def test_a_good_file_builds_the_model_and_every_edit_carries_its_clause(tmp_path):
    m = load_measures(write(tmp_path, GOOD))
    p = build_from_measures(base(), m)
    assert (p.id, p.name, p.name_en) == ("demo_2021", "示例（2021）", "Demo 2021")
    assert "t_register" not in p.nodes and p.nodes["t_name"].facts.online
    assert p.nodes["t_name"].facts.wait == parse_duration("3 day")  # merge: the longest wait, kept whole
    assert p.nodes["t_name"].facts.work.mean == pytest.approx(0.9)  # (0.5 + 1) h x 0.6
    assert p.successors("t_name") == ["t_e_licence"] and p.successors("t_e_licence") == ["t_seal"]
    assert p.nodes["t_seal"].facts.fee == 0 and "(二(一)2(3): 免费刻印章)" in p.nodes["t_seal"].facts.source
    assert p.nodes["t_name"].facts.extra["range.work"] == "0.5-1.5 h | assumption: online form review"
    assert p.defaults["agency.amr.staff"] == "6" and p.defaults["agency.police.staff"] == "2"  # staff: only where a measure says
    assert p.defaults[MEASURES_PROPERTY] == "measures/demo_2021.yaml" and p.defaults["source"].startswith("demo baseline; ")
    assert base().nodes["t_register"]  # the baseline is not changed


def test_each_measure_is_credited_with_what_it_changed(tmp_path):
    m = load_measures(write(tmp_path, GOOD))
    diff = {c.measure.id: c for c in measure_diff(base(), m)}
    assert set(diff) == {x["id"] for x in GOOD["measures"]}
    assert {"t_name", "t_register", "f2", "f3"} <= set(diff["one_window"].elements)
    assert diff["free_seal"].elements == ("t_seal",) and "fee 400.0 -> 0.0" in diff["free_seal"].changes[0]
    assert "t_e_licence" in diff["e_licence"].elements and "t_seal" not in diff["e_licence"].elements
    assert diff["limit"].elements == ("t_name",)
    assert diff["more_staff"].elements == ("agency.amr",)
    built = build_from_measures(base(), m)
    touched = {e for c in diff.values() for e in c.elements}
    b = base()
    changed = {n for n in set(b.nodes) | set(built.nodes) if b.nodes.get(n) != built.nodes.get(n)}
    assert changed <= touched  # nothing changed that no measure changed


def test_the_same_file_builds_the_same_model(tmp_path):
    m = load_measures(write(tmp_path, GOOD))
    assert build_from_measures(base(), m) == build_from_measures(base(), m)


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d.pop("baseline"), "baseline", "required"),
    (lambda d: d.update(clauses="二(一)"), "clauses", 'did you mean "clause"'),
    (lambda d: d.update(clause="2(1)"), "clause", "expected a clause of the plan"),
    (lambda d: d["measures"][0].update(clause="第一条"), "measures[0].clause", "expected a clause of the plan"),
    (lambda d: d["measures"][1].update(id="one_window"), "measures[1].id", "unique"),
    (lambda d: d["measures"][0].update(lable={"zh": "x", "en": "x"}), "measures[0].lable", 'did you mean "label"'),
    (lambda d: d["measures"][0].update(label={"zh": "只有中文"}), "measures[0].label", "expected {zh"),
    (lambda d: d["measures"][0].update(text=""), "measures[0].text", "the plan's words"),
    (lambda d: d["measures"][0]["edits"][0].pop("source"), "measures[0].edits[0].source", "required in a measures file"),
    (lambda d: d["measures"][0]["edits"][0].update(nmae="x"), "measures[0].edits[0].nmae", 'did you mean "name"'),
    (lambda d: d["measures"][0]["edits"][1].update(work_factor=-1), "measures[0].edits[1].work_factor", "expected a number > 0"),
    (lambda d: d["measures"][1]["edits"][0].update(wait="0.5 workday"), "measures[1].edits[0].wait", "does not state a simulated wait"),
    (lambda d: d["measures"][1]["edits"][0].update(source="assumption: chosen so the whole fits T01"), "measures[1].edits[0].source",
     "cites a target"),
    (lambda d: d["measures"][0].update(ranges={"t_name.work": "about 1 h"}), "measures[0].ranges.t_name.work", "expected a range"),
    (lambda d: d["measures"][2]["edits"][0].update(before="t_seal"), "measures[2].edits[0]", "exactly one of after"),
    (lambda d: d["measures"][2].update(kind="case"), "measures[2].clause", "leave clause empty"),
    (lambda d: d.update(measures=[]), "measures", "non-empty list"),
])
def test_each_problem_is_reported_at_its_yaml_path(tmp_path, mutate, path, words):
    data = copy.deepcopy(GOOD)
    mutate(data)
    found = problems(tmp_path, data)
    assert any(p == path and words in what for p, what in found), found


def test_all_problems_are_reported_together(tmp_path):
    data = copy.deepcopy(GOOD)
    data.pop("name")
    data["measures"][0]["edits"][0].pop("source")
    data["measures"][1]["clause"] = "x"
    assert [p for p, _ in problems(tmp_path, data)] == ["name", "measures[0].edits[0].source", "measures[1].clause"]


def test_the_file_is_named_by_its_model(tmp_path):
    assert problems(tmp_path, GOOD, name="other.yaml")[0][0] == "model"


def test_an_edit_that_does_not_fit_the_baseline_names_its_measure_and_edit(tmp_path):
    data = copy.deepcopy(GOOD)
    data["measures"][1]["edits"][0]["set"] = "t_sael"
    m = load_measures(write(tmp_path, data))
    with pytest.raises(ScenarioError) as info:
        build_from_measures(base(), m)
    (where, what), = info.value.problems
    assert where == "measures[1].edits[0].set" and 'did you mean "t_seal"' in what
    assert str(info.value).startswith(str(tmp_path / "demo_2021.yaml"))


def test_a_lever_the_rules_forbid_is_refused_in_a_measures_file_too(tmp_path):
    data = copy.deepcopy(GOOD)
    data["measures"][1]["edits"] = [{"commitment": "t_seal", "source": "告知承诺"}]  # a seal maker's service is no approval
    with pytest.raises(ScenarioError, match=r"measures\[1\]\.edits\[0\]\.commitment: lever commitment is not allowed"):
        build_from_measures(base(), load_measures(write(tmp_path, data)))


def test_a_range_for_a_number_the_model_lacks_is_located(tmp_path):
    data = copy.deepcopy(GOOD)
    data["measures"][0]["ranges"] = {"t_nmae.work": "0.5-1.5 h | why"}
    with pytest.raises(ScenarioError, match=r"measures\[0\]\.ranges\.t_nmae\.work: no number"):
        build_from_measures(base(), load_measures(write(tmp_path, data)))


def test_the_wrong_baseline_is_refused(tmp_path):
    other = base().with_changes(id="other")
    with pytest.raises(ScenarioError, match='baseline: the measures start from "demo_baseline" but were given process "other"'):
        build_from_measures(other, load_measures(write(tmp_path, GOOD)))


def test_a_case_item_needs_no_clause_and_its_trail_says_case():
    data = copy.deepcopy(GOOD)
    data["measures"].append({"id": "no_works", "kind": "case", "label": {"zh": "无外线工程", "en": "no external works"},
                             "edits": [{"remove": "t_name", "override_rule": "test", "source": "the regulation's class"}]})
    m = parse_measures(data)
    assert m.measures[-1].edits[0].source == "case: the regulation's class"


def test_bad_yaml_and_a_missing_file_are_located(tmp_path):
    bad = tmp_path / "demo_2021.yaml"
    bad.write_text("model: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_measures(bad)
    with pytest.raises(ScenarioError):
        load_measures(tmp_path / "missing.yaml")


def test_a_built_model_keeps_the_grades_of_the_baselines_process_numbers():
    """The measures file's own words come after the baseline's: the grade of arrivals, staff and hours (read from how
    their attribution starts) stays the baseline's instead of becoming whatever the file's prose looks like."""
    from sim.model.attribution import attributions, grade

    b = base()
    b = b.with_changes(defaults={**b.defaults, "source": "assumption: illustrative volume and staff"})
    m = parse_measures({**GOOD, "source": "a published plan, DB2020 kept"})
    built = build_from_measures(b, m)
    for field in ("arrivals", "staff", "hours"):
        before, after = attributions(b.defaults["source"]), attributions(built.defaults["source"])
        assert grade(after.get(field) or after[""]) == grade(before.get(field) or before[""]) == "assumption", field


def test_an_attribute_measure_sets_the_share_and_its_source_and_the_diff_names_it(tmp_path):
    p = Process.build("demo_baseline", "示例基线", [
        Node("s", "start"), Node("g", "exclusive"),
        Node("t_fix", "task", "整改", facts=TaskFacts(agency="amr", wait=parse_duration("2 day"), step_kind="works")),
        Node("m", "exclusive"), Node("e", "end")],
        [Flow("f1", "s", "g"), Flow("f2", "g", "t_fix", condition="is_rejected"), Flow("f3", "g", "m"), Flow("f4", "t_fix", "m"),
         Flow("f5", "m", "e")],
        defaults={"attribute.is_rejected": "0.15", "source": "attribute.is_rejected: assumption: no published rate"})
    data = {**GOOD, "measures": [{"id": "precheck", "clause": "二(十二)2(2)", "label": {"zh": "注销预核", "en": "pre-check"},
                                  "text": "提交申请后即完成注销预核",
                                  "edits": [{"attribute": "is_rejected", "p": 0.05, "source": "assumption: two thirds caught (0.02-0.10)"}]}]}
    m = load_measures(write(tmp_path, data))
    built = build_from_measures(p, m)
    from sim.model.attribution import attributions, grade

    assert built.defaults["attribute.is_rejected"] == "0.05" and p.defaults["attribute.is_rejected"] == "0.15"
    said = attributions(built.defaults["source"])["attribute.is_rejected"]
    assert said == "assumption: two thirds caught (0.02-0.10) (二(十二)2(2))" and grade(said) == "assumption"
    (change,) = measure_diff(p, m)
    assert change.elements == ("attribute.is_rejected",) and change.changes == ("attribute.is_rejected: 0.15 -> 0.05",)
    bad = {**data, "measures": [{**data["measures"][0], "edits": [{"attribute": "is_rejectd", "p": 0.05, "source": "assumption: x"}]}]}
    with pytest.raises(ScenarioError, match=r'measures\[0\]\.edits\[0\]\.attribute: no gateway condition .* "is_rejectd" '
                                            r'\(did you mean "is_rejected"\?\)'):
        build_from_measures(p, load_measures(write(tmp_path, bad)))


def test_a_demand_measure_scales_the_baselines_rate_and_needs_one():
    data = copy.deepcopy(GOOD)
    data["measures"][4]["edits"].append({"demand": 1.5, "source": "assumption: more start-ups once it is free (range 1-2)"})
    m = parse_measures(data)
    p = build_from_measures(base(), m)
    assert p.defaults["arrivals.rate_per_workday"] == "15"
    assert "arrivals" in {c.measure.id: c for c in measure_diff(base(), m)}["more_staff"].elements
    no_rate = base().with_changes(defaults={k: v for k, v in base().defaults.items() if k != "arrivals.rate_per_workday"})
    with pytest.raises(ScenarioError, match="states no arrivals.rate_per_workday"):
        build_from_measures(no_rate, m)
