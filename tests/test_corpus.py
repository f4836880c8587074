"""Real BPMN files drawn in other modelers and engines (tests/data/corpus, origins and licences in SOURCES.md):
each has a pinned outcome on both executors — it simulates; it asks the scenario one question and simulates
once the scenario answers; or it is refused with a ReformSimError naming this element and saying this.

A file changing outcome is a decision, not drift: change its row in ``EXPECTED`` and say why in the commit.
``python tests/test_corpus.py`` prints the README's corpus table from these pins (a test keeps the two equal).

Example: ``.venv/bin/python -m pytest tests/test_corpus.py -q``
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pytest

import sim
from sim.engine.executors import executor_for

CORPUS = Path(__file__).parent / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.bpmn"))
EXECUTORS = ("compiled", "spiff")
README = Path(__file__).parent.parent / "README.md"
# the licences SOURCES.md may name (MIT/Apache/BSD/EPL/LGPL with notice; CC-BY with attribution) and our own files
LICENCES = ("MIT", "Apache-2.0", "LGPL-3.0", "CC-BY-3.0", "BSD", "EPL")


@dataclass(frozen=True)
class Runs:
    """It simulates on the defaults; ``every``: steps each case passes, at least that often; ``never``: steps no case passes."""

    every: dict[str, int] = field(default_factory=dict)
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asks:
    """Refused on the defaults with a question (``where`` named, ``why`` said); simulates once ``answer`` (a scenario) gives it."""

    where: str
    why: str
    answer: dict[str, Any]
    every: dict[str, int] = field(default_factory=dict)
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refused:
    """Refused: the message names ``where`` and says ``why`` (what to change)."""

    where: str
    why: str


Outcome = Union[Runs, Asks, Refused]
_MIX = "assumption: corpus test; any mix the conditions accept"


def _mix(**values: dict[Any, float]) -> dict[str, Any]:
    return {"attributes": {name: {"values": shares, "source": _MIX} for name, shares in values.items()}}


EXPECTED: dict[str, Outcome] = {
    # -- public files (SOURCES.md) --------------------------------------------------------------------------------
    "bonita_gateways_no_events": Runs({"_dJuGt6GGEemnBZ1fq05xIw": 1, "_2kiYIKIeEemNWZb5Naps6w": 1}),  # no start/end events (BPMN allows it)
    "bpmnio_data_objects_not_executable": Runs(),
    "bpmnio_pools_lanes_message_flows": Runs(),
    "camunda_event_based_timer": Runs({"message": 1}, ("timer1",)),  # the message (immediate) wins the race against PT1S
    "camunda_feel_conditions": Asks("attributes.price", 'flow "price-gt-zero"', _mix(price={0: 1}), {"task-a": 1}),
    "camunda_nested_subprocess_inclusive": Asks("attributes.COUNT", 'flow "Flow_gate_to_30_real"',
                                                _mix(COUNT={5: 0.25, 15: 0.25, 22: 0.25, 27: 0.25}),
                                                {"random_generator": 1, "say_goodbye": 1}),
    "camunda_parallel_user_tasks": Runs(),
    "camunda_forms_invoice_approval": Runs({"UserTask_1": 1}),
    "camunda_order_handling_conditional_boundary": Runs({"Task_06z99p1": 1}, ("Task_1yjkccw",)),  # interrupting: share 0 by default
    "trisotech_call_activities_global_tasks": Runs({f"call_activity_calling_global_{k}_id": 1 for k in (
        "task", "business_rule_task", "manual_task", "script_task", "user_task")}),  # five global-task calls, all start at once
    "miwg_A.1.0_reference": Runs({"_ec59e164-68b4-4f94-98de-ffb1c58a84af": 1, "_820c21c0-45f3-473b-813f-06381cc637cd": 1,
                                  "_e70a6fcb-913c-4a7b-a65d-e83adc73d69c": 1}),
    "miwg_A.1.0_adonis": Runs({"obj.37206": 1, "obj.37209": 1, "obj.37212": 1}),
    "miwg_A.2.0_reference": Runs({"_5a972b87-735d-454a-b31c-f52fb3afc5c7": 1}),
    "miwg_A.2.0_signavio": Runs({"sid-4644E4BF-18AE-4328-9EE4-DB3CE7FE763C": 1}),
    "miwg_A.2.0_aris": Runs({"FLOWNODE_28a18483-3bda-11e3-3329-080027000095": 1}),
    # a collapsed subprocess: its non-interrupting message branch runs in every case, the escalation outcome in none
    "miwg_A.3.0_reference": Runs({"_65f5459f-44ae-436d-a089-a91d6d78075b": 1, "_1ae31d1b-2559-4f78-a3ec-47986a49db48": 1,
                                  "_72204cd7-709c-4656-9554-3ae29b3844ce": 1, "_2d2d0d29-896f-49f9-8109-77a7304309c5": 1},
                                 ("_9fad8da5-a28c-4b6b-bb71-fbd5c65b9681",)),
    "miwg_A.3.0_eclipse_bpmn2_modeler": Runs({"Task_1": 1, "SubProcess_1": 1, "Task_3": 1, "Task_2": 1}, ("Task_4",)),
    "miwg_A.3.0_mid_innovator": Refused("messageEventDefinition", 'attribute "name" is not allowed there; remove it'),
    "miwg_A.4.0_activiti_designer": Refused("<bpmn:process>", "export the process itself"),
    "spiff_exclusive_gateway_default": Asks("attributes.x", "compare it with numbers", _mix(x={0: 0.5, 2: 0.5})),
    "spiff_boundary_timer_on_task": Runs({"Activity_0dzjjk3": 1, "user_task": 1, "set_variable": 1}),  # PT0.002S fires first
    "spiff_lanes": Asks("attributes.NeedClarification", "compare it with text ('Yes'",
                        _mix(NeedClarification={"Yes": 0.3, "No": 0.7}), {"Activity_A1": 1, "SubProcessTask": 1}),
    "spiff_inclusive_gateway": Asks("attributes.u", "compare it with numbers",
                                    _mix(u={0: 0.5, 1: 0.5}, w={0: 0.5, 1: 0.5}, v={0: 1}), {"set_data": 1}),
    "activiti_nested_forks_end_events": Runs(),  # gateways and end events only: every case ends at once
    "activiti_event_based_gateway_signal_timer": Runs({"signalEvent": 1}, ("timerEvent",)),  # flows without ids get ids
    "activiti_categorize_human_juel_boolean": Runs({"Task_0igeuk7": 1}),
    "activiti_timer_on_nested_subprocesses": Runs({"innerTask1": 1, "innerTask2": 1}, ("taskAfterCatch",)),
    "activiti_inclusive_after_message_boundary": Runs({"boundarymessage1": 1, "usertask1": 1, "usertask2": 1}),
    "activiti_signavio_parallel": Runs({"manTask1": 1, "userTask1": 1, "manTask2": 1}),
    "flowable_multiple_tokens_join": Refused('parallelGateway id="fork"', "two tokens travel one path into parallel join"),
    "flowable_intro_service_task": Runs({"introTask": 1}),
    # the rework loop reads one attribute per case: a case with resendRequest 'Yes' and not approved loops for ever
    "flowable_vacation_request": Asks("attributes.resendRequest", "compare it with text ('No', 'Yes'",
                                      _mix(resendRequest={"No": 1}), {"processVacationRequest": 1}),
    "kogito_jbpm_modeler_signal_scripts": Runs({"_9660EA72-BFEC-4FAE-B5C3-48513A420288": 1,
                                                "_7C0F340A-57A6-40ED-A802-4C8A5B61B8E4": 1}),
    # -- hand-written, one construct each (SOURCES.md) --------------------------------------------------------------
    "called_review": Runs(),
    "hand_activiti_chinese_approval": Asks("attributes.result", "compare it with text ('同意', '驳回'",
                                           _mix(result={"同意": 1}), {"window_check": 1, "chief_approve": 1}, ("return_docs",)),
    "hand_annotation_before_boundary": Runs({"review": 1}, ("return",)),
    "hand_call_sibling": Runs({"accept": 1, "call_review/score": 1, "call_review/sign": 1}),
    "hand_data_store": Runs(),
    "hand_empty_timer": Refused('intermediateCatchEvent id="notice"', "add <bpmn:timeDuration>"),
    "hand_error_ref_missing": Runs(),
    "hand_event_based_gateway": Runs({"notify": 1, "reply": 1, "accept": 1}, ("deadline", "reject")),
    "hand_flowable_style_holiday": Runs({"approveTask": 1}),
    "hand_implicit_merge": Runs({"check_a": 1, "check_b": 1, "notify": 2}),  # one token per incoming flow
    "hand_implicit_split": Runs({"check_a": 1, "check_b": 1, "archive": 1}),
    "hand_multi_instance_cardinality": Runs({"countersign": 1, "countersign__2": 1, "countersign__3": 1}, ("countersign__4",)),
    "hand_multi_instance_no_cardinality": Asks('userTask id="countersign"', "<bpmn:loopCardinality>3</bpmn:loopCardinality>",
                                               {"steps": {"countersign": {"instances": 3, "source": _MIX}}},
                                               {"countersign": 1, "countersign__2": 1, "countersign__3": 1}),
    "hand_nested_parallel_drawn": Runs({"a": 1, "b": 1, "c": 1, "d": 1, "z": 1}),
    "hand_no_outgoing_children": Runs({"apply": 1, "check_a": 1, "check_b": 1}),
    "hand_nonint_timer_before_join": Runs({"review": 1, "remind_after": 1, "remind": 1}),  # the join gets both tokens
    "hand_string_conditions_juel": Runs(),
    "hand_string_conditions_yes_no": Asks("attributes.inspection", "compare it with text ('No', 'Yes'",
                                          _mix(inspection={"Yes": 0.3, "No": 0.7}), {"accept": 1}),
    "hand_two_boundary_events": Runs({"review": 1, "reminder": 1, "log_reminder": 1}, ("escalate", "explain")),
}


# -- SOURCES.md: one row per file, its origin and licence -------------------------------------------------------------

def _rows() -> dict[str, list[str]]:
    """File name -> the cells of its SOURCES.md row (a row may name two files)."""
    rows: dict[str, list[str]] = {}
    for line in (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for name in re.findall(r"`([^`]+\.bpmn)`", cells[0]):
                rows[name] = cells
    return rows


def _public() -> dict[str, list[str]]:
    """The rows of files from public repositories (five cells: file, drawn in, origin, licence, what)."""
    return {name: cells for name, cells in _rows().items() if len(cells) == 5}


def test_the_corpus_holds_30_public_files_from_8_modelers_each_with_origin_commit_and_a_licence_that_allows_it() -> None:
    rows, public = _rows(), _public()
    assert sorted(rows) == [p.name for p in FILES], "every file has exactly one SOURCES.md row, every row a file"
    assert len(public) >= 30
    for name, (_, drawn, origin, licence, _) in public.items():
        assert re.search(r"\b[0-9a-f]{40}\b", origin), f"{name}: no commit in {origin!r}"
        assert "/" in origin.split(",")[0], f"{name}: no owner/repository in {origin!r}"
        assert licence.startswith(LICENCES), f"{name}: licence {licence!r} is not one the corpus may hold"
    modelers = {re.split(r"[ (]\d|\(", drawn)[0].strip().lower() for _, drawn, *_ in public.values()}
    assert len(modelers) >= 8, sorted(modelers)


def test_every_corpus_file_has_a_pinned_outcome() -> None:
    assert sorted(EXPECTED) == [p.stem for p in FILES]


# -- the pinned outcomes, on both executors ---------------------------------------------------------------------------

def _assert_runs(result: Any, every: dict[str, int], never: tuple[str, ...], cases: int) -> None:
    assert sum(r.cases for r in result.replications) == cases
    kpi = result.kpi("workdays")
    assert kpi.count == cases and 0 <= kpi.mean < 1e4, kpi  # every case finished, the KPIs are numbers
    for steps, n in result.path_frequencies().items():
        for step, times in every.items():
            assert steps.count(step) >= times, f"{n} case(s) passed {step} fewer than {times} time(s): {steps}"
        assert not set(never) & set(steps), f"{n} case(s) took {set(never) & set(steps)}: {steps}"


def _assert_refused(path: Path, error: sim.ReformSimError, where: str, why: str) -> None:
    message = str(error)
    assert path.name in message, message
    if isinstance(error, sim.ModelError):  # an element of the file: its line too
        assert error.line and f"{path.name}:{error.line}:" in message, message
    assert where in message, f"expected the message to name {where}: {message}"
    assert why in message, message
    assert re.search(r'id="[^"]+"|"[A-Za-z_][\w.-]*"|attributes\.\w+|<bpmn:\w+>', message), f"no element named in: {message}"
    # a planner cannot act on Python object reprs or a parser's namespaced names leaking through
    assert "<Element" not in message and " at 0x" not in message and "{http" not in message, message


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_has_its_pinned_outcome(path: Path, executor: str) -> None:
    expected, cases = EXPECTED[path.stem], 30
    run = dict(cases=cases, replications=1, seed=7, executor=executor_for(executor))
    if isinstance(expected, Runs):
        _assert_runs(sim.simulate(path, **run), expected.every, expected.never, cases)
        return
    with pytest.raises(sim.ReformSimError) as info:
        sim.simulate(path, **run)
    _assert_refused(path, info.value, expected.where, expected.why)
    if isinstance(expected, Asks):  # the question answered, it simulates
        _assert_runs(sim.simulate(path, sim.parse_scenario(expected.answer), **run), expected.every, expected.never, cases)


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_the_cli_exits_0_or_2_never_with_a_traceback(path: Path, executor: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main

    code = main(["run", str(path), "--cases", "5", "--replications", "1", "--executor", executor])
    err = capsys.readouterr().err
    assert code == (0 if isinstance(EXPECTED[path.stem], Runs) else 2), err
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.mark.parametrize("name", ["camunda_event_based_timer", "hand_two_boundary_events", "trisotech_call_activities_global_tasks",
                                  "flowable_vacation_request"])
def test_a_file_with_one_element_or_attribute_removed_is_loaded_or_refused_never_crashes(name: str, tmp_path: Path) -> None:
    """Every element, and every element's first attribute, removed in turn: a ReformSimError or a process, nothing else."""
    from lxml import etree

    source = CORPUS / f"{name}.bpmn"
    count = len([e for e in etree.parse(str(source)).getroot().iter() if isinstance(e.tag, str)])
    for i in range(1, count):
        for mode in ("element", "attribute"):
            tree = etree.parse(str(source))
            victim = [e for e in tree.getroot().iter() if isinstance(e.tag, str)][i]
            if mode == "element":
                victim.getparent().remove(victim)
            elif victim.attrib:
                del victim.attrib[next(iter(victim.attrib))]
            mutant = tmp_path / f"{name}.bpmn"
            tree.write(str(mutant))
            try:
                sim.load_bpmn(mutant)
            except sim.ReformSimError:
                pass


# -- the README's table ---------------------------------------------------------------------------------------------

def _origin(name: str) -> str:
    cells = _public().get(name)
    return cells[2].split(",")[0].strip() if cells else "hand-written (this project)"


def corpus_table() -> str:
    """The README's corpus table, from the pins: files per origin and what they do on both executors."""
    kinds: dict[str, Counter[str]] = {}
    for stem, outcome in EXPECTED.items():
        kinds.setdefault(_origin(f"{stem}.bpmn"), Counter())[type(outcome).__name__] += 1
    order = sorted(kinds, key=lambda k: (k.startswith("hand"), k))
    lines = ["| Origin | files | simulate | simulate once the scenario answers | refused |", "|---|---:|---:|---:|---:|"]
    for origin in [*order, "total"]:
        c = sum(kinds.values(), Counter()) if origin == "total" else kinds[origin]
        label = "**total**" if origin == "total" else origin
        lines.append(f"| {label} | {sum(c.values())} | {c['Runs']} | {c['Asks']} | {c['Refused']} |")
    return "\n".join(lines)


def test_the_readme_table_says_what_the_pins_say() -> None:
    text = README.read_text(encoding="utf-8")
    assert corpus_table() in text, f"README's corpus table is out of date; `python tests/test_corpus.py` prints it:\n{corpus_table()}"
    simulate = sum(not isinstance(o, Refused) for o in EXPECTED.values())
    assert simulate >= 0.9 * len(EXPECTED), f"{simulate} of {len(EXPECTED)} simulate: below the 90% the corpus must reach"


if __name__ == "__main__":
    sys.stdout.write(corpus_table() + "\n")
