"""Inputs stay inside their project and are read with bounds (issue 10, part 2).

Whatever a scenario, register, BPMN, JSON or log file points at — /etc/passwd, ../../x.yaml, a
FIFO, /dev/zero, an alias bomb, 10,000 levels of nesting — the answer is a located
ReformSimError (exit 2 from the CLI) within seconds, and a value from a file the user did not
name never appears in the output. Cases that would hang or eat memory if broken run the CLI in a
subprocess with a timeout and an address-space limit, so a regression fails instead of hanging.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim import inputs
from sim.bpmn.loader import load_process
from sim.errors import ModelError, ScenarioError
from sim.interop.fit import fit_log
from sim.interop.prosimos import import_prosimos
from sim.scenarios import load_scenario
from sim.targets import load_register

REPO = Path(__file__).parents[1]
PROCESS = REPO / "processes" / "company_setup_2021.bpmn"
SECRET = "SECRET-TOKEN-abc123"
# billion laughs: 9 levels of 9 references, 9^9 ≈ 387 million strings once expanded
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def _limit_memory() -> None:  # a broken reader then fails with MemoryError instead of swapping the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def cli(*args: str | Path, cwd: Path, timeout: float = 60) -> tuple[int, str, float]:
    """Run ``reformsim ARGS`` in a subprocess; (exit code, stdout+stderr, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_limit_memory, check=False)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def project(tmp_path: Path) -> Path:
    """A planner's project folder (scenarios/ and processes/), the default root of files in it."""
    root = tmp_path / "proj"
    (root / "scenarios").mkdir(parents=True)
    (root / "processes").mkdir()
    shutil.copy(PROCESS, root / "processes" / PROCESS.name)
    return root


def scenario(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def one_located_error(rc: int, out: str, file: Path) -> None:
    assert rc == 2, out
    assert "Traceback" not in out, out
    assert out.startswith("reformsim: error: ") and file.name in out, out


# -- references leaving the root --------------------------------------------------------------------
@pytest.mark.parametrize("key", ["extends", "process", "calendar"])
def test_absolute_path_outside_the_project_is_refused_without_reading_it(tmp_path: Path, key: str) -> None:
    proj = project(tmp_path)
    s = scenario(proj / "scenarios", "s.yaml", f"{key}: /etc/passwd\n")
    rc, out, _ = cli("run", s, cwd=tmp_path)
    one_located_error(rc, out, s)
    assert f"{key}: '/etc/passwd' leads outside the allowed folder {proj.resolve()}" in out
    assert "root:" not in out  # nothing of /etc/passwd


def test_dotdot_outside_the_root_is_refused_and_the_outside_secret_never_shown(tmp_path: Path) -> None:
    scenario(tmp_path, "x.yaml", f"cases: {SECRET}\nname: {SECRET}\n")
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    s = scenario(inner, "s.yaml", "extends: ../../x.yaml\n")
    rc, out, _ = cli("run", s, "--root", inner, cwd=tmp_path)
    one_located_error(rc, out, s)
    assert "extends: '../../x.yaml' leads outside" in out and SECRET not in out


def test_a_symlink_inside_the_root_pointing_out_is_refused(tmp_path: Path) -> None:
    proj = project(tmp_path)
    scenario(tmp_path, "x.yaml", f"cases: {SECRET}\n")
    (proj / "scenarios" / "link.yaml").symlink_to(tmp_path / "x.yaml")
    s = scenario(proj / "scenarios", "s.yaml", "extends: link.yaml\n")
    rc, out, _ = cli("run", s, cwd=tmp_path)
    one_located_error(rc, out, s)
    assert "leads outside" in out and SECRET not in out


def test_a_parents_values_are_never_quoted_in_errors(tmp_path: Path) -> None:
    """A parent inside the project with a bad value: the error names its file and key, not the value."""
    proj = project(tmp_path)
    base = scenario(proj / "scenarios", "base.yaml", f"cases: {SECRET}\n")
    s = scenario(proj / "scenarios", "s.yaml", "extends: base.yaml\n")
    rc, out, _ = cli("run", s, cwd=tmp_path)
    assert rc == 2 and "Traceback" not in out, out
    assert f"{base.resolve()}: cases: expected a whole number > 0 {inputs.NOT_SHOWN}" in out
    assert SECRET not in out


# Edits of a parent: wrong in shape (caught when the parent is read) or not fitting the process
# (caught when the edits are applied, after merging): either way the error names the parent and the
# edit's position in it, and quotes nothing the parent holds.
PARENT_EDITS = {
    "unknown step": (f"- remove: {SECRET}\n  source: 'assumption: t'\n", "edits[1].remove: unknown step"),
    "unknown agency": (f"- staff: {SECRET}\n  add: 1\n  source: 'assumption: t'\n", "edits[1].staff: no step of process"),
    "merge of an unknown step": (f"- merge: [t_register, {SECRET}]\n  source: 'assumption: t'\n", "edits[1].merge: unknown step"),
    "set on an unknown step": (f"- set: {SECRET}\n  fee: 1\n  source: 'assumption: t'\n", "edits[1].set: unknown step"),
    "no verb (the item quoted whole)": (f"- {SECRET}: 1\n", "edits[1]: no edit in"),
    "a value quoted without 'got'": (f"- set: t_register\n  work: 2 {SECRET}\n  source: 'assumption: t'\n",
                                     "edits[1].work: unknown time unit"),
    "a bad source": (f"- online: t_register\n  source: [{SECRET}]\n", "edits[1].source: expected text"),
}


@pytest.mark.parametrize("body, where, command", [(b, w, "run") for b, w in PARENT_EDITS.values()]
                         + [(*PARENT_EDITS["unknown step"], "compare")],  # compare: the edits travel as plain data (RunSpec)
                         ids=[*PARENT_EDITS, "unknown step, compare"])
def test_a_parents_edits_are_reported_in_the_parent_without_their_values(tmp_path: Path, body: str, where: str,
                                                                          command: str) -> None:
    proj = project(tmp_path)
    base = scenario(proj / "scenarios", "base.yaml",
                    "process: ../processes/company_setup_2021.bpmn\nedits:\n- online: t_register\n  source: 'assumption: t'\n"
                    + body)
    s = scenario(proj / "scenarios", "s.yaml", "extends: base.yaml\n")
    args = ["run", s, "--cases", "5", "--replications", "1"] if command == "run" else \
        ["compare", s, s, "--cases", "5", "--replications", "1", "--out", tmp_path / "out"]
    rc, out, _ = cli(*args, cwd=tmp_path)
    assert rc == 2 and "Traceback" not in out, out
    assert f"reformsim: error: {base.resolve()}: {where}" in out, out  # the parent's file and position in it
    assert inputs.NOT_SHOWN in out
    assert SECRET not in out and "SECRET" not in out, out


def test_an_own_edit_after_inherited_ones_is_located_in_its_own_file_and_quoted(tmp_path: Path) -> None:
    proj = project(tmp_path)
    scenario(proj / "scenarios", "grand.yaml", "process: ../processes/company_setup_2021.bpmn\n"
                                               "edits:\n- online: t_register\n  source: 'assumption: t'\n")
    scenario(proj / "scenarios", "base.yaml", "extends: grand.yaml\nedits:\n- online: t_seal\n  source: 'assumption: t'\n")
    s = scenario(proj / "scenarios", "s.yaml", "extends: base.yaml\nedits:\n- remove: t_nowhere\n  source: 'assumption: t'\n")
    with pytest.raises(ScenarioError) as err:
        load_process_and_apply(s)
    assert err.value.file == str(s)  # not the merged list's position 2 of some file
    assert err.value.problems[0][0] == "edits[0].remove" and '"t_nowhere"' in err.value.problems[0][1]
    bad_grand = scenario(proj / "scenarios", "grand.yaml", "process: ../processes/company_setup_2021.bpmn\n"
                                                           f"edits:\n- online: {SECRET}\n  source: 'assumption: t'\n")
    with pytest.raises(ScenarioError) as err:
        load_process_and_apply(s)
    assert err.value.file == str(bad_grand.resolve()) and err.value.problems[0][0] == "edits[0].online"
    assert SECRET not in str(err.value)


def load_process_and_apply(path: Path) -> None:
    from sim.engine.runner import prepare_run

    sc = load_scenario(path)
    prepare_run(sc.process, sc)


def test_a_calendar_files_values_are_not_quoted_either(tmp_path: Path) -> None:
    proj = project(tmp_path)
    days = scenario(proj / "scenarios", "days.yaml", f"source: x\nyears:\n  2030:\n    holidays: [{SECRET}]\n")
    s = scenario(proj / "scenarios", "s.yaml", "calendar: days.yaml\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(s)
    assert err.value.file == str(days.resolve()) and SECRET not in str(err.value), str(err.value)
    assert "years.2030.holidays[0]" in str(err.value)


def test_values_from_the_named_file_are_cut_short(tmp_path: Path) -> None:
    proj = project(tmp_path)
    s = scenario(proj / "scenarios", "s.yaml", f"process: {'A' * 5000}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(s)
    message = str(err.value)
    assert "AAAA" in message and len(message) < 600, message


def test_fifo_as_parent_process_or_named_file_fails_at_once(tmp_path: Path) -> None:
    proj = project(tmp_path)
    os.mkfifo(proj / "scenarios" / "pipe.yaml")
    os.mkfifo(proj / "processes" / "pipe.bpmn")
    parent = scenario(proj / "scenarios", "p.yaml", "extends: pipe.yaml\n")
    proc = scenario(proj / "scenarios", "q.yaml", "process: ../processes/pipe.bpmn\n")
    for target, words in ((parent, "extends: 'pipe.yaml' is a named pipe (FIFO)"),
                          (proc, "process: '../processes/pipe.bpmn' is a named pipe (FIFO)"),
                          (proj / "scenarios" / "pipe.yaml", "a named pipe (FIFO), expected a scenario file"),
                          (proj / "processes" / "pipe.bpmn", "a named pipe (FIFO), expected a BPMN file")):
        rc, out, seconds = cli("run", target, cwd=tmp_path, timeout=30)
        one_located_error(rc, out, target)
        assert words in out, out
        assert seconds < 20


def test_dev_zero_is_refused_as_a_device_even_inside_the_root(tmp_path: Path) -> None:
    s = scenario(tmp_path, "s.yaml", "extends: /dev/zero\n")
    rc, out, seconds = cli("run", s, "--root", "/", cwd=tmp_path, timeout=30)
    one_located_error(rc, out, s)
    assert "'/dev/zero' is a character device, expected another scenario file" in out and seconds < 20
    rc, out, _ = cli("run", "/dev/zero", cwd=tmp_path, timeout=30)
    assert rc == 2 and "/dev/zero: a character device, expected a BPMN file" in out, out


# -- YAML bounds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_alias_bomb_in_name_is_refused_quickly(tmp_path: Path, command: str) -> None:
    proj = project(tmp_path)
    s = scenario(proj / "scenarios", "bomb.yaml", "process: ../processes/company_setup_2021.bpmn\n" + BOMB + "name: *i\n")
    args = {"run": ("run", s), "compare": ("compare", s, s, "--out", tmp_path / "out"),
            "sweep": ("sweep", s, "--vary", "cases=10,20", "--out", tmp_path / "out")}[command]
    rc, out, seconds = cli(*args, cwd=tmp_path, timeout=60)
    one_located_error(rc, out, s)
    assert "line 3: not valid YAML: aliases (*name) are not allowed" in out, out  # line 3: the first alias
    assert seconds < 30


def test_duplicate_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    s = scenario(tmp_path, "s.yaml", "cases: 10\nseed: 1\ncases: 20\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(s)
    assert err.value.problems == [("line 3", "not valid YAML: the key 'cases' appears twice (first on line 1); keep one")]


def test_duplicate_key_in_a_nested_mapping(tmp_path: Path) -> None:
    s = scenario(tmp_path, "s.yaml", "agencies:\n  tax:\n    staff: 1\n    staff: 2\n")
    with pytest.raises(ScenarioError, match="line 4: not valid YAML: the key 'staff' appears twice"):
        load_scenario(s)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_is_a_located_error(tmp_path: Path, encoding: str) -> None:
    s = tmp_path / "s.yaml"
    s.write_bytes("name: 公司设立\ncases: 10\n".encode(encoding))
    with pytest.raises(ScenarioError) as err:
        load_scenario(s)
    assert err.value.file == str(s) and err.value.problems[0][0] == "line 1"
    assert "UTF-16" in err.value.problems[0][1] and "save it as UTF-8" in err.value.problems[0][1]


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    s = tmp_path / "s.yaml"
    s.write_bytes(b"name: ok\ncases: 10\n" + "description: 公司\n".encode("gbk"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(s)
    assert err.value.problems[0][0] == "line 3" and "not valid UTF-8" in err.value.problems[0][1]


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    s = tmp_path / "s.yaml"
    s.write_bytes("\ufeffname: 试点\ncases: 10\n".encode())
    assert load_scenario(s).name == "试点"


@pytest.mark.parametrize("style", ["flow", "block"])
def test_ten_thousand_levels_of_nesting_is_a_located_error(tmp_path: Path, style: str) -> None:
    body = ("name: " + "[" * 10_000 + "]" * 10_000 + "\n" if style == "flow"
            else "name:\n  " + "- " * 10_000 + "x\n")  # compact nested block sequences
    s = scenario(tmp_path, "s.yaml", body)
    with pytest.raises(ScenarioError) as err:
        load_scenario(s)
    where, what = err.value.problems[0]
    assert where.startswith("line "), where
    # ours, or libyaml's own limit (1000 levels), which its parser checks first in flow style
    assert f"nested deeper than {inputs.MAX_YAML_DEPTH} levels" in what or "exceeded maximum nesting depth" in what, what


def test_a_bad_date_is_the_scenarios_own_located_error(tmp_path: Path) -> None:
    s = scenario(tmp_path, "s.yaml", "name: x\nstart: 2021-13-45\n")
    with pytest.raises(ScenarioError, match="start: expected a date like 2021-07-01"):
        load_scenario(s)


def test_a_value_python_cannot_convert_is_a_located_error_not_a_valueerror(tmp_path: Path) -> None:
    s = scenario(tmp_path, "s.yaml", "name: x\ncases: " + "9" * 5000 + "\n")  # beyond int()'s 4300-digit limit
    with pytest.raises(ScenarioError, match="line 2: not valid YAML: cannot read the value"):
        load_scenario(s)


def test_nesting_just_over_our_limit_is_refused_by_our_check(tmp_path: Path) -> None:
    s = scenario(tmp_path, "s.yaml", "name: " + "[" * (inputs.MAX_YAML_DEPTH + 1) + "]" * (inputs.MAX_YAML_DEPTH + 1) + "\n")
    with pytest.raises(ScenarioError, match=f"line 1: not valid YAML: nested deeper than {inputs.MAX_YAML_DEPTH} levels"):
        load_scenario(s)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    s = tmp_path / "s.yaml"
    with s.open("wb") as fh:
        fh.truncate(inputs.SCENARIO.max_bytes + 1)  # sparse: nothing written
    with pytest.raises(ScenarioError, match="a scenario file may have at most 1 MiB"):
        load_scenario(s)


# -- the register ------------------------------------------------------------------------------------
def test_a_register_copied_with_its_processes_resolves_paths_relative_to_itself(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    (copy / "scenarios").mkdir(parents=True)
    shutil.copy(REPO / "scenarios" / "targets.yaml", copy / "scenarios" / "targets.yaml")
    shutil.copytree(REPO / "processes", copy / "processes")
    reg = load_register(copy / "scenarios" / "targets.yaml")
    assert Path(reg.root) == (copy / "scenarios").resolve()
    check = reg["T07"].checks[0]
    assert check.test is not None
    assert (Path(reg.root) / check.test.processes[0]).resolve() == (copy / "processes" / "construction_lowrisk_2021.bpmn").resolve()
    # the copy is what is read: break it there and the register says so
    (copy / "processes" / "construction_lowrisk_2021.bpmn").unlink()
    with pytest.raises(ScenarioError, match=r"T07\).test.process: process file '../processes/construction_lowrisk_2021.bpmn' not found"):
        load_register(copy / "scenarios" / "targets.yaml")


def _register(folder: Path, process: str, extra: str = "") -> Path:
    path = folder / "targets.yaml"
    path.write_text(f"""targets:
  - id: T01
    clause: 二(一)1
    chain: demo
    metric: time
    unit: 工作日
    max: 1
    test: {{process: {process}, metric: case_workdays}}
{extra}""", encoding="utf-8")
    return path


def test_a_register_path_leaving_the_root_is_refused(tmp_path: Path) -> None:
    proj = project(tmp_path)
    reg = _register(proj / "scenarios", "../../outside.bpmn")
    with pytest.raises(ScenarioError) as err:
        load_register(reg, expected_ids=("T01",))
    expected = (f"process file '../../outside.bpmn' leads outside the allowed folder {proj.resolve()}; "
                "choose another folder with --root / root=")
    assert err.value.problems == [("targets[0] (T01).test.process", expected)]


def test_a_register_with_an_alias_or_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    proj = project(tmp_path)
    reg = _register(proj / "scenarios", "../processes/company_setup_2021.bpmn", "    note: *nothing\n")
    with pytest.raises(ScenarioError, match="line 9: not valid YAML: aliases"):
        load_register(reg, expected_ids=("T01",))
    reg = _register(proj / "scenarios", "../processes/company_setup_2021.bpmn", "    unit: 天\n")
    with pytest.raises(ScenarioError, match="line 9: not valid YAML: the key 'unit' appears twice"):
        load_register(reg, expected_ids=("T01",))


# -- call activities ---------------------------------------------------------------------------------
CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call_sub" calledElement="{called}"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call_sub"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call_sub" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
CALLED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d2" targetNamespace="http://x">
  <bpmn:process id="sub" isExecutable="true">
    <bpmn:startEvent id="s2"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="t_sub" name="审查">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="agency" value="registrar"/>
        <spiffworkflow:property name="procedure" value="true"/>
        <spiffworkflow:property name="work" value="1 h"/>
        <spiffworkflow:property name="source" value="assumption: test fixture"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e2"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="t_sub"/>
    <bpmn:sequenceFlow id="g2" sourceRef="t_sub" targetRef="e2"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_missing_called_process_is_named_at_once_with_a_fifo_sibling(tmp_path: Path) -> None:
    caller = tmp_path / "caller.bpmn"
    caller.write_text(CALLER.format(called="nowhere"), encoding="utf-8")
    os.mkfifo(tmp_path / "a_pipe.bpmn")  # scanning the folder would block here for ever
    rc, out, seconds = cli("run", caller, cwd=tmp_path, timeout=30)
    one_located_error(rc, out, caller)
    assert 'callActivity id="call_sub": calls "nowhere" (calledElement), but there is no process with that id in this file, ' \
           "nor a file nowhere.bpmn" in out
    assert seconds < 20


def test_a_called_process_is_read_from_the_file_named_after_it(tmp_path: Path) -> None:
    (tmp_path / "caller.bpmn").write_text(CALLER.format(called="sub"), encoding="utf-8")
    (tmp_path / "sub.bpmn").write_text(CALLED, encoding="utf-8")
    (tmp_path / "other.bpmn").write_text("not even XML", encoding="utf-8")  # never opened
    os.mkfifo(tmp_path / "pipe.bpmn")  # nor this
    try:
        process = load_process(tmp_path / "caller.bpmn")
    except ModelError as err:
        # The compiler does not yet know the elements of a called file (on main too: "UserTask cannot be
        # simulated"); that it complains about t_sub, which only sub.bpmn holds, shows the lookup read it.
        assert 'id="t_sub"' in str(err) and "calledElement" not in str(err), str(err)
    else:
        assert any(n.id.endswith("t_sub") for n in process.tasks()), [n.id for n in process.tasks()]


def test_a_called_file_that_leads_outside_the_root_is_not_read(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "caller.bpmn").write_text(CALLER.format(called="sub"), encoding="utf-8")
    (tmp_path / "sub.bpmn").write_text(CALLED, encoding="utf-8")
    (proj / "sub.bpmn").symlink_to(tmp_path / "sub.bpmn")
    with inputs.using_root(proj), pytest.raises(ModelError, match=r'calls "sub" \(calledElement\), but there is no process'):
        load_process(proj / "caller.bpmn")


# -- JSON and event logs ------------------------------------------------------------------------------
def test_prosimos_json_duplicate_key_and_deep_nesting_are_located(tmp_path: Path) -> None:
    bpmn = tmp_path / "p.bpmn"
    bpmn.write_text(CALLED, encoding="utf-8")
    params = tmp_path / "p.json"
    params.write_text('{"resource_profiles": [], "resource_profiles": []}', encoding="utf-8")
    with pytest.raises(ModelError, match="p.json: the key 'resource_profiles' appears twice"):
        import_prosimos(bpmn, params)
    params.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ModelError, match="p.json: not valid JSON here: nested too deeply"):
        import_prosimos(bpmn, params)


def test_event_log_fifo_bad_utf8_and_xes_entities_are_located(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "log.csv")
    with pytest.raises(ScenarioError, match="log.csv: a named pipe"):
        fit_log(tmp_path / "log.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"case:concept:name,concept:name\n1,\xb9\xab\xcb\xbe\n")
    with pytest.raises(ScenarioError, match="bad.csv: line 2: not valid UTF-8"):
        fit_log(bad)
    xes = tmp_path / "evil.xes"
    xes.write_text('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]><log>&x;</log>',
                   encoding="utf-8")
    with pytest.raises(ScenarioError, match="evil.xes: the file declares a DTD or entities"):
        fit_log(xes)


# -- the root rule ------------------------------------------------------------------------------------
def test_project_root_is_the_nearest_folder_with_git_or_scenarios_and_processes(tmp_path: Path) -> None:
    proj = project(tmp_path)
    (proj / "scenarios" / "deep").mkdir()
    assert inputs.project_root(proj / "scenarios" / "deep" / "s.yaml") == proj.resolve()
    repo = tmp_path / "repo"
    (repo / "a").mkdir(parents=True)
    (repo / ".git").mkdir()
    assert inputs.project_root(repo / "a" / "s.yaml") == repo.resolve()
    with inputs.using_root(tmp_path):
        assert inputs.allowed_root(repo / "a" / "s.yaml") == tmp_path.resolve()
    assert inputs.allowed_root(repo / "a" / "s.yaml", proj) == proj.resolve()
