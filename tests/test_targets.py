"""The target register: the real one loads complete; each broken fixture fails with its own message."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.targets import EXPECTED_IDS, Threshold, load_register

HERE = Path(__file__).parent
DATA = HERE / "data" / "targets"
REPO = HERE.parent
IDS = ("T01", "T02")


def _problems(name: str) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_register(DATA / name, root=DATA, expected_ids=IDS)
    assert info.value.file == str(DATA / name)
    return info.value.problems


@pytest.fixture(scope="module")
def real():
    return load_register(REPO / "scenarios" / "targets.yaml")


def test_real_register_carries_every_row_of_targets_md(real):
    reg = real
    assert reg.ids() == list(EXPECTED_IDS)
    for target in reg.targets:
        for check in target.checks:
            assert (check.test is None) != (check.not_simulated is None), target.id


def test_real_register_thresholds_match_the_plan(real):
    reg = real
    assert reg["T07"].checks[0].threshold == Threshold("max", None, 18.0)
    assert reg["T26"].checks[0].threshold == Threshold("range", 45.0, 50.0)
    assert reg["T21"].checks[0].test is not None and reg["T21"].checks[0].test.task == "t_major_road"
    assert {c.unit for c in reg["T08"].checks} == {"天", "工作日"}


def test_valid_fixture_loads():
    reg = load_register(DATA / "valid.yaml", root=DATA, expected_ids=IDS)
    check = reg["T01"].checks[0]
    assert check.test is not None and check.test.processes == ("processes/tiny.bpmn",)
    assert check.threshold is not None and check.threshold.met(0.5) and not check.threshold.met(0.6)


@pytest.mark.parametrize("name, where, words", [
    ("missing_id.yaml", "targets", "no entry for T02"),
    ("unknown_unit.yaml", "targets[0] (T01).unit", 'did you mean "hours"'),
    ("bad_range.yaml", "targets[0] (T01).range", "low 50 is above high 45"),
    ("two_thresholds.yaml", "targets[0] (T01)", "exactly one threshold"),
    ("missing_process.yaml", "targets[0] (T01).test.process", 'did you mean "processes/tiny.bpmn"'),
    ("unknown_task.yaml", "targets[0] (T01).test.task", 'did you mean "t_review"'),
    ("test_and_not_simulated.yaml", "targets[0] (T01)", "not both"),
    ("metric_unit_mismatch.yaml", "targets[0] (T01).test.metric", 'measured in hours'),
    ("unknown_metric.yaml", "targets[0] (T01).test.metric", 'did you mean "procedures"'),
    ("duplicate_id.yaml", "targets[1] (T01).id", "appears twice"),
    ("below_baseline_without_baseline.yaml", "targets[0] (T01).test.baseline", "needs the baseline process"),
    ("yes_no_with_max.yaml", "targets[0] (T01).max", "equals: yes"),
    ("task_without_id.yaml", "targets[0] (T01).test.task", "needs the task id"),
    ("not_yaml.yaml", "line 3", "not valid YAML"),
])
def test_each_broken_fixture_names_its_problem(name, where, words):
    problems = _problems(name)
    assert any(path == where and words in message for path, message in problems), problems


def test_all_problems_are_reported_at_once():
    problems = _problems("many_problems.yaml")
    paths = [p for p, _ in problems]
    assert "targets[0] (T01).unit" in paths
    assert "targets[0] (T01).test.process" in paths
    assert "targets[2] (T02).id" in paths
    assert len(problems) >= 3


def test_threshold_below_baseline_needs_the_baseline():
    assert Threshold("below_baseline").met(3, baseline=5)
    assert not Threshold("below_baseline").met(5, baseline=5)
    with pytest.raises(ValueError):
        Threshold("below_baseline").met(3)


def test_local_targets_with_their_own_ids_and_source_load():
    reg = load_register(DATA / "local_targets.yaml", root=DATA, expected_ids=IDS)
    assert reg.ids() == ["T01", "T02", "T31", "HK-01"]
    assert reg["T31"].source.startswith("fixture: a city's") and reg["T01"].source == ""
    check = reg["T31"].checks[0]
    assert check.test is not None and check.threshold == Threshold("max", None, 0.25)


@pytest.mark.parametrize("name, where, words", [
    ("local_without_source.yaml", "targets[2] (HK-01).source", "a local target needs source:"),
    ("bad_local_id.yaml", "targets[2] (T 31).id", "nor a valid local id"),
])
def test_a_local_target_needs_a_valid_id_and_a_source(name, where, words):
    problems = _problems(name)
    assert any(path == where and words in message for path, message in problems), problems


def test_a_typo_points_at_the_row_that_is_really_missing():
    with pytest.raises(ScenarioError) as info:
        load_register(DATA / "typo_id.yaml", root=DATA, expected_ids=("T03", "T30"))
    problems = info.value.problems
    assert problems == [("targets[1] (T3O).id",
                         '"T3O" is not a row of the plan, and the plan\'s row T03 has no entry (did you mean "T03"?)')]


def _copy_project(dest: Path) -> Path:
    """The register and the processes copied into ``dest`` (scenarios/ + processes/, as in the repository)."""
    import shutil

    shutil.copytree(REPO / "processes", dest / "processes", ignore=shutil.ignore_patterns("_src"))
    (dest / "scenarios").mkdir()
    shutil.copy(REPO / "scenarios" / "targets.yaml", dest / "scenarios" / "targets.yaml")
    return dest / "scenarios" / "targets.yaml"


def test_a_copied_register_works_from_another_folder(tmp_path, monkeypatch):
    copy = _copy_project(tmp_path / "city")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # paths are relative to the register file, never to the working folder
    reg = load_register(copy)
    assert reg.ids() == list(EXPECTED_IDS) and reg.root == str(copy.parent.resolve())
    test = reg["T03"].checks[0].test
    assert test is not None and (Path(reg.root) / test.processes[0]).resolve().is_file()
    assert str(tmp_path / "city" / "processes") in str((Path(reg.root) / test.processes[0]).resolve())


def test_the_real_plan_list_tells_t3o_from_t30(tmp_path):
    copy = _copy_project(tmp_path / "city")
    text = copy.read_text(encoding="utf-8")
    assert text.count("- id: T03\n") == 1
    copy.write_text(text.replace("- id: T03\n", "- id: T3O\n"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_register(copy)
    messages = [m for _, m in info.value.problems]
    assert messages == ['"T3O" is not a row of the plan, and the plan\'s row T03 has no entry (did you mean "T03"?)']

# --- rows that test what the plan says (issue 11 item 10): calculator, online step, context -----------------
def _t01(tmp_path: Path, check: str) -> Path:
    """A register whose T01 is ``check`` (YAML lines) and whose T02 is not simulated, beside tiny.bpmn."""
    (tmp_path / "processes").mkdir(exist_ok=True)
    (tmp_path / "processes" / "tiny.bpmn").write_bytes((DATA / "processes" / "tiny.bpmn").read_bytes())
    path = tmp_path / "reg.yaml"
    path.write_text("targets:\n  - id: T01\n    clause: x\n    chain: demo\n    metric: m\n" + check +
                    "  - id: T02\n    clause: x\n    chain: demo\n    metric: m\n    unit: count\n    max: 1\n"
                    "    not_simulated: fixture\n", encoding="utf-8")
    return path


def _problems_of(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_register(path, root=path.parent, expected_ids=IDS)
    return info.value.problems


def test_real_register_rows_that_test_what_the_plan_says(real):
    t10 = real["T10"].checks[0]
    assert t10.test is not None and t10.test.metric == "deposit_rate" and t10.test.processes == ()
    online, five_days, _ = real["T25"].checks
    assert online.test is not None and (online.test.metric, online.test.task) == ("online", "t_one_window")
    assert five_days.context and "not a number of the Hainan plan" in five_days.context and not online.context
    t30 = real["T30"].checks[0]
    assert t30.test is not None and t30.test.metric == "filings_per_year" and t30.test.baseline


def test_a_calculator_check_takes_no_process(tmp_path: Path):
    ok = _t01(tmp_path, "    unit: percent\n    max: 2.5\n    test: {metric: deposit_rate}\n")
    assert load_register(ok, root=tmp_path, expected_ids=IDS)["T01"].checks[0].test.processes == ()
    bad = _t01(tmp_path, "    unit: percent\n    max: 2.5\n    test: {process: processes/tiny.bpmn, metric: deposit_rate}\n")
    assert any(p == "targets[0] (T01).test.process" and "on no process file" in m for p, m in _problems_of(bad))


def test_an_online_check_needs_its_task(tmp_path: Path):
    bad = _t01(tmp_path, "    unit: yes-no\n    equals: yes\n    test: {process: processes/tiny.bpmn, metric: online}\n")
    assert any(p == "targets[0] (T01).test.task" and "online needs the task id" in m for p, m in _problems_of(bad))
    wrong_unit = _t01(tmp_path, "    unit: count\n    max: 1\n    test: {process: processes/tiny.bpmn, metric: online, "
                                "task: t_review}\n")
    assert any(p == "targets[0] (T01).test.metric" and "yes-no" in m for p, m in _problems_of(wrong_unit))


@pytest.mark.parametrize(("context", "words"), [("''", "expected why this check is context only"),
                                                 ("[a]", "expected why this check is context only")])
def test_context_must_say_why(tmp_path: Path, context: str, words: str):
    bad = _t01(tmp_path, f"    unit: 工作日\n    max: 1\n    context: {context}\n"
                         "    test: {process: processes/tiny.bpmn, metric: task_workdays, task: t_review}\n")
    assert any(p == "targets[0] (T01).context" and words in m for p, m in _problems_of(bad))


def test_context_needs_a_tested_check(tmp_path: Path):
    bad = _t01(tmp_path, "    unit: 工作日\n    max: 1\n    context: not the plan's\n    not_simulated: why\n")
    assert any(p == "targets[0] (T01).context" and "only a tested check" in m for p, m in _problems_of(bad))
